"""Loss and output layer: which output activation goes with which loss.

The notes: with squared error, put no activation on the output; for classes, take
the softmax of linear outputs and its cross-entropy (the sigmoid and binary
cross-entropy for two classes). The reason is the gradient at the output. With
p = sigmoid(z) and squared error L = (p - t)^2 / 2,

    dL/dz = (p - t) * p (1 - p),

and the factor p (1 - p) is close to 0 whenever the sigmoid is saturated, also when
it is saturated on the wrong side: a confidently wrong unit hardly learns. With
cross-entropy L = -t log p - (1 - t) log(1 - p) the factor cancels,

    dL/dz = p - t,

so the more wrong the unit, the larger its gradient. The lesson starts one logistic
unit confidently wrong on two Gaussian blobs (weights set by hand so the output is
about 0.002 on class 1 and 0.998 on class 0) and counts the steps each loss needs
to reach 90% accuracy, with the same start and learning rate.

Measured over seeds 1 to 200 (model and data; the hand-set start is the same for
every draw, the blobs' points and the batch order change): the start gets 0% to 2%
of the points right, with on average 96% to 99% probability on the wrong class;
squared error's first weight gradient is 0.4% to 0.9% of cross-entropy's (p(1 - p)
averages 0.008 to 0.025); cross-entropy reaches 90% in 8 to 10 steps, squared error
in 283 to 448 (28 to 56 times as many); softmax on three blobs reaches 99% to 100%
test accuracy in 300 steps. Every claim held for every seed, so no setting changed;
the lesson's step count is 500, past the slowest squared-error run.
"""

from __future__ import annotations

import numpy as np

from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles
from engine.telemetry import gradient_picture
from engine.trainer import Trainer

GAUSS = {"name": "gauss", "n_samples": 200, "seed": 0}
LR = 0.1

MSE_SIGMOID = {
    "data": GAUSS,
    "hidden": [],
    "output_activation": "sigmoid",
    "loss": "mse",
    "optimizer": {"name": "sgd", "lr": LR},
    "batch_size": 10,
    "seed": 0,
}

CROSS_ENTROPY = {**MSE_SIGMOID, "output_activation": "linear", "loss": "bce"}
"""The same unit; the sigmoid is fused into the loss (bce works on the logit)."""

SOFTMAX = {
    "data": {"name": "blobs", "n_samples": 300, "classes": 3, "seed": 0},
    "hidden": [],
    "loss": "softmax_ce",
    "optimizer": {"name": "sgd", "lr": LR},
    "batch_size": 10,
    "seed": 0,
}

WRONG_START = (
    ("0", "W", (0, 0), -1.5), ("0", "W", (1, 0), -1.5), ("0", "b", (0,), 0.0),
)
"""z = -1.5 (x1 + x2): about -6 at the class-1 centre (2, 2), +6 at (-2, -2)."""

TARGET_ACCURACY = 0.9
MAX_STEPS = 1500
EARLY_STEPS = 25
SOFTMAX_STEPS = 300
START_MAX_ACCURACY = 0.05
START_MIN_WRONG = 0.95
"""The start: at most this accuracy, at least this mean probability on the wrong class."""
MAX_GRAD_RATIO = 0.05
"""Squared error's first weight gradient at most this fraction of cross-entropy's."""
MIN_SPEEDUP = 10.0
SOFTMAX_MIN_ACCURACY = 0.95


def lesson_trainer(variant: str, draw: Draw) -> Trainer:
    """A fresh trainer for one of the lesson's variants with ``draw``'s seeds (the
    hand-set wrong start stays the same for every draw)."""
    chosen = next(v for v in LOSS_AND_OUTPUT.variants if v.name == variant)
    trainer = Trainer(draw.apply(chosen.spec))
    for layer, name, index, value in chosen.hand_weights:
        trainer.set_param(layer, name, index, value)
    return trainer


