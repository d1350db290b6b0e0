"""Dropout: training many thinned networks at once, and scaling to match at test time.

While training, dropout switches each hidden unit off with probability p, a fresh
random choice for every example and step. With n droppable units there are 2^n
thinned networks sharing one set of weights, and training samples among them: the
notes call it model ensembling, which lowers overfitting. A unit cannot rely on one
particular partner, since that partner is often missing.

At test time all units are on, so the activations must be scaled to match what the
next layer saw on average while training. The notes give two ways:

* classic (the book's): train with y = x * m, m ~ Bernoulli(1 - p), and multiply by
  (1 - p) at test time;
* inverted (the modern one): train with y = x * m / (1 - p) and leave the test
  pass alone, so inference costs nothing extra.

Either way E[y] in training equals y at test time. The lesson measures (a) that
equality on a hidden layer, averaging many training-mode passes against one
evaluation pass, and (b) the train/test gap of a 2 x 32 net on 90 noisy circle
points with and without dropout p = 0.5.
"""

from __future__ import annotations

import numpy as np

from engine.layers import Dropout
from engine.lessons.base import Lesson, Signature, Variant
from engine.trainer import Trainer

NO_DROPOUT = {
    "data": {"name": "circle", "n_samples": 300, "noise": 0.4, "train_fraction": 0.3,
             "standardize": True, "seed": 0},
    "hidden": [32, 32],
    "activation": "tanh",
    "optimizer": {"name": "adam", "lr": 0.01},
    "batch_size": 10,
    "seed": 0,
}

RATE = 0.5
INVERTED = {**NO_DROPOUT, "dropout": RATE, "dropout_mode": "inverted"}
CLASSIC = {**NO_DROPOUT, "dropout": RATE, "dropout_mode": "classic"}

STEPS = 2000
PASSES = 10000
"""Training-mode passes averaged for the expected activation (noise ~ 1/sqrt(PASSES))."""
TILE = 500
ENSEMBLE_PASSES = 200
CHECK_SEEDS = (1, 2)
"""Other data and training seeds on which the gap must shrink as well."""


def _with_seed(spec: dict, seed: int) -> dict:
    return {**spec, "seed": seed, "data": {**spec["data"], "seed": seed}}


