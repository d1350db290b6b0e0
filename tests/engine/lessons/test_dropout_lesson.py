"""Dropout lesson: train and test activations match in expectation in both modes, and
dropout narrows the train/test gap on a small noisy set."""

from __future__ import annotations

import pytest

from engine.lessons.base import Signature
from engine.lessons.dropout import DROPOUT, RATE, expected_activation
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig() -> Signature:
    return DROPOUT.measure()


def test_dropout_expected_activation_matches_in_both_modes(sig: Signature) -> None:
    assert sig.failed() == []
    for mode in ("inverted", "classic"):
        # measured: 1.0% in both modes (10000 passes: noise about 1/sqrt(10000))
        assert sig.values["relative_difference"][mode] <= 0.02
        # without the scaling the mismatch would be p itself
        assert sig.values["unscaled_difference"][mode] == pytest.approx(RATE, abs=0.02)


def test_dropout_plain_net_overfits(sig: Signature) -> None:
    plain, lowest = sig.values["gaps"]["no-dropout"], sig.values["lowest_test_loss"]
    # measured: test loss lowest (0.57) at step 200, 2.05 at step 4000 (3.6x), while
    # the training loss falls from 0.30 to 0.006
    assert lowest["no-dropout"]["step"] <= 1000
    assert sig.values["test_loss_climb"] >= 3.0
    assert plain["train_loss"] <= 0.05
    assert plain["loss_gap"] >= 1.5


def test_dropout_narrows_the_gaps(sig: Signature) -> None:
    gaps = sig.values["gaps"]
    for mode in ("inverted", "classic"):
        # measured: loss gap 0.31 (inverted) and 0.34 (classic) against 2.05, accuracy
        # gap 0.14 and 0.19 against 0.30
        assert gaps[mode]["loss_gap"] <= 0.4
        assert sig.values["loss_gap_ratio"][mode] <= 0.2
        assert gaps[mode]["accuracy_gap"] < gaps["no-dropout"]["accuracy_gap"] - 0.05


def test_dropout_scaled_net_votes_like_the_ensemble(sig: Signature) -> None:
    # measured: 98% of the test points
    assert sig.values["ensemble_agreement"] >= 0.95


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
