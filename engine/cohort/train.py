"""Training a cohort: C runs of one shape stepped as one stacked computation.

:func:`train_together` gives each run exactly the steps :meth:`Trainer.advance`
would give it alone, bit for bit: the same batches (each run's own data, batch
order and epoch), the same noise (each run's own generator), the same update
(its own learning rate and regularisation), the same divergence rule. Only the
NumPy calls are shared: the runs' flat buffers are stacked into (C, size) arrays
for the call, each layer's work is one call for the whole cohort (see
:mod:`engine.cohort.twins`), and the results are written back into each run's
own buffers at the end. A run therefore joins a cohort or leaves it between any
two calls with nothing to carry over.

A step at which a run's batch is not the cohort's size (the short last batch of
an epoch, or batch norm's folded one) is taken by that run alone, its rows of
the stacked buffers kept out of the cohort's step.
"""

from __future__ import annotations

import math
import time

import numpy as np

from engine.blas_threads import one_blas_thread
from engine.cohort.twins import build_twins
from engine.optimizers import add_l1, add_l2
from engine.trainer import Trainer, train_in_chunks

STACKED_DATA = 1 << 21
"""Most values (C x samples x features) of training data a call stacks, so that
each step's batches are one slice or one gather; larger data is copied run by
run each step."""


