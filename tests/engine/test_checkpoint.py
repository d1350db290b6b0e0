"""Saved-model records: export, JSON, import, and bad records naming the field."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from engine.checkpoint import export_run, import_run
from engine.errors import SpecError
from engine.trainer import Trainer
from tests.old_records import CONV_SPEC, PER_CHANNEL, per_position

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


def test_checkpoint_conv_batchnorm_and_prelu_are_per_channel() -> None:
    run = Trainer(CONV_SPEC)
    run.train(5)
    record = export_run(run)
    for part, path, name in PER_CHANNEL:
        assert np.shape(record[part][path][name]) == (3,), name
    again = import_run(json.loads(json.dumps(record)))
    assert np.array_equal(again.net.params, run.net.params)
    assert np.array_equal(again.net.state, run.net.state)


def test_checkpoint_per_position_record_converts_when_exact() -> None:
    """A record from before per-channel batch norm and PReLU whose positions hold
    their channel's value opens with those values, and computes what the old
    per-position layers computed."""
    run = Trainer(CONV_SPEC)
    run.train(5)
    old = per_position(export_run(run))
    kept = copy.deepcopy(old)
    again = import_run(old)
    assert old == kept  # the record itself is not touched
    assert np.array_equal(again.net.params, run.net.params)
    assert np.array_equal(again.net.state, run.net.state)
    # the old layer in evaluation, position by position: gamma[c, i, j] (x - mean[c, i, j]) / ...
    x = run.net.layers[0].forward(run.X_test[:4], False).copy()
    bn = {name: np.asarray(old[part]["1"][name]) for part, _, name in PER_CHANNEL[:4]}
    by_position = ((x - bn["running_mean"]) / np.sqrt(bn["running_var"] + 1e-5) * bn["gamma"]
                   + bn["beta"])
    np.testing.assert_allclose(again.net.layers[1].forward(x, False), by_position, rtol=1e-12)
    np.testing.assert_array_equal(again.net.predict(run.X_test), run.net.predict(run.X_test))


@pytest.mark.parametrize(("part", "path", "name"), PER_CHANNEL)
def test_checkpoint_per_position_record_that_differs_is_refused(part: str, path: str,
                                                                name: str) -> None:
    old = per_position(export_run(Trainer(CONV_SPEC)))
    old[part][path][name][1][4][6] += 0.5  # one position of channel 1 its own value
    kept = copy.deepcopy(old)
    with pytest.raises(SpecError) as err:
        import_run(old)
    assert err.value.field == f"{part}.{path}.{name}"
    assert "one value per position (shape [3, 8, 8])" in err.value.message
    assert "per channel (shape [3])" in err.value.message
    assert ("batch norm" if path == "1" else "PReLU") in err.value.message
    assert old == kept


def test_checkpoint_other_wrong_shapes_still_name_the_shape() -> None:
    record = export_run(Trainer(CONV_SPEC))
    record["params"]["1"]["gamma"] = [[1.0, 1.0]] * 3
    with pytest.raises(SpecError) as err:
        import_run(record)
    assert err.value.field == "params.1.gamma"
    assert err.value.message == "has shape [3, 2], expected [3]"
