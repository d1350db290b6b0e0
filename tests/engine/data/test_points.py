"""The data set "points": rows carried in the spec (engine/data/points.py, DataSpec,
build_dataset, the spec's task and the checkpoint round trip)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from engine.checkpoint import export_run, import_run
from engine.data import DATASETS, DataSpec, build_dataset, list_datasets
from engine.data.points import MARGIN, natural_extent
from engine.errors import SpecError
from engine.spec import parse_spec
from engine.trainer import Trainer

SQUARE = [[0.0, 0.0, 0.0], [0.0, 2.0, 1.0], [4.0, 0.0, 1.0], [4.0, 2.0, 0.0],
          [1.0, 1.0, 0.0], [3.0, 1.0, 1.0]]
THREE = [[float(i), float(-i), float(i % 3)] for i in range(9)]


def test_points_spec_keeps_rows_as_float_tuples_and_knows_its_task() -> None:
    spec = DataSpec.from_dict({"name": "points", "kind": "binary",
                               "points": [[0, 0, 0], [0, 2, 1], [4, 0, 1], [4, 2, 0]]})
    assert spec.points == ((0.0, 0.0, 0.0), (0.0, 2.0, 1.0), (4.0, 0.0, 1.0), (4.0, 2.0, 0.0))
    assert all(type(v) is float for row in spec.points for v in row)
    assert spec.task == "binary" and spec.n_classes == 2
    assert spec.features == ("x1", "x2")
    assert "points" not in DATASETS
    assert "points" not in [entry["name"] for entry in list_datasets()]
    assert spec.info.settings == ("points", "kind", "train_fraction", "features", "offset",
                                  "scale", "standardize", "seed")


@pytest.mark.parametrize(("points", "kind", "n_classes"), [
    (SQUARE, "binary", 2),
    (THREE, "multiclass", 3),
    ([[0.0, 0.0, 0.5], [1.0, 0.0, -2.0], [0.0, 1.0, 3.25], [1.0, 1.0, 0.0]], "regression", 0),
])
def test_kind_is_guessed_when_not_given(points: list, kind: str, n_classes: int) -> None:
    spec = DataSpec.from_dict({"name": "points", "points": points})
    assert spec.kind == kind and spec.task == kind and spec.n_classes == n_classes
    assert parse_spec({"data": spec.to_dict()}).task == kind


def test_round_trip_is_exact_through_json() -> None:
    spec = DataSpec.from_dict({"name": "points", "kind": "multiclass",
                               "points": [*THREE, [0.1, 1e-7, 4]], "train_fraction": 0.7,
                               "features": ["x1", "x1*x2"], "offset": [1, -2], "scale": 3,
                               "standardize": True, "seed": 11})
    d = spec.to_dict()
    assert d["kind"] == "multiclass" and d["points"][-1] == [0.1, 1e-7, 4.0]
    again = DataSpec.from_dict(json.loads(json.dumps(d)))
    assert again == spec and again.to_dict() == d
    assert spec.n_classes == 5


def test_other_data_sets_do_not_show_points_or_kind() -> None:
    d = DataSpec(name="circle").to_dict()
    assert "points" not in d and "kind" not in d
    assert DataSpec.from_dict({"name": "circle", "points": []}) == DataSpec(name="circle")


@pytest.mark.parametrize(("d", "field", "words"), [
    ({"points": SQUARE}, "data.points", "only applies to the data set 'points'"),
    ({"kind": "binary"}, "data.kind", "only applies"),
    ({"name": "points"}, "data.points", "4 to 5000 rows, got 0"),
    ({"name": "points", "points": "0,0,0"}, "data.points", "list of [x1, x2, label]"),
    ({"name": "points", "points": SQUARE[:3]}, "data.points", "got 3"),
    ({"name": "points", "points": SQUARE * 834}, "data.points", "got 5004"),
    ({"name": "points", "points": [*SQUARE[:3], [1.0, 2.0]]}, "data.points.3", "3 numbers"),
    ({"name": "points", "points": [*SQUARE[:3], "1,2,3"]}, "data.points.3", "3 numbers"),
    ({"name": "points", "points": [[0, math.nan, 0], *SQUARE]}, "data.points.0", "x2 must be"),
    ({"name": "points", "points": [*SQUARE, [0, 0, math.inf]]}, "data.points.6", "finite"),
    ({"name": "points", "points": [*SQUARE, [True, 0, 1]]}, "data.points.6", "x1 must be a"),
    ({"name": "points", "points": [*SQUARE, ["1", 0, 1]]}, "data.points.6", "number"),
    ({"name": "points", "points": [*SQUARE, [2e6, 0, 1]]}, "data.points.6", "between"),
    ({"name": "points", "kind": "binary", "points": [*SQUARE, [0, 0, 2]]}, "data.points.6",
     "use 0 or 1"),
    ({"name": "points", "kind": "binary", "points": [*SQUARE, [0, 0, -1]]}, "data.points.6",
     "use 0 or 1"),
    ({"name": "points", "kind": "multiclass", "points": [*THREE, [0, 0, 1.5]]},
     "data.points.9", "whole numbers 0 to 4"),
    ({"name": "points", "kind": "multiclass", "points": [*THREE, [0, 0, 5]]},
     "data.points.9", "whole numbers 0 to 4"),
    ({"name": "points", "kind": "multiclass", "points": SQUARE}, "data.points",
     "3 to 5 classes"),
    ({"name": "points", "kind": "classes", "points": SQUARE}, "data.kind", "one of binary"),
    ({"name": "upload"}, "data.name", "'upload' names a data set uploaded"),
])
def test_bad_points_name_the_field(d: dict, field: str, words: str) -> None:
    with pytest.raises(SpecError) as err:
        DataSpec.from_dict(d)
    assert err.value.field == field
    assert words in err.value.message


def test_dataset_from_points_splits_the_rows_with_the_seed() -> None:
    rows = [[float(i), float(i % 7), float(i % 2)] for i in range(40)]
    spec = DataSpec.from_dict({"name": "points", "points": rows, "train_fraction": 0.75,
                               "seed": 5})
    data = build_dataset(spec)
    assert data.task == "binary" and data.n_classes == 2
    assert data.points_train.shape == (30, 2) and data.points_test.shape == (10, 2)
    assert data.y_train.dtype == np.int64
    both = np.vstack([data.points_train, data.points_test])
    labels = np.concatenate([data.y_train, data.y_test])
    order = np.argsort(both[:, 0])
    np.testing.assert_array_equal(both[order], np.asarray(rows)[:, :2])
    np.testing.assert_array_equal(labels[order], np.asarray(rows)[:, 2].astype(np.int64))
    again = build_dataset(spec)
    np.testing.assert_array_equal(again.X_train, data.X_train)
    other = build_dataset(DataSpec.from_dict({**spec.to_dict(), "seed": 6}))
    assert not np.array_equal(other.points_train, data.points_train)


def test_dataset_from_points_ignores_n_samples_noise_and_classes() -> None:
    base = {"name": "points", "points": SQUARE}
    plain = build_dataset(DataSpec.from_dict(base))
    other = build_dataset(DataSpec.from_dict({**base, "n_samples": 50, "noise": 0.5,
                                              "classes": 5}))
    np.testing.assert_array_equal(plain.points_train, other.points_train)
    np.testing.assert_array_equal(plain.y_test, other.y_test)
    assert plain.extent == other.extent


def test_extent_covers_the_points_with_a_margin_and_moves_with_them() -> None:
    data = build_dataset(DataSpec.from_dict({"name": "points", "points": SQUARE}))
    pad_x, pad_y = MARGIN * 4.0, MARGIN * 2.0
    assert data.extent == pytest.approx((-pad_x, 4.0 + pad_x, -pad_y, 2.0 + pad_y))
    moved = build_dataset(DataSpec.from_dict({"name": "points", "points": SQUARE,
                                              "scale": 2, "offset": [10, -1]}))
    assert moved.extent == pytest.approx((10 - 2 * pad_x, 18 + 2 * pad_x,
                                          -1 - 2 * pad_y, 3 + 2 * pad_y))
    both = np.vstack([moved.points_train, moved.points_test])
    x0, x1, y0, y1 = moved.extent
    assert x0 < both[:, 0].min() and both[:, 0].max() < x1
    assert y0 < both[:, 1].min() and both[:, 1].max() < y1
    assert moved.grid(5).shape == (25, 2)


def test_extent_of_points_on_a_line_still_has_area() -> None:
    X = np.array([[3.0, -1.0], [3.0, 0.0], [3.0, 1.0], [3.0, 2.0]])
    x0, x1, y0, y1 = natural_extent(X)
    assert (x0, x1) == (2.5, 3.5) and x0 < x1 and y0 < -1.0 and y1 > 2.0
    far = natural_extent(np.array([[100.0, 5.0]] * 4))
    assert far == pytest.approx((90.0, 110.0, 4.5, 5.5))


def test_regression_points_give_float_targets_and_one_output() -> None:
    rows = [[float(i), 0.0, 0.25 * i] for i in range(8)]
    trainer = Trainer({"data": {"name": "points", "points": rows}, "hidden": [3]})
    assert trainer.spec.task == "regression" and trainer.spec.loss == "mse"
    assert trainer.data.y_train.dtype == np.float64 and trainer.data.y_train.shape == (4, 1)
    assert trainer.net.describe()[-1]["units"] == 1


def test_multiclass_points_give_one_output_per_class() -> None:
    trainer = Trainer({"data": {"name": "points", "points": [*THREE, [9.0, 9.0, 3.0]]},
                       "hidden": [3]})
    assert trainer.spec.task == "multiclass" and trainer.spec.loss == "softmax_ce"
    dense = [layer for layer in trainer.net.describe() if layer["type"] == "dense"]
    assert dense[-1]["units"] == 4


def test_saved_model_from_points_is_self_contained() -> None:
    trainer = Trainer({"data": {"name": "points", "points": SQUARE, "seed": 2},
                       "hidden": [4], "seed": 3})
    trainer.train(50)
    record = json.loads(json.dumps(export_run(trainer)))
    assert record["spec"]["data"]["points"] == SQUARE
    again = import_run(record)
    assert again.spec == trainer.spec
    np.testing.assert_array_equal(again.net.params, trainer.net.params)
    np.testing.assert_array_equal(again.data.X_train, trainer.data.X_train)
    assert again.metrics() == trainer.metrics()
