"""Residual connections: h(x) = f(x) + x fixes the degradation of deep nets.

The notes: adding layers should never make a net worse (the extra layers could
learn the identity), yet plain deep nets train worse than shallow ones, on the
training set itself: the degradation problem, which the notes put down to the
gradient fading on its way down. A residual block adds its input to its output,
h(x) = f(x) + x, so f only has to learn the residual h(x) - x, a block can fall
back to the identity by driving f to 0, and in backward the gradient reaches x
through the skip unchanged: dL/dx = dL/dh (f'(x) + I).

The preset compares, on the circle data with sigmoid units and the same optimiser,
a shallow net (2 hidden layers), a deep plain net (10 hidden layers) and the same
10 layers with skips (the first layer, then four blocks of two layers each).
"""

from __future__ import annotations

from typing import Any

from engine.lessons.base import Lesson, Signature, Variant
from engine.telemetry import gradient_picture
from engine.trainer import Trainer

BASE: dict[str, Any] = {
    "data": {"name": "circle", "n_samples": 300, "seed": 0},
    "activation": "sigmoid",
    "optimizer": {"name": "sgd", "lr": 1.0},
    "batch_size": 10,
    "seed": 0,
}
SHALLOW = {**BASE, "hidden": [8, 8]}
DEEP_PLAIN = {**BASE, "hidden": [8] * 10}
DEEP_RESIDUAL = {**DEEP_PLAIN, "residual": True}
STEPS = 3000


def first_over_last(trainer: Trainer) -> float:
    """Norm of dL/dW of the first dense layer over the output layer's."""
    picture, _ = gradient_picture(trainer)
    norms = [entry["weight_grad_norm"] for entry in picture.values()]
    return norms[0] / norms[-1]


def measure() -> Signature:
    runs = {"shallow": SHALLOW, "deep_plain": DEEP_PLAIN, "deep_residual": DEEP_RESIDUAL}
    values: dict[str, Any] = {}
    for name, spec in runs.items():
        trainer = Trainer(spec)
        ratio_start = first_over_last(trainer)
        metrics = trainer.train(STEPS)
        values[name] = {
            "train_loss": metrics["train_loss"],
            "train_accuracy": metrics["train_accuracy"],
            "test_accuracy": metrics["test_accuracy"],
            "grad_first_over_last_start": ratio_start,
            "grad_first_over_last_end": first_over_last(trainer),
        }
    shallow, plain, res = values["shallow"], values["deep_plain"], values["deep_residual"]
    holds = (plain["train_loss"] > 5 * shallow["train_loss"]
             and res["train_accuracy"] >= shallow["train_accuracy"] - 0.02
             and res["train_loss"] < 0.1 * plain["train_loss"]
             and res["grad_first_over_last_start"]
             >= 100 * plain["grad_first_over_last_start"])
    return Signature(
        holds=holds,
        values=values,
        summary=f"after {STEPS} steps the training loss is {shallow['train_loss']:.3f} with "
                f"2 layers, {plain['train_loss']:.3f} with 10 plain layers and "
                f"{res['train_loss']:.3f} with the same 10 layers and skips; the first layer "
                f"gets {plain['grad_first_over_last_start']:.0e} of the output layer's gradient "
                f"without skips and {res['grad_first_over_last_start']:.0e} with them",
    )


RESIDUAL = Lesson(
    name="residual",
    title="Residual connections",
    claim="A plain deep net trains worse than a shallow one, even on its training data "
          "(degradation); the same depth with skip connections h(x) = f(x) + x does not, "
          "because the gradient reaches the first layers through the skips.",
    watch="Run the three side by side. The 10-layer plain net's loss stays flat at 0.69 and "
          "its gradient-by-depth chart drops by orders of magnitude towards the input; the "
          "2-layer net and the 10-layer net with skips both learn the circle, and with skips "
          "the gradient lines of all layers stay close together.",
    why="In a plain net the gradient is multiplied by every layer's slope on its way down, "
        "and sigmoid slopes are at most 1/4, so the first layers hardly learn. A skip adds "
        "x to f(x), so the gradient flows back through the identity as well: each block "
        "only has to learn a correction to its input.",
    spec=DEEP_RESIDUAL,
    steps=STEPS,
    measure_fn=measure,
    expectation="deep plain train loss > 5x the shallow net's; deep residual as accurate as "
                "the shallow net (within 2 points) with under 1/10 of the plain net's loss; "
                "first-layer gradient share >= 100x larger with skips",
    variants=(
        Variant("shallow", "2 hidden layers", SHALLOW),
        Variant("deep-plain", "10 hidden layers", DEEP_PLAIN),
        Variant("deep-residual", "10 hidden layers with skips", DEEP_RESIDUAL),
    ),
)
