"""Dead ReLUs: a unit whose input is negative everywhere never learns again.

ReLU passes no gradient for negative inputs (its slope there is 0). If a unit's
input w.x + b is negative for every training point, the unit outputs 0 on all of
them, its weights and bias get exactly zero gradient on every mini-batch, and so
they never change: the unit is dead for good. Dead means exactly that, zero slope
on every training input, as telemetry counts it
(:func:`engine.telemetry.unit_activity`): a dead unit's map can still light up
outside the data (in the corners of the plane, where no training point lies). A
negative bias start (or a step too large that throws the bias far below zero) can
kill a large share of a layer at once, and what is left may be too little to fit
the data.

The leaky family keeps a slope for negative inputs: leaky ReLU a fixed one (0.1
here), PReLU a slope learned per unit (starting at 0.25), RReLU a random slope
while training (1/8 to 1/3; the mean at evaluation). A unit that is negative
everywhere still passes some gradient, so it keeps learning and can move back
into the data.

The preset is one hidden layer of 12 ReLU units on the circle data, biases
starting at -7, plain SGD at rate 0.1 for 3000 steps; the same net with leaky ReLU,
PReLU or RReLU units runs beside it. Over seeds 1 to 100 (model and data, one run
each): 3 to 12 ReLU units are dead at step 0 (8 in the median seed, 5 to 10 in 90
seeds in 100), up to 3 more die while training, and none comes back; 96 seeds in
100 end with at least 40% dead. Whether the survivors fit the circle depends on
how many there are: the ReLU net ends below 90% training accuracy for 49 seeds in
100. The leaky kinds never have a dead unit; they end with a lower loss than ReLU
for 99 (leaky ReLU), 97 (PReLU) and 99 (RReLU) seeds in 100, and at 95% training
accuracy or more for 96, 88 and 97. When every unit starts negative everywhere
(2 seeds in 100), the leaky net is a linear model, which gains nothing on the
circle, and may stay stuck too.

Because a single run is not always typical, the claims about shares and losses
("usually") are judged on the median of three runs (model seeds draw.model + 0, 1,
2, on the drawn data); over seeds 1 to 160 every claim held for every seed.

Why these settings. With 8 units (and biases at -6, rate 0.3, 2000 steps, as this
lesson first had) the dead share fell below 40% for 8 seeds in 40 and PReLU ended
below ReLU's loss for only 14 in 20: at rate 0.3 PReLU's learned slopes of the
units negative everywhere shrink towards 0 together with their outgoing weights,
so those units fade (gradients of 1e-20 and less) and PReLU fits no better than
ReLU; at rate 0.1 that rarely happens. With leaky ReLU's usual slope of 0.01, a
unit negative everywhere gets a hundredth of the gradient and seldom came back
within the lesson: leaky ReLU beat ReLU's loss for 36 seeds in 40 (by 2x for
24); with 0.1, 99 in 100. Twelve units instead of eight make the dead share
steadier from seed to seed.

A high learning rate alone kills units too: from a zero bias start, 300 steps at
rate 8 kill 1 to 11 of the 12 ReLU units (8 in the median seed, 5 or more for 94
seeds in 100), at rate 0.03 none. The leaky kinds cannot die, but at that rate
their weights blow up instead (leaky ReLU's loss passed 1e100 for every seed), so
the side-by-side comparison uses the bias start.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.layers import Dense
from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles
from engine.telemetry import gradient_picture, hidden_activations, unit_activity
from engine.trainer import Trainer

STEPS = 3000
EARLY = 100
"""The first of the two steps at which the dead set is read."""
MIN_DEAD_SHARE = 0.4
"""ReLU: the share of units dead at the end, in the median run."""
HIGH_LR, LOW_LR, LR_STEPS = 8.0, 0.03, 300
"""The high-learning-rate check: biases start at 0, train LR_STEPS steps at each rate."""
MIN_LR_DEATH_SHARE = 0.25
"""ReLU: the share of units the high rate kills, in the median run."""
RUNS = 3
"""Runs of each kind per draw (model seeds draw.model + 0, 1, 2, on the drawn data)."""
FADE = 1e-4
"""A unit whose weight gradient is below FADE x the largest unit's has faded: it is
not dead by the zero-slope test but learns (almost) nothing."""

RELU = {
    "data": {"name": "circle", "n_samples": 300, "seed": 0},
    "hidden": [12],
    "activation": "relu",
    "init": "he_normal",
    "bias_init": -7.0,
    "optimizer": {"name": "sgd", "lr": 0.1},
    "batch_size": 20,
    "seed": 0,
}

LEAKY_SLOPE = 0.1
"""Leaky ReLU's fixed slope for negative inputs (the engine's default is 0.01)."""
KINDS = ("relu", "leaky_relu", "prelu", "rrelu")
LABELS = {"relu": "ReLU", "leaky_relu": f"leaky ReLU (slope {LEAKY_SLOPE:g})",
          "prelu": "PReLU (learned slope)", "rrelu": "RReLU (random slope)"}


def spec_for(kind: str) -> dict[str, Any]:
    """The preset with ``kind`` units (leaky ReLU with slope LEAKY_SLOPE)."""
    if kind == "leaky_relu":
        return {**RELU, "activation": kind, "activation_options": {"slope": LEAKY_SLOPE}}
    return {**RELU, "activation": kind}


def unit_state(trainer: Trainer) -> dict[str, np.ndarray]:
    """Per hidden unit (all hidden layers, in order), over the training set:
    ``dead`` (slope 0 on every input), ``silent`` (input <= 0 on every input, which
    would be dead for a plain ReLU) and ``grad`` (norm of dL/d(incoming weights and
    bias) from one evaluation-mode pass; exactly 0 for a dead unit)."""
    net = trainer.net
    gradient_picture(trainer)  # evaluation-mode pass over the training set
    activity = unit_activity(net)
    dead = np.concatenate([a["dead"] for a in activity.values()])
    silent = np.concatenate([(leaf.z <= 0).all(axis=0) for _, leaf in hidden_activations(net)])
    saved = net.grads.copy()
    out = net.forward(trainer.X_train, False)
    net.backward(trainer.loss.grad(out, trainer.T_train))
    dense = [path for path, leaf in net.leaves if isinstance(leaf, Dense)][:-1]
    grad = np.concatenate([
        np.sqrt((net.grad_view(p, "W") ** 2).sum(axis=0) + net.grad_view(p, "b") ** 2)
        for p in dense])
    net.grads[...] = saved
    return {"dead": dead, "silent": silent, "grad": grad}


def incoming(trainer: Trainer) -> np.ndarray:
    """Incoming weights and bias of each hidden unit of the first layer, (n_in + 1, k)."""
    net = trainer.net
    return np.vstack([net.view("0", "W"), net.view("0", "b")[None, :]]).copy()


def run(kind: str, draw: Draw, offset: int = 0) -> dict[str, Any]:
    """One run of ``kind`` from ``draw`` (run seed ``draw.model + offset``): its units'
    state at step 0, EARLY and STEPS, and its final metrics."""
    trainer = Trainer(draw.apply(spec_for(kind), offset))
    start = unit_state(trainer)
    trainer.train(EARLY)
    early, early_weights = unit_state(trainer), incoming(trainer)
    metrics = trainer.train(STEPS - EARLY)
    end, moved = unit_state(trainer), np.abs(incoming(trainer) - early_weights).max(axis=0)
    was_dead = early["dead"]
    return {
        "dead_start": int(start["dead"].sum()),
        "dead_early": int(was_dead.sum()),
        "dead_end": int(end["dead"].sum()),
        "dead_share_end": float(end["dead"].mean()),
        "dead_units_end": np.flatnonzero(end["dead"]).tolist(),
        "revived": int((was_dead & ~end["dead"]).sum()),
        "silent_early": int(early["silent"].sum()),
        "silent_end": int(end["silent"].sum()),
        "silent_revived": int((early["silent"] & ~end["silent"]).sum()),
        "min_unit_grad": float(end["grad"].min()),
        "faded_end": int((end["grad"] < FADE * end["grad"].max()).sum()),
        "dead_weights_moved": float(moved[was_dead].max()) if was_dead.any() else 0.0,
        "alive_weights_moved": float(moved[~was_dead].max()) if (~was_dead).any() else 0.0,
        "train_loss": metrics["train_loss"],
        "train_accuracy": metrics["train_accuracy"],
        "status": metrics["status"],
        "slopes_end": [float(v) for _, leaf in hidden_activations(trainer.net)
                       for v in leaf.params["alpha"]] if kind == "prelu" else None,
    }


def lr_deaths(draw: Draw, offset: int = 0) -> dict[str, Any]:
    """Biases starting at 0: dead ReLU units at step 0 and after LR_STEPS steps at a
    low and a high learning rate, with the final losses."""
    out: dict[str, Any] = {}
    for name, lr in (("low", LOW_LR), ("high", HIGH_LR)):
        trainer = Trainer(draw.apply({**RELU, "bias_init": 0.0,
                                      "optimizer": {"name": "sgd", "lr": lr}}, offset))
        start = int(unit_state(trainer)["dead"].sum())
        out[f"{name}_loss"] = trainer.train(LR_STEPS)["train_loss"]
        out[name] = [start, int(unit_state(trainer)["dead"].sum())]
    return out


def _median(values: list[float]) -> float:
    """The median of the runs' values (of three: the middle one)."""
    return float(np.median(values))


