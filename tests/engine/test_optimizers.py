"""Tests for engine.optimizers: one step from known parameters and gradients gives
the textbook update, regularisation touches weights only, and settings may change
between steps."""

from __future__ import annotations

import numpy as np
import pytest

from engine.optimizers import OPTIMIZERS, Adam, Momentum, Optimizer, RMSprop

W0 = np.array([0.5, -1.0, 2.0, 0.0])
G0 = np.array([0.1, -0.2, 0.4, 1.0])
DECAY = np.array([True, True, True, False])  # the last entry is a bias


def run(opt: Optimizer, grads: list[np.ndarray], w: np.ndarray = W0) -> np.ndarray:
    params = w.copy()
    for g in grads:
        opt.step(params, g.copy())
    return params


def test_optimizers_registry() -> None:
    assert {"sgd": Optimizer, "momentum": Momentum, "rmsprop": RMSprop, "adam": Adam} == OPTIMIZERS


def test_sgd_step() -> None:
    # w <- w - lr g
    w = run(Optimizer(4, DECAY, lr=0.1), [G0])
    np.testing.assert_allclose(w, W0 - 0.1 * G0, rtol=1e-15)


def test_sgd_lr_change_takes_effect() -> None:
    opt = Optimizer(4, DECAY, lr=0.1)
    params = W0.copy()
    opt.step(params, G0.copy())
    opt.lr = 0.01
    opt.step(params, G0.copy())
    np.testing.assert_allclose(params, W0 - 0.1 * G0 - 0.01 * G0, rtol=1e-15)
    assert opt.t == 2


def test_momentum_two_steps() -> None:
    # v1 = mu v0 + g1 = g1;  w1 = w0 - lr v1
    # v2 = mu v1 + g2;       w2 = w1 - lr v2
    lr, mu = 0.1, 0.9
    g1, g2 = G0, np.array([0.3, 0.1, -0.5, 0.2])
    v1 = g1
    w1 = W0 - lr * v1
    v2 = mu * v1 + g2
    w2 = w1 - lr * v2
    opt = Momentum(4, DECAY, lr=lr, momentum=mu)
    np.testing.assert_allclose(run(opt, [g1]), w1, rtol=1e-15)
    opt = Momentum(4, DECAY, lr=lr, momentum=mu)
    np.testing.assert_allclose(run(opt, [g1, g2]), w2, rtol=1e-14)
    np.testing.assert_allclose(opt.v, v2, rtol=1e-14)
    # with a constant rate, the same steps as the form v' = mu v' - lr g, w += v'
    np.testing.assert_allclose(w2, W0 - lr * g1 + (mu * -lr * g1 - lr * g2), rtol=1e-14)


def test_nesterov_two_steps() -> None:
    # v_t = mu v_{t-1} + g_t;  w_t = w_{t-1} - lr (g_t + mu v_t) (look-ahead form)
    lr, mu = 0.1, 0.9
    g1, g2 = G0, np.array([0.3, 0.1, -0.5, 0.2])
    v1 = g1
    w1 = W0 - lr * (g1 + mu * v1)
    v2 = mu * v1 + g2
    w2 = w1 - lr * (g2 + mu * v2)
    opt = Momentum(4, DECAY, lr=lr, momentum=mu, nesterov=True)
    np.testing.assert_allclose(run(opt, [g1]), w1, rtol=1e-14)
    opt = Momentum(4, DECAY, lr=lr, momentum=mu, nesterov=True)
    np.testing.assert_allclose(run(opt, [g1, g2]), w2, rtol=1e-14)
    np.testing.assert_allclose(opt.v, v2, rtol=1e-14)
    # the same thing in cs231n's form, with its velocity u = -lr v at a constant
    # rate: w += -mu u_prev + (1 + mu) u
    u1, u2 = -lr * v1, -lr * v2
    np.testing.assert_allclose(w2, w1 - mu * u1 + (1 + mu) * u2, rtol=1e-14)


def test_rmsprop_two_steps() -> None:
    # s_t = rho s_{t-1} + (1 - rho) g_t^2;  w_t = w_{t-1} - lr g_t / (sqrt(s_t) + eps)
    lr, rho, eps = 0.01, 0.9, 1e-8
    g1, g2 = G0, np.array([0.3, 0.1, -0.5, 0.2])
    s1 = (1 - rho) * g1**2
    w1 = W0 - lr * g1 / (np.sqrt(s1) + eps)
    s2 = rho * s1 + (1 - rho) * g2**2
    w2 = w1 - lr * g2 / (np.sqrt(s2) + eps)
    opt = RMSprop(4, DECAY, lr=lr, rho=rho, eps=eps)
    np.testing.assert_allclose(run(opt, [g1, g2]), w2, rtol=1e-14)
    np.testing.assert_allclose(opt.s, s2, rtol=1e-14)


