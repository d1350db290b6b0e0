"""Dead ReLUs: a unit whose input is negative everywhere never learns again.

ReLU passes no gradient for negative inputs (its slope there is 0). If a unit's
input w.x + b is negative for every training point, the unit outputs 0 on all of
them, its weights and bias get exactly zero gradient on every mini-batch, and so
they never change: the unit is dead for good. A negative bias start (or a step
too large that throws the bias far below zero) can kill a large share of a layer
at once, and what is left may be too little to fit the data.

The leaky family keeps a small slope for negative inputs: leaky ReLU a fixed one
(0.01), PReLU a slope learned per unit (starting at 0.25), RReLU a random slope
while training (1/8 to 1/3; the mean at evaluation). A unit that is negative
everywhere still passes a little gradient, so it can move back into the data.

The preset is one hidden layer of 8 ReLU units on the circle data with biases
starting at -6 and a high learning rate (0.3): five units start dead, two more die
in the first 200 steps, and the one survivor cannot wrap a boundary round the
circle. Dead means zero slope on every training input, as telemetry counts it
(:func:`engine.telemetry.unit_activity`). The same net with leaky ReLU, PReLU or
RReLU units has no dead unit and ends with a far lower loss.

A high learning rate alone kills units too: from a zero bias start, 300 steps at
rate 4 kill 7 of the 8 ReLU units (at 0.03, none), while leaky ReLU at rate 4 still
fits. PReLU and RReLU blow up at that rate, so the side-by-side comparison uses the
bias start.

One caution the measurement brings out: PReLU's slope is learned, and for a unit
that stays negative everywhere the slope and the unit's outgoing weight can shrink
together towards 0, so the unit fades (its gradient falls to ~1e-23 here) although
no slope is exactly 0. Leaky ReLU's and RReLU's slopes are fixed, so theirs cannot.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.layers import Dense
from engine.lessons.base import Lesson, Signature, Variant
from engine.telemetry import gradient_picture, hidden_activations, unit_activity
from engine.trainer import Trainer

STEPS = 2000
EARLY = 100
"""The first of the two steps at which the dead set is read."""
MIN_DEAD_SHARE = 0.4
HIGH_LR, LOW_LR, LR_STEPS = 4.0, 0.03, 300
"""The high-learning-rate check: biases start at 0, train LR_STEPS steps at each rate."""
FADE = 1e-4
"""A unit whose weight gradient is below FADE x the largest unit's has faded: it is
not dead by the zero-slope test but learns (almost) nothing."""

RELU = {
    "data": {"name": "circle", "n_samples": 300, "seed": 0},
    "hidden": [8],
    "activation": "relu",
    "init": "he_normal",
    "bias_init": -6.0,
    "optimizer": {"name": "sgd", "lr": 0.3},
    "batch_size": 20,
    "seed": 0,
}

KINDS = ("relu", "leaky_relu", "prelu", "rrelu")
LABELS = {"relu": "ReLU", "leaky_relu": "leaky ReLU (slope 0.01)",
          "prelu": "PReLU (learned slope)", "rrelu": "RReLU (random slope)"}


def spec_for(kind: str) -> dict[str, Any]:
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


def run(kind: str) -> dict[str, Any]:
    trainer = Trainer(spec_for(kind))
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


def lr_deaths() -> dict[str, Any]:
    """Biases starting at 0: dead ReLU units at step 0 and after LR_STEPS steps at a
    low and a high learning rate, and the final losses of ReLU and leaky ReLU at the
    high rate."""
    out: dict[str, Any] = {}
    for kind, name, lr in (("relu", "low", LOW_LR), ("relu", "high", HIGH_LR),
                           ("leaky_relu", "leaky_high", HIGH_LR)):
        trainer = Trainer({**spec_for(kind), "bias_init": 0.0,
                           "optimizer": {"name": "sgd", "lr": lr}})
        start = int(unit_state(trainer)["dead"].sum())
        out[f"{name}_loss"] = trainer.train(LR_STEPS)["train_loss"]
        out[name] = [start, int(unit_state(trainer)["dead"].sum())]
    return out


def measure_dead_relu() -> Signature:
    runs = {kind: run(kind) for kind in KINDS}
    by_lr = lr_deaths()
    units = sum(RELU["hidden"])
    relu = runs["relu"]
    others = [runs[k] for k in KINDS[1:]]
    permanent = (relu["revived"] == 0 and relu["dead_weights_moved"] == 0.0
                 and relu["alive_weights_moved"] > 0.0)
    holds = (relu["dead_share_end"] >= MIN_DEAD_SHARE and permanent
             and by_lr["high"][1] >= MIN_DEAD_SHARE * units and by_lr["low"][1] == 0
             and by_lr["leaky_high"][1] == 0 and by_lr["leaky_high_loss"] < by_lr["high_loss"]
             and all(r["dead_end"] == 0 and r["min_unit_grad"] > 0.0
                     and r["train_loss"] < relu["train_loss"] for r in others)
             and runs["leaky_relu"]["faded_end"] == 0 and runs["rrelu"]["faded_end"] == 0)
    return Signature(
        holds=holds,
        values={"runs": runs, "steps": [0, EARLY, STEPS], "permanent": permanent,
                "lr_deaths": by_lr, "lr_deaths_rates": [LOW_LR, HIGH_LR]},
        summary=f"ReLU: {relu['dead_start']} of 8 units dead at step 0, {relu['dead_early']} "
                f"at step {EARLY}, {relu['dead_end']} at step {STEPS} "
                f"({relu['dead_share_end']:.0%}; none revived, their weights moved by "
                f"{relu['dead_weights_moved']:g}), loss {relu['train_loss']:.3f}; leaky ReLU, "
                f"PReLU and RReLU: no dead unit, losses "
                + ", ".join(f"{r['train_loss']:.3f}" for r in others)
                + f" (but {runs['prelu']['faded_end']} PReLU units learned a slope near 0 and "
                f"faded); from a zero bias start, {by_lr['high'][1]} of {units} ReLU units die "
                f"in {LR_STEPS} steps at lr {HIGH_LR:g} (loss {by_lr['high_loss']:.3f}; leaky "
                f"ReLU {by_lr['leaky_high_loss']:.3f}) and {by_lr['low'][1]} at lr {LOW_LR:g}",
    )


DEAD_RELU = Lesson(
    name="dead-relu",
    title="Dead ReLUs never come back",
    claim="ReLU passes no gradient for negative inputs, so a unit that is negative on every "
          "input stops learning for good; a negative bias start or a high learning rate can "
          "kill a large share of the units. Leaky ReLU, PReLU and RReLU keep a small slope "
          "there, so their units stay alive.",
    watch="Look at the per-unit maps of the ReLU net: a dead unit's map is flat zero "
          "everywhere, and the unit is marked dead. Five are dead from the start, two more "
          "die in the first 200 steps, and none ever comes back: the boundary stays a "
          "straight edge that cannot close round the circle and the loss chart stalls. Run "
          "the leaky ReLU, PReLU and RReLU nets side by side: no unit is marked dead, even "
          "units that are still negative everywhere keep learning a little, and the "
          "boundary closes. In the PReLU net, watch the learned slopes: some shrink to "
          "almost 0, and those units fade.",
    why="A ReLU unit with a negative input on every point outputs 0 and has slope 0, so "
        "the gradient of its weights and bias is exactly 0 on every batch and they stay "
        "where they are. With a small negative slope the gradient is small but not zero, "
        "so the unit can still learn and be pulled back to where the data is (unless, as "
        "PReLU may, it learns that slope down to 0).",
    spec=RELU,
    steps=STEPS,
    measure_fn=measure_dead_relu,
    expectation=f"ReLU preset: >= {MIN_DEAD_SHARE:.0%} of hidden units dead after {STEPS} "
                f"steps, none of the units dead at step {EARLY} revived and their weights "
                "unchanged; leaky ReLU, PReLU, RReLU: no dead unit, every unit with nonzero "
                "gradient, lower final loss than ReLU; no faded unit with leaky ReLU or RReLU",
    variants=tuple(Variant(kind, LABELS[kind], spec_for(kind)) for kind in KINDS),
)
