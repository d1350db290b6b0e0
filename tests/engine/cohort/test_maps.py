"""A cohort's maps in one batched pass (engine/cohort/maps.py): every run's output
and unit maps are bit for bit those its own map maker draws, for every layer kind
the lean pass takes, 2-D and 1-D data, and data standardised per run."""

from __future__ import annotations

import numpy as np
import pytest

from engine.cohort import train_together
from engine.cohort.maps import maps_together
from engine.telemetry import MapMaker
from tests.engine.cohort.test_train import BASE, run_pair


@pytest.mark.parametrize("extra", [
    {},
    {"activation": "sigmoid", "dropout": 0.3, "dropout_mode": "classic"},
    {"activation": "relu", "batch_norm": True, "dropout": 0.2},
    {"hidden": [6, 4, 4], "residual": True, "activation": "elu"},
    {"data": {"name": "blobs", "n_samples": 120, "classes": 3}, "loss": "softmax_ce"},
    {"data": {"name": "moons", "n_samples": 120, "offset": [3.0, -2.0], "standardize": True}},
    {"data": {"name": "sine", "n_samples": 80}, "loss": "mse", "activation": "tanh"},
])
def test_each_runs_maps_are_its_own(extra: dict) -> None:
    pairs = [run_pair({**BASE, **extra}, i) for i in range(3)]
    alone, cohort = [p[0] for p in pairs], [p[1] for p in pairs]
    for trainer in alone:
        trainer.advance(17)
    train_together(cohort, 17)
    for g_out, g_units in ((30, 9), (12, 12)):
        drawn = maps_together([MapMaker(t) for t in cohort], g_out, g_units)
        assert drawn is not None
        for trainer, mine in zip(alone, drawn, strict=True):
            own = MapMaker(trainer).maps(g_out, g_units)
            assert mine["output"].tobytes() == own["output"].tobytes()
            assert mine["output"].shape == own["output"].shape
            assert mine["units"].keys() == own["units"].keys()
            for path, values in own["units"].items():
                assert mine["units"][path].tobytes() == values.tobytes(), path
                assert mine["units"][path].shape == values.shape


def test_a_pass_larger_than_the_budget_is_left_to_each_run() -> None:
    from engine.budget import Budget
    from engine.spec import Limits
    from engine.trainer import Trainer
    tight = Limits(budget=Budget(pass_bytes=60_000))
    runs = [Trainer({**BASE, "seed": seed}, tight) for seed in (1, 2)]
    assert maps_together([MapMaker(t) for t in runs], 100, 16) is None
    assert np.isfinite(MapMaker(runs[0]).maps(100, 16)["output"]).all()
