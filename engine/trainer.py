"""Training a spec on its data: mini-batch steps, metrics, divergence, hand edits.

A :class:`Trainer` owns one run: the data set, the network, the loss, the optimiser
and three seeded generators spawned from the spec's seed (initialisation, batch
order, training noise), so the same spec and seed give the same numbers bit for
bit, however the steps are grouped into calls and however many BLAS threads the
process has: every method that computes runs with one (see
:mod:`engine.blas_threads`).

The trainer does no I/O. :meth:`Trainer.step` is the hot path (a few dozen NumPy
calls); :meth:`Trainer.train` runs n steps in chunks and checks after each chunk
that the parameters are still finite. If they are not, it rewinds to the chunk's
start and replays step by step, so the run stops with the last finite state and
``status == "diverged"``. :meth:`Trainer.advance` can also stop at a deadline
(a time slice: a server shares its cores between many runs this way); the steps
it takes are the same steps, so a run's numbers never depend on where it stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from engine.blas_threads import one_blas_thread
from engine.budget import Budget, check_batch, check_run, samples_per_pass
from engine.build import build_loss, build_network, build_optimizer, output_width
from engine.compute import check_pass, check_step
from engine.data import Dataset, build_dataset
from engine.data.points import POINTS
from engine.errors import SpecError
from engine.initializers import Initializer
from engine.layers import BatchNorm
from engine.spec import Limits, Spec, parse_spec
from engine.validate import as_float, as_int

CHUNK = 64
"""Steps between divergence checks."""

MAX_HAND_VALUE = 1e3
"""Largest magnitude a weight or bias may be set to by hand."""


def train_in_chunks(n: int, deadline: float, step: Callable[[], None],
                    checkpoint: Callable[[], Any],
                    check: Callable[[Any, int, int], Any]) -> Any:
    """``n`` calls of ``step`` in chunks of :data:`CHUNK`, stopping after the first
    step that ends at or past ``deadline`` (a :func:`time.perf_counter` reading).
    Before each chunk ``checkpoint()`` saves what a rewind needs; after it
    ``check(saved, done, taken)`` (done: steps before the chunk) returns None to go
    on, or what to return instead (a run that diverged). Returns the steps done."""
    done = 0
    clock = time.perf_counter
    while done < n:
        chunk = min(CHUNK, n - done)
        saved = checkpoint()
        taken = 0
        while taken < chunk:
            step()
            taken += 1
            if clock() >= deadline:
                break
        stop = check(saved, done, taken)
        if stop is not None:
            return stop
        done += taken
        if clock() >= deadline:
            break
    return done


class Trainer:
    """One training run.

    Args:
        spec: a :class:`Spec` or a JSON-like dict (validated with ``limits``).
        limits: the server's limits; their ``budget`` bounds the run's memory (a
            mini-batch, a pass over the data, a probe, a frame's maps).
        dataset: use this data instead of drawing ``spec.data`` (e.g. uploaded points).

    Raises:
        SpecError: a bad spec, or one over the budget (``batch_size``,
            ``data.n_samples``).

    Attributes:
        spec, data, net, loss, opt: the parts. budget: the run's memory budget.
        step_count: optimiser steps taken. epoch: full passes over the training set.
        status: ``"idle"`` or ``"diverged"``.
        batch_norm: whether the net has batch normalisation (then batches hold at
            least 2 samples).
    """

    @one_blas_thread
    def __init__(self, spec: Spec | Mapping[str, Any], limits: Limits | None = None,
                 dataset: Dataset | None = None) -> None:
        limits = limits or Limits()
        self.spec = spec if isinstance(spec, Spec) else parse_spec(spec, limits)
        self.budget: Budget = limits.budget
        self.data = dataset if dataset is not None else build_dataset(self.spec.data)
        self._build()

    # -- construction --------------------------------------------------------------
    def _build(self) -> None:
        spec, data = self.spec, self.data
        init_seq, order_seq, noise_seq = np.random.SeedSequence(spec.seed).spawn(3)
        self.net = build_network(spec, data.input_shape, data.vectors)
        self.net.init(np.random.default_rng(init_seq),
                      Initializer(spec.init, spec.init_scale), spec.bias_init)
        self._noise_rng = np.random.default_rng(noise_seq)
        self._order_rng = np.random.default_rng(order_seq)
        self.net.set_rng(self._noise_rng)
        self.loss = build_loss(spec)
        self.opt = build_optimizer(spec, self.net)
        dtype, n_out = self.net.dtype, output_width(spec)
        self.X_train = np.ascontiguousarray(data.X_train, dtype=dtype)
        self.X_test = np.ascontiguousarray(data.X_test, dtype=dtype)
        self.T_train = self.loss.targets(data.y_train, n_out, dtype)
        self.T_test = self.loss.targets(data.y_test, n_out, dtype)
        self.batch_size = min(spec.batch_size, len(self.X_train))
        size_field = "data.points" if spec.data.name == POINTS else "data.n_samples"
        check_run(self.net, self.batch_size, len(self.X_train), len(self.X_test),
                  data.modality == "points", self.budget,
                  size_field)
        check_step(self.net, self.batch_size)
        check_pass(self.net, len(self.X_train) + len(self.X_test), size_field)
        self.step_count = 0
        self.epoch = 0
        self.status = "idle"
        self.last_batch_loss = float("nan")
        self._pos = len(self.X_train)  # forces a shuffle on the first step
        self._Xp = self.X_train
        self._Tp = self.T_train
        # bound methods, looked up once for the hot path
        self._forward = self.net.forward
        self._backward = self.net.backward
        self._loss_grad = self.loss.grad
        self._update = self.opt.step
        self._params, self._grads = self.net.params, self.net.grads
        self._n_train = len(self.X_train)
        self._chunk = samples_per_pass(self.net, self.budget)
        self.batch_norm = any(isinstance(leaf, BatchNorm) for _, leaf in self.net.leaves)
        if self.batch_norm and self._n_train < 2:
            raise SpecError.coded("data.train_fraction", "batch_norm_split", count=self._n_train)
        # batch norm: a batch ending here would leave the epoch's last sample alone
        # in the next one, so that sample joins this batch (-1: never)
        self._fold_at = self._n_train - 1 if self.batch_norm else -1

    @one_blas_thread
    def reset(self) -> None:
        """Back to step 0 with the same seed: the same weights and batch order again."""
        self._build()

    # -- training ----------------------------------------------------------------
    def _new_epoch(self) -> None:
        if self.step_count:
            self.epoch += 1
        perm = self._order_rng.permutation(len(self.X_train))
        self._Xp = self.X_train[perm]
        self._Tp = self.T_train[perm]
        self._pos = 0

    @one_blas_thread
    def step(self) -> None:
        """One mini-batch step: forward, loss gradient, backward, update. In a net
        with batch normalisation an epoch's last sample never makes a batch of its
        own (its batch variance would be 0): it joins the batch before it."""
        self._step()

    def _step(self) -> None:
        """:meth:`step` without pinning BLAS threads: the hot loop of :meth:`_train`,
        whose caller :meth:`advance` pins them once for all its steps."""
        if self._pos >= self._n_train:
            self._new_epoch()
        pos = self._pos
        end = pos + self.batch_size
        if end == self._fold_at:
            end = self._n_train
        self._pos = end
        out = self._forward(self._Xp[pos:end], True)
        self._backward(self._loss_grad(out, self._Tp[pos:end]))
        self._update(self._params, self._grads)
        self.step_count += 1

    @one_blas_thread
    def train(self, n: int) -> dict[str, float | int | str | None]:
        """Run ``n`` steps (fewer if the run diverges) and return :meth:`metrics`."""
        self.advance(n)
        return self.metrics()

    @one_blas_thread
    def advance(self, n: int, deadline: float | None = None) -> int:
        """Run ``n`` steps (fewer if the run diverges) without evaluating anything;
        returns the number of steps taken.

        ``deadline``: a :func:`time.perf_counter` reading after which no further
        step starts (at least one step is always taken when ``n`` > 0), so that
        a caller sharing a core between runs gets its turn back within about one
        step of the deadline."""
        n = as_int("steps", n, 0, 10**9)
        if self.status == "diverged":
            return 0
        with np.errstate(all="ignore"):  # overflow on the way to divergence is expected
            return self._train(n, math.inf if deadline is None else deadline)

    def _train(self, n: int, deadline: float) -> int:
        return train_in_chunks(n, deadline, self._step, self._checkpoint, self._rewound)

    def _rewound(self, saved: tuple, done: int, taken: int) -> int | None:
        """After a chunk: None if the run is finite; else the run rewound to the
        chunk's start and replayed up to its last finite step, and the steps taken."""
        if self._finite():
            return None
        self._restore(saved)
        return done + self._replay(taken)

    def _replay(self, taken: int) -> int:
        """After a chunk of ``taken`` steps left the run non-finite and it was
        rewound to the chunk's start: the chunk again step by step, stopping before
        the first step that is not finite; the run is then diverged. Returns the
        finite steps taken."""
        finite = 0
        while finite < taken:
            before = self._checkpoint()
            self._step()
            if not self._finite():
                self._restore(before)
                break
            finite += 1
        self.status = "diverged"
        return finite

    def _finite(self) -> bool:
        return math.isfinite(float(self.net.params.sum())) and math.isfinite(
            float(self.net.state.sum()))

    def _checkpoint(self) -> tuple:
        return (self.net.params.copy(), self.net.state.copy(), self.opt.state(),
                self._order_rng.bit_generator.state, self._noise_rng.bit_generator.state,
                self._Xp, self._Tp, self._pos, self.step_count, self.epoch)

    def _restore(self, saved: tuple) -> None:
        params, state, opt_state, order, noise, Xp, Tp, pos, steps, epoch = saved
        self.net.params[...] = params
        self.net.state[...] = state
        self.opt.load_state(opt_state)
        self._order_rng.bit_generator.state = order
        self._noise_rng.bit_generator.state = noise
        self._Xp, self._Tp, self._pos, self.step_count, self.epoch = Xp, Tp, pos, steps, epoch

    # -- evaluation ----------------------------------------------------------------
    @one_blas_thread
    def evaluate(self, X: np.ndarray, T: np.ndarray,
                 out: np.ndarray | None = None) -> tuple[float, float | None]:
        """Loss and accuracy (None for regression) in evaluation mode.

        X: (n, k) inputs; T: (n, n_out) targets as prepared by the loss; ``out`` the
        evaluation-mode output for X when the caller has it already.
        """
        with np.errstate(all="ignore"):
            if out is None:
                out = self.forward_all(X)
            loss = self.loss.value(out, T)
        if self.spec.task == "regression":
            return loss, None
        return loss, float(np.mean(self.loss.classify(out) == self.loss.labels(T)))

    @one_blas_thread
    def forward_all(self, X: np.ndarray) -> np.ndarray:
        """Evaluation-mode output for X (n, *in_shape) -> (n, n_out), in chunks of
        :func:`engine.budget.samples_per_pass` samples, so a pass over the whole data
        set (or many points to predict) stays within the run's budget. The result
        may be a buffer the next pass reuses."""
        if len(X) <= self._chunk:
            return self.net.forward(X, False)
        return np.concatenate([self.net.forward(X[i : i + self._chunk], False)
                               for i in range(0, len(X), self._chunk)])

    @one_blas_thread
    def metrics(self, train_out: np.ndarray | None = None,
                test_out: np.ndarray | None = None) -> dict[str, float | int | str | None]:
        """Step, epoch, status, and train/test loss and accuracy on the full sets
        (``train_out``, ``test_out``: the evaluation-mode outputs on the sets, if
        known)."""
        train = self.evaluate(self.X_train, self.T_train, train_out)
        return self.metrics_of(train, self.evaluate(self.X_test, self.T_test, test_out))

    def metrics_of(self, train: tuple[float, float | None],
                   test: tuple[float, float | None]) -> dict[str, float | int | str | None]:
        """:meth:`metrics` from the (loss, accuracy) of the training and test sets."""
        (train_loss, train_acc), (test_loss, test_acc) = train, test
        return {
            "step": self.step_count,
            "epoch": self.epoch,
            "status": self.status,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": train_acc,
            "test_accuracy": test_acc,
        }

    # -- changes between steps ---------------------------------------------------
    def set_param(self, layer: str, name: str, index: Sequence[int], value: float) -> None:
        """Set one weight or bias by hand, e.g. ``("0", "W", (1, 3), -0.5)``."""
        try:
            entry = self.net.entry(str(layer), str(name))
        except KeyError:
            paths = sorted({e.path for e in self.net.entries})
            if str(layer) not in paths:
                raise SpecError.coded("layer", "no_param_layer", layer=repr(layer),
                                      layers=", ".join(paths)) from None
            names = [e.name for e in self.net.entries if e.path == str(layer)]
            raise SpecError.coded("name", "layer_param_names", layer=str(layer),
                                  names=", ".join(names)) from None
        if not isinstance(index, Sequence) or len(index) != len(entry.shape):
            raise SpecError.coded("index", "index_count", count=len(entry.shape),
                                  shape=str(entry.shape))
        idx = tuple(as_int(f"index.{i}", v, 0, size - 1)
                    for i, (v, size) in enumerate(zip(index, entry.shape, strict=True)))
        value = as_float("value", value, -MAX_HAND_VALUE, MAX_HAND_VALUE)
        self.net.view(entry.path, entry.name)[idx] = value
        if self.status == "diverged" and self._finite():
            self.status = "idle"

    def set_hyper(self, lr: float | None = None, l1: float | None = None,
                  l2: float | None = None, batch_size: int | None = None) -> None:
        """Change what may change mid-run; the next step uses the new values. A batch
        size whose step would exceed the run's budget is refused (SpecError naming
        ``batch_size``, with the largest that fits)."""
        if lr is not None:
            self.opt.lr = as_float("lr", lr, 1e-7, 10.0)
        if l1 is not None:
            self.opt.l1 = as_float("l1", l1, 0.0, 1.0)
        if l2 is not None:
            self.opt.l2 = as_float("l2", l2, 0.0, 1.0)
        if batch_size is not None:
            batch = as_int("batch_size", batch_size, 1, len(self.X_train))
            if batch == 1 and self.batch_norm:
                raise SpecError.coded("batch_size", "batch_norm_batch")
            check_batch(self.net, batch, self.budget)
            check_step(self.net, batch)
            self.batch_size = batch

    def hyper(self) -> dict[str, float | int]:
        return {"lr": self.opt.lr, "l1": self.opt.l1, "l2": self.opt.l2,
                "batch_size": self.batch_size}
