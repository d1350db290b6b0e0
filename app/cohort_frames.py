"""Live frames of a class, computed together where the runs live.

A worker takes the live frames queued on it in batches (:mod:`app.engine_pool`,
:mod:`app.cluster_engine`). Here a batch's frames are sorted into cohorts: runs
of one shape (:func:`engine.cohort.cohort_key`) asking for the same number of
steps train as one stacked computation (:func:`engine.cohort.train_together`),
bit for bit as each would alone; then their frames' passes over the data sets
go together too (:func:`engine.cohort.frames.frame_parts`), and each run's
frame is drawn (its maps) and encoded in its turn.
Every other request of the batch is carried out alone, in its turn.

Nothing here imports anything web.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable
from typing import Any

from app.run_host import HostedRun, RunHost
from engine.cohort import cohort_key, train_together
from engine.cohort.frames import frame_parts, together
from engine.cohort.maps import maps_together
from engine.telemetry import FrameParts, MapMaker, frame_grids

log = logging.getLogger(__name__)

LIVE_FRAME = "live_frame"

Outcome = tuple[Any, float]
"""A request's outcome as the caller's ``carry`` gives it, and the seconds it took."""


def key_of(run: HostedRun) -> Hashable | None:
    """The run's cohort key, remembered until its network or batch size changes."""
    trainer = run.trainer
    mark = (id(trainer.net), trainer.batch_size)
    if run.cohort_mark != mark:
        run.cohort_mark, run.cohort_key = mark, cohort_key(trainer)
    return run.cohort_key


def cohorts(host: RunHost, requests: list[tuple[str, str, tuple]]) -> list[list[int]]:
    """Indices of the live frames of ``requests`` that can train together: groups of
    two or more runs held here, with one key, not diverged, asking for the same
    steps, each frame the first request on its run in the batch (so training it
    before its turn changes nothing any request before it sees)."""
    groups: dict[tuple, list[int]] = {}
    seen: set[str] = set()
    for i, (run_id, op, args) in enumerate(requests):
        first = run_id not in seen
        seen.add(run_id)
        run = host.runs.get(run_id)
        if op != LIVE_FRAME or not first or run is None or not args or not args[0]:
            continue
        if run.trainer.status == "diverged":
            continue
        key = key_of(run)
        if key is not None:
            groups.setdefault((key, args[0]), []).append(i)
    return [group for group in groups.values() if len(group) > 1]


MAP_CACHE_VALUES = 1 << 18
"""Values of one layer's maps, summed over the runs drawn together, at most: a
stacked pass over more than fits a core's cache is slower than the runs' own
passes one by one (measured: 16 runs of a 12-unit layer over 2,756 points, 30%
slower), so a cohort's maps go together in groups this size allows, or alone."""


def pass_values(maker: MapMaker, g_out: int, g_units: int) -> int:
    """The values of a run's widest layer over all the points of its map pass."""
    widest = max([*maker.unit_counts().values(), maker.mirror.out_shape[0]])
    dims = maker.shape().dims
    return widest * (g_out ** dims + g_units ** dims)


def draw_together(runs: list[HostedRun], args: list[tuple], parts: list[FrameParts]) -> None:
    """The cohort's maps in one batched pass, into ``parts``, when every frame asks
    for the same grids and the runs share a budget (else each frame draws its own)."""
    if any(a[1:3] != args[0][1:3] or a[4] is not None for a in args):
        return
    if any(run.trainer.budget != runs[0].trainer.budget for run in runs):
        return
    makers = [run.maps for run in runs]
    grids = frame_grids(makers[0], args[0][1], args[0][2], fit=True)
    per_run = pass_values(makers[0], *grids)
    size = max(1, MAP_CACHE_VALUES // per_run)
    if size == 1:
        return
    for start in range(0, len(makers), size):
        drawn = maps_together(makers[start : start + size], *grids)
        if drawn is not None:
            for part, maps in zip(parts[start : start + size], drawn, strict=True):
                part.maps, part.grids = maps, grids


def carry_many(host: RunHost, requests: list[tuple[str, str, tuple]],
               carry: Callable[[str, str, tuple], Any]) -> list[Outcome]:
    """Each (run id, operation, arguments) carried out, in order of the batch, by
    ``carry`` (one request alone); live frames of one cohort first train together,
    then draw their frames with no steps left to take. Returns each request's
    outcome and its seconds (a cohort's training time shared out evenly)."""
    outcomes: list[Outcome | None] = [None] * len(requests)
    trained: dict[int, float] = {}
    try:
        groups = cohorts(host, requests)
    except Exception:  # never a reason to fail the batch: its frames go alone
        log.exception("sorting a batch into cohorts failed; its frames go alone")
        groups = []
    for group in groups:
        runs = [host.runs[requests[i][0]] for i in group]
        args = requests[group[0]][2]
        steps, slice_seconds = args[0], args[5] if len(args) > 5 else None
        started = time.perf_counter()
        deadline = None if slice_seconds is None else started + slice_seconds * len(group)
        trainers = [run.trainer for run in runs]
        try:
            train_together(trainers, steps, deadline)
        except Exception:  # a fault of the cohort's: these frames go alone, as before it
            log.exception("training a cohort of %d runs failed; they train alone", len(runs))
            continue
        for run in runs:
            run.revision += 1
        if together(trainers):
            try:
                parts = frame_parts(trainers)
                draw_together(runs, [requests[i][2] for i in group], parts)
            except Exception:  # each frame then takes its own passes
                log.exception("a cohort's frame passes failed; each run takes its own")
            else:
                for run, part in zip(runs, parts, strict=True):
                    run.prepared = (run.revision, part)
        share = (time.perf_counter() - started) / len(group)
        for i in group:
            trained[i] = share
    for i, (run_id, op, args) in enumerate(requests):
        started = time.perf_counter()
        if i in trained:  # its steps are taken: the frame only
            args = (0, *args[1:])
        outcome = carry(run_id, op, args)
        outcomes[i] = (outcome, time.perf_counter() - started + trained.get(i, 0.0))
    return outcomes
