"""Residual connections: h(x) = f(x) + x fixes the degradation of deep nets.

The notes: adding layers should never make a net worse (the extra layers could
learn the identity), yet plain deep nets train worse than shallow ones, on the
training set itself: the degradation problem, which the notes put down to the
gradient fading on its way down. A residual block adds its input to its output,
h(x) = f(x) + x, so f only has to learn the residual h(x) - x, a block can fall
back to the identity by driving f to 0, and in backward the gradient reaches x
through the skip unchanged: dL/dx = dL/dh (f'(x) + I).

The preset compares, on the circle data with sigmoid units and the same optimiser
(SGD, learning rate 1, batches of 10), a shallow net (2 hidden layers), a deep plain
net (10 hidden layers) and the same 10 layers with skips (the first layer, then four
blocks of two layers each, then the last), all trained for 5000 steps.

Over 60 seeds (model and data) every claim held: the plain 10-layer net stayed at
0.45 to 0.56 training accuracy with a loss of 0.69, the 2-layer net reached 100%,
and the net with skips 99.3% or more (losses 0.0001 to 0.02). At step 0 the plain
net's first layer got 2e-8 to 3e-5 of the output layer's weight gradient, the net
with skips 0.0015 to 2 (at least 1000 times more). The net with skips starts more
slowly than the 2-layer net (it had 98% in none of 40 seeds after 1000 steps, 25
after 2000): the preset used to stop at 3000 steps, where it was still short of the
2-layer net's accuracy for 2 of 20 seeds (0.89 and 0.95); by 4000 it had 98% in all
100 seeds tried, so 5000 gives it room.
"""

from __future__ import annotations

from typing import Any

from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles
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
STEPS = 5000
CHANCE = 0.6
"""Training accuracy at or below this is near chance (the classes are half and half)."""
LEARNED = 0.95
"""Training accuracy of a net that learned the circle."""
DEGRADATION = 5.0
"""The plain deep net's training loss at least this many times the shallow net's."""
RECOVERY = 10.0
"""The residual net's training loss at most 1/this of the plain net's."""
MIN_REACH = 100.0
"""With skips, the first layer's share of the gradient at least this many times larger."""


def first_over_last(trainer: Trainer) -> float:
    """Norm of dL/dW of the first dense layer over the output layer's."""
    picture, _ = gradient_picture(trainer)
    norms = [entry["weight_grad_norm"] for entry in picture.values()]
    return norms[0] / norms[-1]


def measure(draw: Draw) -> Signature:
    runs = {"shallow": SHALLOW, "deep_plain": DEEP_PLAIN, "deep_residual": DEEP_RESIDUAL}
    values: dict[str, Any] = {}
    for name, spec in runs.items():
        trainer = Trainer(draw.apply(spec))
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
    reach = res["grad_first_over_last_start"] / plain["grad_first_over_last_start"]
    claims = (
        claim("the 10-layer plain net stays near chance, far worse than the 2-layer net",
              plain["train_accuracy"] <= CHANCE
              and plain["train_loss"] > DEGRADATION * shallow["train_loss"],
              plain_accuracy=plain["train_accuracy"], plain_loss=plain["train_loss"],
              shallow_loss=shallow["train_loss"]),
        claim("the 2-layer net learns the circle",
              shallow["train_accuracy"] >= LEARNED, accuracy=shallow["train_accuracy"]),
        claim("the same 10 layers with skips learn it as well as the 2-layer net",
              res["train_accuracy"] >= shallow["train_accuracy"] - 0.02
              and res["train_loss"] < plain["train_loss"] / RECOVERY,
              accuracy=res["train_accuracy"], loss=res["train_loss"]),
        claim("skips give the first layer >= 100x the plain net's share of the gradient",
              reach >= MIN_REACH, reach=reach,
              plain_first_over_last=plain["grad_first_over_last_start"],
              residual_first_over_last=res["grad_first_over_last_start"]),
    )
    return Signature(
        claims=claims,
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
    watch="Run the three side by side in the playground's comparison (the lab's puts the "
          "two 10-layer nets side by side). The 10-layer plain net's loss stays flat at "
          "0.69, its accuracy near 50%, and its gradient-by-depth chart drops by orders of "
          "magnitude towards the input: its first layer gets 30 thousand to 50 million "
          "times less gradient than the output layer. The 2-layer net and the 10-layer "
          "net with skips both learn the circle (the one with skips may take a few "
          "thousand steps to start, but by step 5000 both are at 99% or more), and with "
          "skips the gradient lines stay much closer together: the first layer usually "
          "gets about a hundredth of the output layer's gradient: at least a hundred "
          "times its share without skips, usually tens of thousands of times.",
    why="In a plain net the gradient is multiplied by every layer's slope on its way down, "
        "and sigmoid slopes are at most 1/4, so the first layers hardly learn. A skip adds "
        "x to f(x), so the gradient flows back through the identity as well: each block "
        "only has to learn a correction to its input.",
    spec=DEEP_RESIDUAL,
    steps=STEPS,
    pace=Pace(10, loss_settles(), "the deep residual net fits the circle"),
    measure_fn=measure,
    expectation="after 5000 steps the deep plain net <= 60% training accuracy, its loss > "
                "5x the shallow net's; the shallow net >= 95%; deep residual as accurate "
                "as the shallow net (within 2 points) with under 1/10 of the plain net's "
                "loss; first-layer gradient share >= 100x larger with skips",
    variants=(
        Variant("shallow", "2 hidden layers", SHALLOW),
        Variant("deep-plain", "10 hidden layers", DEEP_PLAIN),
        Variant("deep-residual", "10 hidden layers with skips", DEEP_RESIDUAL),
    ),
)
