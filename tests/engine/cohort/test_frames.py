"""A cohort's frame passes (engine/cohort/frames.py): each run's gradient picture,
training-set output, unit activity and test-set output from the stacked
evaluation passes are bit for bit those its own passes give, on every layer
kind with a twin, every loss, float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

from engine.cohort import train_together
from engine.cohort.frames import frame_parts, together
from engine.telemetry import gradient_picture, snapshot, unit_activity
from engine.trainer import Trainer
from tests.engine.cohort.test_train import BASE, run_pair


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("extra", [
    {},
    {"activation": "relu", "optimizer": {"name": "adam", "lr": 0.02}},
    {"activation": "sigmoid", "dropout": 0.3, "dropout_mode": "classic"},
    {"dropout": 0.3, "batch_norm": True, "dtype": "float32"},
    {"hidden": [6, 4, 4], "residual": True, "batch_norm": True},
    {"data": {"name": "blobs", "n_samples": 120, "classes": 4}, "loss": "softmax_ce"},
    {"data": {"name": "plane", "n_samples": 90}, "loss": "mse", "activation": "elu"},
])
def test_each_runs_frame_passes_are_its_own(extra: dict) -> None:
    pairs = [run_pair({**BASE, **extra}, i) for i in range(4)]
    alone, cohort = [p[0] for p in pairs], [p[1] for p in pairs]
    for trainer in alone:
        trainer.advance(23)
    train_together(cohort, 23)
    assert together(cohort)
    for a, parts in zip(alone, frame_parts(cohort), strict=True):
        picture, train_out = gradient_picture(a)
        assert parts.picture == picture
        assert same(parts.train_out, train_out)
        activity = unit_activity(a.net)
        assert activity.keys() == parts.activity.keys()
        for path, values in activity.items():
            for name in ("inactive_share", "dead"):
                assert same(parts.activity[path][name], values[name]), (path, name)
        assert same(parts.test_out, a.forward_all(a.X_test))
        # and the frame made from them is the frame made alone
        b = cohort[alone.index(a)]
        with_parts = snapshot(b, 20, 8, parts=parts)
        own = snapshot(a, 20, 8)
        assert with_parts.keys() == own.keys()
        assert {k: v for k, v in with_parts.items() if not isinstance(v, np.ndarray | list)} \
            == {k: v for k, v in own.items() if not isinstance(v, np.ndarray | list)}
        assert same(with_parts["output_map"], own["output_map"])
        for mine, theirs in zip(with_parts["layers"], own["layers"], strict=True):
            assert mine.keys() == theirs.keys()
            for key, value in theirs.items():
                if isinstance(value, np.ndarray):
                    assert same(mine[key], value), (mine["path"], key)
                elif key in ("params", "unit_maps"):
                    assert all(same(mine[key][k], v) for k, v in value.items())
                else:
                    assert mine[key] == value, (mine["path"], key)


def test_runs_with_sets_of_other_sizes_or_images_take_their_own_passes() -> None:
    small = Trainer({**BASE, "data": {**BASE["data"], "n_samples": 60}})
    assert together([Trainer(BASE), Trainer({**BASE, "seed": 4})])
    assert not together([Trainer(BASE), small])
    images = Trainer({"data": {"name": "shapes", "n_samples": 40}, "hidden": [4]})
    assert not together([images, images])


@pytest.mark.parametrize("extra", [
    {},
    {"loss": "mse", "output_activation": "sigmoid"},
    {"data": {"name": "blobs", "n_samples": 150, "classes": 5}, "loss": "softmax_ce"},
    {"data": {"name": "blobs", "n_samples": 150, "classes": 3}, "loss": "mse"},
    {"data": {"name": "plane", "n_samples": 90}, "loss": "mse"},
    {"dtype": "float32"},
])
def test_each_runs_loss_and_accuracy_are_its_own(extra: dict) -> None:
    pairs = [run_pair({**BASE, **extra}, i) for i in range(4)]
    alone, cohort = [p[0] for p in pairs], [p[1] for p in pairs]
    for trainer in alone:
        trainer.advance(31)
    train_together(cohort, 31)
    for a, parts in zip(alone, frame_parts(cohort), strict=True):
        train, test = parts.evaluated
        assert train == a.evaluate(a.X_train, a.T_train)
        assert test == a.evaluate(a.X_test, a.T_test)
        assert a.metrics_of(train, test) == a.metrics()
