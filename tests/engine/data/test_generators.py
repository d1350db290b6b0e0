"""Tests for the raw point generators in engine.data.generators."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data import generators as gen

BINARY = [gen.circle, gen.xor, gen.gauss, gen.spiral, gen.moons]
REGRESSION_2D = [gen.plane, gen.multi_gaussian]
REGRESSION_1D = [gen.sine, gen.absolute, gen.step]
SEEDED = [*BINARY, gen.blobs, gen.spirals, *REGRESSION_2D, *REGRESSION_1D]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_generator_shapes_and_labels(fn) -> None:
    X, y = fn(101, 0.1, rng())
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y).tolist()) == {0, 1}
    assert abs(int(y.sum()) - 50) <= 1  # classes balanced
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_generator_stays_near_plane(fn) -> None:
    X, _ = fn(500, 0.0, rng())
    assert np.abs(X).max() < 7.0


@pytest.mark.parametrize("k", [3, 4, 5])
@pytest.mark.parametrize("fn", [gen.blobs, gen.spirals], ids=lambda f: f.__name__)
def test_multiclass_generator_has_k_labels(fn, k: int) -> None:
    X, y = fn(120, 0.05, rng(), classes=k)
    assert X.shape == (120, 2) and X.dtype == np.float64
    assert y.dtype == np.int64
    assert np.unique(y).tolist() == list(range(k))
    assert np.bincount(y).tolist() == [120 // k] * k


@pytest.mark.parametrize("fn", REGRESSION_2D, ids=lambda f: f.__name__)
def test_regression_2d_generator_shapes_and_range(fn) -> None:
    X, t = fn(300, 0.0, rng())
    assert X.shape == (300, 2) and t.shape == (300,) and t.dtype == np.float64
    assert np.all((X >= -6.0) & (X <= 6.0))
    assert t.min() >= -1.0 and t.max() <= 1.0
    assert t.max() - t.min() > 1.0  # spans a good part of [-1, 1]


@pytest.mark.parametrize("fn", REGRESSION_1D, ids=lambda f: f.__name__)
def test_regression_1d_generator_shapes_and_range(fn) -> None:
    X, t = fn(50, 0.0, rng())
    assert X.shape == (50, 1) and X.dtype == np.float64
    assert t.shape == (50,) and t.dtype == np.float64
    assert np.all((X >= -3.0) & (X <= 3.0))


def test_circle_labels_agree_with_radius() -> None:
    X, y = gen.circle(400, 0.0, rng(1))
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r[y == 1] <= 2.5)
    assert np.all((r[y == 0] >= 3.5) & (r[y == 0] <= 5.0))


def test_xor_labels_agree_with_sign_product() -> None:
    X, y = gen.xor(400, 0.0, rng(2))
    product = X[:, 0] * X[:, 1]
    np.testing.assert_array_equal(y, (product < 0).astype(np.int64))
    assert np.abs(X).min() >= 0.3  # the margin gap around the axes


def test_gauss_blobs_centred_by_class() -> None:
    X, y = gen.gauss(2000, 0.0, rng(3))
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2.0, 2.0], atol=0.15)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2.0, -2.0], atol=0.15)


def test_plane_target_is_linear() -> None:
    X, t = gen.plane(10, 0.0, rng())
    np.testing.assert_allclose(t, (X[:, 0] + X[:, 1]) / 12.0)


def test_sine_abs_step_values_exact() -> None:
    X, t = gen.sine(20, 0.0, rng())
    np.testing.assert_allclose(t, np.sin(np.pi * X[:, 0] / 2))
    X, t = gen.absolute(20, 0.0, rng())
    np.testing.assert_allclose(t, np.abs(X[:, 0]) / 3)
    X, t = gen.step(20, 0.0, rng())
    np.testing.assert_array_equal(t, np.where(X[:, 0] >= 0, 1.0, 0.0))


def test_noise_jitters_points() -> None:
    clean, y0 = gen.circle(200, 0.0, rng(4))
    noisy, y1 = gen.circle(200, 0.5, rng(4))
    np.testing.assert_array_equal(y0, y1)
    moved = np.linalg.norm(noisy - clean, axis=1)
    assert 0.5 < moved.mean() < 3.0


def test_xor_table_exact() -> None:
    X, y = gen.xor_table(999, 0.5, rng())
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == np.float64 and X.shape == (4, 2)
    assert y.dtype == np.int64


@pytest.mark.parametrize("fn", SEEDED, ids=lambda f: f.__name__)
def test_generator_same_seed_identical(fn) -> None:
    X1, y1 = fn(64, 0.2, rng(7))
    X2, y2 = fn(64, 0.2, rng(7))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)


@pytest.mark.parametrize("fn", SEEDED, ids=lambda f: f.__name__)
def test_generator_different_seed_differs(fn) -> None:
    X1, _ = fn(64, 0.2, rng(7))
    X2, _ = fn(64, 0.2, rng(8))
    assert not np.array_equal(X1, X2)
