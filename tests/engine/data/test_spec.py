"""Tests for DataSpec validation and its JSON round trip."""

from __future__ import annotations

import json
import math

import pytest

from engine.data import DataSpec
from engine.errors import SpecError


def test_dataspec_defaults() -> None:
    spec = DataSpec()
    assert spec.name == "circle" and spec.n_samples == 400 and spec.noise == 0.0
    assert spec.train_fraction == 0.5 and spec.classes == 3 and spec.seed == 0
    assert spec.features == ("x1", "x2") and spec.offset == (0.0, 0.0)
    assert spec.scale == 1.0 and spec.standardize is False


def test_dataspec_one_d_default_feature() -> None:
    assert DataSpec(name="sine").features == ("x",)
    assert DataSpec.from_dict({"name": "step"}).features == ("x",)


@pytest.mark.parametrize(
    ("d", "field"),
    [
        ({"name": "nope"}, "data.name"),
        ({"name": 3}, "data.name"),
        ({"n_samples": "400"}, "data.n_samples"),
        ({"n_samples": 3}, "data.n_samples"),
        ({"n_samples": 5001}, "data.n_samples"),
        ({"n_samples": 400.0}, "data.n_samples"),
        ({"n_samples": True}, "data.n_samples"),
        ({"noise": math.nan}, "data.noise"),
        ({"noise": math.inf}, "data.noise"),
        ({"noise": 0.6}, "data.noise"),
        ({"noise": -0.1}, "data.noise"),
        ({"noise": "0.1"}, "data.noise"),
        ({"noise": False}, "data.noise"),
        ({"train_fraction": 0.05}, "data.train_fraction"),
        ({"train_fraction": 0.95}, "data.train_fraction"),
        ({"train_fraction": None}, "data.train_fraction"),
        ({"classes": 2}, "data.classes"),
        ({"classes": 6}, "data.classes"),
        ({"classes": 3.5}, "data.classes"),
        ({"features": "x1"}, "data.features"),
        ({"features": []}, "data.features"),
        ({"features": {"x1": 1}}, "data.features"),
        ({"features": ["x1", "x3"]}, "data.features.1"),
        ({"features": ["x1", None]}, "data.features.1"),
        ({"name": "sine", "features": ["x1"]}, "data.features.0"),
        ({"offset": 5}, "data.offset"),
        ({"offset": "ab"}, "data.offset"),
        ({"offset": [1.0]}, "data.offset"),
        ({"offset": [1.0, 2.0, 3.0]}, "data.offset"),
        ({"offset": [1.0, math.nan]}, "data.offset.1"),
        ({"offset": [1001, 0]}, "data.offset.0"),
        ({"offset": [0, "1"]}, "data.offset.1"),
        ({"offset": [True, 0]}, "data.offset.0"),
        ({"scale": 0.0}, "data.scale"),
        ({"scale": 101}, "data.scale"),
        ({"scale": -math.inf}, "data.scale"),
        ({"standardize": 1}, "data.standardize"),
        ({"standardize": "yes"}, "data.standardize"),
        ({"seed": -1}, "data.seed"),
        ({"seed": 2**32}, "data.seed"),
        ({"seed": 1.0}, "data.seed"),
        ({"bogus": 1}, "data.bogus"),
    ],
)
def test_dataspec_from_dict_bad_field_named(d: dict, field: str) -> None:
    with pytest.raises(SpecError) as err:
        DataSpec.from_dict(d)
    assert err.value.field == field


def test_dataspec_from_dict_unknown_key_message() -> None:
    with pytest.raises(SpecError) as err:
        DataSpec.from_dict({"noise": 0.1, "colour": "red"})
    assert err.value.field == "data.colour" and err.value.message == "unknown field"


def test_dataspec_from_dict_unknown_name_lists_choices() -> None:
    with pytest.raises(SpecError) as err:
        DataSpec.from_dict({"name": "nope"})
    assert err.value.message.startswith("unknown dataset 'nope'; choose one of ")
    assert "circle" in err.value.message and "xor-table" in err.value.message


def test_dataspec_from_dict_not_a_mapping() -> None:
    with pytest.raises(SpecError) as err:
        DataSpec.from_dict([("name", "xor")])  # type: ignore[arg-type]
    assert err.value.field == "data"


def test_dataspec_constructor_validates_too() -> None:
    with pytest.raises(SpecError) as err:
        DataSpec(noise=0.7)
    assert err.value.field == "data.noise"


def test_dataspec_round_trip() -> None:
    spec = DataSpec.from_dict(
        {
            "name": "blobs",
            "n_samples": 250,
            "noise": 0.25,
            "train_fraction": 0.7,
            "classes": 5,
            "features": ["x1", "x1*x2", "sin(x2)"],
            "offset": [50, -12.5],
            "scale": 2,
            "standardize": True,
            "seed": 2**32 - 1,
        }
    )
    d = spec.to_dict()
    assert d["offset"] == [50.0, -12.5] and isinstance(d["scale"], float)
    again = DataSpec.from_dict(json.loads(json.dumps(d)))
    assert again == spec
    assert again.to_dict() == d
    assert DataSpec.from_dict(DataSpec().to_dict()) == DataSpec()
