"""Saved-model records: export, JSON, import, and bad records naming the field."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from engine.checkpoint import export_run, import_run
from engine.errors import SpecError
from engine.trainer import Trainer

SPEC = {"hidden": [4, 3], "activation": "relu", "batch_norm": True, "seed": 5,
        "data": {"name": "moons", "n_samples": 80}}


def test_checkpoint_round_trip_through_json() -> None:
    run = Trainer(SPEC)
    run.train(40)
    record = json.loads(json.dumps(export_run(run), allow_nan=False))
    again = import_run(record)
    assert np.array_equal(again.net.params, run.net.params)
    assert np.array_equal(again.net.state, run.net.state)
    assert (again.step_count, again.epoch) == (run.step_count, run.epoch)
    assert again.metrics()["test_loss"] == run.metrics()["test_loss"]
    assert record["params"]["0"]["W"] == run.net.view("0", "W").tolist()
    assert record["state"]["1"]["running_mean"] == run.net.layer("1").state[
        "running_mean"].tolist()


def test_checkpoint_imported_run_keeps_training() -> None:
    run = Trainer(SPEC)
    run.train(10)
    again = import_run(export_run(run))
    assert again.train(10)["step"] == 20


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.update(format="other"), "format"),
        (lambda r: r.update(version=2), "version"),
        (lambda r: r["spec"]["layers"][0].update(units=0), "spec.layers.0.units"),
        (lambda r: r["params"]["0"].pop("W"), "params.0.W"),
        (lambda r: r["params"]["0"].update(W=[[1.0]]), "params.0.W"),
        (lambda r: r["params"]["0"].update(b=["x", 1, 2, 3]), "params.0.b"),
        (lambda r: r["params"]["0"].update(b=[float("nan")] * 4), "params.0.b"),
        (lambda r: r["params"].update({"9": {}}), "params.9"),
        (lambda r: r["state"]["1"].update(running_var=[1.0]), "state.1.running_var"),
        (lambda r: r.update(step=-3), "step"),
        (lambda r: r["spec"].update(batch_size=1), "spec.batch_size"),
        (lambda r: r.update(extra=1), "record.extra"),
    ],
)
def test_checkpoint_bad_record_names_field(change, field: str) -> None:
    record = copy.deepcopy(export_run(Trainer(SPEC)))
    change(record)
    with pytest.raises(SpecError) as err:
        import_run(record)
    assert err.value.field == field
