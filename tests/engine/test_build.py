"""Tests for engine.build: networks for image and text inputs, the automatic
flatten before the output, and shape mismatches named by layer."""

from __future__ import annotations

import numpy as np
import pytest

from engine.build import MAX_ACTIVATIONS, build_network
from engine.data.text import pretrained_vectors
from engine.errors import SpecError
from engine.layers import Conv2D, Embedding, Flatten, SpatialPyramidPool, TwoChannelEmbedding
from engine.spec import parse_spec


def image_spec(layers: list[dict]) -> object:
    return parse_spec({"data": {"name": "shapes"}, "layers": layers})


def test_build_conv_net_flattens_before_output() -> None:
    spec = image_spec([{"type": "conv2d", "filters": 4, "padding": 1},
                       {"type": "activation", "name": "relu"},
                       {"type": "pool2d", "size": 2}])
    net = build_network(spec, (1, 16, 16))
    assert isinstance(net.layers[0], Conv2D)
    assert isinstance(net.layers[-2], Flatten)
    assert net.layers[-1].in_shape == (4 * 8 * 8,) and net.out_shape == (6,)
    assert net.forward(np.zeros((3, 1, 16, 16)), False).shape == (3, 6)


def test_build_spp_net_takes_three_input_sizes() -> None:
    spec = image_spec([{"type": "conv2d", "filters": 3, "padding": 1},
                       {"type": "spp", "levels": [1, 2, 4]}])
    net = build_network(spec, (1, 16, 16))
    assert isinstance(net.layers[1], SpatialPyramidPool)
    for side in (12, 16, 24):
        assert net.forward(np.ones((2, 1, side, side)), False).shape == (2, 6)


def test_build_embedding_channels_from_vectors() -> None:
    vectors = pretrained_vectors(16)
    for channels, cls, width in (("static", Embedding, 16), ("trained", Embedding, 16),
                                 ("two_channel", TwoChannelEmbedding, 32)):
        spec = parse_spec({"data": {"name": "sentiment"}, "layers": [
            {"type": "embedding", "channels": channels}, {"type": "global_max_pool"}]})
        net = build_network(spec, (16,), vectors)
        assert isinstance(net.layers[0], cls)
        assert net.layers[1].out_shape == (width,)
    frozen = build_network(parse_spec({"data": {"name": "sentiment"}, "layers": [
        {"type": "embedding", "channels": "static"}, {"type": "flatten"}]}), (16,), vectors)
    trained = build_network(parse_spec({"data": {"name": "sentiment"}, "layers": [
        {"type": "embedding", "channels": "trained"}, {"type": "flatten"}]}), (16,), vectors)
    assert trained.params.size - frozen.params.size == vectors.size


@pytest.mark.parametrize(("layers", "field", "words"), [
    ([{"type": "dense", "units": 4}], "layers.0", "flatten"),
    ([{"type": "conv2d", "kernel": 7}, {"type": "conv2d", "kernel": 7},
      {"type": "conv2d", "kernel": 7}], "layers.2", ""),
    ([{"type": "conv1d"}], "layers.0", ""),
    ([{"type": "embedding"}], "layers.0.type", "text data"),
    ([{"type": "flatten"}, {"type": "pool2d"}], "layers.1", ""),
])
def test_build_mismatch_names_the_layer(layers: list[dict], field: str, words: str) -> None:
    with pytest.raises(SpecError) as err:
        build_network(image_spec(layers), (1, 16, 16))
    assert err.value.field == field
    assert words in err.value.message


def test_build_refuses_huge_activations() -> None:
    layers = [{"type": "conv2d", "filters": 32, "padding": 3, "kernel": 1}] * 6
    spec = parse_spec({"data": {"name": "shapes", "size": 32}, "layers": layers})
    with pytest.raises(SpecError) as err:
        build_network(spec, (1, 32, 32))
    assert err.value.field.startswith("layers.") and str(MAX_ACTIVATIONS) in err.value.message


@pytest.mark.parametrize(("inner", "field"), [
    ([{"type": "conv2d", "padding": 1}, {"type": "dense", "units": 4}], "layers.0.layers.1"),
    ([{"type": "embedding"}, {"type": "conv2d"}], "layers.0.layers.0.type"),
])
def test_build_misfit_inside_a_residual_block_names_the_inner_layer(
        inner: list[dict], field: str) -> None:
    with pytest.raises(SpecError) as err:
        build_network(image_spec([{"type": "residual", "layers": inner}]), (1, 16, 16))
    assert err.value.field == field
