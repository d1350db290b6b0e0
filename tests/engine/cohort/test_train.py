"""Cohorts (engine/cohort): runs of one shape stepped as one stacked computation
give bit for bit the numbers each gets alone, on every layer kind with a stacked
twin, every optimiser and loss, dropout and batch norm, float32 and float64,
through runs joining and leaving, hand edits, new settings, short batches,
divergence and deadlines. Runs with layers without a twin have no cohort key
(they train alone)."""

from __future__ import annotations

import copy
import time

import numpy as np
import pytest

from engine.cohort import cohort_key, train_together
from engine.cohort import train as cohort_train
from engine.trainer import Trainer

BASE = {"data": {"name": "moons", "n_samples": 120, "noise": 0.2},
        "hidden": [6, 5], "activation": "tanh", "batch_size": 10}


def run_pair(spec: dict, i: int) -> tuple[Trainer, Trainer]:
    """Two identical runs of member i's spec (its own seed, data seed and rate):
    one to train alone, one in the cohort."""
    spec = copy.deepcopy(spec)
    spec["seed"] = 11 + i
    spec["data"] = {**spec["data"], "seed": 3 + i}
    spec["optimizer"] = {**spec.get("optimizer", {"name": "sgd", "lr": 0.05})}
    spec["optimizer"]["lr"] = spec["optimizer"].get("lr", 0.05) * (1 + 0.25 * (i % 3))
    return Trainer(spec), Trainer(spec)


def fingerprint(trainer: Trainer) -> tuple:
    """Everything a step changes, as bytes and numbers."""
    opt = trainer.opt
    masks = [leaf.mask.tobytes() for _, leaf in trainer.net.leaves
             if getattr(leaf, "mask", None) is not None]
    return (trainer.net.params.tobytes(), trainer.net.grads.tobytes(),
            trainer.net.state.tobytes(), tuple(getattr(opt, s).tobytes() for s in opt.slots),
            opt.t, trainer.step_count, trainer.epoch, trainer._pos, trainer.status,
            trainer._Xp.tobytes(), str(trainer._order_rng.bit_generator.state),
            str(trainer._noise_rng.bit_generator.state), tuple(masks))


def assert_same(alone: list[Trainer], cohort: list[Trainer]) -> None:
    for i, (a, b) in enumerate(zip(alone, cohort, strict=True)):
        assert a.step_count == b.step_count, i
        assert fingerprint(a) == fingerprint(b), f"member {i} at step {a.step_count}"


def train_both(spec: dict, members: int = 4, calls: tuple[int, ...] = (10, 3, 25)) -> None:
    pairs = [run_pair(spec, i) for i in range(members)]
    alone, cohort = [p[0] for p in pairs], [p[1] for p in pairs]
    keys = {cohort_key(t) for t in cohort}
    assert len(keys) == 1 and None not in keys
    for n in calls:
        for t in alone:
            t.advance(n)
        assert train_together(cohort, n) == [n] * members
    assert alone[0].step_count == sum(calls)
    assert_same(alone, cohort)
    assert not np.array_equal(cohort[0].net.params, cohort[1].net.params)  # runs of their own


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu", "elu",
                                        "softplus", "linear"])
def test_every_activation_trains_as_alone(activation: str) -> None:
    train_both({**BASE, "activation": activation})


@pytest.mark.parametrize("optimizer", [
    {"name": "sgd", "lr": 0.1},
    {"name": "momentum", "lr": 0.05, "momentum": 0.8},
    {"name": "momentum", "lr": 0.05, "nesterov": True},
    {"name": "rmsprop", "lr": 0.01, "rho": 0.95},
    {"name": "adam", "lr": 0.01, "beta1": 0.8},
])
def test_every_optimiser_with_regularisation_trains_as_alone(optimizer: dict) -> None:
    train_both({**BASE, "optimizer": optimizer, "l1": 0.001, "l2": 0.01})


@pytest.mark.parametrize("extra", [
    {"dropout": 0.3},
    {"dropout": 0.4, "dropout_mode": "classic"},
    {"batch_norm": True},
    {"residual": True},
    {"hidden": [6, 4, 4], "residual": True, "batch_norm": True, "dropout": 0.2},
    {"layers": [{"type": "dense", "units": 5}, {"type": "batchnorm"},
                {"type": "activation", "name": "relu"}, {"type": "dropout", "p": 0.25},
                {"type": "residual", "layers": [{"type": "dense", "units": 3},
                                                {"type": "activation", "name": "tanh"}]}]},
])
def test_dropout_batch_norm_and_residual_blocks_train_as_alone(extra: dict) -> None:
    spec = {key: value for key, value in BASE.items() if key not in ("hidden", "activation")
            or "layers" not in extra}
    train_both({**spec, **extra})


@pytest.mark.parametrize("data, loss, output", [
    ({"name": "moons", "n_samples": 120}, "bce", "linear"),
    ({"name": "moons", "n_samples": 120}, "mse", "sigmoid"),
    ({"name": "blobs", "n_samples": 120, "classes": 4}, "softmax_ce", "linear"),
    ({"name": "blobs", "n_samples": 120, "classes": 3}, "mse", "linear"),
    ({"name": "plane", "n_samples": 120}, "mse", "linear"),
])
def test_every_loss_trains_as_alone(data: dict, loss: str, output: str) -> None:
    train_both({**BASE, "data": data, "loss": loss, "output_activation": output})


