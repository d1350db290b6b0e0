"""Tests for engine.network: the flat-buffer layout, addressing single weights,
and central-difference gradient checks of whole small networks."""

from __future__ import annotations

import numpy as np
import pytest

from engine.activations import ReLU, Tanh
from engine.gradcheck import check_network
from engine.initializers import Initializer
from engine.layers import Act, BatchNorm, Dense, Dropout, PReLU, Residual, RReLU
from engine.losses import MSE, BCEWithLogits, SoftmaxCrossEntropy
from engine.network import Entry, Network
from tests.engine.layers.support import assert_away_from_kinks

TOL = 1e-6


def make_net(layers, in_shape=(2,), seed: int = 0, init: Initializer | None = None,
             bias_init: float = 0.0) -> Network:
    net = Network(layers, in_shape)
    net.init(np.random.default_rng(seed), init or Initializer(), bias_init)
    return net


def small_net() -> Network:
    return make_net([Dense(3), Act(Tanh()), BatchNorm(), Dense(1)])


# -- layout ------------------------------------------------------------------------


def test_network_entries_paths_names_in_order() -> None:
    net = small_net()
    assert net.entries == [
        Entry("0", "W", 0, (2, 3), True),
        Entry("0", "b", 6, (3,), False),
        Entry("2", "gamma", 9, (3,), False),
        Entry("2", "beta", 12, (3,), False),
        Entry("3", "W", 15, (3, 1), True),
        Entry("3", "b", 18, (1,), False),
    ]
    assert net.params.shape == (19,) and net.grads.shape == (19,)
    assert net.state.shape == (6,)
    assert [p for p, _ in net.leaves] == ["0", "1", "2", "3"]
    assert net.out_shape == (1,)


def test_network_nested_entries() -> None:
    net = make_net([Dense(4), Residual([Dense(4), Act(Tanh())]), Residual([Dense(2)])])
    assert [(e.path, e.name) for e in net.entries] == [
        ("0", "W"), ("0", "b"), ("1.0.0", "W"), ("1.0.0", "b"),
        ("2.0.0", "W"), ("2.0.0", "b"), ("2.1", "W"), ("2.1", "b"),
    ]
    assert [p for p, _ in net.leaves] == ["0", "1.0.0", "1.0.1", "2.0.0", "2.1"]
    assert net.layer("2.1") is net.layers[2].projection
    offsets = [e.offset for e in net.entries]
    sizes = [e.size for e in net.entries]
    assert offsets == list(np.cumsum([0, *sizes[:-1]]))
    assert sum(sizes) == net.params.size


def test_network_decay_mask_exactly_on_weights() -> None:
    net = small_net()
    expected = np.zeros(19, dtype=bool)
    expected[0:6] = True  # layer 0 W
    expected[15:18] = True  # layer 3 W
    np.testing.assert_array_equal(net.decay, expected)


def test_network_param_views_share_memory() -> None:
    net = small_net()
    for path, name in [("0", "W"), ("0", "b"), ("2", "gamma"), ("3", "W")]:
        layer = net.layer(path)
        assert np.shares_memory(layer.params[name], net.params)
        assert np.shares_memory(layer.grads[name], net.grads)
        assert np.shares_memory(net.view(path, name), layer.params[name])
    assert np.shares_memory(net.layer("2").state["running_var"], net.state)


def test_network_write_through_view_changes_forward() -> None:
    net = small_net()
    x = np.random.default_rng(1).standard_normal((5, 2))
    before = net.predict(x)
    net.view("3", "b")[...] += 2.0
    np.testing.assert_allclose(net.predict(x), before + 2.0)
    net.params[...] = 0.0  # everything zero: gamma 0, so every output is the bias 0
    np.testing.assert_array_equal(net.predict(x), 0.0)
    assert np.all(net.layer("0").params["W"] == 0.0)


