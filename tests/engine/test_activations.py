"""Tests for engine.activations: every function's derivative against central
differences, grad = g * f', and the identities in the notes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from engine.activations import (
    ELU,
    FUNCTIONS,
    Activation,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softplus,
    Tanh,
)
from engine.gradcheck import rel_error

TOL = 1e-6
EPS = 1e-6


def away_from_kink(n: int, seed: int = 0, low: float = 0.05, high: float = 5.0) -> np.ndarray:
    """n values with low <= |z| <= high and random signs: no ReLU-family kink within
    reach of a central difference."""
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, n) * rng.choice([-1.0, 1.0], n)


def numeric_derivative(fn: Activation, z: np.ndarray) -> np.ndarray:
    """Element-wise central difference (f(z + h) - f(z - h)) / 2h. Differencing each
    entry on its own keeps the rounding error relative to f(z_i), not to a sum."""
    return (fn.value(z + EPS) - fn.value(z - EPS)) / (2 * EPS)


def test_functions_registry_names() -> None:
    assert set(FUNCTIONS) == {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"}
    for name, cls in FUNCTIONS.items():
        assert cls.name == name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_derivative_matches_numeric(name: str) -> None:
    fn = FUNCTIONS[name]()
    z = away_from_kink(400)
    a = fn.value(z)
    assert rel_error(fn.derivative(z, a), numeric_derivative(fn, z)) < TOL


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_grad_is_g_times_derivative(name: str) -> None:
    fn = FUNCTIONS[name]()
    z = away_from_kink(60, seed=1).reshape(12, 5)
    a = fn.value(z)
    g = np.random.default_rng(2).standard_normal(z.shape)
    # the two forms round differently (tanh: g - g a^2 against g (1 - a^2)), so allow
    # a few ulps of |g|
    np.testing.assert_allclose(fn.grad(g, z, a), g * fn.derivative(z, a), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_value_keeps_shape_and_input(name: str) -> None:
    fn = FUNCTIONS[name]()
    z = away_from_kink(24, seed=3).reshape(2, 3, 4)
    before = z.copy()
    a = fn.value(z)
    assert a.shape == z.shape and a.dtype == np.float64
    np.testing.assert_array_equal(z, before)


def test_leaky_relu_and_elu_with_settings() -> None:
    for fn in (LeakyReLU(0.2), ELU(0.5)):
        z = away_from_kink(200, seed=4)
        assert rel_error(fn.derivative(z, fn.value(z)), numeric_derivative(fn, z)) < TOL
    np.testing.assert_allclose(LeakyReLU(0.2).value(np.array([-2.0, 3.0])), [-0.4, 3.0])
    np.testing.assert_allclose(ELU(0.5).value(np.array([-np.log(2.0)])), [-0.25])


def test_sigmoid_derivative_is_p_one_minus_p() -> None:
    z = np.linspace(-8, 8, 321)
    p = 1.0 / (1.0 + np.exp(-z))
    np.testing.assert_allclose(Sigmoid().value(z), p, rtol=1e-12)
    np.testing.assert_allclose(numeric_derivative(Sigmoid(), z), p * (1 - p), rtol=1e-6)


def test_tanh_derivative_is_one_minus_p_squared() -> None:
    z = np.linspace(-4, 4, 321)
    p = np.tanh(z)
    np.testing.assert_allclose(numeric_derivative(Tanh(), z), 1 - p**2, rtol=1e-6)


def test_tanh_is_rescaled_sigmoid() -> None:
    z = np.linspace(-20, 20, 4001)
    sig = Sigmoid().value(2 * z)
    np.testing.assert_allclose(Tanh().value(z), 2 * sig - 1, rtol=0, atol=1e-12)


def test_relu_derivative_exactly_zero_or_one() -> None:
    z = np.concatenate([np.linspace(-5, 5, 1001), [0.0, -0.0, 1e-300, -1e-300]])
    d = ReLU().derivative(z, ReLU().value(z))
    assert set(np.unique(d)) == {0.0, 1.0}
    np.testing.assert_array_equal(d, (z > 0).astype(float))
    g = np.full_like(z, 3.0)
    np.testing.assert_array_equal(ReLU().grad(g, z, ReLU().value(z)), 3.0 * (z > 0))


def test_sigmoid_no_overflow_at_extremes() -> None:
    z = np.array([-1000.0, -745.0, 0.0, 745.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            a = Sigmoid().value(z)
            d = Sigmoid().derivative(z, a)
    np.testing.assert_array_equal(a[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    np.testing.assert_array_equal(d[[0, 4]], 0.0)


@pytest.mark.parametrize("cls", [Sigmoid, Tanh])
def test_squashing_functions_on_whole_data_sets(cls: type[Activation]) -> None:
    """float64 arrays of a data set's size take the exp route: the same values as
    the tanh form within 4e-16, exactly 0 or +-1 at the extremes, and no overflow
    warning even with overflow raising."""
    fn = cls()
    z = np.concatenate([np.linspace(-40, 40, 1195), [-1e4, -745.0, 0.0, 745.0, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            large = fn.value(z.reshape(-1, 8))
            pieces = [fn.value(part) for part in np.split(z, 40)]  # 30 values: tanh form
    assert large.shape == (150, 8)
    np.testing.assert_allclose(large.ravel(), np.concatenate(pieces), rtol=0, atol=4e-16)
    expected = [0.0, 0.0, 0.5, 1.0, 1.0] if cls is Sigmoid else [-1.0, -1.0, 0.0, 1.0, 1.0]
    np.testing.assert_array_equal(large.ravel()[-5:], expected)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"])
def test_value_into_on_display_grids_matches_value(name: str) -> None:
    """The in-place form the map pass uses, on a float32 grid large enough for the
    fast routes (exp for sigmoid and tanh, a zero array for ReLU): the same values
    within float32 rounding, saturating to exactly 0 and 1 without warnings."""
    fn = FUNCTIONS[name]()
    z = np.concatenate([np.linspace(-20, 20, 5000), [-1e4, -100.0, 0.0, 100.0, 1e4]])
    h = z.astype(np.float32).reshape(5, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fn.value_into(h)
    np.testing.assert_allclose(h.ravel(), fn.value(z), rtol=1e-5, atol=2e-6)
    if name == "sigmoid":
        np.testing.assert_array_equal(h.ravel()[-5:], [0.0, 0.0, 0.5, 1.0, 1.0])


def test_softplus_stable_and_derivative_is_sigmoid() -> None:
    z = np.array([-1000.0, -3.0, 0.0, 3.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        a = Softplus().value(z)
        d = Softplus().derivative(z, a)
    tail = np.log1p(np.exp(-3.0))
    np.testing.assert_allclose(a, [0.0, tail, np.log(2.0), 3.0 + tail, 1000.0], rtol=1e-15)
    np.testing.assert_allclose(d, Sigmoid().value(z), rtol=1e-15)


def test_linear_is_identity() -> None:
    z = away_from_kink(10)
    fn = Activation()
    np.testing.assert_array_equal(fn.value(z), z)
    np.testing.assert_array_equal(fn.derivative(z, z), 1.0)


def test_describe_names_settings() -> None:
    assert Tanh().describe() == {"name": "tanh"}
    assert LeakyReLU(0.1).describe() == {"name": "leaky_relu", "slope": 0.1}
    assert ELU(2.0).describe() == {"name": "elu", "alpha": 2.0}
