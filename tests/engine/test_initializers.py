"""Tests for engine.initializers: shapes, the spreads of the Xavier and He
families on large draws, constants, and reproducibility from a seed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.initializers import DEFAULT_SCALE, INITIALIZERS, Initializer

FAN_IN, FAN_OUT = 300, 200
BIG = (FAN_IN, FAN_OUT)  # 60000 draws: sample std within ~0.5% of the true one


def draw(name: str, scale: float = 1.0, seed: int = 0, shape=BIG) -> np.ndarray:
    return Initializer(name, scale)(np.random.default_rng(seed), shape, FAN_IN, FAN_OUT)


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializer_shape_and_dtype(name: str) -> None:
    w = draw(name, shape=(3, 5))
    assert w.shape == (3, 5) and w.dtype == np.float64


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializer_same_seed_same_array(name: str) -> None:
    np.testing.assert_array_equal(draw(name, seed=7), draw(name, seed=7))


@pytest.mark.parametrize("name", ["uniform", "normal", "xavier_uniform", "xavier_normal",
                                  "he_uniform", "he_normal"])
def test_initializer_different_seed_different_array(name: str) -> None:
    assert not np.array_equal(draw(name, seed=1), draw(name, seed=2))


def test_xavier_uniform_bound_and_spread() -> None:
    a = math.sqrt(6 / (FAN_IN + FAN_OUT))
    w = draw("xavier_uniform")
    assert np.all(np.abs(w) <= a)
    assert np.abs(w).max() == pytest.approx(a, rel=1e-3)  # the bound is reached
    assert w.std() == pytest.approx(a / math.sqrt(3), rel=0.01)  # U(-a, a): std a / sqrt 3
    assert abs(w.mean()) < 0.01 * a


def test_xavier_normal_spread() -> None:
    w = draw("xavier_normal")
    assert w.std() == pytest.approx(math.sqrt(2 / (FAN_IN + FAN_OUT)), rel=0.01)
    assert abs(w.mean()) < 0.01 * w.std()


def test_he_uniform_bound_and_spread() -> None:
    a = math.sqrt(6 / FAN_IN)
    w = draw("he_uniform")
    assert np.all(np.abs(w) <= a)
    assert w.std() == pytest.approx(math.sqrt(2 / FAN_IN), rel=0.01)  # a / sqrt 3


def test_he_normal_spread() -> None:
    w = draw("he_normal")
    assert w.std() == pytest.approx(math.sqrt(2 / FAN_IN), rel=0.01)
    assert abs(w.mean()) < 0.01 * w.std()


def test_scale_multiplies_computed_spread() -> None:
    assert draw("he_normal", scale=2.0).std() == pytest.approx(2 * math.sqrt(2 / FAN_IN), rel=0.01)
    np.testing.assert_allclose(draw("xavier_uniform", scale=0.5, seed=3),
                               0.5 * draw("xavier_uniform", seed=3), rtol=1e-15)


def test_uniform_and_normal_use_scale() -> None:
    u = draw("uniform", scale=0.3)
    assert np.all(np.abs(u) <= 0.3)
    assert u.std() == pytest.approx(0.3 / math.sqrt(3), rel=0.01)
    assert draw("normal", scale=0.3).std() == pytest.approx(0.3, rel=0.01)


def test_constant_and_zeros_all_equal() -> None:
    np.testing.assert_array_equal(draw("constant", scale=0.5, shape=(4, 3)), 0.5)
    np.testing.assert_array_equal(draw("zeros", shape=(4, 3)), 0.0)
    assert DEFAULT_SCALE["constant"] == 0.5


def test_constant_draws_nothing_from_rng() -> None:
    rng = np.random.default_rng(0)
    Initializer("constant", 1.0)(rng, (2, 2), 2, 2)
    np.testing.assert_array_equal(rng.random(3), np.random.default_rng(0).random(3))


def test_default_initializer_is_xavier_uniform() -> None:
    assert Initializer() == Initializer("xavier_uniform", 1.0)

