"""Background jobs: train a run for many steps while the API and the live view
carry on (``/api/runs/{run_id}/jobs``); a run has one running job at a time.
The jobs themselves are :mod:`app.jobs`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.deps import JobsDep, RegistryDep, RunDep, SettingsDep
from app.errors import ApiError
from app.jobs import Job, JobBusyError, JobTable
from app.registry import RunBusyError
from app.routes.responses import (
    BAD_STEPS,
    JSON_BODY,
    RUN_GONE,
    TOKEN_GUESSES,
    answers,
    created,
    location,
)
from app.schemas import JobInfo, TrainRequest
from engine.validate import as_int

router = APIRouter(prefix="/api/runs", tags=["runs"])

JOB_STEPS_FACTOR = 100
"""A background job may train this many times max_steps_per_request."""


@router.post("/{run_id}/jobs", status_code=202, response_model=JobInfo,
             summary="Train for many steps in the background",
             responses=answers(RUN_GONE, TOKEN_GUESSES,
                               {409: "a job or request is already training this run"},
                               JSON_BODY, BAD_STEPS, _202=created("the job, started")))
def start_job(body: TrainRequest, request: Request, response: Response, slot: RunDep,
              settings: SettingsDep, registry: RegistryDep, jobs: JobsDep) -> dict[str, Any]:
    """Start training `steps` steps (at most 100 x max_steps_per_request) in the
    background; follow it with GET on the job. One job per run at a time."""
    steps = as_int("steps", body.steps, 1, settings.max_steps_per_request * JOB_STEPS_FACTOR)
    if slot.busy and jobs.active(slot.id) is None:  # a REST request is training it
        raise RunBusyError(slot.id)
    try:
        job = jobs.start(slot, steps, alive=lambda: registry.has(slot.id))
    except JobBusyError as err:
        raise ApiError.coded(409, ["path", "run_id"], "job_already_training",
                             job=err.job.id) from None
    response.headers["Location"] = location(request, "get_job", run_id=slot.id, job_id=job.id)
    return job.describe()


def _job(run_id: str, job_id: str, jobs: JobTable) -> Job:
    job = jobs.get(run_id, job_id)
    if job is None:
        raise ApiError.coded(404, ["path", "job_id"], "job_not_found", id=run_id, job=job_id)
    return job


NO_JOB = {404: "no run with that id, or the run has no job with that id"}


@router.get("/{run_id}/jobs/{job_id}", response_model=JobInfo, summary="Follow a job",
            responses=answers(NO_JOB, TOKEN_GUESSES))
async def get_job(slot: RunDep, job_id: str, jobs: JobsDep) -> dict[str, Any]:
    """Steps done of the total, state (running, finished, failed, cancelled) and the
    metrics after the last chunk."""
    return _job(slot.id, job_id, jobs).describe()


@router.delete("/{run_id}/jobs/{job_id}", response_model=JobInfo, summary="Cancel a job",
               responses=answers(NO_JOB, TOKEN_GUESSES))
async def cancel_job(slot: RunDep, job_id: str, jobs: JobsDep) -> dict[str, Any]:
    """Ask a running job to stop after its current chunk (the run keeps what it learnt)."""
    job = _job(slot.id, job_id, jobs)
    job.cancel.set()
    return job.describe()

