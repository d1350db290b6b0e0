"""Tests for engine.spec_layers: the new layer types' defaults, round trip, limits
and named errors."""

from __future__ import annotations

import pytest

from engine.errors import SpecError
from engine.spec import Limits, parse_spec

IMAGE_LAYERS = [
    {"type": "conv2d", "filters": 4},
    {"type": "activation", "name": "relu"},
    {"type": "pool2d", "mode": "mean", "size": 3, "stride": 2},
    {"type": "spp"},
    {"type": "flatten"},
]


def test_spec_layers_defaults_filled() -> None:
    spec = parse_spec({"data": {"name": "shapes"}, "layers": IMAGE_LAYERS})
    conv, _, pool, spp, flat = spec.layers
    assert conv == {"type": "conv2d", "filters": 4, "kernel": 3, "stride": 1, "padding": 0}
    assert pool == {"type": "pool2d", "mode": "mean", "size": 3, "stride": 2}
    assert spp == {"type": "spp", "levels": [1, 2, 4], "mode": "max"}
    assert flat == {"type": "flatten"}
    assert spec.loss == "softmax_ce"


def test_spec_layers_pool_stride_defaults_to_size() -> None:
    spec = parse_spec({"data": {"name": "shapes"}, "layers": [{"type": "pool2d", "size": 4}]})
    assert spec.layers[0]["stride"] == 4


def test_spec_layers_round_trip() -> None:
    spec = parse_spec({"data": {"name": "sentiment"}, "layers": [
        {"type": "embedding", "channels": "static"},
        {"type": "conv1d", "filters": 6, "kernel": 2, "padding": 1},
        {"type": "global_max_pool"},
    ]})
    assert parse_spec(spec.to_dict()) == spec
    assert spec.layers[0] == {"type": "embedding", "channels": "static"}


def test_spec_layers_conv_counts_towards_layer_limit() -> None:
    layers = [{"type": "conv2d"}, {"type": "conv2d"}, {"type": "dense", "units": 4}]
    with pytest.raises(SpecError) as err:
        parse_spec({"data": {"name": "shapes"}, "layers": layers}, Limits(max_hidden_layers=2))
    assert err.value.field == "layers"


def test_spec_layers_residual_accepts_conv_branch() -> None:
    spec = parse_spec({"data": {"name": "shapes"}, "layers": [
        {"type": "residual", "layers": [{"type": "conv2d", "padding": 1},
                                        {"type": "activation", "name": "relu"}]}]})
    assert spec.layers[0]["layers"][0]["filters"] == 8


@pytest.mark.parametrize(("layer", "field"), [
    ({"type": "conv2d", "filters": 0}, "layers.0.filters"),
    ({"type": "conv2d", "filters": 33}, "layers.0.filters"),
    ({"type": "conv2d", "kernel": 9}, "layers.0.kernel"),
    ({"type": "conv1d", "stride": 0}, "layers.0.stride"),
    ({"type": "conv2d", "padding": -1}, "layers.0.padding"),
    ({"type": "conv2d", "dilation": 2}, "layers.0.dilation"),
    ({"type": "pool2d", "mode": "median"}, "layers.0.mode"),
    ({"type": "pool2d", "size": 2.5}, "layers.0.size"),
    ({"type": "spp", "levels": []}, "layers.0.levels"),
    ({"type": "spp", "levels": [1, 1]}, "layers.0.levels"),
    ({"type": "spp", "levels": [1, 2, 4, 8, 16]}, "layers.0.levels"),
    ({"type": "spp", "levels": [1, "2"]}, "layers.0.levels.1"),
    ({"type": "embedding", "channels": "three"}, "layers.0.channels"),
    ({"type": "flatten", "axis": 1}, "layers.0.axis"),
    ({"type": "residual", "layers": [{"type": "pool2d"}]}, "layers.0.layers"),
])
def test_spec_layers_bad_field_is_named(layer: dict, field: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_spec({"data": {"name": "shapes"}, "layers": [layer]})
    assert err.value.field == field


def test_spec_widths_on_images_flatten_first_and_text_needs_layers() -> None:
    spec = parse_spec({"data": {"name": "shapes"}, "hidden": [8], "activation": "relu"})
    assert spec.layers[0] == {"type": "flatten"} and spec.layers[1]["type"] == "dense"
    assert parse_spec(spec.to_dict()) == spec
    with pytest.raises(SpecError) as err:
        parse_spec({"data": {"name": "sentiment"}})
    assert err.value.field == "hidden" and "embedding" in err.value.message
