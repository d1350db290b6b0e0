"""Input-normalisation lesson: data moved far from the origin converge far slower
than the same data standardised (same net, learning rate and seed)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.lessons.normalization import (
    CENTRED,
    INPUT_NORMALIZATION,
    MIN_SLOWDOWN,
    OFFSET_SPEC,
    STANDARDIZED,
    slow_enough,
    steps_to_target,
)
from engine.spec import parse_spec
from engine.trainer import Trainer


@pytest.fixture(scope="module")
def sig():
    return INPUT_NORMALIZATION.measure()


def test_normalization_offset_neuron_converges_far_slower(sig) -> None:
    assert sig.holds, sig.failed()
    neuron = sig.values["one_neuron"]
    assert sig.values["model_seeds"] == [0, 1, 2]
    assert all(s is not None and s <= 100 for s in neuron["standardized"])  # 50, 70, 90
    assert all(s is not None and s >= 2000 for s in neuron["offset"])  # 4130, 4630, 5810
    assert min(neuron["slowdown"]) >= 50  # measured 83, 66, 65


def test_normalization_centring_is_what_matters(sig) -> None:
    neuron = sig.values["one_neuron"]
    # the raw blobs around the origin (not rescaled) are as quick as standardised ones
    assert all(c <= s for c, s in zip(neuron["centred"], neuron["standardized"], strict=True))


def test_normalization_small_net_with_adam_is_slower_too(sig) -> None:
    small = sig.values["small_net_adam"]
    assert all(s is not None and s <= 50 for s in small["standardized"])  # 40, 20, 30
    assert min(small["slowdown"]) >= 10  # measured 20, 42, 62


def test_normalization_offset_valley_is_badly_conditioned(sig) -> None:
    curvature = sig.values["curvature_ratio"]
    assert curvature["offset"] >= 1e4  # about 74000
    assert curvature["standardized"] <= 20  # about 8


def test_normalization_offset_data_sit_in_one_quadrant() -> None:
    offset, standardized = Trainer(OFFSET_SPEC), Trainer(STANDARDIZED)
    assert (offset.X_train > 10).all()
    np.testing.assert_allclose(standardized.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(standardized.X_train.std(axis=0), 1.0, atol=1e-12)
    # the same points, only moved and rescaled
    np.testing.assert_array_equal(offset.data.y_train, standardized.data.y_train)


def test_normalization_steps_to_target_gives_none_past_the_budget() -> None:
    assert steps_to_target(OFFSET_SPEC, budget=100) is None
    assert steps_to_target(STANDARDIZED, budget=100) == 50


def test_normalization_presets_parse_and_train() -> None:
    lesson = INPUT_NORMALIZATION
    parse_spec(lesson.spec)
    assert lesson.trainer().train(5)["step"] == 5
    assert [v.name for v in lesson.variants] == ["offset", "standardized", "centred"]
    for variant in lesson.variants:
        spec = parse_spec(variant.spec)
        assert spec.layers == ()  # the same single neuron everywhere
        assert lesson.trainer(variant.name).train(5)["status"] == "idle"
    assert parse_spec(CENTRED).data.offset == (0.0, 0.0)
    assert lesson.describe()["name"] == "input-normalization"


def test_normalization_slowdown_is_judged_on_the_median_run() -> None:
    # one lucky fast offset run out of three does not decide the claim
    assert slow_enough({"slowdown": [4.0, 30.0, 300.0]}, MIN_SLOWDOWN) == (True, 30.0)
    # a standardised run that never converged counts as no slowdown at all
    assert slow_enough({"slowdown": [None, None, 300.0]}, MIN_SLOWDOWN) == (False, 0.0)
