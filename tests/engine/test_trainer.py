"""The trainer: determinism, mini-batches, divergence, hand edits, hyperparameters."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from engine.errors import SpecError
from engine.trainer import CHUNK, Trainer

SMALL = {"hidden": [6, 6], "activation": "tanh", "batch_size": 8,
         "data": {"name": "circle", "n_samples": 120}, "seed": 3}


def test_trainer_same_spec_and_seed_give_identical_arrays() -> None:
    a, b = Trainer(SMALL), Trainer(SMALL)
    assert np.array_equal(a.net.params, b.net.params)
    a.train(137)
    b.train(137)
    assert np.array_equal(a.net.params, b.net.params)
    assert a.metrics() == b.metrics()


def test_trainer_grouping_of_steps_does_not_change_numbers() -> None:
    a, b = Trainer({**SMALL, "dropout": 0.3}), Trainer({**SMALL, "dropout": 0.3})
    a.train(200)
    for n in (1, 63, 64, 65, 7):
        b.train(n)
    assert b.step_count == 200
    assert np.array_equal(a.net.params, b.net.params)


def test_trainer_different_seed_gives_different_weights() -> None:
    a, b = Trainer(SMALL), Trainer({**SMALL, "seed": 4})
    assert not np.array_equal(a.net.params, b.net.params)


def test_trainer_epoch_counts_full_passes() -> None:
    trainer = Trainer(SMALL)  # 60 training points, batch 8 -> 8 steps per epoch
    trainer.train(8)
    assert trainer.epoch == 0
    trainer.train(1)
    assert trainer.epoch == 1
    trainer.train(16)
    assert trainer.epoch == 3


def test_trainer_each_epoch_visits_every_point_once() -> None:
    trainer = Trainer({**SMALL, "batch_size": 7})
    seen = []
    for _ in range(9):  # ceil(60 / 7) batches = one epoch
        trainer.step()
        seen.append(trainer.net.layers[0]._xa[:, :-1].copy())
    rows = np.concatenate(seen)
    assert rows.shape == trainer.X_train.shape
    assert np.array_equal(np.sort(rows, axis=0), np.sort(trainer.X_train, axis=0))


def test_trainer_learns_circle() -> None:
    trainer = Trainer({**SMALL, "data": {"name": "circle", "n_samples": 300}})
    before = trainer.metrics()
    after = trainer.train(1500)
    assert after["train_loss"] < before["train_loss"] / 4
    assert after["test_accuracy"] >= 0.95


def test_trainer_regression_reports_no_accuracy() -> None:
    metrics = Trainer({"data": {"name": "sine"}, "hidden": [8]}).train(10)
    assert metrics["train_accuracy"] is None
    assert metrics["train_loss"] > 0


def test_trainer_divergence_keeps_last_finite_state() -> None:
    spec = {"hidden": [4], "activation": "tanh", "loss": "mse",
            "data": {"name": "plane", "scale": 100.0, "n_samples": 100},
            "optimizer": {"name": "sgd", "lr": 5.0}, "seed": 1}
    trainer = Trainer(spec)
    metrics = trainer.train(CHUNK * 3)
    assert metrics["status"] == "diverged"
    assert np.isfinite(trainer.net.params).all()
    assert 0 < trainer.step_count < CHUNK * 3
    # the state kept is exactly the one reached after step_count steps
    again = Trainer(spec)
    for _ in range(trainer.step_count):
        again.step()
    assert np.array_equal(again.net.params, trainer.net.params)
    with np.errstate(all="ignore"):
        again.step()
    assert not np.isfinite(again.net.params).all()
    # a diverged run does not train further
    assert trainer.train(10)["step"] == trainer.step_count


def test_trainer_reset_returns_to_the_same_start() -> None:
    trainer = Trainer(SMALL)
    start = trainer.net.params.copy()
    first = trainer.train(50)
    trainer.reset()
    assert np.array_equal(trainer.net.params, start)
    assert trainer.step_count == 0
    assert trainer.train(50) == first


def test_trainer_set_param_changes_output() -> None:
    trainer = Trainer({"hidden": [], "data": {"name": "xor-table"}, "loss": "mse"})
    for (i, j), v in {(0, 0): 2.0, (1, 0): -3.0}.items():
        trainer.set_param("0", "W", (i, j), v)
    trainer.set_param("0", "b", (0,), 0.5)
    out = trainer.net.predict(np.array([[1.0, 1.0], [0.0, 1.0]]))
    assert out[:, 0].tolist() == [2.0 - 3.0 + 0.5, -3.0 + 0.5]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("9", "W", (0, 0), 1.0), "layer"),
        (("0", "gamma", (0, 0), 1.0), "name"),
        (("0", "W", (0,), 1.0), "index"),
        (("0", "W", (2, 0), 1.0), "index.0"),
        (("0", "W", (0, -1), 1.0), "index.1"),
        (("0", "W", (0, 0), float("nan")), "value"),
        (("0", "W", (0, 0), 1e9), "value"),
    ],
)
def test_trainer_set_param_bad_input_names_field(args: tuple, field: str) -> None:
    trainer = Trainer(SMALL)
    with pytest.raises(SpecError) as err:
        trainer.set_param(*args)
    assert err.value.field == field


def test_trainer_set_hyper_takes_effect_next_step() -> None:
    a, b = Trainer(SMALL), Trainer(SMALL)
    a.train(10)
    b.train(10)
    b.set_hyper(lr=0.3, l2=0.01, batch_size=20)
    assert b.hyper() == {"lr": 0.3, "l1": 0.0, "l2": 0.01, "batch_size": 20}
    a.train(1)
    b.train(1)
    assert not np.allclose(a.net.params, b.net.params)
    with pytest.raises(SpecError) as err:
        b.set_hyper(lr=float("inf"))
    assert err.value.field == "lr"
    with pytest.raises(SpecError) as err:
        b.set_hyper(batch_size=10_000)
    assert err.value.field == "batch_size"


@pytest.mark.parametrize("nesterov", [False, True])
def test_trainer_momentum_lr_change_takes_effect_at_once(nesterov: bool) -> None:
    """Lowering the rate a thousandfold mid-run shrinks the very next step about a
    thousandfold: momentum's velocity holds gradients, not the old rate's steps
    (which would carry the weights on by about 0.9 of the last step)."""
    run = Trainer({**SMALL, "optimizer": {"name": "momentum", "lr": 0.1, "nesterov": nesterov}})
    run.train(30)
    before = run.net.params.copy()
    run.train(1)
    last = np.linalg.norm(run.net.params - before)
    run.set_hyper(lr=1e-4)
    before = run.net.params.copy()
    run.train(1)
    after = np.linalg.norm(run.net.params - before)
    assert 0.0 < after < 0.003 * last, (after, last)


BATCH_NORM = {"data": {"name": "circle", "n_samples": 42, "seed": 1}, "hidden": [6],
              "batch_norm": True, "optimizer": {"name": "sgd", "lr": 1e-7},
              "batch_size": 10, "seed": 0}
"""21 training points: batches of 10 leave one point over at the end of an epoch."""


def test_trainer_batch_norm_refuses_a_batch_of_one_mid_run() -> None:
    run = Trainer(BATCH_NORM)
    with pytest.raises(SpecError) as err:
        run.set_hyper(batch_size=1)
    assert err.value.field == "batch_size"
    assert "batch norm needs at least 2 samples" in err.value.message
    assert run.hyper()["batch_size"] == 10
    run.set_hyper(batch_size=2)
    assert run.hyper()["batch_size"] == 2
    plain = Trainer({**BATCH_NORM, "batch_norm": False})
    plain.set_hyper(batch_size=1)
    assert plain.hyper()["batch_size"] == 1


def test_trainer_batch_norm_needs_two_training_samples() -> None:
    tiny = {**BATCH_NORM, "data": {"name": "circle", "n_samples": 4, "train_fraction": 0.1}}
    with pytest.raises(SpecError) as err:
        Trainer(tiny)
    assert err.value.field == "data.train_fraction"
    assert "leaves 1" in err.value.message
    assert len(Trainer({**tiny, "batch_norm": False}).X_train) == 1


def test_trainer_batch_norm_folds_an_epochs_last_sample_into_the_batch_before() -> None:
    """Batches of 10 and 11 (not 10, 10, 1): two steps an epoch, and the running
    variances match the inputs' variance (a batch of one, whose variance is 0, every
    third step pulled them down to about 0.64 of it)."""
    run = Trainer(BATCH_NORM)
    assert len(run.X_train) == 21
    run.train(90)
    assert (run.step_count, run.epoch) == (90, 44)
    z = run.net.layers[0].forward(run.X_train, False)  # what the batch norm layer sees
    ratio = run.net.layer("1").state["running_var"] / z.var(axis=0, ddof=1)
    assert np.all((ratio > 0.95) & (ratio < 1.05)), ratio
    plain = Trainer({**BATCH_NORM, "batch_norm": False})  # no batch norm: batches of one stay
    plain.train(90)
    assert plain.epoch == 29


def test_trainer_train_rejects_bad_step_count() -> None:
    with pytest.raises(SpecError) as err:
        Trainer(SMALL).train(-1)
    assert err.value.field == "steps"


def test_trainer_float32_runs_in_float32() -> None:
    trainer = Trainer({**SMALL, "dtype": "float32"})
    trainer.train(20)
    assert trainer.net.params.dtype == np.float32
    assert trainer.X_train.dtype == np.float32


def _uploaded_style_points() -> dict:
    """A CSV as a class would upload it: a disk of class 1 in a ring of class 0."""
    from engine.data.csv_points import parse_points_csv

    lines = ["x1,x2,label"]
    for i in range(160):
        angle = 2.399963 * i  # golden angle: points spread evenly round the circle
        radius = 0.5 + 1.5 * (i % 8) / 7 if i % 2 else 3.5 + (i % 5) / 4
        lines.append(f"{radius * np.cos(angle):.3f},{radius * np.sin(angle):.3f},{i % 2}")
    return parse_points_csv("\r\n".join(lines))


def test_trainer_learns_uploaded_points_and_repeats_itself() -> None:
    data = _uploaded_style_points()
    assert data["kind"] == "binary" and len(data["points"]) == 160
    spec = {"data": data, "hidden": [8], "activation": "tanh",
            "optimizer": {"name": "adam", "lr": 0.03}, "seed": 4}
    a, b = Trainer(spec), Trainer(spec)
    metrics = a.train(1500)
    assert metrics["train_accuracy"] >= 0.95
    b.train(1500)
    assert np.array_equal(a.net.params, b.net.params)
    assert a.metrics() == metrics == b.metrics()


def test_trainer_advance_stops_at_its_deadline_with_the_same_numbers() -> None:
    whole, sliced = Trainer({**SMALL, "dropout": 0.3}), Trainer({**SMALL, "dropout": 0.3})
    assert whole.advance(90) == 90
    taken = [sliced.advance(90 - sliced.step_count, deadline=time.perf_counter())
             for _ in range(90)]
    assert taken == [1] * 90  # a deadline already past: one step per call
    assert np.array_equal(whole.net.params, sliced.net.params)
    assert sliced.advance(0, deadline=0.0) == 0


def test_trainer_diverging_in_slices_stops_where_it_stops_in_one_go() -> None:
    spec = {"hidden": [4], "activation": "tanh", "loss": "mse",
            "data": {"name": "plane", "scale": 100.0, "n_samples": 100},
            "optimizer": {"name": "sgd", "lr": 5.0}, "seed": 1}
    whole, sliced = Trainer(spec), Trainer(spec)
    whole.advance(CHUNK * 3)
    done = 0
    while sliced.status != "diverged" and done < CHUNK * 3:
        done += sliced.advance(5, deadline=time.perf_counter() + 1e-4)
    assert whole.status == sliced.status == "diverged"
    assert done == sliced.step_count == whole.step_count
    assert np.array_equal(whole.net.params, sliced.net.params)
    assert sliced.advance(5, deadline=math.inf) == 0
