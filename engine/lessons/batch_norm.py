"""Batch normalisation: per-unit mini-batch statistics while training, running
averages at inference, and a learned scale and shift.

Each unit's input is normalised with the mean and variance of the current
mini-batch, then scaled by gamma and shifted by beta (learned, so the net can
undo the normalisation where that helps, e.g. move a sigmoid out of its nearly
linear middle). Every layer then sees inputs of a similar range at every step,
so a deep sigmoid net that stalls without it trains. At inference there is no
batch: the layer uses the running averages of the batch statistics gathered while
training.

The statistics of a tiny batch are poor estimates of the training set's; with two
points a unit's normalised values are always -1 and +1 (up to eps, or 0), whatever
the points were, so each unit passes one bit per pair and the running averages
used at inference do not match what training saw. The notes: shuffle the
training set and use a reasonably large batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.layers import BatchNorm
from engine.lessons.base import Lesson, Signature, Variant
from engine.trainer import Trainer

PLAIN: dict[str, Any] = {
    "data": {"name": "circle", "n_samples": 300, "seed": 0},
    "hidden": [8] * 8,
    "activation": "sigmoid",
    "optimizer": {"name": "sgd", "lr": 0.1},
    "batch_size": 16,
    "seed": 0,
}
WITH_BN = {**PLAIN, "batch_norm": True}
SMALL_BATCH = {**WITH_BN, "batch_size": 2}

SAMPLES = 6000
"""Training points seen by each run (40 epochs of the 150 training points)."""
PLAIN_STEPS = 4 * SAMPLES // 16
"""The plain net gets four times the steps and still stalls."""


def running_stats_check(trainer: Trainer) -> dict[str, float]:
    """On one batch: how far the evaluation output of the first batch-norm layer is
    from the formula with running statistics, and from the training-mode output."""
    net = trainer.net
    bn_path, bn = next((p, leaf) for p, leaf in net.leaves if isinstance(leaf, BatchNorm))
    x = trainer.X_train[:16]
    before = net.state.copy()
    # the input reaching the first batch-norm layer is the first dense layer's output
    z = x @ net.view("0", "W") + net.view("0", "b")
    train_out = bn.forward(z, True)
    net.state[...] = before  # undo the running-average update of that call
    eval_out = bn.forward(z, False)
    rm, rv = bn.state["running_mean"], bn.state["running_var"]
    gamma, beta = bn.params["gamma"], bn.params["beta"]
    by_hand = gamma * (z - rm) / np.sqrt(rv + bn.eps) + beta
    return {
        "layer": bn_path,
        "eval_vs_formula": float(np.abs(eval_out - by_hand).max()),
        "eval_vs_train_mode": float(np.abs(eval_out - train_out).max()),
    }


def two_point_batch_values(trainer: Trainer) -> list[float]:
    """Distinct |normalised value| of the first batch-norm layer on a 2-point batch."""
    bn = next(leaf for _, leaf in trainer.net.leaves if isinstance(leaf, BatchNorm))
    z = trainer.X_train[:2] @ trainer.net.view("0", "W") + trainer.net.view("0", "b")
    before = trainer.net.state.copy()
    bn.forward(z, True)
    trainer.net.state[...] = before
    return sorted({round(float(v), 6) for v in np.abs(bn._xhat).ravel()})


def measure() -> Signature:
    plain = Trainer(PLAIN)
    plain_m = plain.train(PLAIN_STEPS)
    bn = Trainer(WITH_BN)
    bn_m = bn.train(SAMPLES // 16)
    small = Trainer(SMALL_BATCH)
    small_m = small.train(SAMPLES // 2)
    stats = running_stats_check(bn)
    values = {
        "plain": {"steps": PLAIN_STEPS, **_brief(plain_m)},
        "batch_norm": {"steps": SAMPLES // 16, **_brief(bn_m)},
        "small_batch": {"steps": SAMPLES // 2, **_brief(small_m)},
        "running_stats": stats,
        "two_point_batch_abs_values": two_point_batch_values(bn),
    }
    holds = (plain_m["test_accuracy"] <= 0.6 and bn_m["test_accuracy"] >= 0.9
             and small_m["test_accuracy"] <= bn_m["test_accuracy"] - 0.25
             and stats["eval_vs_formula"] < 1e-12 < stats["eval_vs_train_mode"])
    return Signature(
        holds=holds,
        values=values,
        summary=f"8 sigmoid layers: plain {plain_m['test_accuracy']:.0%} test accuracy after "
                f"{PLAIN_STEPS} steps, with batch norm {bn_m['test_accuracy']:.0%} after "
                f"{SAMPLES // 16}; with batches of 2 (same {SAMPLES} points seen) "
                f"{small_m['test_accuracy']:.0%}; inference uses the running statistics",
    )


def _brief(metrics: dict[str, Any]) -> dict[str, float]:
    return {k: metrics[k] for k in ("train_loss", "test_loss", "train_accuracy",
                                    "test_accuracy")}


BATCH_NORM = Lesson(
    name="batch-norm",
    title="Batch normalisation",
    claim="Normalising each unit with its mini-batch mean and variance (then a learned "
          "scale and shift) lets a deep sigmoid net train; inference uses running averages "
          "of those statistics; small batches give poor statistics and hurt.",
    watch="Run plain and batch-norm side by side: the plain net's loss stays flat at 0.69 "
          "while the batch-norm net's falls and its boundary closes round the circle. Watch "
          "the batch-norm statistics panel: the running means and variances settle as "
          "training goes on. Then try the batch-of-2 variant: it stays at chance.",
    why="Each layer's inputs keep a similar range at every step, so sigmoids stay out of "
        "their flat tails and gradients reach the first layers. At inference there is no "
        "batch, so the layer uses the running averages. With 2 points per batch every "
        "normalised value is -1 or +1 (up to the tiny eps): the statistics carry one bit.",
    spec=WITH_BN,
    steps=SAMPLES // 16,
    measure_fn=measure,
    expectation="plain <= 60% and batch norm >= 90% test accuracy; batches of 2 at least 25 "
                "points below batch norm with 16; evaluation output equals the running-"
                "statistics formula",
    variants=(
        Variant("plain", "8 sigmoid layers, no batch norm", PLAIN),
        Variant("batch-norm", "with batch norm, batches of 16", WITH_BN),
        Variant("batch-norm-small-batch", "with batch norm, batches of 2", SMALL_BATCH),
    ),
)
