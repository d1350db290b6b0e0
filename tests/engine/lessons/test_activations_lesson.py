"""Activations: the notes' derivative identities hold; curves for the explorer."""

from __future__ import annotations

import numpy as np
import pytest

import engine.lessons.activations as lesson_module
from engine.activations import FUNCTIONS, Sigmoid
from engine.lessons.activations import ACTIVATIONS, central_difference_errors, curves
from engine.spec import parse_spec


def test_activations_identities_hold() -> None:
    sig = ACTIVATIONS.measure()
    assert sig.holds
    errors = sig.values["identity_errors"]
    assert set(errors) >= {"sigmoid_slope_p_1_minus_p", "tanh_slope_1_minus_p2",
                           "tanh_is_2_sigmoid_2x_minus_1"}
    assert sig.values["max_identity_error"] <= 1e-12
    assert sig.values["relu_slopes_are_0_or_1"] is True
    assert sig.values["relu_slope_at_0"] == 0.0
    assert sig.values["layer_curve_gap"] == 0.0


def test_activations_derivatives_match_central_differences() -> None:
    sig = ACTIVATIONS.measure()
    diffs = sig.values["central_difference_errors"]
    assert set(diffs) == {*FUNCTIONS, "prelu", "rrelu"}
    assert sig.values["max_central_difference_error"] <= 1e-6


def test_activations_saturation_numbers() -> None:
    v = ACTIVATIONS.measure().values
    assert v["sigmoid_max_slope"] == pytest.approx(0.25)
    assert v["tanh_max_slope"] == pytest.approx(1.0)
    assert v["sigmoid_slope_at_5"] == pytest.approx(0.006648, abs=1e-6)
    assert v["tanh_slope_at_5"] == pytest.approx(1.8158e-4, rel=1e-3)


def test_activations_curves_cover_every_activation() -> None:
    x = np.array([-1.0, 0.0, 2.0])
    c = curves(x)
    assert set(c) == {*FUNCTIONS, "prelu", "rrelu"}
    for entry in c.values():
        assert isinstance(entry["f"], list) and len(entry["f"]) == len(entry["df"]) == 3
    assert c["sigmoid"]["f"][1] == pytest.approx(0.5) and c["sigmoid"]["df"][1] == 0.25
    assert c["tanh"]["df"][1] == 1.0
    assert c["relu"]["f"] == [0.0, 0.0, 2.0] and c["relu"]["df"] == [0.0, 0.0, 1.0]
    assert c["prelu"]["f"][0] == pytest.approx(-0.25)
    assert c["rrelu"]["df"][0] == pytest.approx((1 / 8 + 1 / 3) / 2)
    values = ACTIVATIONS.measure().values
    assert len(values["x"]) == 201 and values["x"][0] == -5.0 and values["x"][-1] == 5.0
    assert len(values["curves"]["elu"]["df"]) == 201


def test_activations_wrong_derivative_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    class Off(Sigmoid):
        name = "off"

        def derivative(self, z, a):
            return a * (1.0 - a) * 1.001

    monkeypatch.setattr(lesson_module, "FUNCTIONS", {**FUNCTIONS, "off": Off})
    errors = central_difference_errors(np.linspace(-5.0, 5.0, 201))
    assert errors["off"] > 1e-4
    assert errors["sigmoid"] <= 1e-6


def test_activations_presets_parse_and_train() -> None:
    parse_spec(ACTIVATIONS.spec)
    assert ACTIVATIONS.trainer().train(5)["step"] == 5
    assert [v.name for v in ACTIVATIONS.variants] == ["sigmoid", "tanh", "relu"]
    for variant in ACTIVATIONS.variants:
        parse_spec(variant.spec)
        assert ACTIVATIONS.trainer(variant.name).train(5)["status"] == "idle"
    # simple enough that the preset learns the circle
    assert ACTIVATIONS.trainer().train(ACTIVATIONS.steps)["test_accuracy"] >= 0.95
