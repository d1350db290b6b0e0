"""Tests for engine.losses: each gradient against central differences of the
value, hand-computed values, targets, and stability for huge logits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.gradcheck import numeric_grad, rel_error
from engine.losses import LOSSES, MSE, BCEWithLogits, SoftmaxCrossEntropy

TOL = 1e-6


def grad_error(loss, out: np.ndarray, t: np.ndarray) -> float:
    analytic = loss.grad(out.copy(), t)
    return rel_error(analytic, numeric_grad(lambda: loss.value(out, t), out))


def test_losses_registry() -> None:
    assert {"mse": MSE, "bce": BCEWithLogits, "softmax_ce": SoftmaxCrossEntropy} == LOSSES


def test_mse_grad_matches_numeric() -> None:
    rng = np.random.default_rng(0)
    out = rng.standard_normal((7, 3))
    t = MSE().targets(rng.integers(0, 3, 7), 3, np.float64)
    assert grad_error(MSE(), out, t) < TOL


def test_mse_signed_grad_matches_numeric() -> None:
    rng = np.random.default_rng(1)
    loss = MSE(signed=True)
    out = np.tanh(rng.standard_normal((9, 1)))
    t = loss.targets(rng.integers(0, 2, 9), 1, np.float64)
    assert set(np.unique(t)) == {-1.0, 1.0}
    assert grad_error(loss, out, t) < TOL


def test_mse_value_by_hand() -> None:
    out = np.array([[1.0, 2.0], [0.0, -1.0]])
    t = np.array([[0.0, 2.0], [1.0, 1.0]])
    # (1/2) * (1 + 0 + 1 + 4) / 2 samples
    assert MSE().value(out, t) == pytest.approx(1.5)
    np.testing.assert_allclose(MSE().grad(out, t), [[0.5, 0.0], [-0.5, -1.0]])


def test_mse_targets() -> None:
    y = np.array([0, 2, 1])
    np.testing.assert_array_equal(MSE().targets(y, 3, np.float64), np.eye(3)[[0, 2, 1]])
    np.testing.assert_array_equal(MSE(signed=True).targets(np.array([0, 1]), 1, np.float64),
                                  [[-1.0], [1.0]])
    reg = np.array([[0.5], [-2.0]])
    np.testing.assert_array_equal(MSE().targets(reg, 1, np.float32), reg)
    assert MSE().targets(reg, 1, np.float32).dtype == np.float32
    np.testing.assert_allclose(MSE(signed=True).predict(np.array([[-1.0], [0.0], [1.0]])),
                               [[0.0], [0.5], [1.0]])


def test_bce_grad_matches_numeric() -> None:
    rng = np.random.default_rng(2)
    out = 1.5 * rng.standard_normal((10, 1))  # moderate, as for softmax_ce below
    t = BCEWithLogits().targets(rng.integers(0, 2, 10), 1, np.float64)
    assert grad_error(BCEWithLogits(), out, t) < TOL


def test_bce_value_by_hand() -> None:
    out = np.array([[0.0], [2.0]])
    t = BCEWithLogits().targets(np.array([1, 0]), 1, np.float64)
    assert t.tolist() == [[1.0], [-1.0]]  # kept as signs 2t - 1
    # -log sigmoid(0) = log 2; -log(1 - sigmoid(2)) = log(1 + e^2)
    expected = (math.log(2.0) + math.log1p(math.exp(2.0))) / 2
    assert BCEWithLogits().value(out, t) == pytest.approx(expected, rel=1e-14)
    sig2 = 1 / (1 + math.exp(-2.0))
    np.testing.assert_allclose(BCEWithLogits().grad(out, t), [[-0.25], [sig2 / 2]], rtol=1e-14)
    np.testing.assert_allclose(BCEWithLogits().predict(out), [[0.5], [sig2]], rtol=1e-14)


def test_bce_finite_for_huge_logits() -> None:
    out = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    t = BCEWithLogits().targets(np.array([1, 0, 0, 1]), 1, np.float64)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = BCEWithLogits().value(out, t)
        grad = BCEWithLogits().grad(out, t)
    # right and confident costs 0; wrong and confident costs 1000 each
    assert value == pytest.approx(500.0)
    np.testing.assert_allclose(grad, [[0.0], [0.0], [0.25], [-0.25]])


def test_softmax_ce_grad_matches_numeric() -> None:
    rng = np.random.default_rng(3)
    # moderate logits: with very confident rows some gradient entries shrink to ~1e-5,
    # where the rounding noise of a central difference (~1e-10) alone is 1e-5 relative
    out = rng.standard_normal((8, 4))
    t = SoftmaxCrossEntropy().targets(rng.integers(0, 4, 8), 4, np.float64)
    assert grad_error(SoftmaxCrossEntropy(), out, t) < TOL


def test_softmax_ce_value_by_hand() -> None:
    out = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    t = SoftmaxCrossEntropy().targets(np.array([1, 2]), 3, np.float64)
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    expected = (math.log(3.0) + lse - 3.0) / 2
    assert SoftmaxCrossEntropy().value(out, t) == pytest.approx(expected, rel=1e-14)


def test_softmax_rows_sum_to_one() -> None:
    z = np.random.default_rng(4).standard_normal((50, 5)) * 10
    z[0] = [1000.0, -1000.0, 0.0, 999.0, 1000.0]
    p = SoftmaxCrossEntropy.softmax(z)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    e = math.exp(-1.0)
    np.testing.assert_allclose(p[0], np.array([1.0, 0.0, 0.0, e, 1.0]) / (2 + e), rtol=1e-14)
    np.testing.assert_allclose(SoftmaxCrossEntropy().predict(z), p)


def test_softmax_ce_finite_for_huge_logits() -> None:
    out = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]])
    t = SoftmaxCrossEntropy().targets(np.array([1, 2]), 3, np.float64)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = SoftmaxCrossEntropy().value(out, t)
        grad = SoftmaxCrossEntropy().grad(out, t)
    # row 0: lse = 1000, loss 2000; row 1: lse = 1000 + log 2, loss log 2
    assert value == pytest.approx((2000.0 + math.log(2.0)) / 2)
    np.testing.assert_allclose(grad, [[0.5, -0.5, 0.0], [0.0, 0.25, -0.25]], atol=1e-15)


def test_loss_grad_scales_with_batch_size() -> None:
    out = np.array([[0.3, -0.2]])
    t = np.array([[1.0, 0.0]])
    one = SoftmaxCrossEntropy().grad(out, t)
    four = SoftmaxCrossEntropy().grad(np.repeat(out, 4, axis=0), np.repeat(t, 4, axis=0))
    np.testing.assert_allclose(four, np.repeat(one, 4, axis=0) / 4)


def test_losses_classify_and_labels_agree_on_targets() -> None:
    y = np.array([0, 1, 1, 0])
    for loss in (MSE(), MSE(signed=True), BCEWithLogits()):
        t = loss.targets(y, 1, np.float64)
        assert loss.labels(t).tolist() == y.tolist()
    mse_out = np.array([[0.2], [0.7], [0.51], [0.49]])
    assert MSE().classify(mse_out).tolist() == [0, 1, 1, 0]
    assert MSE(signed=True).classify(np.array([[-0.9], [0.1], [0.3], [-0.01]])).tolist() == [
        0, 1, 1, 0]
    assert BCEWithLogits().classify(np.array([[-3.0], [0.5], [2.0], [-0.1]])).tolist() == [
        0, 1, 1, 0]
    y3 = np.array([2, 0, 1])
    soft = SoftmaxCrossEntropy()
    assert soft.labels(soft.targets(y3, 3, np.float64)).tolist() == [2, 0, 1]
    assert soft.classify(np.array([[0, 1, 5.0], [3, 1, 0], [0, 2, 1]])).tolist() == [2, 0, 1]
