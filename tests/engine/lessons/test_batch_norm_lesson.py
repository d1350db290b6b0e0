"""batch-norm: trains where the plain deep sigmoid net stalls; running statistics at
inference; batches of 2 hurt."""

from __future__ import annotations

import pytest

from engine.lessons.batch_norm import BATCH_NORM


@pytest.fixture(scope="module")
def signature():
    return BATCH_NORM.measure()


def test_batch_norm_trains_where_plain_stalls(signature) -> None:
    assert signature.holds
    plain, bn = signature.values["plain"], signature.values["batch_norm"]
    assert plain["train_loss"] > 0.68
    assert plain["test_accuracy"] <= 0.6
    assert bn["test_accuracy"] >= 0.9
    assert bn["steps"] * 4 == plain["steps"]


def test_batch_norm_evaluation_uses_running_statistics(signature) -> None:
    stats = signature.values["running_stats"]
    assert stats["eval_vs_formula"] < 1e-12
    assert stats["eval_vs_train_mode"] > 0.05


def test_batch_norm_batches_of_two_stay_near_chance(signature) -> None:
    small, bn = signature.values["small_batch"], signature.values["batch_norm"]
    assert small["steps"] * 2 == bn["steps"] * 16  # the same number of points seen
    assert small["test_accuracy"] <= 0.6
    assert small["test_accuracy"] <= bn["test_accuracy"] - 0.25
    # with two points per batch every normalised value is +-1 up to eps
    assert all(abs(v - 1) < 1e-3 for v in signature.values["two_point_batch_abs_values"])
