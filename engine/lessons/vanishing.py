"""Vanishing gradients: in a deep sigmoid net the first layers hardly learn.

Backpropagation multiplies the gradient, layer by layer on its way down, by the
activation's slope and by the layer's weights. A sigmoid's slope p(1 - p) is at
most 1/4, and much less once a unit saturates; with Xavier weights the other
factors do not make up for it, so every sigmoid layer shrinks the gradient several
times over, and after eight of them the gradient reaching the first layer is tens
of thousands of times smaller than at the output. The first layers then barely
move, and the net cannot learn even an easy data set.

ReLU's slope is exactly 1 wherever a unit is active, and He initialisation
(weights with variance 2 / fan_in) is chosen so that the signal, and the gradient,
keep their size from layer to layer: the gap between the first and last layers
closes to within a factor of a few.

The lesson trains two 8 x 16 nets (8 hidden layers of 16 units) on the circle data
with the same optimiser: sigmoid units with Xavier weights and ReLU units with He
weights. At step 0 and after training it reads, with
:func:`engine.telemetry.gradient_picture` (one pass over the whole training set),
the norm of dL/dW of every dense layer, first hidden to output, and compares the
first layer's with the last (output) layer's.

Over 100 seeds (model and data), the sigmoid net's first layer gets 1e-4 to 1e-7 of
the output layer's gradient at step 0; the ReLU/He net's ratio has a median near
0.2 (the first layer's two inputs against the last hidden layer's sixteen make it
sit below 1) and falls outside 30x either way for one seed in a hundred. With 8
units a layer instead, 3 in 100 fell outside and 2 in 100 nets died whole (every
unit of a layer dead), so the layers are 16 wide.
"""

from __future__ import annotations

from typing import Any

from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles
from engine.telemetry import gradient_picture
from engine.trainer import Trainer

DEPTH = 8
STEPS = 1000
SIGMOID_MAX_RATIO = 1e-2
"""Sigmoid: the first layer's gradient norm at least 100x below the last's."""
RELU_BAND = (1 / 30, 30.0)
"""ReLU + He: first over last within 30x either way (the sigmoid's is 1e-4 or less)."""
MIN_NARROWING = 10.0
"""ReLU + He's ratio at least this many times closer to 1 than the sigmoid's."""

SIGMOID = {
    "data": {"name": "circle", "n_samples": 300, "seed": 0},
    "hidden": [16] * DEPTH,
    "activation": "sigmoid",
    "init": "xavier_uniform",
    "optimizer": {"name": "sgd", "lr": 0.05},
    "batch_size": 10,
    "seed": 0,
}

RELU_HE = {**SIGMOID, "activation": "relu", "init": "he_normal"}


def weight_grad_norms(trainer: Trainer) -> list[float]:
    """|dL/dW| of every dense layer over the training set, first hidden to output."""
    picture, _ = gradient_picture(trainer)
    return [entry["weight_grad_norm"] for entry in picture.values()]


def gap(ratio: float) -> float:
    """How far a first/last ratio is from 1, as a factor (>= 1)."""
    return max(ratio, 1.0 / ratio)


def run(spec: dict[str, Any]) -> dict[str, Any]:
    trainer = Trainer(spec)
    start = weight_grad_norms(trainer)
    metrics = trainer.train(STEPS)
    end = weight_grad_norms(trainer)
    return {
        "norms_start": start,
        "norms_end": end,
        "first_over_last_start": start[0] / start[-1],
        "first_over_last_end": end[0] / end[-1],
        "shrink_per_layer_start": float((start[0] / start[-1]) ** (1.0 / DEPTH)),
        "train_loss": metrics["train_loss"],
        "train_accuracy": metrics["train_accuracy"],
    }