def expected_activation(trainer: Trainer, passes: int = PASSES) -> dict[str, float]:
    """Mean output of the first dropout layer over ``passes`` training-mode passes on
    the training set, against its one evaluation-mode output.

    Returns the relative difference ||mean_train - eval|| / ||eval|| (Frobenius norm
    over the (n, units) outputs), and the same difference had the layer not scaled
    at all (``unscaled``: x * m averaged, against x), which is about p.
    """
    layers = trainer.net.layers
    first = next((i for i, layer in enumerate(layers) if isinstance(layer, Dropout)), None)
    if first is None:
        raise ValueError("the network has no top-level dropout layer")
    drop = layers[first]
    x = trainer.X_train
    for layer in layers[:first]:
        x = layer.forward(x, False)
    x = np.array(x)
    tiled = np.tile(x, (TILE, 1))
    total = np.zeros_like(x)
    for _ in range(passes // TILE):
        total += drop.forward(tiled, True).reshape(TILE, *x.shape).sum(axis=0)
    mean_train = total / (passes // TILE * TILE)
    evaluated = np.array(drop.forward(x, False))
    keep_scale = 1.0 / (1.0 - drop.p) if drop.mode == "inverted" else 1.0
    raw = mean_train / keep_scale  # what x * m averages to
    norm = float(np.linalg.norm(evaluated))
    return {
        "relative_difference": float(np.linalg.norm(mean_train - evaluated)) / norm,
        "unscaled_difference": float(np.linalg.norm(raw - x) / np.linalg.norm(x)),
    }


def ensemble_agreement(trainer: Trainer, passes: int = ENSEMBLE_PASSES) -> float:
    """Share of test points where the scaled network (evaluation mode) picks the same
    class as the average of ``passes`` random thinned networks (training mode)."""
    X, predict = trainer.X_test, trainer.loss.predict
    votes = np.zeros(X.shape[0])
    for _ in range(passes):
        votes += predict(trainer.net.forward(X, True)).ravel()
    scaled = predict(trainer.net.predict(X)).ravel()
    return float(np.mean((votes / passes > 0.5) == (scaled > 0.5)))


def _gap(metrics: dict) -> dict[str, float]:
    return {
        "train_loss": metrics["train_loss"],
        "test_loss": metrics["test_loss"],
        "loss_gap": metrics["test_loss"] - metrics["train_loss"],
        "accuracy_gap": metrics["train_accuracy"] - metrics["test_accuracy"],
        "test_accuracy": metrics["test_accuracy"],
    }


def measure_dropout() -> Signature:
    runs = {v.name: DROPOUT.trainer(v.name) for v in DROPOUT.variants}
    gaps = {name: _gap(trainer.train(STEPS)) for name, trainer in runs.items()}
    expected = {name: expected_activation(runs[name]) for name in ("inverted", "classic")}
    agreement = ensemble_agreement(runs["inverted"])
    base = gaps["no-dropout"]["loss_gap"]
    ratios = {name: gaps[name]["loss_gap"] / base for name in ("inverted", "classic")}
    other = []
    for seed in CHECK_SEEDS:
        plain = Trainer(_with_seed(NO_DROPOUT, seed)).train(STEPS)
        dropped = Trainer(_with_seed(INVERTED, seed)).train(STEPS)
        other.append(_gap(dropped)["loss_gap"] / _gap(plain)["loss_gap"])
    values = {
        "gaps": gaps,
        "loss_gap_ratio": ratios,
        "other_seed_loss_gap_ratio": other,
        "relative_difference": {k: v["relative_difference"] for k, v in expected.items()},
        "unscaled_difference": {k: v["unscaled_difference"] for k, v in expected.items()},
        "ensemble_agreement": agreement,
    }
    holds = (max(values["relative_difference"].values()) <= 0.02
             and max(*ratios.values(), *other) <= 0.5
             and agreement >= 0.9
             and all(gaps[n]["accuracy_gap"] < gaps["no-dropout"]["accuracy_gap"]
                     for n in ("inverted", "classic")))
    return Signature(
        holds=holds,
        values=values,
        summary=f"the mean training-mode activation matches the test pass to "
                f"{values['relative_difference']['inverted']:.1%} (inverted) and "
                f"{values['relative_difference']['classic']:.1%} (classic), against "
                f"{values['unscaled_difference']['inverted']:.0%} unscaled; test minus train "
                f"loss falls from {base:.2f} without dropout to "
                f"{gaps['inverted']['loss_gap']:.2f} (inverted) and "
                f"{gaps['classic']['loss_gap']:.2f} (classic), ratios "
                f"{', '.join(f'{r:.2f}' for r in other)} on seeds "
                f"{', '.join(map(str, CHECK_SEEDS))}",
    )


DROPOUT = Lesson(
    name="dropout",
    title="Dropout: an ensemble of thinned networks",
    claim="Dropout switches hidden units off at random while training, which trains many "
          "thinned networks that share weights, an ensemble, and so reduces overfitting. "
          "Inverted dropout scales the kept units by 1/(1-p) while training; the classic "
          "way scales by (1-p) at test time. Both keep the expected activation the same.",
    watch="Watch the dropout mask flicker: a different half of the units is off at every "
          "step. On the loss chart, without dropout the training loss keeps falling while "
          "the test loss climbs; with dropout the two curves stay much closer, and the "
          "decision boundary is smoother instead of wrapping round single noisy points.",
    why="A unit that may vanish at any step cannot rely on particular partners, so each "
        "must be useful on its own, and averaging over the thinned networks smooths out "
        "what any one of them memorised. At test time every unit is on, so the outputs are "
        "scaled so that the next layer sees on average what it saw while training.",
    spec=INVERTED,
    steps=STEPS,
    measure_fn=measure_dropout,
    expectation="training-mode mean activation within 2% of the evaluation pass in both "
                "modes; with p = 0.5 the test-minus-train loss gap is at most half the gap "
                "without dropout (seed 0, and seeds 1 and 2 for inverted)",
    variants=(
        Variant("no-dropout", "no dropout", NO_DROPOUT),
        Variant("inverted", "inverted dropout, p = 0.5", INVERTED),
        Variant("classic", "classic dropout, p = 0.5", CLASSIC),
    ),
)