def test_adam_two_steps() -> None:
    # m_t = b1 m + (1 - b1) g;  v_t = b2 v + (1 - b2) g^2
    # mhat = m_t / (1 - b1^t);  vhat = v_t / (1 - b2^t);  w -= lr mhat / (sqrt(vhat) + eps)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    g1, g2 = G0, np.array([0.3, 0.1, -0.5, 0.2])
    w = W0.copy()
    m = np.zeros(4)
    v = np.zeros(4)
    for t, g in enumerate([g1, g2], start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        mhat, vhat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - lr * mhat / (np.sqrt(vhat) + eps)
    opt = Adam(4, DECAY, lr=lr, beta1=b1, beta2=b2, eps=eps)
    np.testing.assert_allclose(run(opt, [g1, g2]), w, rtol=1e-13)
    np.testing.assert_allclose(opt.m, m, rtol=1e-14)
    np.testing.assert_allclose(opt.v, v, rtol=1e-14)


def test_adam_first_step_moves_each_weight_by_lr() -> None:
    # t = 1: mhat = g and vhat = g^2, so the step is lr g / (|g| + eps) ~ lr sign(g)
    g = np.array([1e-3, -5.0, 0.2, 300.0])
    w = run(Adam(4, DECAY, lr=0.01), [g])
    np.testing.assert_allclose(W0 - w, 0.01 * np.sign(g), rtol=1e-4)


def test_l2_adds_l2_w_on_weights_only() -> None:
    # g' = g + l2 w where decay is true; the bias (last entry, nonzero here) keeps g
    w0 = np.array([0.5, -1.0, 2.0, 3.0])
    w = run(Optimizer(4, DECAY, lr=0.1, l2=0.01), [G0], w=w0)
    expected = w0 - 0.1 * (G0 + 0.01 * w0 * DECAY)
    np.testing.assert_allclose(w, expected, rtol=1e-15)
    assert w[3] == pytest.approx(3.0 - 0.1 * G0[3], rel=1e-15)  # bias untouched by decay


def test_l1_adds_l1_sign_w_on_weights_only() -> None:
    w0 = np.array([0.5, -1.0, 0.0, 3.0])
    w = run(Optimizer(4, DECAY, lr=0.1, l1=0.02), [G0], w=w0)
    # sign(0) = 0, and the bias is not regularised
    expected = w0 - 0.1 * (G0 + 0.02 * np.array([1.0, -1.0, 0.0, 0.0]))
    np.testing.assert_allclose(w, expected, rtol=1e-15)


def test_regularisation_with_adam_uses_decayed_gradient() -> None:
    w0 = np.array([0.5, -1.0, 2.0, 3.0])
    g = G0 + 0.1 * w0 * DECAY
    expected = run(Adam(4, DECAY, lr=0.01), [g], w=w0)
    np.testing.assert_allclose(run(Adam(4, DECAY, lr=0.01, l2=0.1), [G0], w=w0), expected,
                               rtol=1e-15)


def test_regularisation_strength_change_takes_effect() -> None:
    w0 = np.array([0.5, -1.0, 2.0, 3.0])
    opt = Optimizer(4, DECAY, lr=0.1)
    params = w0.copy()
    opt.step(params, np.zeros(4))
    np.testing.assert_array_equal(params, w0)  # no gradient, no decay: nothing moves
    opt.l2 = 0.5
    opt.step(params, np.zeros(4))
    np.testing.assert_allclose(params, w0 - 0.1 * 0.5 * w0 * DECAY, rtol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_lr_change_takes_effect_at_once(nesterov: bool) -> None:
    """The velocity holds gradients, not steps: the step after a change of rate is
    the new rate times it (v2 = mu g + g), and a rate of 0 stops the weights at
    once, where a velocity that kept lr inside (v = mu v - lr g) would carry them
    on by mu * 0.1 * g."""
    opt = Momentum(4, DECAY, lr=0.1, momentum=0.9, nesterov=nesterov)
    params = W0.copy()
    opt.step(params, G0.copy())
    w1 = params.copy()
    opt.lr = 0.01
    opt.step(params, G0.copy())
    v2 = 0.9 * G0 + G0
    step = v2 if not nesterov else G0 + 0.9 * v2
    np.testing.assert_allclose(params, w1 - 0.01 * step, rtol=1e-14)
    np.testing.assert_allclose(opt.v, v2, rtol=1e-14)
    opt.lr = 0.0
    frozen = params.copy()
    opt.step(params, G0.copy())
    np.testing.assert_array_equal(params, frozen)


def test_optimizer_state_round_trip() -> None:
    opt = Adam(4, DECAY, lr=0.01)
    params = W0.copy()
    opt.step(params, G0.copy())
    saved = opt.state()
    assert saved["t"] == 1 and set(saved) == {"t", "m", "v"}
    other = Adam(4, DECAY, lr=0.01)
    other.load_state(saved)
    p1, p2 = params.copy(), params.copy()
    opt.step(p1, G0.copy())
    other.step(p2, G0.copy())
    np.testing.assert_array_equal(p1, p2)
    saved["m"][...] = 99.0  # state() hands out copies
    assert not np.any(opt.m == 99.0)
