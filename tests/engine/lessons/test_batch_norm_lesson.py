"""batch-norm: trains where the plain deep sigmoid net stalls; running statistics at
inference; batches of 2 hurt."""

from __future__ import annotations

import pytest

from engine.lessons.base import Signature
from engine.lessons.batch_norm import BATCH_NORM, PLAIN_STEPS, STEPS


@pytest.fixture(scope="module")
def signature() -> Signature:
    return BATCH_NORM.measure()


def test_batch_norm_trains_where_plain_stalls(signature: Signature) -> None:
    assert signature.failed() == []
    plain, bn = signature.values["plain"], signature.values["batch_norm"]
    # measured: plain 0.693 train loss, 0.50 test accuracy after 4800 steps; batch norm
    # 1.00 after 1200 (0.96 to 1.00 over seeds 1 to 20)
    assert plain["train_loss"] > 0.68
    assert plain["test_accuracy"] <= 0.6
    assert bn["test_accuracy"] >= 0.9
    assert (bn["steps"], plain["steps"]) == (STEPS, PLAIN_STEPS) == (1200, 4800)


def test_batch_norm_evaluation_uses_running_statistics(signature: Signature) -> None:
    stats = signature.values["running_stats"]
    assert stats["eval_vs_formula"] < 1e-12
    assert stats["eval_vs_train_mode"] > 0.05


def test_batch_norm_batches_of_two_stay_near_chance(signature: Signature) -> None:
    small, bn = signature.values["small_batch"], signature.values["batch_norm"]
    assert small["steps"] == bn["steps"]  # side by side, as on the page
    # measured: 0.50 test accuracy
    assert small["test_accuracy"] <= 0.6
    assert small["test_accuracy"] <= bn["test_accuracy"] - 0.25


def test_batch_norm_two_points_normalise_to_plus_minus_one(signature: Signature) -> None:
    two = signature.values["two_point_batch"]
    assert two["off_formula"] < 1e-12
    # measured for the preset: every unit within 1e-3 of +-1 (the least 0.99997)
    assert two["share_near_1"] == 1.0
    assert all(abs(v - 1) < 1e-3 for v in two["abs_values"])