def test_network_set_single_weight_by_hand() -> None:
    # out = w2 . tanh(x W1 + b1) + b2, computed by hand after setting weights
    net = make_net([Dense(2), Act(Tanh()), Dense(1)])
    net.view("0", "W")[...] = [[1.0, 0.0], [0.0, 1.0]]
    net.view("0", "b")[...] = [0.0, 0.5]
    net.view("2", "W")[...] = [[2.0], [-1.0]]
    net.view("2", "b")[...] = [0.25]
    x = np.array([[0.5, -1.0]])
    expected = 2 * np.tanh(0.5) - np.tanh(-0.5) + 0.25
    np.testing.assert_allclose(net.predict(x), [[expected]], rtol=1e-15)
    net.view("0", "W")[1, 0] = 3.0  # one weight: h1 = tanh(0.5 + 3 * -1)
    expected = 2 * np.tanh(-2.5) - np.tanh(-0.5) + 0.25
    np.testing.assert_allclose(net.predict(x), [[expected]], rtol=1e-15)
    assert net.params[2] == 3.0  # row 1, column 0 of a (2, 2) W at offset 0


def test_network_grad_view_matches_layer_grads() -> None:
    net = small_net()
    x = np.random.default_rng(1).standard_normal((4, 2))
    net.forward(x, True)
    net.backward(np.ones((4, 1)))
    np.testing.assert_array_equal(net.grad_view("3", "W"), net.layer("3").grads["W"])
    assert np.any(net.grads != 0)


def test_network_unknown_entry_or_layer() -> None:
    net = small_net()
    with pytest.raises(KeyError):
        net.view("0", "gamma")
    with pytest.raises(KeyError):
        net.layer("9")


def test_network_weights_are_copies() -> None:
    net = small_net()
    w = net.weights()
    assert set(w) == {"0", "2", "3"} and set(w["2"]) == {"gamma", "beta"}
    w["0"]["W"][...] = 42.0
    assert not np.any(net.params == 42.0)


def test_network_predict_returns_fresh_array() -> None:
    net = make_net([Dropout(0.5)])  # an inverted dropout at evaluation passes x through
    x = np.random.default_rng(1).standard_normal((3, 2))
    out = net.predict(x)
    np.testing.assert_array_equal(out, x)
    assert not np.shares_memory(out, x)
    net = small_net()
    a, b = net.predict(x), net.predict(x)
    np.testing.assert_array_equal(a, b)
    assert not np.shares_memory(a, b)
    a[...] = 7.0
    assert not np.any(net.predict(x) == 7.0)


def test_network_init_is_reproducible_and_resets_state() -> None:
    a, b = small_net(), small_net()
    np.testing.assert_array_equal(a.params, b.params)
    a.forward(np.random.default_rng(1).standard_normal((4, 2)), True)
    assert np.any(a.state != b.state)
    a.init(np.random.default_rng(0), Initializer())
    np.testing.assert_array_equal(a.state, b.state)
    np.testing.assert_array_equal(a.params, b.params)


def test_network_first_dense_skips_input_grad() -> None:
    net = small_net()
    x = np.random.default_rng(1).standard_normal((4, 2))
    net.forward(x, True)
    assert net.backward(np.ones((4, 1))) is None
    dx = net.backward(np.ones((4, 1)), input_grad=True)
    assert dx.shape == (4, 2)


def test_network_describe_lists_leaves() -> None:
    desc = small_net().describe()
    assert [d["path"] for d in desc] == ["0", "1", "2", "3"]
    assert desc[0] == {"path": "0", "type": "dense", "units": 3}
    assert desc[1] == {"path": "1", "type": "activation", "name": "tanh"}


# -- whole-network gradient checks -----------------------------------------------


def test_gradcheck_tanh_mse_net() -> None:
    net = make_net([Dense(4), Act(Tanh()), Dense(4), Act(Tanh()), Dense(1)], bias_init=0.1)
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((6, 2)), rng.standard_normal((6, 1))
    errors = check_network(net, x, MSE(), t)
    assert max(errors.values()) < TOL, errors


def test_gradcheck_tanh_signed_mse_net() -> None:
    net = make_net([Dense(4), Act(Tanh()), Dense(1), Act(Tanh())], bias_init=0.1)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 2))
    t = MSE(signed=True).targets(rng.integers(0, 2, 6), 1, np.float64)
    errors = check_network(net, x, MSE(signed=True), t)
    assert max(errors.values()) < TOL, errors