def _name(kind: str) -> str:
    """The label without its note in brackets: "leaky ReLU"."""
    return LABELS[kind].split(" (")[0]


def measure_dead_relu(draw: Draw) -> Signature:
    """RUNS runs of each kind from ``draw`` and RUNS learning-rate checks; the claims
    that say "usually" are judged on the median run, the others on every run."""
    runs = {kind: [run(kind, draw, i) for i in range(RUNS)] for kind in KINDS}
    by_lr = [lr_deaths(draw, i) for i in range(RUNS)]
    units = sum(RELU["hidden"])
    relu = runs["relu"]
    permanent = [r["revived"] == 0 and r["dead_weights_moved"] == 0.0
                 and (r["alive_weights_moved"] > 0.0 or r["dead_early"] == units)
                 for r in relu]  # (the live units trained, when there were any)
    dead_share = _median([r["dead_share_end"] for r in relu])
    high = _median([b["high"][1] for b in by_lr])
    low = _median([b["low"][1] for b in by_lr])
    claims = [
        claim("ReLU: usually a large share of the units dies", dead_share >= MIN_DEAD_SHARE,
              median_dead_share=dead_share),
        claim("ReLU: dead units stay dead, their weights unchanged", all(permanent),
              revived=max(r["revived"] for r in relu),
              dead_moved=max(r["dead_weights_moved"] for r in relu)),
        claim("ReLU: a high learning rate usually kills units, a low one none",
              high >= MIN_LR_DEATH_SHARE * units and low == 0, median_dead_high=high,
              median_dead_low=low),
    ]
    for kind in KINDS[1:]:
        claims.append(claim(f"{_name(kind)}: no dead unit, every unit keeps a gradient",
                            all(r["dead_end"] == 0 and r["min_unit_grad"] > 0.0
                                for r in runs[kind]),
                            dead=max(r["dead_end"] for r in runs[kind]),
                            min_grad=min(r["min_unit_grad"] for r in runs[kind])))
    for kind in KINDS[1:]:  # the loss claims after the alive ones, for the bench's table
        ratio = _median([a["train_loss"] / b["train_loss"]
                         for a, b in zip(runs[kind], relu, strict=True)])
        claims.append(claim(f"{_name(kind)}: usually a lower loss than ReLU", ratio < 1.0,
                            median_loss_ratio=ratio,
                            loss=_median([r["train_loss"] for r in runs[kind]]),
                            relu_loss=_median([r["train_loss"] for r in relu])))
    first = {kind: rs[0] for kind, rs in runs.items()}
    r0, lr0 = first["relu"], by_lr[0]
    return Signature(
        claims=tuple(claims),
        values={"runs": first, "all_runs": runs, "steps": [0, EARLY, STEPS],
                "permanent": all(permanent), "lr_deaths": lr0, "all_lr_deaths": by_lr,
                "lr_deaths_rates": [LOW_LR, HIGH_LR],
                "model_seeds": [draw.model + i for i in range(RUNS)]},
        summary=f"ReLU: {r0['dead_start']} of {units} units dead at step 0, "
                f"{r0['dead_early']} at step {EARLY}, {r0['dead_end']} at step {STEPS} "
                f"({r0['dead_share_end']:.0%}; none revived, their weights moved by "
                f"{r0['dead_weights_moved']:g}), loss {r0['train_loss']:.3f}; leaky ReLU, "
                f"PReLU and RReLU: no dead unit, losses "
                + ", ".join(f"{first[k]['train_loss']:.3f}" for k in KINDS[1:])
                + f" (PReLU units faded, their learned slope near 0: "
                f"{first['prelu']['faded_end']}); from a zero bias start, {lr0['high'][1]} of "
                f"{units} ReLU units die "
                f"in {LR_STEPS} steps at lr {HIGH_LR:g} and {lr0['low'][1]} at lr {LOW_LR:g}; "
                f"the first of {RUNS} runs (model seeds {draw.model} to "
                f"{draw.model + RUNS - 1}), the claims judged on all",
    )


