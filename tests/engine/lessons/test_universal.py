"""Universal approximation: the error on |x| falls as the hidden layer widens."""

from __future__ import annotations

from itertools import pairwise

import pytest

from engine.lessons.base import Signature
from engine.lessons.universal import UNIVERSAL_APPROXIMATION, WIDTHS
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig() -> Signature:
    return UNIVERSAL_APPROXIMATION.measure()


def test_universal_error_falls_at_every_doubling(sig: Signature) -> None:
    assert sig.holds
    mse = sig.values["train_mse"]
    assert sig.values["widths"] == list(WIDTHS) == [1, 2, 4, 8, 16, 32]
    assert len(mse) == 6
    # measured: every wider net ends below the narrower one, worst ratio about 0.67
    assert all(b < a for a, b in pairwise(mse))
    assert sig.values["worst_step_ratio"] <= 0.8


def test_universal_widest_far_below_narrowest(sig: Signature) -> None:
    mse = sig.values["train_mse"]
    assert mse[0] >= 1e-2  # one tanh unit cannot make a V
    assert mse[-1] <= 2e-5
    assert sig.values["narrowest_over_widest"] >= 1000  # measured about 5000


def test_universal_tip_and_test_error_follow(sig: Signature) -> None:
    tips = sig.values["tip_error"]
    assert tips[0] > 0.4 and tips[1] < 0.15 and tips[-1] < 0.03
    assert tips[-1] < tips[3] < tips[1] < tips[0]
    test = sig.values["test_mse"]
    assert test[-1] <= test[0] / 100


def test_universal_presets_parse_and_train() -> None:
    lesson = UNIVERSAL_APPROXIMATION
    parse_spec(lesson.spec)
    assert lesson.trainer().train(5)["step"] == 5
    assert [v.name for v in lesson.variants] == ["units-2", "units-8", "units-32"]
    for variant in lesson.variants:
        parse_spec(variant.spec)
        assert lesson.trainer(variant.name).train(5)["status"] == "idle"
    assert lesson.describe()["name"] == "universal-approximation"
