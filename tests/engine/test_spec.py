"""The network spec: parsing, defaults, limits and errors that name the field."""

from __future__ import annotations

import json

import pytest

from engine.errors import SpecError
from engine.spec import Limits, parse_spec


def test_parse_spec_defaults_for_binary_data() -> None:
    spec = parse_spec({})
    assert spec.task == "binary"
    assert spec.loss == "bce"
    assert spec.output_activation == "linear"
    assert spec.optimizer == {"name": "sgd", "lr": 0.03}
    assert [layer["type"] for layer in spec.layers] == ["dense", "activation"] * 2
    assert spec.layers[0] == {"type": "dense", "units": 8}
    assert spec.layers[1] == {"type": "activation", "name": "tanh"}


def test_parse_spec_default_loss_follows_task() -> None:
    assert parse_spec({"data": {"name": "blobs"}}).loss == "softmax_ce"
    assert parse_spec({"data": {"name": "sine"}}).loss == "mse"


def test_parse_spec_widths_expand_with_switches() -> None:
    spec = parse_spec({
        "hidden": [4, 6], "activation": ["relu", "leaky_relu"],
        "activation_options": {"slope": 0.2}, "batch_norm": True, "dropout": 0.3,
        "dropout_mode": "classic",
    })
    assert spec.layers == (
        {"type": "dense", "units": 4},
        {"type": "batchnorm", "momentum": 0.1},
        {"type": "activation", "name": "relu"},
        {"type": "dropout", "p": 0.3, "mode": "classic"},
        {"type": "dense", "units": 6},
        {"type": "batchnorm", "momentum": 0.1},
        {"type": "activation", "name": "leaky_relu", "slope": 0.2},
        {"type": "dropout", "p": 0.3, "mode": "classic"},
    )


def test_parse_spec_residual_wraps_pairs_after_the_first_layer() -> None:
    spec = parse_spec({"hidden": [8] * 6, "activation": "relu", "residual": True})
    kinds = [layer["type"] for layer in spec.layers]
    assert kinds == ["dense", "activation", "residual", "residual", "dense", "activation"]
    assert [x["type"] for x in spec.layers[2]["layers"]] == ["dense", "activation"] * 2


def test_parse_spec_round_trips_through_json() -> None:
    spec = parse_spec({"hidden": [3, 5], "activation": "prelu", "residual": True,
                       "optimizer": {"name": "momentum", "nesterov": True}, "l2": 0.01,
                       "init": "he_normal", "bias_init": -0.5, "seed": 7})
    again = parse_spec(json.loads(json.dumps(spec.to_dict())))
    assert again == spec


def test_parse_spec_optimizer_defaults() -> None:
    assert parse_spec({"optimizer": "adam"}).optimizer == {
        "name": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert parse_spec({"optimizer": {"name": "momentum"}}).optimizer == {
        "name": "momentum", "lr": 0.03, "momentum": 0.9, "nesterov": False}


def test_parse_spec_limits_are_settings() -> None:
    with pytest.raises(SpecError) as err:
        parse_spec({"hidden": [8] * 4}, Limits(max_hidden_layers=3))
    assert err.value.field == "hidden"
    parse_spec({"hidden": [100]}, Limits(max_units=128))


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"hidden": [8, 65]}, "hidden.1"),
        ({"hidden": [8] * 11}, "hidden"),
        ({"hidden": "8"}, "hidden"),
        ({"hidden": [8, True]}, "hidden.1"),
        ({"activation": "swish"}, "activation"),
        ({"hidden": [2, 2], "activation": ["relu"]}, "activation"),
        ({"hidden": [2, 2], "activation": ["relu", 3]}, "activation.1"),
        ({"activation_options": {"slope": 2.0}, "activation": "leaky_relu"},
         "activation_options.slope"),
        ({"activation_options": {"size": 1}}, "activation_options.size"),
        ({"dropout": 1.0}, "dropout"),
        ({"dropout": float("nan")}, "dropout"),
        ({"dropout_mode": "other"}, "dropout_mode"),
        ({"batch_norm": 1}, "batch_norm"),
        ({"layers": [{"type": "dense", "units": 0}]}, "layers.0.units"),
        ({"layers": [{"type": "dense"}]}, "layers.0.units"),
        ({"layers": [{"type": "conv"}]}, "layers.0.type"),
        ({"layers": [{"type": "dense", "units": 4, "size": 2}]}, "layers.0.size"),
        ({"layers": [{"type": "activation", "name": "rrelu", "lower": 0.5, "upper": 0.1}]},
         "layers.0.lower"),
        ({"layers": [{"type": "residual", "layers": [{"type": "activation", "name": "relu"}]}]},
         "layers.0.layers"),
        ({"layers": [{"type": "residual", "layers": [{"type": "residual", "layers": []}]}]},
         "layers.0.layers.0"),
        ({"layers": [5]}, "layers.0"),
        ({"layers": [], "hidden": [2]}, "layers"),
        ({"layers": [], "dropout": 0.5}, "dropout"),
        ({"loss": "hinge"}, "loss"),
        ({"loss": "softmax_ce"}, "loss"),
        ({"data": {"name": "sine"}, "loss": "bce"}, "loss"),
        ({"loss": "bce", "output_activation": "sigmoid"}, "output_activation"),
        ({"output_activation": "relu"}, "output_activation"),
        ({"init": "orthogonal"}, "init.name"),
        ({"init": {"name": "normal", "scale": "big"}}, "init.scale"),
        ({"bias_init": float("inf")}, "bias_init"),
        ({"optimizer": {"name": "adam", "momentum": 0.9}}, "optimizer.momentum"),
        ({"optimizer": {"name": "sgd", "lr": 0}}, "optimizer.lr"),
        ({"optimizer": {"name": "sgd", "lr": -1}}, "optimizer.lr"),
        ({"optimizer": 3}, "optimizer"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"l1": -0.1}, "l1"),
        ({"l2": None}, "l2"),
        ({"seed": -1}, "seed"),
        ({"dtype": "float16"}, "dtype"),
        ({"data": {"name": "mnist"}}, "data.name"),
        ({"data": {"noise": 2}}, "data.noise"),
        ({"extra": 1}, "extra"),
    ],
)
def test_parse_spec_bad_field_is_named(spec: dict, field: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_spec(spec)
    assert err.value.field == field
    assert err.value.message


@pytest.mark.parametrize("spec", [
    {"hidden": [4], "batch_norm": True, "batch_size": 1},
    {"layers": [{"type": "dense", "units": 4}, {"type": "batchnorm"}], "batch_size": 1},
    {"layers": [{"type": "dense", "units": 4},
                {"type": "residual", "layers": [{"type": "dense", "units": 4},
                                                {"type": "batchnorm"}]}], "batch_size": 1},
])
def test_parse_spec_refuses_a_batch_of_one_with_batch_norm(spec: dict) -> None:
    with pytest.raises(SpecError) as err:
        parse_spec(spec)
    assert err.value.field == "batch_size"
    assert "batch norm needs at least 2 samples" in err.value.message
    assert parse_spec({**spec, "batch_size": 2}).batch_size == 2


def test_parse_spec_takes_a_batch_of_one_without_batch_norm() -> None:
    assert parse_spec({"hidden": [4], "dropout": 0.5, "batch_size": 1}).batch_size == 1


def test_parse_spec_rejects_non_mapping() -> None:
    with pytest.raises(SpecError) as err:
        parse_spec([1, 2])  # type: ignore[arg-type]
    assert err.value.field == "spec"