def _steps_to(trainer: Trainer, accuracy: float, limit: int) -> int | None:
    """Steps until the training accuracy first reaches ``accuracy`` (None if never)."""
    for _ in range(limit):
        trainer.step()
        if trainer.evaluate(trainer.X_train, trainer.T_train)[1] >= accuracy:
            return trainer.step_count
    return None


def _start(trainer: Trainer) -> dict[str, float]:
    """Accuracy, mean p(1 - p) and the output weight-gradient norm at the start."""
    picture, out = gradient_picture(trainer)
    net = trainer.net
    z = trainer.X_train @ net.view("0", "W") + net.view("0", "b")
    p = 0.5 * (1.0 + np.tanh(0.5 * z))  # the sigmoid of the logit
    wrong_p = np.where(trainer.T_train > 0.5, 1.0 - p, p)
    return {
        "accuracy": trainer.evaluate(trainer.X_train, trainer.T_train, out)[1],
        "mean_wrong_probability": float(wrong_p.mean()),
        "mean_sigmoid_slope": float((p * (1.0 - p)).mean()),
        "weight_grad_norm": picture["0"]["weight_grad_norm"],
    }


def logit_gradients(draw: Draw | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dz at the wrong start for squared error through the sigmoid layer and for
    cross-entropy, per training point, and the sigmoid's slope p(1 - p) there
    (``draw``: the seeds, default the preset's)."""
    draw = draw or Draw()
    mse, ce = lesson_trainer("mse-sigmoid", draw), lesson_trainer("cross-entropy", draw)
    out = mse.net.forward(mse.X_train, True)
    g_mse = mse.net.layer("1").backward(mse.loss.grad(out, mse.T_train)).ravel()
    z = ce.net.forward(ce.X_train, True)
    g_ce = ce.loss.grad(z, ce.T_train).ravel()
    p = 0.5 * (1.0 + np.tanh(0.5 * z.ravel()))
    return g_mse, g_ce, p * (1.0 - p)


def measure_loss_output(draw: Draw) -> Signature:
    g_mse, g_ce, slope = logit_gradients(draw)
    runs: dict[str, dict] = {}
    for name in ("mse-sigmoid", "cross-entropy"):
        trainer = lesson_trainer(name, draw)
        start = _start(trainer)
        steps = _steps_to(trainer, TARGET_ACCURACY, MAX_STEPS)
        early = lesson_trainer(name, draw).train(EARLY_STEPS)["train_accuracy"]
        runs[name] = {"start": start, "steps_to_90": steps, "early_accuracy": early}
    mse, ce = runs["mse-sigmoid"], runs["cross-entropy"]
    mse_steps = mse["steps_to_90"] if mse["steps_to_90"] is not None else MAX_STEPS
    speedup = mse_steps / ce["steps_to_90"] if ce["steps_to_90"] else 0.0
    grad_ratio = mse["start"]["weight_grad_norm"] / ce["start"]["weight_grad_norm"]
    softmax = lesson_trainer("softmax", draw).train(SOFTMAX_STEPS)
    values = {
        "start_accuracy": ce["start"]["accuracy"],
        "start_wrong_probability": ce["start"]["mean_wrong_probability"],
        "start_sigmoid_slope": mse["start"]["mean_sigmoid_slope"],
        "start_grad_mse": mse["start"]["weight_grad_norm"],
        "start_grad_cross_entropy": ce["start"]["weight_grad_norm"],
        "start_grad_ratio": grad_ratio,
        "slope_factor_error": float(np.abs(g_mse / g_ce - slope).max()),
        "logit_grad_ratio_max": float(np.abs(g_mse / g_ce).max()),
        "steps_to_90_mse": mse["steps_to_90"],
        "steps_to_90_cross_entropy": ce["steps_to_90"],
        "speedup": speedup,
        "accuracy_after_25_mse": mse["early_accuracy"],
        "accuracy_after_25_cross_entropy": ce["early_accuracy"],
        "softmax_test_accuracy": softmax["test_accuracy"],
    }
    ce_steps = ce["steps_to_90"] if ce["steps_to_90"] is not None else MAX_STEPS
    claims = (
        claim("the start is confidently wrong",
              values["start_accuracy"] <= START_MAX_ACCURACY
              and values["start_wrong_probability"] >= START_MIN_WRONG,
              start_accuracy=values["start_accuracy"],
              wrong_probability=values["start_wrong_probability"]),
        claim("squared error's logit gradient is cross-entropy's times p(1 - p)",
              values["slope_factor_error"] <= 1e-12,
              error=values["slope_factor_error"]),
        claim("squared error's first gradient is a small fraction of cross-entropy's",
              grad_ratio <= MAX_GRAD_RATIO, grad_ratio=grad_ratio,
              sigmoid_slope=values["start_sigmoid_slope"]),
        claim("cross-entropy reaches 90% far sooner than squared error",
              ce["steps_to_90"] is not None and speedup >= MIN_SPEEDUP,
              steps_cross_entropy=ce_steps, steps_mse=mse_steps, speedup=speedup),
        claim("softmax + cross-entropy learns three classes",
              softmax["test_accuracy"] >= SOFTMAX_MIN_ACCURACY,
              test_accuracy=softmax["test_accuracy"]),
    )
    return Signature(
        claims=claims,
        values=values,
        summary=f"from a confidently wrong start (accuracy {values['start_accuracy']:.0%}), "
                f"cross-entropy reaches 90% in {ce['steps_to_90']} steps and squared error "
                f"on a sigmoid in {mse['steps_to_90']} ({speedup:.0f}x slower); its first "
                f"gradient is {grad_ratio:.2g} of cross-entropy's, as p(1-p) averages "
                f"{values['start_sigmoid_slope']:.2g}; softmax on 3 blobs: "
                f"{softmax['test_accuracy']:.0%} test accuracy",
    )


LOSS_AND_OUTPUT = Lesson(
    name="loss-and-output",
    title="Squared error or cross-entropy?",
    claim="Use squared error with a linear output, and cross-entropy for classes: softmax "
          "plus cross-entropy, or sigmoid plus cross-entropy for two. A sigmoid output "
          "trained with squared error learns very slowly when it starts confidently wrong.",
    watch="Both binary runs start from the same hand-set weights: the boundary map is the "
          "wrong way round, each blob sitting in the other class's colour, and the output "
          "is near 0 or 1, so the net is sure of it. Play both and watch the loss chart "
          "and the map: cross-entropy flips the boundary within about 10 steps, squared "
          "error sits on a flat loss for 300 to 450 steps first, whatever the seed. The "
          "softmax run shows three classes, one colour each.",
    why="With squared error on a sigmoid the gradient at the output is (p - t) p (1 - p); "
        "when the unit is saturated, p (1 - p) is nearly 0 even though the answer is "
        "wrong. Cross-entropy's gradient is just p - t, largest when most wrong, and "
        "softmax with cross-entropy gives the same p - t for each class.",
    spec=MSE_SIGMOID,
    steps=500,
    pace=Pace(2, loss_settles(),
              "squared error on a sigmoid crawls out of its confident wrong start"),
    measure_fn=measure_loss_output,
    expectation=f"from the same wrong start and learning rate, cross-entropy reaches 90% "
                f"training accuracy at least {MIN_SPEEDUP:g}x sooner than squared error on a "
                f"sigmoid (measured 28x to 56x); the first gradient of squared error is "
                f"<= {MAX_GRAD_RATIO:.0%} of cross-entropy's; softmax reaches "
                f">= {SOFTMAX_MIN_ACCURACY:.0%} test accuracy on three blobs",
    variants=(
        Variant("mse-sigmoid", "squared error on a sigmoid output", MSE_SIGMOID, WRONG_START),
        Variant("cross-entropy", "sigmoid + cross-entropy", CROSS_ENTROPY, WRONG_START),
        Variant("softmax", "softmax + cross-entropy, 3 classes", SOFTMAX),
    ),
    hand_weights=WRONG_START,
)
