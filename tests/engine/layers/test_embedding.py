"""Tests for engine.layers.embedding: lookup by hand, the scattered table gradient
against central differences, the PAD row, frozen tables kept out of the optimiser's
reach, and the two-channel layer."""

from __future__ import annotations

import numpy as np
import pytest

from engine.gradcheck import bind_layer, check_layer, numeric_grad, rel_error
from engine.initializers import Initializer
from engine.layers.embedding import Embedding, TwoChannelEmbedding, gather, scatter
from engine.network import Network
from engine.optimizers import Adam, Optimizer

TOL = 1e-6
V, E, L = 7, 3, 5


def vectors(seed: int = 0) -> np.ndarray:
    table = np.random.default_rng(seed).standard_normal((V, E))
    table[0] = 0.0
    return table


def ids(seed: int = 1, n: int = 4) -> np.ndarray:
    """Float ids (n, L) with every sample ending in PAD and some repeats."""
    out = np.random.default_rng(seed).integers(1, V, size=(n, L)).astype(np.float64)
    out[:, -1] = 0.0
    out[0, :2] = 3.0
    return out


def make(layer, seed: int = 0):
    bufs = bind_layer(layer, (L,), np.random.default_rng(seed))
    return layer, bufs


def test_embedding_forward_by_hand() -> None:
    table = np.arange(V * E, dtype=np.float64).reshape(V, E)
    layer, _ = make(Embedding(table))
    out = layer.forward(np.array([[2.0, 6.0, 0.0, 0.0, 1.0]]), True)
    assert out.shape == (1, E, L) and out.flags.c_contiguous
    np.testing.assert_array_equal(out[0, :, 0], [6.0, 7.0, 8.0])
    np.testing.assert_array_equal(out[0, :, 1], [18.0, 19.0, 20.0])
    np.testing.assert_array_equal(out[0, :, 2], [0.0, 0.0, 0.0])  # PAD, although row 0 is not
    np.testing.assert_array_equal(out[0, :, 4], [3.0, 4.0, 5.0])


def test_embedding_shapes_and_specs() -> None:
    trained, frozen = Embedding(vectors()), Embedding(vectors(), trainable=False)
    assert trained.build((L,)) == (E, L) and frozen.build((L,)) == (E, L)
    assert [(s.name, s.shape, s.decay) for s in trained.param_specs()] == [("table", (V, E), False)]
    assert trained.state_specs() == []
    assert frozen.param_specs() == []
    assert [(s.name, s.shape) for s in frozen.state_specs()] == [("table", (V, E))]


def test_embedding_init_copies_vectors_ignoring_initializer() -> None:
    v = vectors()
    layer = Embedding(v)
    bind_layer(layer, (L,), np.random.default_rng(0), init=Initializer("constant", 5.0))
    np.testing.assert_array_equal(layer.params["table"], v)
    v[2] = 99.0  # the layer keeps its own copy
    assert layer.vectors[2, 0] != 99.0


def test_embedding_gradient_check() -> None:
    layer, _ = make(Embedding(vectors()))
    errors = check_layer(layer, ids())
    assert set(errors) == {"input", "table"}
    assert max(errors.values()) < TOL, errors


def test_embedding_table_gradient_equals_central_differences() -> None:
    layer, _ = make(Embedding(vectors(2)))
    x = ids(3, n=6)
    r = np.random.default_rng(4).standard_normal((6, E, L))
    layer.forward(x, True)
    dx = layer.backward(r)
    numeric = numeric_grad(lambda: float(np.vdot(layer.forward(x, True), r)),
                           layer.params["table"])
    assert rel_error(layer.grads["table"], numeric) < TOL
    np.testing.assert_array_equal(dx, np.zeros((6, L)))  # ids have no gradient
    unused = sorted(set(range(V)) - set(x.astype(int).ravel().tolist()))
    assert np.all(layer.grads["table"][unused] == 0.0)


def test_embedding_repeated_ids_add_up() -> None:
    layer, _ = make(Embedding(vectors()))
    layer.forward(np.array([[3.0, 3.0, 2.0, 0.0, 0.0]]), True)
    g = np.arange(E * L, dtype=np.float64).reshape(1, E, L)
    layer.backward(g)
    np.testing.assert_array_equal(layer.grads["table"][3], g[0, :, 0] + g[0, :, 1])
    np.testing.assert_array_equal(layer.grads["table"][2], g[0, :, 2])
    assert layer.grads["table"].sum() == g[0, :, :3].sum()


def test_embedding_pad_row_gets_zero_gradient() -> None:
    layer, _ = make(Embedding(vectors()))
    x = np.zeros((3, L))
    x[:, 0] = 4.0
    layer.forward(x, True)
    layer.backward(np.ones((3, E, L)))
    np.testing.assert_array_equal(layer.grads["table"][0], np.zeros(E))
    np.testing.assert_array_equal(layer.grads["table"][4], np.full(E, 3.0))


