"""Activation functions and their derivatives: the notes' identities, checked.

Without a non-linear activation a stack of layers collapses into one linear map, so
the activation is what lets a network bend its input space. The notes give the
derivatives backpropagation needs, each written with the unit's own output p:

* sigmoid(x) = 1 / (1 + e^-x), and sigmoid'(x) = p (1 - p): at most 1/4 (at 0),
  and close to 0 once p is near 0 or 1 (the unit is "saturated");
* tanh(x) = (e^x - e^-x) / (e^x + e^-x), and tanh'(x) = 1 - p^2: at most 1, close
  to 0 once p is near -1 or 1;
* tanh(x) = 2 sigmoid(2x) - 1: tanh is a sigmoid stretched and shifted;
* ReLU(x) = max(0, x), and ReLU'(x) is 1 for x > 0 and 0 otherwise: it never
  saturates for positive inputs, but passes no gradient at all for negative ones.

The lesson checks each identity on a grid of x in [-5, 5] with the engine's own
functions (exact up to rounding, max error <= 1e-12), checks every derivative the
engine uses against a central difference (f(x + h) - f(x - h)) / 2h (<= 1e-6,
away from the kink at 0), and returns f and f' of every activation for the page's
activation explorer (:func:`curves`).
"""

from __future__ import annotations

import numpy as np

from engine.activations import FUNCTIONS, Activation, LeakyReLU, ReLU, Sigmoid, Tanh
from engine.initializers import Initializer
from engine.layers import PReLU, RReLU
from engine.layers.base import Layer
from engine.lessons.base import Draw, Lesson, Pace, Signature, Variant, claim
from engine.lessons.pace import loss_settles
from engine.network import Network
from engine.spec_layers import ACTIVATION_OPTIONS

GRID = np.linspace(-5.0, 5.0, 201)
H = 1e-5
IDENTITY_TOL = 1e-12
DIFF_TOL = 1e-6
KINKED = ("relu", "leaky_relu", "elu", "prelu", "rrelu")
"""Activations whose derivative jumps at 0 (ELU: its second derivative), where a
central difference straddles the kink; they are compared away from 0."""

PRELU_SLOPE = ACTIVATION_OPTIONS["init_slope"][0]
RRELU_MEAN_SLOPE = (ACTIVATION_OPTIONS["lower"][0] + ACTIVATION_OPTIONS["upper"][0]) / 2


def functions() -> dict[str, Activation]:
    """Every activation as a function object: the fixed ones with their default
    options, PReLU at its initial slope and RReLU at its mean (evaluation) slope."""
    out = {name: cls() for name, cls in FUNCTIONS.items()}
    out["prelu"] = LeakyReLU(PRELU_SLOPE)
    out["rrelu"] = LeakyReLU(RRELU_MEAN_SLOPE)
    return out


def curves(x: np.ndarray) -> dict[str, dict[str, list[float]]]:
    """{activation name: {"f": f(x), "df": f'(x)}} as lists, for every activation
    in ``engine.activations.FUNCTIONS`` plus prelu (initial slope) and rrelu (mean
    slope). x: 1-D array."""
    x = np.asarray(x, dtype=np.float64)
    result = {}
    for name, fn in functions().items():
        a = fn.value(x)
        result[name] = {"f": a.tolist(), "df": fn.derivative(x, a).tolist()}
    return result