class _Stack:
    """The members' buffers stacked for one call, and the step on them.

    While the call lasts each member's batch position, step count and optimiser
    step live here (``pos``, ``steps``, ``t``, arrays over the cohort); the members
    get them back (:meth:`sync`) before anything of theirs runs alone and at the
    end."""

    def __init__(self, members: list[Trainer]) -> None:
        self.members = members
        first = members[0]
        nets = [m.net for m in members]
        self.opts = [m.opt for m in members]
        self.P = np.stack([net.params for net in nets])
        self.G = np.zeros_like(self.P)
        self.S = np.stack([net.state for net in nets])
        self.slots = {name: np.stack([getattr(m.opt, name) for m in members])
                      for name in first.opt.slots}
        self.batch = first.batch_size
        twins = build_twins(nets, (self.P, self.G, self.S), self.batch)
        self.twin, self.noisy = twins.body, twins.noisy
        self.tmp = np.empty_like(self.P)
        self.decay = first.opt.decay
        self.loss_grad = first.loss.grad
        self.apply = first.opt.apply
        self.dtype = first.net.dtype
        self.pos = np.array([m._pos for m in members])
        self.steps = np.array([m.step_count for m in members])
        self.t = np.array([m.opt.t for m in members])
        self.n_train = np.array([m._n_train for m in members])
        self.fold_at = np.array([m._fold_at for m in members])
        self.lr = self._column([opt.lr for opt in self.opts], np.float64)
        self.l1 = [opt.l1 for opt in self.opts]
        self.l2 = [opt.l2 for opt in self.opts]
        self.rows = np.arange(len(members))[:, None]
        self.span = np.arange(self.batch)
        stacked = len(members) * first.X_train[:1].size * max(m._n_train for m in members)
        self.data = None
        if stacked <= STACKED_DATA and len(set(self.n_train.tolist())) == 1:
            self.data = (np.stack([m._Xp for m in members]), np.stack([m._Tp for m in members]))
        else:
            self.X = np.zeros((len(members), self.batch, *first.X_train.shape[1:]),
                              first.X_train.dtype)
            self.T = np.zeros((len(members), self.batch, *first.T_train.shape[1:]),
                              first.T_train.dtype)

    def _column(self, values: list, dtype: np.dtype) -> object:
        """A per-run number: itself when every run has the same (what a run alone
        multiplies by), else a (C, 1) column."""
        if all(v == values[0] for v in values):
            return values[0]
        return np.array(values, dtype=dtype).reshape(-1, 1)

    # -- members' own state --------------------------------------------------------
    def sync(self, i: int) -> None:
        """Member i's position and counts from the cohort's arrays."""
        member = self.members[i]
        member._pos = int(self.pos[i])
        member.step_count = int(self.steps[i])
        member.opt.t = int(self.t[i])

    def resync(self, i: int) -> None:
        """The cohort's arrays from member i (after it ran alone)."""
        member = self.members[i]
        self.pos[i], self.steps[i], self.t[i] = member._pos, member.step_count, member.opt.t
        if self.data is not None:
            self.data[0][i], self.data[1][i] = member._Xp, member._Tp

    def write_back(self, indices: range | list[int]) -> None:
        """Members' stacked rows and counts back into their own buffers."""
        for i in indices:
            member = self.members[i]
            net = member.net
            net.params[...] = self.P[i]
            net.grads[...] = self.G[i]
            net.state[...] = self.S[i]
            for name, stack in self.slots.items():
                getattr(member.opt, name)[...] = stack[i]
            self.sync(i)

    def read_in(self, i: int) -> None:
        """Member ``i``'s own buffers into its stacked rows."""
        member = self.members[i]
        self.P[i] = member.net.params
        self.G[i] = member.net.grads
        self.S[i] = member.net.state
        for name, stack in self.slots.items():
            stack[i] = getattr(member.opt, name)
        self.resync(i)

    # -- one step -------------------------------------------------------------------
    def step(self) -> None:
        """Each member's next step: the regular ones stacked, the others alone."""
        pos, batch = self.pos, self.batch
        for i in np.flatnonzero(pos >= self.n_train):  # a new epoch: a new batch order
            self.sync(i)
            self.members[i]._new_epoch()
            self.resync(i)
        ends = pos + batch
        irregular = (ends > self.n_train) | (ends == self.fold_at)
        alone = np.flatnonzero(irregular).tolist() if irregular.any() else []
        X, T = self._batches(alone)
        if alone:
            if len(alone) == len(self.members):
                for i in alone:
                    self._step_alone(i)
                return
            regular = ~irregular
            np.copyto(pos, ends, where=regular)
            self.steps += regular
            self.t += regular
        else:
            pos += batch
            self.steps += 1
            self.t += 1
        kept = self._keep(alone)
        for twin in self.noisy:
            twin.skip = frozenset(alone)
        out = self.twin.forward(X, True)
        self.twin.backward(self.loss_grad(out, T))
        self._update(alone)
        for i in alone:
            self._restore_rows(i, kept[i])
            self._step_alone(i)

    def _batches(self, alone: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Each member's next batch (C, batch, ...), inputs and targets (the rows of
        members stepping alone hold other samples)."""
        pos, batch = self.pos, self.batch
        if self.data is not None:
            Xp, Tp = self.data
            first = int(pos[0])
            if not alone and (pos == first).all():  # in step: one slice
                return Xp[:, first : first + batch], Tp[:, first : first + batch]
            index = np.minimum(pos, self.n_train - batch)[:, None] + self.span
            return Xp[self.rows, index], Tp[self.rows, index]
        X, T = self.X, self.T
        for i, member in enumerate(self.members):
            if i not in alone:
                start = int(pos[i])
                X[i] = member._Xp[start : start + batch]
                T[i] = member._Tp[start : start + batch]
        return X, T

    def _keep(self, alone: list[int]) -> dict[int, tuple]:
        return {i: (self.P[i].copy(), self.G[i].copy(), self.S[i].copy(),
                    [stack[i].copy() for stack in self.slots.values()]) for i in alone}

    def _restore_rows(self, i: int, kept: tuple) -> None:
        params, grads, state, slots = kept
        self.P[i], self.G[i], self.S[i] = params, grads, state
        for stack, saved in zip(self.slots.values(), slots, strict=True):
            stack[i] = saved

    def _step_alone(self, i: int) -> None:
        """Member i's step on its own buffers, as it trains alone."""
        self.write_back([i])
        self.members[i]._step()
        self.read_in(i)

    def _update(self, alone: list[int]) -> None:
        """Regularisation and the optimiser's update on the stacked rows (the rows of
        members stepping alone are restored afterwards)."""
        for values, add in ((self.l2, add_l2), (self.l1, add_l1)):
            rows = [i for i, v in enumerate(values) if v and i not in alone]
            if not rows:
                continue
            if len(rows) == len(values):
                add(self.P, self.G, self.decay, self._column(values, self.dtype), self.tmp)
                continue
            index = np.array(rows)
            grads = self.G[index]
            add(self.P[index], grads, self.decay,
                np.array([values[i] for i in rows], self.dtype).reshape(-1, 1), self.tmp[index])
            self.G[index] = grads
        stepping = next(i for i in range(len(self.members)) if i not in alone)
        t = self.t
        if alone:  # their rows are restored: any count will do
            t = t.copy()
            t[alone] = t[stepping]
        first = int(t[0])
        counts = first if (t == first).all() else t
        args = self.opts[stepping].stacked_coefficients(self.lr, counts, self.slots)
        self.apply(self.P, self.G, self.tmp, *(
            a.astype(self.dtype) if isinstance(a, np.ndarray) and a.dtype != self.dtype
            else a for a in args))

    # -- chunks and divergence --------------------------------------------------------
    def checkpoint(self) -> tuple:
        """The cohort at a chunk's start, to rewind a member that diverges in it."""
        return (self.P.copy(), self.S.copy(), {k: v.copy() for k, v in self.slots.items()},
                [(int(self.t[i]), m._order_rng.bit_generator.state,
                  m._noise_rng.bit_generator.state, m._Xp, m._Tp, int(self.pos[i]),
                  int(self.steps[i]), m.epoch) for i, m in enumerate(self.members)])

    def rewind(self, i: int, saved: tuple) -> None:
        """Member i as it was at the chunk's start, in its own buffers."""
        P, S, slots, scalars = saved
        t, order, noise, Xp, Tp, pos, steps, epoch = scalars[i]
        opt_state = {"t": t, **{name: stack[i] for name, stack in slots.items()}}
        self.members[i]._restore((P[i], S[i], opt_state, order, noise, Xp, Tp, pos, steps,
                                  epoch))

    def finite(self, i: int) -> bool:
        return (math.isfinite(float(self.P[i].sum()))
                and math.isfinite(float(self.S[i].sum())))


