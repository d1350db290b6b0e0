"""The boundary line of a one-neuron net (engine/boundary.py), against the net itself."""

from __future__ import annotations

import numpy as np
import pytest

from engine.boundary import boundary_line
from engine.telemetry import snapshot
from engine.trainer import Trainer

ONE_NEURON = {"data": {"name": "xor-table"}, "hidden": [], "loss": "bce",
              "optimizer": {"name": "sgd", "lr": 0.5}, "batch_size": 4, "seed": 0}


def predicted(trainer: Trainer, points: np.ndarray) -> np.ndarray:
    """The net's prediction (probability of class 1) at plotted points (m, 2)."""
    out = trainer.net.predict(trainer.data.transform(points))
    return trainer.loss.predict(out)[:, 0]


def points_on(line: tuple[float, float, float], xs: np.ndarray) -> np.ndarray:
    """Points (m, 2) of a x + b y + c = 0 at the given x (b must not be 0)."""
    a, b, c = line
    return np.stack([xs, -(a * xs + c) / b], axis=1)


@pytest.mark.parametrize("spec", [
    ONE_NEURON,
    {**ONE_NEURON, "loss": "mse"},
    {**ONE_NEURON, "loss": "mse", "output_activation": "tanh"},
    {**ONE_NEURON, "loss": "mse", "output_activation": "sigmoid"},
    {"data": {"name": "gauss", "standardize": True, "offset": [3, -2], "scale": 2,
              "features": ["x2", "x1"]}, "hidden": [], "seed": 3},
], ids=["bce", "mse", "mse-tanh", "mse-sigmoid", "standardised-swapped"])
def test_the_prediction_is_one_half_on_the_line(spec: dict) -> None:
    trainer = Trainer(spec)
    trainer.train(20)
    line = boundary_line(trainer)
    assert line is not None
    on = points_on(line, np.linspace(-3, 3, 7))
    np.testing.assert_allclose(predicted(trainer, on), 0.5, atol=1e-9)
    # and on either side of it the two classes
    normal = np.array(line[:2]) / np.hypot(*line[:2])
    above, below = predicted(trainer, on + normal), predicted(trainer, on - normal)
    assert (above > 0.5).all() and (below < 0.5).all()


def test_vanishing_weights_keep_their_line() -> None:
    """One neuron on XOR: after 3000 steps |w| is near 1e-16 and the map is 0.5 to
    the last bit, but the line w . x + b = 0 is that of the weights."""
    trainer = Trainer(ONE_NEURON)
    trainer.train(3000)
    W, b = trainer.net.view("0", "W")[:, 0], trainer.net.view("0", "b")[0]
    assert 0 < np.abs(W).max() < 1e-12
    frame = snapshot(trainer, output_grid=10, unit_grid=4)
    assert np.ptp(frame["output_map"]) == 0  # a uniform map: no line to see in it
    a, bb, c = frame["boundary_line"]
    assert (a, bb, c) == (float(W[0]), float(W[1]), float(b))


@pytest.mark.parametrize("spec", [
    {**ONE_NEURON, "hidden": [2]},
    {"data": {"name": "circle", "features": ["x1", "x2", "x1^2"]}, "hidden": []},
    {"data": {"name": "blobs"}, "hidden": []},
    {"data": {"name": "plane"}, "hidden": []},
    {"data": {"name": "sine"}, "hidden": []},
], ids=["hidden-layer", "squared-feature", "multiclass", "regression", "one-d"])
def test_other_nets_have_no_line(spec: dict) -> None:
    trainer = Trainer(spec)
    assert boundary_line(trainer) is None
    if trainer.data.dims == 2:
        assert "boundary_line" not in snapshot(trainer, output_grid=4, unit_grid=4)