def measure_vanishing(draw: Draw) -> Signature:
    sig, relu = run(draw.apply(SIGMOID)), run(draw.apply(RELU_HE))
    ratios = {when: (sig[f"first_over_last_{when}"], relu[f"first_over_last_{when}"])
              for when in ("start", "end")}
    narrowing = {when: gap(s) / gap(r) for when, (s, r) in ratios.items()}
    low, high = RELU_BAND
    claims = []
    for when, label in (("start", "at step 0"), ("end", f"after {STEPS} steps")):
        s, r = ratios[when]
        claims += [
            claim(f"sigmoid: first layer's gradient <= {SIGMOID_MAX_RATIO:g} x the output's "
                  f"{label}", s <= SIGMOID_MAX_RATIO, first_over_last=s),
            claim(f"ReLU/He: first over output within {high:g}x either way {label}",
                  low <= r <= high, first_over_last=r),
            claim(f"ReLU/He's gap >= {MIN_NARROWING:g}x narrower {label}",
                  narrowing[when] >= MIN_NARROWING, narrowing=narrowing[when]),
        ]
    claims.append(claim("ReLU/He learns the circle, sigmoid does not",
                        relu["train_accuracy"] >= 0.9 > 0.6 >= sig["train_accuracy"],
                        relu_accuracy=relu["train_accuracy"],
                        sigmoid_accuracy=sig["train_accuracy"]))
    values = {"sigmoid": sig, "relu-he": relu, "narrowing": narrowing,
              "layers": [f"dense {i + 1}" for i in range(DEPTH)] + ["output"]}
    return Signature(
        claims=tuple(claims),
        values=values,
        summary=f"first over last layer's weight-gradient norm: sigmoid/Xavier "
                f"{ratios['start'][0]:.1e} at step 0 and {ratios['end'][0]:.1e} after "
                f"{STEPS} steps (train accuracy {sig['train_accuracy']:.0%}); ReLU/He "
                f"{ratios['start'][1]:.2f} and {ratios['end'][1]:.2f} (train accuracy "
                f"{relu['train_accuracy']:.0%}): a gap at least {min(narrowing.values()):.0f}x "
                f"narrower",
    )


VANISHING_GRADIENTS = Lesson(
    name="vanishing-gradients",
    title="Vanishing gradients in a deep sigmoid net",
    claim="Saturating activations shrink the gradient at every layer on its way back, so "
          "in a deep sigmoid net the first layers receive almost no gradient. ReLU with He "
          "initialisation keeps the gradient's size from layer to layer.",
    watch="The gradient chart opens by depth (log scale): one bar per dense layer, from "
          "the first hidden layer to the output, for the newest frame. In the sigmoid net "
          "the bars fall by about 3 to 6 times per layer from the output down to the "
          "first layer, which gets ten thousand to ten million times less than the output "
          "layer; the loss stays flat at 0.69 and the boundary never wraps round the "
          "circle. Side by side, the ReLU/He net's bars stay within a factor of ten or so "
          "of each other (the first layer's is usually a few times lower than the "
          "output's), and it learns the circle within the 1000 steps.",
    why="By the chain rule, the gradient at a layer is the output gradient times, for "
        "every layer above it, the activation's slope and the weights. The sigmoid's slope "
        "is at most 0.25, so eight sigmoid layers multiply it by a tiny number; ReLU's "
        "slope is 1 on active units, and He weights keep each layer's factor near 1.",
    spec=SIGMOID,
    steps=STEPS,
    pace=Pace(1, loss_settles("relu-he"),
              "the ReLU net with He init fits while the sigmoid net stalls"),
    measure_fn=measure_vanishing,
    display={"gradient_view": "depth"},
    expectation="sigmoid/Xavier 8 x 16: first-layer weight-gradient norm <= 1e-2 x the "
                "output layer's at step 0 and after training; ReLU/He: within 30x either "
                "way, a gap at least 10x narrower; ReLU/He reaches 90% training accuracy, "
                "sigmoid stays at or below 60%",
    variants=(
        Variant("sigmoid", "sigmoid, Xavier init", SIGMOID),
        Variant("relu-he", "ReLU, He init", RELU_HE),
    ),
)
