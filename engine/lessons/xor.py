"""XOR: one neuron cannot fit it; two ReLU units and a linear output can, exactly.

The notes' argument: for f(ax + by + c) with f monotonic, the rows (0,0)->0 and
(0,1)->1 force b > 0, (0,0)->0 and (1,0)->1 force a > 0, but (0,1)->1 and
(1,1)->0 force a < 0: a contradiction, so at most three of the four points can be
right. With h1 = relu(x + y - 1), h2 = relu(-x - y + 1) and out = -h1 - h2 + 1 the
four outputs are exactly (0, 1, 1, 0).
"""

from __future__ import annotations

import numpy as np

from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles, outputs_fade
from engine.trainer import Trainer

XOR_DATA = {"name": "xor-table"}

ONE_NEURON = {
    "data": XOR_DATA,
    "hidden": [],
    "loss": "bce",
    "optimizer": {"name": "sgd", "lr": 0.5},
    "batch_size": 4,
    "seed": 0,
}

TWO_RELU = {
    "data": XOR_DATA,
    "hidden": [2],
    "activation": "relu",
    "loss": "mse",
    "optimizer": {"name": "sgd", "lr": 0.05},
    "batch_size": 4,
    "seed": 0,
}

TWO_RELU_WEIGHTS = (
    ("0", "W", (0, 0), 1.0), ("0", "W", (1, 0), 1.0), ("0", "b", (0,), -1.0),
    ("0", "W", (0, 1), -1.0), ("0", "W", (1, 1), -1.0), ("0", "b", (1,), 1.0),
    ("2", "W", (0, 0), -1.0), ("2", "W", (1, 0), -1.0), ("2", "b", (0,), 1.0),
)
"""h1 = x + y - 1, h2 = -x - y + 1 (layer 0); out = -z1 - z2 + 1 (layer 2)."""

LEARNED = {**TWO_RELU, "hidden": [4], "activation": "tanh", "loss": "bce",
           "optimizer": {"name": "sgd", "lr": 0.5}}
"""A hidden layer that learns XOR from random weights (test loss 0.02 after 300 steps)."""
LEARNED_STEPS = 300

SEEDS = range(5)
STEPS = 3000
FADED = 0.01
"""After STEPS steps the trained neuron's outputs are within this of 0.5."""


def _best_linear_accuracy(samples: int = 20000, seed: int = 0) -> float:
    """Best accuracy of sign(a x + b y + c) on the 4 points over random (a, b, c)."""
    rng = np.random.default_rng(seed)
    abc = rng.normal(size=(samples, 3))
    points = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    predicted = (abc @ points.T) > 0  # (samples, 4)
    truth = np.array([False, True, True, False])
    return float((predicted == truth).mean(axis=1).max())


def measure_one_neuron(draw: Draw) -> Signature:
    trained, spread = [], []
    for offset in SEEDS:
        trainer = Trainer(draw.apply(ONE_NEURON, offset))
        trained.append(trainer.train(STEPS)["train_accuracy"])
        logits = trainer.net.predict(trainer.X_train)[:, 0]  # the sigmoid is in the loss
        spread.append(float(np.abs(1.0 / (1.0 + np.exp(-logits)) - 0.5).max()))
    searched = _best_linear_accuracy(seed=draw.model)
    best = max(max(trained), searched)
    return Signature(
        claims=(
            claim("a trained neuron gets at most 3 of the 4 points", max(trained) <= 0.75,
                  best_trained_accuracy=max(trained)),
            claim("no line of a random search gets more than 3 of the 4", searched <= 0.75,
                  best_searched_accuracy=searched),
            claim("training fades the neuron to 0.5 on every point", max(spread) < FADED,
                  largest_distance_from_half=max(spread)),
        ),
        values={"trained_accuracy": trained, "best_random_search_accuracy": searched,
                "distance_from_half": spread,
                "best_accuracy": best},
        summary=f"best accuracy of one neuron on the 4 XOR points: {best:.0%} "
                f"(trained from {len(trained)} seeds and a search of 20000 lines)",
    )


