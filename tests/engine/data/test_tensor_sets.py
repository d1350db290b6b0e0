"""Tests for engine.data.tensor_sets through build_dataset: the image and text
data sets as Dataset objects, their spec fields and their errors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data import DataSpec, build_dataset
from engine.data.images import IMAGE_CLASSES
from engine.data.text import CLASSES, pretrained_vectors
from engine.errors import SpecError


def test_shapes_dataset_images_split_and_classes() -> None:
    data = build_dataset(DataSpec(name="shapes", n_samples=120, size=12, seed=4))
    assert data.modality == "image" and data.task == "multiclass"
    assert data.X_train.shape == (60, 1, 12, 12) and data.X_test.shape == (60, 1, 12, 12)
    assert data.input_shape == (1, 12, 12)
    assert data.n_classes == 6 and data.class_names == IMAGE_CLASSES
    assert np.bincount(data.y_train, minlength=6).tolist() == [10] * 6
    assert data.X_train.min() >= 0.0 and data.X_train.max() <= 1.0
    assert data.extent == () and data.feature_names == () and data.points_train.size == 0


def test_shapes_dataset_same_spec_bit_identical_other_seed_differs() -> None:
    a = build_dataset(DataSpec(name="shapes", n_samples=60, seed=1))
    b = build_dataset(DataSpec(name="shapes", n_samples=60, seed=1))
    c = build_dataset(DataSpec(name="shapes", n_samples=60, seed=2))
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


def test_sentiment_dataset_ids_vectors_and_texts() -> None:
    data = build_dataset(DataSpec(name="sentiment", n_samples=100, train_fraction=0.8))
    assert data.modality == "text" and data.task == "binary" and data.n_classes == 2
    assert data.X_train.shape == (80, 16) and data.X_test.shape == (20, 16)
    assert data.X_train.dtype == np.float64
    assert np.array_equal(data.X_train, np.round(data.X_train))
    assert data.class_names == CLASSES and len(data.texts_train) == 80
    assert data.vectors is pretrained_vectors(16)
    first = [data.vocab[int(i)] for i in data.X_train[0] if i != 0]
    assert " ".join(first).lower().split()[:2] == data.texts_train[0].lower().split()[:2]


def test_tensor_data_spec_round_trips_size_only_for_images() -> None:
    spec = DataSpec(name="shapes", size=20)
    assert spec.to_dict()["size"] == 20
    assert DataSpec.from_dict(spec.to_dict()) == spec
    assert "size" not in DataSpec(name="sentiment").to_dict()
    assert "size" not in DataSpec(name="circle").to_dict()


@pytest.mark.parametrize(("given", "field"), [
    ({"name": "shapes", "size": 4}, "data.size"),
    ({"name": "shapes", "size": 64}, "data.size"),
    ({"name": "shapes", "n_samples": 10}, "data.n_samples"),
    ({"name": "sentiment", "features": ["x1"]}, "data.features"),
])
def test_tensor_data_spec_bad_field_is_named(given: dict, field: str) -> None:
    with pytest.raises(SpecError) as err:
        DataSpec.from_dict(given)
    assert err.value.field == field


@pytest.mark.parametrize(("given", "field"), [
    ({"name": "circle", "size": 12}, "data.size"),
    ({"name": "sentiment", "size": 12}, "data.size"),
    ({"name": "shapes", "offset": [1, 0]}, "data.offset"),
    ({"name": "shapes", "scale": 2}, "data.scale"),
    ({"name": "shapes", "standardize": True}, "data.standardize"),
    ({"name": "shapes", "classes": 4}, "data.classes"),
    ({"name": "sentiment", "noise": 0.1}, "data.noise"),
])
def test_tensor_data_spec_refuses_settings_that_do_not_apply(given: dict, field: str) -> None:
    with pytest.raises(SpecError) as err:
        DataSpec.from_dict(given)
    assert err.value.field == field
    assert DataSpec.from_dict({"name": "shapes", "noise": 0.1, "offset": [0, 0]}).noise == 0.1
