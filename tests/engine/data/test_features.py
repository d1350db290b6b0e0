"""Tests for input features in engine.data.features."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data.features import FEATURES, expand
from engine.errors import SpecError

POINTS = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, -4.0]])


def test_features_registry_names() -> None:
    assert list(FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]


def test_expand_product_and_sine_exact() -> None:
    out = expand(POINTS, ["x1*x2", "sin(x1)", "sin(x2)"])
    assert out.shape == (3, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out[:, 0], [2.0, -1.5, -0.0])
    np.testing.assert_array_equal(out[:, 1], np.sin([1.0, -3.0, 0.0]))
    np.testing.assert_array_equal(out[:, 2], np.sin([2.0, 0.5, -4.0]))


def test_expand_squares_and_identity() -> None:
    out = expand(POINTS, ("x1", "x2", "x1^2", "x2^2"))
    np.testing.assert_array_equal(out, [[1, 2, 1, 4], [-3, 0.5, 9, 0.25], [0, -4, 0, 16]])
    assert out.flags.c_contiguous


def test_expand_one_dimensional_x() -> None:
    out = expand(np.array([[1.5], [-2.0]]), ["x"])
    np.testing.assert_array_equal(out, [[1.5], [-2.0]])


def test_expand_unknown_feature_names_index() -> None:
    with pytest.raises(SpecError) as err:
        expand(POINTS, ["x1", "cos(x1)"])
    assert err.value.field == "data.features.1"
    assert "cos(x1)" in err.value.message


def test_expand_two_d_name_on_one_d_data_rejected() -> None:
    with pytest.raises(SpecError) as err:
        expand(np.zeros((3, 1)), ["x1"])
    assert err.value.field == "data.features.0"


def test_expand_duplicate_and_empty_rejected() -> None:
    with pytest.raises(SpecError) as err:
        expand(POINTS, ["x1", "x2", "x1"])
    assert err.value.field == "data.features.2"
    with pytest.raises(SpecError) as err:
        expand(POINTS, [])
    assert err.value.field == "data.features"


def test_expand_non_string_feature_rejected() -> None:
    with pytest.raises(SpecError) as err:
        expand(POINTS, ["x1", 3])
    assert err.value.field == "data.features.1"