def test_gradcheck_relu_bce_net() -> None:
    net = make_net([Dense(5), Act(ReLU()), Dense(5), Act(ReLU()), Dense(1)],
                   init=Initializer("he_uniform"), bias_init=0.05, seed=3)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 2))
    t = BCEWithLogits().targets(rng.integers(0, 2, 8), 1, np.float64)
    net.forward(x, True)
    assert_away_from_kinks(net.body)
    errors = check_network(net, x, BCEWithLogits(), t)
    assert max(errors.values()) < TOL, errors


def test_gradcheck_softmax_batchnorm_residual_net() -> None:
    # Batch norm follows an activation, never a dense layer directly: a bias feeding
    # batch norm has exactly zero gradient, and the relative error of two zeros is
    # rounding noise (tests/engine/layers/test_residual.py checks that case alone).
    net = make_net([
        Dense(5), Act(Tanh()), BatchNorm(),
        Residual([Dense(5), Act(Tanh()), BatchNorm(), Act(ReLU()), Dense(5)]),
        Dense(3),
    ], bias_init=0.1)
    for bn in (net.layer("2"), net.layer("3.0.2")):
        bn.params["gamma"][...] = [1.5, 0.7, -0.4, 1.0, 1.2]
        bn.params["beta"][...] = [0.1, -0.3, 0.2, 0.0, 0.4]
    rng = np.random.default_rng(6)
    x = rng.standard_normal((10, 2))
    t = SoftmaxCrossEntropy().targets(rng.integers(0, 3, 10), 3, np.float64)
    net.forward(x, True)
    assert_away_from_kinks(net.body)
    # eps 1e-5 rather than 1e-6: behind two batch norms some weight gradients are
    # ~1e-5, where the rounding noise of a difference, ~1e-16 |L| / eps, is what the
    # relative error sees; 1e-5 cuts that tenfold while the eps^2 truncation stays ~1e-10.
    errors = check_network(net, x, SoftmaxCrossEntropy(), t, eps=1e-5)
    assert max(errors.values()) < TOL, errors
    assert net.layer("3.0.2").state["running_mean"].any()  # the BN really ran in training mode


def test_gradcheck_dropout_prelu_net() -> None:
    n = 8
    drop_a, drop_b = Dropout(0.5), Dropout(0.3, "classic")
    net = make_net([Dense(6), PReLU(), drop_a, Dense(6), Act(Tanh()), drop_b, Dense(1)],
                   seed=7, bias_init=0.1)
    net.view("1", "alpha")[...] = [0.1, 0.2, 0.3, -0.2, 0.5, 0.25]
    mask_rng = np.random.default_rng(8)
    drop_a.fixed_mask = mask_rng.random((n, 6)) >= 0.5
    drop_b.fixed_mask = mask_rng.random((n, 6)) >= 0.3
    rng = np.random.default_rng(9)
    x, t = rng.standard_normal((n, 2)), rng.standard_normal((n, 1))
    net.forward(x, True)
    assert_away_from_kinks(net.body)
    errors = check_network(net, x, MSE(), t)
    assert max(errors.values()) < TOL, errors
    assert np.any(net.grad_view("1", "alpha") != 0)


def test_gradcheck_rrelu_net_fixed_noise() -> None:
    net = make_net([Dense(5), RReLU(), Dense(1)], seed=10, bias_init=0.1)
    rng = np.random.default_rng(11)
    x, t = rng.standard_normal((6, 2)), rng.standard_normal((6, 1))
    net.set_rng(np.random.default_rng(0))  # the slopes check_network will draw (seed 0)
    net.forward(x, True)
    assert_away_from_kinks(net.body)
    errors = check_network(net, x, MSE(), t, seed=0)
    assert max(errors.values()) < TOL, errors


def test_network_backward_residual_first_layer() -> None:
    net = make_net([Residual([Dense(2), Act(Tanh())]), Dense(1)])
    x = np.random.default_rng(1).standard_normal((4, 2))
    net.forward(x, True)
    net.backward(np.ones((4, 1)))  # a training step: input_grad False
    expected = net.grads.copy()
    net.forward(x, True)
    net.backward(np.ones((4, 1)), input_grad=True)
    np.testing.assert_allclose(net.grads, expected)