@one_blas_thread
def train_together(members: list[Trainer], n: int, deadline: float | None = None) -> list[int]:
    """Train each member ``n`` steps (fewer for one that diverges), as
    ``member.advance(n, deadline)`` would alone; returns the steps each took.

    The members must share a :func:`engine.cohort.key.cohort_key` and none be
    diverged. With a ``deadline`` the whole cohort stops at the same step, after
    at least one."""
    if not members or n <= 0:
        return [0] * len(members)
    with np.errstate(all="ignore"):
        return _train(list(members), n, math.inf if deadline is None else deadline)


def _train(members: list[Trainer], n: int, deadline: float) -> list[int]:
    stack = _Stack(members)

    def check(saved: tuple, done: int, taken: int) -> list[int] | None:
        broken = [i for i in range(len(members)) if not stack.finite(i)]
        return _diverged(stack, broken, saved, done, taken, n, deadline) if broken else None

    done = train_in_chunks(n, deadline, stack.step, stack.checkpoint, check)
    if isinstance(done, list):
        return done
    stack.write_back(range(len(members)))
    return [done] * len(members)


def _diverged(stack: _Stack, broken: list[int], saved: tuple, done: int, taken: int,
              n: int, deadline: float) -> list[int]:
    """Members that went non-finite in the chunk just taken: each rewound and
    replayed alone step by step (it ends diverged, as alone); the others go on
    as a cohort of their own from the chunk's end."""
    members = stack.members
    steps = [0] * len(members)
    rest = [i for i in range(len(members)) if i not in broken]
    stack.write_back(rest)
    for i in broken:
        stack.rewind(i, saved)
        steps[i] = done + members[i]._replay(taken)
    if rest:
        more = (_train([members[i] for i in rest], n - done - taken, deadline)
                if done + taken < n and time.perf_counter() < deadline else [0] * len(rest))
        for i, extra in zip(rest, more, strict=True):
            steps[i] = done + taken + extra
    return steps