def test_gather_and_scatter_are_adjoint() -> None:
    # <gather(T, ids), G> = <T, scatter(G, ids)> for any T, G
    rng = np.random.default_rng(5)
    T, G, x = rng.standard_normal((V, E)), rng.standard_normal((4, E, L)), ids().astype(int)
    assert np.vdot(gather(T, x), G) == pytest.approx(np.vdot(T, scatter(G, x, V)), rel=1e-12)


@pytest.mark.parametrize("bad", [[[7.0, 1.0]], [[-1.0, 2.0]], [[1.5, 2.0]], [[np.nan, 1.0]]],
                         ids=["too_big", "negative", "fraction", "nan"])
def test_embedding_bad_ids_raise_value_error(bad) -> None:
    layer = Embedding(vectors())
    bind_layer(layer, (2,), np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"token id|whole|finite"):
        layer.forward(np.array(bad), True)


def test_embedding_out_of_range_message_names_the_id() -> None:
    layer = Embedding(vectors())
    bind_layer(layer, (2,), np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"token id 9 out of range 0\.\.6"):
        layer.forward(np.array([[1.0, 9.0]]), True)


def test_embedding_rejects_wrong_shapes() -> None:
    with pytest.raises(ValueError):
        Embedding(np.zeros(5))
    with pytest.raises(ValueError):
        Embedding(vectors()).build((L, 2))
    layer, _ = make(Embedding(vectors()))
    with pytest.raises(ValueError, match=r"\(n, L\)"):
        layer.forward(np.zeros(L), True)


def test_frozen_embedding_unchanged_by_optimizer_steps() -> None:
    v = vectors()
    net = Network([Embedding(v, trainable=False)], (L,))
    net.init(np.random.default_rng(0), Initializer())
    assert net.params.size == 0 and net.state.size == V * E
    np.testing.assert_array_equal(net.state.reshape(V, E), v)
    opt = Adam(net.params.size, net.decay, lr=0.5)
    for seed in range(3):
        net.forward(ids(seed), True)
        net.backward(np.ones((4, E, L)))
        opt.step(net.params, net.grads)
    np.testing.assert_array_equal(net.state.reshape(V, E), v)


def test_trainable_embedding_moves_only_used_rows() -> None:
    v = vectors()
    net = Network([Embedding(v)], (L,))
    net.init(np.random.default_rng(0), Initializer())
    x = np.array([[2.0, 5.0, 0.0, 0.0, 0.0]])
    net.forward(x, True)
    net.backward(np.ones((1, E, L)))
    Optimizer(net.params.size, net.decay, lr=0.1, l2=1.0).step(net.params, net.grads)
    table = net.params.reshape(V, E)
    np.testing.assert_allclose(table[[2, 5]], v[[2, 5]] - 0.1)  # no decay on the table
    np.testing.assert_array_equal(table[[0, 1, 3, 4, 6]], v[[0, 1, 3, 4, 6]])


def test_two_channel_starts_equal_and_only_trained_half_changes() -> None:
    v = vectors()
    net = Network([TwoChannelEmbedding(v)], (L,))
    net.init(np.random.default_rng(0), Initializer())
    assert net.out_shape == (2 * E, L)
    x = ids()
    out = net.forward(x, True)
    np.testing.assert_array_equal(out[:, :E], out[:, E:])
    opt = Optimizer(net.params.size, net.decay, lr=0.1)
    net.backward(np.random.default_rng(1).standard_normal((4, 2 * E, L)))
    opt.step(net.params, net.grads)
    np.testing.assert_array_equal(net.state.reshape(V, E), v)
    assert not np.array_equal(net.params.reshape(V, E), v)
    after = net.forward(x, True)
    np.testing.assert_array_equal(after[:, :E], out[:, :E])
    assert np.abs(after[:, E:] - after[:, :E]).max() > 0.0


def test_two_channel_gradient_check() -> None:
    layer, bufs = make(TwoChannelEmbedding(vectors()))
    assert bufs.params.size == bufs.state.size == V * E
    errors = check_layer(layer, ids())
    assert set(errors) == {"input", "table"}
    assert max(errors.values()) < TOL, errors


def test_two_channel_ignores_gradient_of_frozen_half() -> None:
    layer, _ = make(TwoChannelEmbedding(vectors()))
    x = ids()
    layer.forward(x, True)
    g = np.zeros((4, 2 * E, L))
    g[:, :E] = 1.0  # only the frozen channels receive a gradient
    layer.backward(g)
    np.testing.assert_array_equal(layer.grads["table"], np.zeros((V, E)))


def test_embedding_float32_keeps_dtype() -> None:
    net = Network([Embedding(vectors())], (L,), dtype=np.float32)
    net.init(np.random.default_rng(0), Initializer())
    out = net.forward(ids().astype(np.float32), True)
    assert out.dtype == np.float32
    assert net.backward(np.ones((4, E, L), np.float32), input_grad=True).dtype == np.float32


def test_embedding_describe() -> None:
    assert Embedding(vectors(), trainable=False).describe() == {
        "type": "embedding", "vocab": V, "dims": E, "trainable": False}
    assert TwoChannelEmbedding(vectors()).describe() == {
        "type": "two_channel_embedding", "vocab": V, "dims": E, "channels": 2}
