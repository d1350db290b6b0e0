"""Background jobs: training one run for many steps while the API stays free.

A job trains a run from a background thread, a time slice per request to the
run's engine worker (see :mod:`app.fair_queue`), so snapshots, reads and live
frames interleave with the job; its metrics are brought up to date every
``JOB_CHUNK`` steps. A run has at most one running job; a job that fails
marks only itself failed.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.frames import clean
from app.registry import RunBusyError, RunSlot

log = logging.getLogger(__name__)

JOB_CHUNK = 200
"""Steps between updates of a job's metrics."""

KEEP_FINISHED = 10
"""Finished jobs remembered per run (the oldest are forgotten first)."""


@dataclass(eq=False)
class Job:
    """One background training job; ``state`` is running, finished, failed or cancelled."""

    id: str
    run_id: str
    total: int
    done: int = 0
    state: str = "running"
    metrics: dict[str, Any] | None = None
    error: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "run": self.run_id, "state": self.state, "done": self.done,
                "total": self.total, "metrics": self.metrics, "error": self.error}


class JobBusyError(Exception):
    """The run already has a running job."""

    def __init__(self, job: Job) -> None:
        super().__init__(job.id)
        self.job = job


class JobTable:
    """Jobs by id, at most one running per run."""

    def __init__(self, chunk: int = JOB_CHUNK) -> None:
        self.chunk = chunk
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, slot: RunSlot, steps: int, alive: Callable[[], bool]) -> Job:
        """Start training ``slot`` for ``steps`` steps; ``alive()`` False stops the job
        (the run was deleted). Raises :class:`JobBusyError`."""
        with self._lock:
            running = self.active(slot.id)
            if running is not None:
                raise JobBusyError(running)
            self._forget_old(slot.id)
            job = Job(secrets.token_urlsafe(8), slot.id, steps)
            self._jobs[job.id] = job
        job.thread = threading.Thread(target=self._work, args=(job, slot, alive),
                                      name=f"job-{job.id}", daemon=True)
        job.thread.start()
        return job

    def _work(self, job: Job, slot: RunSlot, alive: Callable[[], bool]) -> None:
        def stopped() -> bool:
            return job.cancel.is_set() or not alive()

        try:
            with slot.training():
                while job.done < job.total and not stopped():
                    job.done += slot.advance(min(self.chunk, job.total - job.done),
                                             stop=stopped)
                    metrics = slot.call("metrics")
                    job.metrics = clean(metrics)
                    if metrics.get("status") == "diverged":
                        break
            job.state = "cancelled" if job.done < job.total and stopped() else "finished"
        except RunBusyError:
            job.error = "another request is training this run"
            job.state = "failed"
        except Exception as err:  # one job's failure must not reach anything else
            log.exception("job %s on run %s failed", job.id, job.run_id)
            job.error = f"training failed: {type(err).__name__}"
            job.state = "failed"

    def get(self, run_id: str, job_id: str) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.run_id == run_id else None

    def active(self, run_id: str) -> Job | None:
        """The running job of a run, if any."""
        for job in list(self._jobs.values()):
            if job.run_id == run_id and job.state == "running":
                return job
        return None

    def _forget_old(self, run_id: str) -> None:
        mine = [j for j in self._jobs.values() if j.run_id == run_id]
        for job in mine[: max(0, len(mine) - KEEP_FINISHED + 1)]:
            del self._jobs[job.id]

    def forget_runs_except(self, run_ids: set[str]) -> None:
        """Cancel and forget the jobs of runs no longer held."""
        with self._lock:
            for job in [j for j in self._jobs.values() if j.run_id not in run_ids]:
                job.cancel.set()
                del self._jobs[job.id]

    def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel every job and wait (up to ``timeout`` seconds in all) for them."""
        deadline = time.monotonic() + timeout
        for job in list(self._jobs.values()):
            job.cancel.set()
        for job in list(self._jobs.values()):
            if job.thread is not None:
                job.thread.join(max(0.0, deadline - time.monotonic()))
