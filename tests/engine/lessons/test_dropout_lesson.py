"""Dropout lesson: train and test activations match in expectation in both modes, and
dropout narrows the train/test gap on a small noisy set."""

from __future__ import annotations

import pytest

from engine.lessons.dropout import DROPOUT, RATE, expected_activation
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig():
    return DROPOUT.measure()


def test_dropout_expected_activation_matches_in_both_modes(sig) -> None:
    assert sig.holds
    for mode in ("inverted", "classic"):
        assert sig.values["relative_difference"][mode] <= 0.02
        # without the scaling the mismatch would be p itself
        assert sig.values["unscaled_difference"][mode] == pytest.approx(RATE, abs=0.02)


def test_dropout_narrows_the_loss_gap(sig) -> None:
    gaps = sig.values["gaps"]
    assert gaps["no-dropout"]["loss_gap"] >= 1.0  # the plain net overfits
    assert gaps["no-dropout"]["train_loss"] <= 0.05
    for mode in ("inverted", "classic"):
        assert gaps[mode]["loss_gap"] <= 0.3
        assert sig.values["loss_gap_ratio"][mode] <= 0.5
        assert gaps[mode]["accuracy_gap"] < gaps["no-dropout"]["accuracy_gap"] - 0.05
        assert gaps[mode]["test_accuracy"] >= gaps["no-dropout"]["test_accuracy"]


def test_dropout_gap_shrinks_on_other_seeds_too(sig) -> None:
    assert len(sig.values["other_seed_loss_gap_ratio"]) == 2
    assert max(sig.values["other_seed_loss_gap_ratio"]) <= 0.5


def test_dropout_scaled_net_votes_like_the_ensemble(sig) -> None:
    assert sig.values["ensemble_agreement"] >= 0.9


def test_dropout_expected_activation_needs_a_dropout_layer() -> None:
    with pytest.raises(ValueError, match="no top-level dropout layer"):
        expected_activation(DROPOUT.trainer("no-dropout"), passes=500)


def test_dropout_presets_parse_and_train() -> None:
    parse_spec(DROPOUT.spec)
    assert DROPOUT.trainer().train(5)["step"] == 5
    for variant in DROPOUT.variants:
        parse_spec(variant.spec)
        assert DROPOUT.trainer(variant.name).train(5)["step"] == 5
    assert [v.name for v in DROPOUT.variants] == ["no-dropout", "inverted", "classic"]
    assert DROPOUT.describe()["name"] == "dropout"