DEAD_RELU = Lesson(
    name="dead-relu",
    title="Dead ReLUs never come back",
    claim="ReLU passes no gradient for negative inputs, so a unit that is negative on every "
          "training input stops learning for good; a negative bias start or a high learning "
          "rate can kill a large share of the units. Leaky ReLU, PReLU and RReLU keep a "
          "slope there, so their units stay alive.",
    watch="Look at the per-unit maps of the ReLU net. A unit is dead when its input is "
          "negative on every training point: it outputs 0 on all of them and is crossed out "
          "in a heavy frame, dead on the training data (its map may still light up in the "
          "corners, outside the data, where no training point lies; the legend under the "
          "diagram says what the marks mean). Usually more than half of the 12 are dead "
          "from the start (5 to 10 for most seeds), sometimes one to three more die while "
          "training, and none ever comes back. When few survive (about half the seeds), the "
          "boundary cannot close round the circle and the loss chart stalls. Run the leaky "
          "ReLU, PReLU and RReLU nets side by side: no unit is ever marked dead, units still "
          "negative everywhere keep learning a little, and the loss usually ends lower than "
          "ReLU's (often many times lower), the boundary closed round the circle.",
    why="A ReLU unit whose input is negative on every training point outputs 0 and has "
        "slope 0 there, so the gradient of its weights and bias is exactly 0 on every batch "
        "and they stay where they are. With a slope for negative inputs the gradient is "
        "smaller but not zero, so the unit keeps learning and can be pulled back to where "
        "the data is. (If every unit is negative everywhere, even the leaky net is only a "
        "linear function of the input, which cannot fit a circle, and it may stay stuck.)",
    spec=RELU,
    steps=STEPS,
    pace=Pace(5, loss_settles(), "the units still alive fit the circle; the dead ones stay dead"),
    measure_fn=measure_dead_relu,
    expectation=f"ReLU, median of {RUNS} runs: >= {MIN_DEAD_SHARE:.0%} of the "
                f"{sum(RELU['hidden'])} hidden units dead after {STEPS} steps; in every "
                f"run none of the units dead at step {EARLY} revived and their weights "
                f"unchanged; from a zero bias start, lr {HIGH_LR:g} kills >= "
                f"{MIN_LR_DEATH_SHARE:.0%} of the units in the median run and lr {LOW_LR:g} "
                f"none; leaky ReLU, PReLU, RReLU: no dead unit and every unit with nonzero "
                f"gradient in every run, a lower final loss than ReLU in the median run",
    variants=tuple(Variant(kind, LABELS[kind], spec_for(kind)) for kind in KINDS),
)
