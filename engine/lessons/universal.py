"""Universal approximation: one wide enough hidden layer fits any curve.

The notes state the universal approximation theorem: one hidden layer of units with
a "squashing" activation (sigmoid, tanh), followed by a linear output layer, can
approximate any continuous function as closely as we like, provided the layer has
enough units. Each tanh unit is a smooth step; a weighted sum of n steps is a curve
with n bends, so more units mean a closer fit.

The lesson fits the V shape y = |x| / 3 on [-3, 3] (its kink needs ever sharper and
more numerous steps) with 1, 2, 4, 8, 16 and 32 tanh units, a linear output and
squared error, every width trained the same way from the same seed: 2000 full-batch
Adam steps at learning rate 0.02, then 1000 at 0.002 to settle. The final training
error falls with every doubling, from about 4e-2 with one unit to below 1e-5 with
32. (The theorem says such weights exist; it does not promise that training finds
them, which is one reason deep nets, easier to train, are used in practice.)
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from engine.lessons.base import Lesson, Signature, Variant
from engine.trainer import Trainer

WIDTHS = (1, 2, 4, 8, 16, 32)
LR = 0.02
STEPS = 2000
SETTLE_STEPS = 1000
SETTLE_LR = LR / 10
NEAR = 1.2
"""A wider net may end at most this factor above the next narrower one ("nearly"
monotonic: two good fits can tie)."""
MIN_DROP = 10.0
"""The widest net must end at least this many times below the narrowest."""

BASE = {
    "data": {"name": "abs", "n_samples": 200, "train_fraction": 0.5, "seed": 0},
    "hidden": [8],
    "activation": "tanh",
    "output_activation": "linear",
    "loss": "mse",
    "init": "he_normal",
    "optimizer": {"name": "adam", "lr": LR},
    "batch_size": 100,
    "seed": 0,
}


def width_spec(width: int) -> dict[str, Any]:
    """The preset with ``width`` hidden units."""
    return {**BASE, "hidden": [width]}


def fit(spec: dict[str, Any]) -> tuple[Trainer, dict[str, Any]]:
    """Train ``spec`` for STEPS steps, then SETTLE_STEPS more at a 10x lower rate;
    returns the trainer and its final metrics."""
    trainer = Trainer(spec)
    trainer.train(STEPS)
    trainer.set_hyper(lr=SETTLE_LR)
    return trainer, trainer.train(SETTLE_STEPS)


def tip_error(trainer: Trainer) -> float:
    """How far the fitted curve misses the V's tip: |f(0) - 0|."""
    x0 = trainer.data.transform(np.zeros((1, 1)))
    return float(abs(trainer.net.predict(x0)[0, 0]))


def measure_universal() -> Signature:
    train_mse, test_mse, tips = [], [], []
    for width in WIDTHS:
        trainer, metrics = fit(width_spec(width))
        train_mse.append(float(metrics["train_loss"]))
        test_mse.append(float(metrics["test_loss"]))
        tips.append(tip_error(trainer))
    ratios = [b / a for a, b in pairwise(train_mse)]
    drop = train_mse[0] / train_mse[-1]
    values = {
        "widths": list(WIDTHS),
        "train_mse": train_mse,
        "test_mse": test_mse,
        "tip_error": tips,
        "step_ratios": ratios,
        "worst_step_ratio": max(ratios),
        "narrowest_over_widest": drop,
    }
    holds = max(ratios) <= NEAR and drop >= MIN_DROP
    return Signature(
        holds=holds,
        values=values,
        summary=f"training MSE on |x| with {', '.join(map(str, WIDTHS))} tanh units: "
                + ", ".join(f"{m:.1e}" for m in train_mse)
                + f"; it falls at every doubling (worst ratio {max(ratios):.2f}) and the "
                f"widest ends {drop:.0f}x below the narrowest",
    )


UNIVERSAL_APPROXIMATION = Lesson(
    name="universal-approximation",
    title="One wide hidden layer can fit any curve",
    claim="One hidden layer of squashing units (sigmoid or tanh) with a linear output can "
          "approximate any continuous function as closely as we like, if the layer has "
          "enough units.",
    watch="Run the 2-, 8- and 32-unit nets side by side on the V shape and compare the "
          "fitted curves and the loss charts (log scale). Two units make a rounded V whose "
          "tip floats about 0.1 too high; eight follow the arms closely and miss the tip "
          "by about 0.04; 32 come closer still. Look at the per-unit curves: each unit is "
          "one smooth step, placed and stretched by its weight and bias. Near the end, turn "
          "the learning rate down 10x to let each net settle.",
    why="A tanh unit is a smooth step whose position and steepness come from its weight "
        "and bias; the output layer adds the steps up with weights of its choice. With "
        "more steps the sum can bend in more places and more sharply, so the error left "
        "over shrinks as the layer widens.",
    spec=BASE,
    steps=STEPS + SETTLE_STEPS,
    measure_fn=measure_universal,
    expectation=f"final training MSE on |x| falls with width {WIDTHS} (each wider net at "
                f"most {NEAR}x the narrower one's) and the widest is at least "
                f"{MIN_DROP:.0f}x below the narrowest",
    variants=tuple(
        Variant(f"units-{w}", f"{w} tanh unit{'s' if w > 1 else ''}", width_spec(w))
        for w in (2, 8, 32)
    ),
)
