"""Pooling lesson: mean keeps the background, max the texture; overlapping windows;
one SPP network for several image sizes; four pooling variants trained."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.lessons.pooling import POOLING, SPP, window_counts
from engine.spec import parse_spec
from engine.trainer import Trainer


@pytest.fixture(scope="module")
def sig():
    return POOLING.measure()


def test_pooling_claim_holds(sig) -> None:
    assert sig.holds


def test_pooling_mean_keeps_background_max_keeps_peaks(sig) -> None:
    pics = sig.values["pictures"]
    assert pics["texture_mean_low"] == pytest.approx(0.15)
    assert pics["texture_mean_high"] == pytest.approx(0.15)
    assert pics["texture_max_low"] == pics["texture_max_high"] == 0.9
    assert pics["flat_mean"] == pytest.approx(0.1)
    assert pics["flat_max"] == 0.1
    assert pics["flat_mean_max_difference"] < 1e-12
    assert pics["max_contrast"] == pytest.approx(0.8)
    assert pics["mean_contrast"] == pytest.approx(0.05)


def test_pooling_overlapping_windows(sig) -> None:
    for side, expected in (("12", 5), ("16", 7), ("24", 11)):
        counts = sig.values["overlap"][side]
        assert counts["out_side"] == counts["formula"] == expected
        assert counts["max_windows"] == 4
    assert sig.values["overlap"]["16"]["pixels_by_windows"] == {
        "0": 31, "1": 81, "2": 108, "4": 36}  # last row and column fall in no window
    assert sig.values["no_overlap"]["pixels_by_windows"] == {"1": 256}
    assert window_counts(15, 3, 2)["pixels_by_windows"].get("0") is None


def test_pooling_spp_same_length_at_every_size(sig) -> None:
    assert sig.values["spp_channels"] == 16
    assert sig.values["spp_bins"] == 21
    assert sig.values["spp_lengths"] == {"12": 336, "16": 336, "24": 336}


def test_pooling_spp_classifies_other_sizes(sig) -> None:
    by_size = sig.values["spp_accuracy_by_size"]
    # measured for the preset: 0.75 at 12, 0.98 at 16, 0.90 at 20, 0.67 at 24
    assert by_size["16"] >= 0.95
    for side in ("12", "20", "24"):
        assert 0.6 <= by_size[side] < by_size["16"]  # well above chance 1/6, below 16x16


def test_pooling_variants_all_learn(sig) -> None:
    final, early = sig.values["test_accuracy"], sig.values["test_accuracy_early"]
    assert set(final) == {"max", "mean", "overlap", "spp"}
    # measured for the preset after 800 steps: max 0.99, mean 0.99, overlap 1.0, spp 0.97
    assert min(final.values()) >= 0.95
    # after 100 steps all are still between 0.5 and 0.65
    assert all(early[name] < 0.7 < final[name] for name in final)


def test_pooling_claims_are_separate(sig) -> None:
    texts = [c.text for c in sig.claims]
    assert len(texts) == len(set(texts)) == 9
    assert all(c.numbers for c in sig.claims)  # the bench shows their spread


def test_pooling_presets_parse_and_train() -> None:
    parse_spec(POOLING.spec)
    assert POOLING.trainer().train(3)["step"] == 3
    assert [v.name for v in POOLING.variants] == ["max", "mean", "overlap", "spp"]
    for variant in POOLING.variants:
        assert POOLING.trainer(variant.name).train(3)["status"] == "idle"
    big = Trainer(SPP).net.predict(np.zeros((2, 1, 24, 24)))
    assert big.shape == (2, 6)


def test_pooling_values_and_catalogue_entry_are_json(sig) -> None:
    assert json.loads(json.dumps(sig.values)) == sig.values
    entry = json.loads(json.dumps(POOLING.describe()))
    assert entry["variants"] and entry["expectation"] == POOLING.expectation