def layer_curve(layer: Layer, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f and f' of an activation layer in evaluation mode, one unit fed every x."""
    net = Network([layer], (1,))
    net.init(np.random.default_rng(0), Initializer())
    a = net.forward(x[:, None], False)[:, 0].copy()
    return a, layer.derivative()[:, 0].copy()


def central_difference_errors(x: np.ndarray) -> dict[str, float]:
    """Max |f'(x) - (f(x + H) - f(x - H)) / 2H| per activation, skipping x = 0 for
    the kinked ones."""
    errors = {}
    for name, fn in functions().items():
        xs = x[np.abs(x) > 10 * H] if name in KINKED else x
        numeric = (fn.value(xs + H) - fn.value(xs - H)) / (2 * H)
        errors[name] = float(np.abs(fn.derivative(xs, fn.value(xs)) - numeric).max())
    return errors


def measure_activations(draw: Draw) -> Signature:
    """The identities are exact: every draw gives the same numbers."""
    x = GRID
    sig, tanh, relu = Sigmoid(), Tanh(), ReLU()
    p, t = sig.value(x), tanh.value(x)
    exact_sig = 1.0 / (1.0 + np.exp(-x))
    exact_tanh = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    identities = {
        "sigmoid_value": float(np.abs(p - exact_sig).max()),
        "tanh_value": float(np.abs(t - exact_tanh).max()),
        "sigmoid_slope_p_1_minus_p": float(
            np.abs(sig.derivative(x, p) - np.exp(-x) / (1.0 + np.exp(-x)) ** 2).max()),
        "tanh_slope_1_minus_p2": float(
            np.abs(tanh.derivative(x, t) - 1.0 / np.cosh(x) ** 2).max()),
        "tanh_is_2_sigmoid_2x_minus_1": float(np.abs(t - (2.0 * sig.value(2.0 * x) - 1.0)).max()),
        # the engine computes its sigmoid through tanh, so check the identity from the
        # textbook formulas too
        "tanh_is_2_sigmoid_2x_minus_1_formulas": float(
            np.abs(exact_tanh - (2.0 / (1.0 + np.exp(-2.0 * x)) - 1.0)).max()),
    }
    relu_slope = relu.derivative(x, relu.value(x))
    relu_ok = set(np.unique(relu_slope).tolist()) == {0.0, 1.0} and bool(
        np.array_equal(relu_slope, (x > 0).astype(float)))
    differences = central_difference_errors(x)
    shown = curves(x)
    layer_gap = 0.0
    for name, layer in (("prelu", PReLU(PRELU_SLOPE)), ("rrelu", RReLU())):
        a, d = layer_curve(layer, x)
        layer_gap = max(layer_gap, float(np.abs(a - shown[name]["f"]).max()),
                        float(np.abs(d - shown[name]["df"]).max()))
    edge = np.array([5.0])
    values = {
        "identity_errors": identities,
        "max_identity_error": max(identities.values()),
        "relu_slopes_are_0_or_1": relu_ok,
        "relu_slope_at_0": float(relu.derivative(np.zeros(1), np.zeros(1))[0]),
        "central_difference_errors": differences,
        "max_central_difference_error": max(differences.values()),
        "layer_curve_gap": layer_gap,
        "sigmoid_max_slope": float(sig.derivative(x, p).max()),
        "tanh_max_slope": float(tanh.derivative(x, t).max()),
        "sigmoid_slope_at_5": float(sig.derivative(edge, sig.value(edge))[0]),
        "tanh_slope_at_5": float(tanh.derivative(edge, tanh.value(edge))[0]),
        "x": x.tolist(),
        "curves": shown,
    }
    claims = (
        claim("sigmoid' = p(1 - p), tanh' = 1 - p^2, tanh(x) = 2 sigmoid(2x) - 1",
              values["max_identity_error"] <= IDENTITY_TOL,
              max_identity_error=values["max_identity_error"]),
        claim("ReLU' is 1 for positive inputs and 0 otherwise", relu_ok),
        claim("every derivative matches a central difference",
              values["max_central_difference_error"] <= DIFF_TOL,
              max_central_difference_error=values["max_central_difference_error"]),
        claim("the layers compute the curves the explorer draws", layer_gap == 0.0,
              layer_curve_gap=layer_gap),
    )
    return Signature(
        claims=claims,
        values=values,
        summary=f"on {len(x)} points in [-5, 5] the identities sigmoid' = p(1-p), "
                f"tanh' = 1-p^2 and tanh(x) = 2 sigmoid(2x) - 1 hold to "
                f"{values['max_identity_error']:.1e}, ReLU' takes only the values 0 and 1, "
                f"and every derivative matches a central difference to "
                f"{values['max_central_difference_error']:.1e}; the slope at x = 5 is "
                f"{values['sigmoid_slope_at_5']:.4f} for sigmoid and "
                f"{values['tanh_slope_at_5']:.1e} for tanh",
    )


PRESET = {
    "data": {"name": "circle", "n_samples": 300, "seed": 0},
    "hidden": [4],
    "activation": "tanh",
    "optimizer": {"name": "sgd", "lr": 0.1},
    "batch_size": 10,
    "seed": 0,
}

ACTIVATIONS = Lesson(
    name="activations",
    title="Activation functions and their slopes",
    claim="sigmoid' = p(1 - p), tanh' = 1 - p^2 (p the unit's output), tanh(x) = "
          "2 sigmoid(2x) - 1, and ReLU' is 1 for positive inputs and 0 otherwise.",
    watch="In the activation explorer, put each function next to its slope. The sigmoid's "
          "slope peaks at 0.25 and the tanh's at 1, and both sink towards 0 for large |x| "
          "(at x = 5 only 0.007 and 0.0002 are left): a saturated unit passes almost no "
          "gradient. ReLU's slope is a step: 1 on the right, 0 on the left. Then train the "
          "small circle net with sigmoid, tanh and ReLU units side by side.",
    why="Each slope can be written with the unit's own output, which backpropagation has "
        "already computed in the forward pass, so it costs almost nothing. tanh is a "
        "sigmoid squeezed to half the width and stretched to twice the height, which is "
        "why its slope at 0 is four times larger. The slopes near 0 at both ends are the "
        "seed of the vanishing-gradient problem; ReLU avoids them for positive inputs.",
    spec=PRESET,
    steps=1000,
    pace=Pace(5, loss_settles(), "the tanh net fits the circle"),
    measure_fn=measure_activations,
    expectation=f"identities hold to <= {IDENTITY_TOL:g} on x in [-5, 5], ReLU' is 0 or 1, "
                f"every derivative matches a central difference to <= {DIFF_TOL:g}",
    variants=tuple(
        Variant(name, label, {**PRESET, "activation": name})
        for name, label in (("sigmoid", "sigmoid units"), ("tanh", "tanh units"),
                            ("relu", "ReLU units"))
    ),
)