def test_gradcheck_conv_pool_residual_spp_net() -> None:
    # tanh keeps the check away from kinks; the pools are max pools over
    # distinct values, so a difference step never changes a window's winner
    from engine.layers import Conv2D, Pool2D, SpatialPyramidPool

    def layers() -> list:
        return [Conv2D(3, 3, padding=1), Act(Tanh()), Pool2D("mean", 2),
                Residual([Conv2D(4, 3, padding=1), Act(Tanh())]),
                SpatialPyramidPool((1, 2), "mean"), Dense(3)]

    rng = np.random.default_rng(5)
    for side in (8, 6):  # one network, two input sizes (spatial pyramid pooling)
        net = make_net(layers(), in_shape=(1, 8, 8), seed=2, bias_init=0.1)
        x = rng.standard_normal((3, 1, side, side))
        t = SoftmaxCrossEntropy().targets(np.array([0, 2, 1]), 3, np.float64)
        errors = check_network(net, x, SoftmaxCrossEntropy(), t, eps=1e-5)
        assert max(errors.values()) < 1e-5, (side, errors)


def test_gradcheck_conv_net_with_channel_batchnorm_and_prelu() -> None:
    """Batch norm and PReLU after convolutions, one gamma, beta and slope per
    channel, checked in a whole net on two input sizes (as for the notes' kernels:
    the statistics and slopes do not depend on the maps' size). Batch norm follows
    an activation, so that no bias feeds it directly (see the residual check)."""
    from engine.layers import Conv2D, Pool2D, SpatialPyramidPool

    net = make_net([Conv2D(3, 3, padding=1), Act(Tanh()), BatchNorm(), PReLU(),
                    Pool2D("mean", 2), Conv2D(2, 3, padding=1), Act(Tanh()), BatchNorm(),
                    SpatialPyramidPool((1, 2), "mean"), Dense(3)],
                   in_shape=(1, 8, 8), seed=3, bias_init=0.1)
    assert [(e.path, e.name, e.shape) for e in net.entries if e.name in ("gamma", "alpha")] == [
        ("2", "gamma", (3,)), ("3", "alpha", (3,)), ("7", "gamma", (2,))]
    net.view("2", "gamma")[...] = [1.5, -0.6, 0.9]
    net.view("2", "beta")[...] = [0.3, -0.2, 0.1]
    net.view("3", "alpha")[...] = [0.1, 0.4, -0.2]
    net.view("7", "gamma")[...] = [0.8, 1.3]
    rng = np.random.default_rng(40)  # no PReLU input within 3e-3 of its kink
    t = SoftmaxCrossEntropy().targets(np.array([0, 2, 1, 1]), 3, np.float64)
    for side in (8, 10):
        x = rng.standard_normal((4, 1, side, side))
        net.forward(x, True)
        assert_away_from_kinks(net.body)
        errors = check_network(net, x, SoftmaxCrossEntropy(), t, eps=1e-5)
        assert max(errors.values()) < 1e-5, (side, errors)
    assert net.layer("7").state["running_mean"].shape == (2,)
    assert net.layer("7").state["running_mean"].any()


def test_gradcheck_text_cnn_params() -> None:
    # word ids have no gradient: only the parameters are checked (the input error is 0)
    from engine.data.text import pretrained_vectors
    from engine.layers import Conv1D, GlobalMaxPool, TwoChannelEmbedding

    vectors = pretrained_vectors(16)
    net = make_net([TwoChannelEmbedding(vectors), Conv1D(4, 3, padding=1), Act(Tanh()),
                    GlobalMaxPool(), Dense(1)], in_shape=(8,), seed=1, bias_init=0.1)
    x = np.array([[5, 9, 30, 2, 0, 0, 0, 0], [7, 3, 3, 11, 40, 2, 9, 0]], dtype=np.float64)
    t = BCEWithLogits().targets(np.array([1, 0]), 1, np.float64)
    errors = check_network(net, x, BCEWithLogits(), t)
    assert errors["params"] < TOL and errors["input"] == 0.0, errors
