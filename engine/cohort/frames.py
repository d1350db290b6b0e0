"""A cohort's frame passes, computed together.

A point run's frame (:func:`engine.telemetry.snapshot`) takes an evaluation-mode
forward and backward pass over the training set (the gradient picture, the
units' activity) and a forward pass over the test set (the metrics): a few
dozen NumPy calls each on a few hundred rows, call-bound like a step. For a
cohort these passes go through the stacked twins (:mod:`engine.cohort.twins`),
one call per layer for all runs, and give each run the parts
:func:`engine.telemetry.snapshot` takes as ``parts``: bit for bit what it
computes alone. The maps and the rest of the frame stay per run.
"""

from __future__ import annotations

import numpy as np

from engine.blas_threads import one_blas_thread
from engine.budget import samples_per_pass
from engine.cohort.twins import ActTwin, DenseTwin, build_twins
from engine.layers.dense import _CACHE_ROWS
from engine.telemetry import FrameParts, hidden_activations, norm
from engine.trainer import Trainer


def together(members: list[Trainer]) -> bool:
    """Whether the members' frame passes can go together: point runs whose sets
    each fit one pass of the cached dense route."""
    for member in members:
        rows = max(len(member.X_train), len(member.X_test))
        if (member.data.modality != "points" or rows > _CACHE_ROWS
                or rows > samples_per_pass(member.net, member.budget)):
            return False
    sizes = {(len(m.X_train), len(m.X_test)) for m in members}
    return len(sizes) == 1


@one_blas_thread
def frame_parts(members: list[Trainer]) -> list[FrameParts]:
    """Each member's gradient picture, training-set output, unit activity and
    test-set output (see :class:`engine.telemetry.FrameParts`), from stacked
    evaluation passes. The members share a cohort key and :func:`together` holds."""
    with np.errstate(all="ignore"):
        return _frame_parts(members)


def _frame_parts(members: list[Trainer]) -> list[FrameParts]:
    first = members[0]
    nets = [m.net for m in members]
    P = np.stack([net.params for net in nets])
    G = np.zeros_like(P)
    S = np.stack([net.state for net in nets])
    n_train = len(first.X_train)
    twins = build_twins(nets, (P, G, S), n_train, input_grad=True)
    X = np.stack([m.X_train for m in members])
    T = np.stack([m.T_train for m in members])
    out = twins.body.forward(X, False).copy()
    twins.body.backward(first.loss.grad(out, T))
    paths = [path for path, leaf in first.net.leaves]
    hidden = {path for path, _ in hidden_activations(first.net)}
    pictures: list[dict] = [{} for _ in members]
    activities: list[dict] = [{} for _ in members]
    for path in paths:
        twin = twins.leaves[path]
        if isinstance(twin, DenseTwin):
            for i, picture in enumerate(pictures):
                gi = twin.grad_input
                picture[path] = {"weight_grad_norm": norm(twin.dW[i]),
                                 "input_grad_norm": norm(gi[i]) if gi is not None else 0.0}
        elif isinstance(twin, ActTwin) and path in hidden:
            deriv = twin.fn.derivative(twin.z, twin.a)
            inactive = np.abs(deriv) <= twin.fn.inactive_tol
            counts = np.add.reduce(inactive, axis=1)
            for i, activity in enumerate(activities):
                activity[path] = {"inactive_share": counts[i] / n_train,
                                  "dead": counts[i] == n_train}
    tests = build_twins(nets, (P, G, S), len(first.X_test))
    test_out = tests.body.forward(np.stack([m.X_test for m in members]), False)
    train_eval = _evaluate(first, out, T)
    test_eval = _evaluate(first, test_out, np.stack([m.T_test for m in members]))
    return [FrameParts(pictures[i], out[i], activities[i], test_out[i],
                       evaluated=(train_eval[i], test_eval[i]))
            for i in range(len(members))]


def _evaluate(first: Trainer, out: np.ndarray, T: np.ndarray) -> list[tuple]:
    """Each member's (loss, accuracy) of stacked outputs (C, n, n_out) against its
    targets, as :meth:`engine.trainer.Trainer.evaluate` gives them."""
    loss = first.loss
    values = loss.values(out, T)
    if first.spec.task == "regression":
        return [(float(value), None) for value in values]
    right = np.mean(loss.classify(out) == loss.labels(T), axis=-1)
    return [(float(value), float(share)) for value, share in zip(values, right, strict=True)]