def test_float32_with_dropout_and_batch_norm_trains_as_alone() -> None:
    train_both({**BASE, "dtype": "float32", "dropout": 0.3, "batch_norm": True,
                "optimizer": {"name": "adam", "lr": 0.01}})


def test_short_last_batches_and_batch_norms_folded_batch_step_alone_inside() -> None:
    """60 training samples in batches of 7 end each epoch with a batch of 4 (taken
    alone); with batch norm and batches of 59 the epoch's last sample joins its
    batch (60 rows, alone)."""
    train_both({**BASE, "batch_size": 7}, calls=(9, 30))
    train_both({**BASE, "batch_size": 59, "batch_norm": True}, calls=(3, 4))


def test_runs_join_and_leave_between_calls() -> None:
    """Five runs in changing company: some paused (they sit a call out), one
    trained alone between calls, one joining late at step 0 (its batches at
    other positions than the rest), new rates and hand edits between calls."""
    spec = {**BASE, "dropout": 0.2, "optimizer": {"name": "adam", "lr": 0.02}}
    pairs = [run_pair(spec, i) for i in range(5)]
    alone, cohort = [p[0] for p in pairs], [p[1] for p in pairs]

    def call(members: list[int], n: int) -> None:
        for i in members:
            alone[i].advance(n)
        train_together([cohort[i] for i in members], n)

    call([0, 1, 2], 7)
    call([0, 2], 5)  # 1 paused
    for group in (alone, cohort):
        group[1].advance(4)  # 1 steps by itself
        group[2].set_hyper(lr=0.05, l2=0.01)
        group[0].set_param("0", "W", [1, 2], 0.5)
    call([0, 1, 2, 3], 9)  # 3 joins at step 0
    for group in (alone, cohort):
        group[3].reset()
    call([3, 4, 1], 12)
    call([0, 1, 2, 3, 4], 20)
    assert [t.step_count for t in alone] == [41, 52, 41, 32, 32]
    assert_same(alone, cohort)


def test_data_too_large_to_stack_is_copied_run_by_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cohort_train, "STACKED_DATA", 0)
    train_both({**BASE, "dropout": 0.2}, calls=(8, 15))


def test_a_run_that_diverges_ends_as_alone_and_the_others_go_on() -> None:
    spec = {**BASE, "data": {"name": "plane", "n_samples": 120}, "loss": "mse",
            "activation": "tanh", "hidden": [8, 8]}
    pairs = [run_pair(spec, i) for i in range(4)]
    for trainer in pairs[2]:
        trainer.set_hyper(lr=10.0)
    alone, cohort = [p[0] for p in pairs], [p[1] for p in pairs]
    for trainer in alone:
        trainer.advance(200)
    steps = train_together(cohort, 200)
    assert alone[2].status == "diverged" and alone[2].step_count < 200
    assert steps == [t.step_count for t in alone]
    assert [t.status for t in cohort] == ["idle", "idle", "diverged", "idle"]
    assert_same(alone, cohort)


def test_a_deadline_stops_the_cohort_together_after_at_least_one_step() -> None:
    pairs = [run_pair(BASE, i) for i in range(3)]
    cohort = [p[1] for p in pairs]
    assert train_together(cohort, 10**6, deadline=time.perf_counter()) == [1, 1, 1]
    for trainer in [p[0] for p in pairs]:
        trainer.advance(1)
    assert_same([p[0] for p in pairs], cohort)


def test_the_key_groups_runs_of_one_shape_only() -> None:
    key = cohort_key(Trainer({**BASE, "seed": 1}))
    assert key == cohort_key(Trainer({**BASE, "seed": 2, "data": {**BASE["data"], "seed": 9},
                                      "optimizer": {"name": "sgd", "lr": 0.5}, "l2": 0.1}))
    for other in ({"batch_size": 11}, {"hidden": [6, 6]}, {"activation": "relu"},
                  {"dtype": "float32"}, {"optimizer": {"name": "momentum", "lr": 0.05}},
                  {"dropout": 0.3}, {"loss": "mse"}):
        assert cohort_key(Trainer({**BASE, **other})) != key, other
    momentum = {"optimizer": {"name": "momentum", "lr": 0.05, "momentum": 0.5}}
    assert cohort_key(Trainer({**BASE, **momentum})) != cohort_key(
        Trainer({**BASE, "optimizer": {"name": "momentum", "lr": 0.05}}))


@pytest.mark.parametrize("spec", [
    {"data": {"name": "moons", "n_samples": 60},
     "layers": [{"type": "dense", "units": 4}, {"type": "activation", "name": "prelu"}]},
    {"data": {"name": "moons", "n_samples": 60},
     "layers": [{"type": "dense", "units": 4}, {"type": "activation", "name": "rrelu"}]},
    {"data": {"name": "shapes", "n_samples": 40},
     "layers": [{"type": "conv2d", "filters": 2, "kernel": 3},
                {"type": "activation", "name": "relu"},
                {"type": "pool2d", "mode": "max", "size": 2}]},
])
def test_layers_without_a_twin_train_alone(spec: dict) -> None:
    """PReLU, RReLU, convolutions and pooling have no stacked twin: no key."""
    assert cohort_key(Trainer(spec)) is None
