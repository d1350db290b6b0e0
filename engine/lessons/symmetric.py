"""Symmetric initialisation: equal starting weights make a layer's units identical.

The notes: biases may start at 0, but the weights must not all start equal (or at
0). If they do, every unit of a layer receives the same inputs through the same
weights, so it computes the same value; on the way back each gets the same
gradient, so each takes the same step, and after any number of steps the units are
still copies of each other. A layer of 8 such units is worth one unit, and the whole
net is a one-unit-per-layer net in disguise. Random initialisation (here Xavier)
gives each unit a different start and breaks the tie.

The lesson trains a 2 x 8 tanh net on the circle data from constant weights 0.5
and from Xavier weights, then checks that in the first every hidden layer's weight
columns, biases and outputs are equal to 1e-12, that folding it into a 1-1 net
reproduces its output, and that it does no better than a one-unit-per-layer net,
while the randomly started net learns the circle.
"""

from __future__ import annotations

import numpy as np

from engine.layers import Dense
from engine.lessons.base import Lesson, Signature, Variant
from engine.telemetry import hidden_activations
from engine.trainer import Trainer

CONSTANT = {
    "data": {"name": "circle", "n_samples": 300, "seed": 0},
    "hidden": [8, 8],
    "activation": "tanh",
    "init": {"name": "constant", "scale": 0.5},
    "optimizer": {"name": "sgd", "lr": 0.1},
    "batch_size": 10,
    "seed": 0,
}

RANDOM = {**CONSTANT, "init": "xavier_uniform"}

ONE_UNIT = {**RANDOM, "hidden": [1, 1]}
"""The same depth with one unit per layer: what the constant net amounts to."""

STEPS = 500
ONE_UNIT_SEEDS = (0, 1, 2)
TOL = 1e-12


def unit_spread(trainer: Trainer) -> dict[str, float]:
    """Largest difference between the units of each hidden layer: of their incoming
    weight columns and biases (per dense path) and of their outputs on the training
    set (per activation path). 0 means all units of the layer are copies."""
    net = trainer.net
    net.forward(trainer.X_train, False)
    dense = [(p, leaf) for p, leaf in net.leaves if isinstance(leaf, Dense)][:-1]
    spread: dict[str, float] = {}
    for path, leaf in dense:
        W, b = leaf.params["W"], leaf.params["b"]
        spread[f"W{path}"] = float(np.abs(W - W[:, :1]).max())
        spread[f"b{path}"] = float(np.abs(b - b[0]).max())
    for path, leaf in hidden_activations(net):
        spread[f"a{path}"] = float(np.abs(leaf.a - leaf.a[:, :1]).max())
    return spread


def fold_to_one_unit(trainer: Trainer) -> Trainer:
    """A 1-1 net computing what ``trainer``'s symmetric net computes: keep one unit
    per layer and add up the (equal) weights leaving the removed copies."""
    folded = Trainer({**ONE_UNIT, "seed": trainer.spec.seed})
    big, small = trainer.net, folded.net
    paths = [p for p, leaf in big.leaves if isinstance(leaf, Dense)]
    for i, path in enumerate(paths):
        W, b = big.view(path, "W"), big.view(path, "b")
        rows = W.sum(axis=0, keepdims=True) if i > 0 else W  # inputs from the copies
        small.view(path, "W")[...] = rows[:, : small.view(path, "W").shape[1]]
        small.view(path, "b")[...] = b[: small.view(path, "b").shape[0]]
    return folded


def measure_symmetric() -> Signature:
    constant = SYMMETRIC_INIT.trainer("constant")
    random = SYMMETRIC_INIT.trainer("random")
    start = constant.net.params.copy()
    start_loss = constant.metrics()["train_loss"]
    const_metrics = constant.train(STEPS)
    random_metrics = random.train(STEPS)
    const_spread = unit_spread(constant)
    random_spread = unit_spread(random)
    hidden = [e for e in constant.net.entries if e.path != constant.net.entries[-1].path]
    moved = max(float(np.abs(constant.net.params[e.offset : e.offset + e.size]
                             - start[e.offset : e.offset + e.size]).max()) for e in hidden)
    folded = fold_to_one_unit(constant)
    fold_error = float(np.abs(folded.net.predict(constant.X_test)
                              - constant.net.predict(constant.X_test)).max())
    one_unit = [Trainer({**ONE_UNIT, "seed": s}).train(STEPS)["test_accuracy"]
                for s in ONE_UNIT_SEEDS]
    values = {
        "constant_spread": const_spread,
        "random_spread": random_spread,
        "constant_max_spread": max(const_spread.values()),
        "random_min_spread": min(random_spread.values()),
        "constant_hidden_change": moved,
        "constant_train_loss": [start_loss, const_metrics["train_loss"]],
        "fold_error": fold_error,
        "constant_test_accuracy": const_metrics["test_accuracy"],
        "random_test_accuracy": random_metrics["test_accuracy"],
        "one_unit_test_accuracy": one_unit,
        "one_unit_best_accuracy": max(one_unit),
    }
    holds = (values["constant_max_spread"] <= TOL and values["random_min_spread"] >= 0.1
             and moved >= 0.01 and fold_error <= 1e-9
             and values["constant_test_accuracy"] <= max(one_unit) + 0.02
             and values["random_test_accuracy"] >= 0.95)
    return Signature(
        holds=holds,
        values=values,
        summary=f"after {STEPS} steps from constant weights the 8 units of each layer differ "
                f"by at most {values['constant_max_spread']:.1g} (hidden weights moved by up "
                f"to {moved:.2f}) "
                f"and the net folds into a 1-1 net (error {fold_error:.1g}); test accuracy "
                f"{values['constant_test_accuracy']:.0%} against {max(one_unit):.0%} for "
                f"the best 1-1 net and {values['random_test_accuracy']:.0%} from random "
                f"weights, whose units differ by at least {values['random_min_spread']:.2f}",
    )


SYMMETRIC_INIT = Lesson(
    name="symmetric-init",
    title="Equal starting weights: all units stay the same",
    claim="If every weight starts at the same value, all units of a layer compute the same "
          "thing and stay identical for ever, so the layer is worth one unit. Random "
          "initial weights break the symmetry.",
    watch="Look at the per-unit maps: with constant weights the 8 maps of a layer are the "
          "same picture and stay the same while the net trains, and the boundary stays a "
          "straight line that cannot wrap round the circle. Switch to random weights: the "
          "maps differ from the first step and the boundary closes around the inner disk.",
    why="Units with the same incoming weights see the same input and give the same output; "
        "the outgoing weights are equal too, so backpropagation hands each the same "
        "gradient and each takes the same step. Nothing ever makes them differ; a random "
        "start gives each unit its own direction from the beginning.",
    spec=CONSTANT,
    steps=STEPS,
    measure_fn=measure_symmetric,
    expectation="after 500 steps from constant init every hidden layer's units are equal to "
                "1e-12 and test accuracy is no better than a 1-1 net's; Xavier init gives "
                "distinct units and >= 95% on the circle",
    variants=(
        Variant("constant", "all weights 0.5", CONSTANT),
        Variant("random", "random (Xavier) weights", RANDOM),
    ),
)