def measure_two_relu(draw: Draw) -> Signature:
    trainer = Trainer(draw.apply(TWO_RELU))
    for layer, name, index, value in TWO_RELU_WEIGHTS:
        trainer.set_param(layer, name, index, value)
    exact = [float(v) for v in trainer.net.predict(trainer.X_train)[:, 0]]
    learned = Trainer(draw.apply({**TWO_RELU, "optimizer": {"name": "adam", "lr": 0.05}}, 1))
    learned_loss = learned.train(2000)["train_loss"]
    wider = Trainer(draw.apply(LEARNED)).train(LEARNED_STEPS)["test_loss"]
    return Signature(
        claims=(
            claim("the notes' weights give exactly (0, 1, 1, 0)",
                  exact == [0.0, 1.0, 1.0, 0.0]),
            claim(f"4 tanh units learn XOR from random weights in {LEARNED_STEPS} steps",
                  wider < 0.1, test_loss=wider),
        ),
        values={"outputs": exact, "points": trainer.data.points_train.tolist(),
                "learned_train_loss": learned_loss, "learned_4_tanh_test_loss": wider},
        summary=f"hand-set weights give outputs {exact} on (0,0), (0,1), (1,0), (1,1); "
                f"trained from random weights the same net reaches loss {learned_loss:.2g}, "
                f"4 tanh units reach test loss {wider:.2g} in {LEARNED_STEPS} steps",
    )


XOR_ONE_NEURON = Lesson(
    name="xor-one-neuron",
    title="One neuron cannot learn XOR",
    claim="A single neuron f(ax + by + c) cannot fit XOR: its decision boundary is a line, "
          "and no line separates (0,1) and (1,0) from (0,0) and (1,1).",
    watch="Train it and watch the boundary: it is always a straight line, and no line "
          "gets more than 3 of the 4 points (75%). Trained with this loss the neuron does "
          "even worse, whatever the seed: the best it can do is answer 0.5 everywhere, so "
          "its weights shrink towards 0, the output map fades to an even grey and the "
          "accuracy sits at 50%. The boundary is still drawn, as a dark line from the "
          "weights, w1 x1 + w2 x2 + b = 0, with the numbers in the note under the map "
          "(down to about 1e-16), and the links of those weights turn thin.",
    why="f is monotonic, so rows 1 and 2 of the truth table need b > 0, rows 1 and 3 need "
        "a > 0, but rows 2 and 4 need a < 0: the four conditions contradict each other.",
    spec=ONE_NEURON,
    steps=STEPS,
    pace=Pace(1, outputs_fade(margin=FADED),
              "the map fades to an even grey (outputs within 0.01 of 0.5)"),
    measure_fn=measure_one_neuron,
    expectation="best accuracy on the 4 XOR points <= 75% (5 trained neurons and a search "
                "of 20000 lines); trained, the neuron's outputs end within 0.01 of 0.5",
)

XOR_TWO_RELU = Lesson(
    name="xor-two-relu",
    title="Two ReLU units solve XOR exactly",
    claim="One hidden layer of 2 ReLU units, h1 = x + y - 1 and h2 = -x - y + 1, with the "
          "linear output -z1 - z2 + 1 gives exactly (0, 1, 1, 0).",
    watch="The weights are set by hand as in the notes: the output map is 1 on the band "
          "between the two lines and 0 outside. Edit a weight and watch it break; press "
          "reset, then train from random weights and compare what the net finds.",
    why="Before the ReLU, h1 gives (-1, 0, 0, 1) and h2 gives (1, 0, 0, -1) on the four "
        "points; the ReLU keeps z1 = (0, 0, 0, 1) and z2 = (1, 0, 0, 0), and 1 - z1 - z2 "
        "is (0, 1, 1, 0): the hidden layer bends the plane so a line can separate it.",
    spec=TWO_RELU,
    steps=0,
    pace=Pace(1, loss_settles("learned", steps=LEARNED_STEPS),
              "4 tanh units trained from random weights fit XOR"),
    measure_fn=measure_two_relu,
    expectation="outputs with the hand-set weights are exactly (0, 1, 1, 0); 4 tanh units "
                "trained from random weights reach test loss < 0.1 in 300 steps",
    hand_weights=TWO_RELU_WEIGHTS,
    variants=(
        Variant("hand-set", "2 ReLU units, the notes' weights", TWO_RELU, TWO_RELU_WEIGHTS),
        Variant("learned", "4 tanh units trained from random weights", LEARNED),
    ),
)
