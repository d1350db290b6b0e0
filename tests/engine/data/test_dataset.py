"""Tests for the catalogue and build_dataset in engine.data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.data import DATASETS, DataSpec, build_dataset, list_datasets
from engine.data import generators as gen

# ---------------------------------------------------------------- catalogue


def test_list_datasets_json_and_complete() -> None:
    items = json.loads(json.dumps(list_datasets()))
    assert [i["name"] for i in items] == list(DATASETS)
    by_name = {i["name"]: i for i in items}
    assert by_name["circle"]["kind"] == "binary" and by_name["circle"]["dims"] == 2
    assert by_name["sine"]["dims"] == 1 and by_name["sine"]["features"] == ["x"]
    assert "classes" in by_name["blobs"]["settings"]
    assert "classes" not in by_name["xor"]["settings"]
    assert "noise" not in by_name["xor-table"]["settings"]
    assert all(i["description"] for i in items)


def test_datasets_registry_kinds() -> None:
    kinds = {name: info.kind for name, info in DATASETS.items()}
    assert {n for n, k in kinds.items() if k == "multiclass"} == {"blobs", "spirals", "shapes"}
    assert {n for n, k in kinds.items() if k == "regression"} == {
        "plane", "multi-gaussian", "sine", "abs", "step",
    }  # fmt: skip


# ---------------------------------------------------------------- building


@pytest.mark.parametrize(
    ("n", "fraction", "n_train"),
    [(400, 0.5, 200), (10, 0.33, 3), (101, 0.7, 71), (4, 0.1, 1), (4, 0.9, 3)],
)
def test_build_dataset_split_sizes(n: int, fraction: float, n_train: int) -> None:
    data = build_dataset(DataSpec(name="gauss", n_samples=n, train_fraction=fraction))
    assert data.X_train.shape == (n_train, 2) and data.y_train.shape == (n_train,)
    assert data.X_test.shape == (n - n_train, 2) and data.y_test.shape == (n - n_train,)
    assert data.points_train.shape == (n_train, 2)


def test_build_dataset_split_is_partition_of_generated_points() -> None:
    spec = DataSpec(name="circle", n_samples=60, noise=0.2, seed=9)
    data = build_dataset(spec)
    raw, labels = gen.circle(60, 0.2, np.random.default_rng(9))
    both = np.vstack([data.points_train, data.points_test])
    order = np.lexsort(both.T)
    raw_order = np.lexsort(raw.T)
    np.testing.assert_array_equal(both[order], raw[raw_order])
    y = np.concatenate([data.y_train, data.y_test])
    np.testing.assert_array_equal(y[order], labels[raw_order])


POINT_SETS = [name for name, info in DATASETS.items() if info.modality == "points"]


@pytest.mark.parametrize("name", POINT_SETS)
def test_build_dataset_task_shapes_dtypes(name: str) -> None:
    data = build_dataset(DataSpec(name=name, n_samples=40, noise=0.1, classes=4))
    info = DATASETS[name]
    assert data.task == info.kind
    assert data.points_train.shape[1] == info.dims
    for X in (data.X_train, data.X_test):
        assert X.dtype == np.float64 and X.flags.c_contiguous
    if info.kind == "regression":
        assert data.n_classes == 0
        assert data.y_train.dtype == np.float64 and data.y_train.shape == (20, 1)
    else:
        assert data.y_train.dtype == np.int64 and data.y_train.ndim == 1
        assert data.n_classes == (4 if info.kind == "multiclass" else 2)
        assert data.y_train.max() < data.n_classes


def test_build_dataset_same_spec_bit_identical() -> None:
    spec = DataSpec(name="spiral", noise=0.3, standardize=True, seed=42)
    a, b = build_dataset(spec), build_dataset(spec)
    for attr in ("points_train", "points_test", "X_train", "X_test", "y_train", "y_test"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr))
    c = build_dataset(DataSpec(name="spiral", noise=0.3, standardize=True, seed=43))
    assert not np.array_equal(a.X_train, c.X_train)


def test_build_dataset_standardize_uses_train_statistics() -> None:
    spec = DataSpec(
        name="gauss", n_samples=300, features=("x1", "x2", "x1*x2"),
        offset=(50.0, -20.0), standardize=True, seed=5,
    )  # fmt: skip
    data = build_dataset(spec)
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0, atol=1e-12)
    assert data.mean is not None and data.std is not None
    assert data.mean.shape == (3,) and data.std.shape == (3,)
    raw_test = np.column_stack([
        data.points_test[:, 0], data.points_test[:, 1],
        data.points_test[:, 0] * data.points_test[:, 1],
    ])  # fmt: skip
    np.testing.assert_allclose(data.X_test, (raw_test - data.mean) / data.std)
    assert np.abs(data.X_test.mean(axis=0)).max() > 1e-3  # not re-centred on itself


def test_build_dataset_standardize_off_has_no_stats() -> None:
    data = build_dataset(DataSpec(name="xor", offset=(3.0, 4.0)))
    assert data.mean is None and data.std is None
    np.testing.assert_array_equal(data.X_train, data.points_train)


def test_build_dataset_offset_moves_points() -> None:
    base = build_dataset(DataSpec(name="moons", seed=1))
    moved = build_dataset(DataSpec(name="moons", seed=1, offset=(50.0, 50.0)))
    shift = moved.points_train.mean(axis=0) - base.points_train.mean(axis=0)
    np.testing.assert_allclose(shift, [50.0, 50.0])
    np.testing.assert_array_equal(moved.y_train, base.y_train)
    assert moved.extent == (44.0, 56.0, 44.0, 56.0)


def test_build_dataset_scale_then_offset() -> None:
    base = build_dataset(DataSpec(name="blobs", seed=2))
    moved = build_dataset(DataSpec(name="blobs", seed=2, scale=0.5, offset=(1.0, -2.0)))
    np.testing.assert_allclose(moved.points_test, base.points_test * 0.5 + [1.0, -2.0])
    assert moved.extent == (-2.0, 4.0, -5.0, 1.0)


def test_build_dataset_transform_reproduces_inputs() -> None:
    spec = DataSpec(
        name="circle", noise=0.2, features=("x1^2", "x2^2", "sin(x1)"),
        offset=(10.0, 0.0), scale=3.0, standardize=True,
    )  # fmt: skip
    data = build_dataset(spec)
    assert np.array_equal(data.transform(data.points_train), data.X_train)
    assert np.array_equal(data.transform(data.points_test), data.X_test)
    assert data.transform(data.grid(7)).shape == (49, 3)


def test_build_dataset_transform_rejects_wrong_shape() -> None:
    data = build_dataset(DataSpec(name="circle"))
    with pytest.raises(ValueError):
        data.transform(np.zeros((5, 1)))


def test_build_dataset_xor_table_train_equals_test() -> None:
    data = build_dataset(DataSpec(name="xor-table", n_samples=100, noise=0.4))
    expected = [[0, 0], [0, 1], [1, 0], [1, 1]]
    np.testing.assert_array_equal(data.points_train, expected)
    np.testing.assert_array_equal(data.points_test, expected)
    np.testing.assert_array_equal(data.y_train, [0, 1, 1, 0])
    np.testing.assert_array_equal(data.y_test, [0, 1, 1, 0])
    assert data.extent == (-0.5, 1.5, -0.5, 1.5)


def test_build_dataset_one_d_uses_first_offset_only() -> None:
    data = build_dataset(DataSpec(name="sine", offset=(5.0, 99.0), n_samples=50))
    assert data.extent == (2.0, 8.0)
    assert np.all((data.points_train >= 2.0) & (data.points_train <= 8.0))
    assert data.feature_names == ("x",) and data.X_train.shape == (25, 1)
    assert data.grid(10).shape == (10, 1)
