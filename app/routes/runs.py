"""Runs: create one from a spec or a lesson, train it, look inside, edit it, drop it.

Every operation on a run goes through its :class:`app.registry.RunSlot`, as a
request to the engine worker that holds the run (see :mod:`app.engine_pool`).
Route functions that wait for the engine are plain ``def``: FastAPI runs them in
its thread pool, so training one run never blocks the event loop or another run.
Long training goes to a background job (:mod:`app.routes.jobs`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from app.access import ANYONE, Viewer
from app.classroom import retire_unshown, room_maker
from app.clients import client_name
from app.deps import (
    JobsDep,
    NewRunDep,
    PlayersDep,
    RegistryDep,
    RunDep,
    SettingsDep,
    UploadsDep,
    ViewerDep,
    run_budget,
    spec_limits,
)
from app.error_codes import app_error
from app.errors import ApiError, field_loc
from app.frames import clean, frame_json_bytes
from app.jobs import JobTable
from app.live import Players
from app.registry import RunRegistry, RunSlot
from app.routes.jobs import JOB_STEPS_FACTOR
from app.routes.params import run_params
from app.routes.responses import (
    BAD_BODY,
    BAD_QUERY,
    BAD_STEPS,
    BUSY_JOB,
    JSON_BODY,
    NEW_RUN,
    RUN_GONE,
    TOKEN_GUESSES,
    answers,
    created,
    location,
)
from app.run_host import Recipe
from app.schemas import (
    Hyper,
    HyperRequest,
    Metrics,
    ParamRequest,
    ParamSet,
    Points,
    Prediction,
    PredictRequest,
    ProbeBody,
    RunCreate,
    RunInfo,
    RunParams,
    TrainRequest,
)
from app.settings import Settings
from app.upload_store import UploadStore, resolve_uploads
from engine.errors import SpecError
from engine.lessons import LESSONS
from engine.lessons.base import Draw
from engine.validate import as_int

router = APIRouter(prefix="/api/runs", tags=["runs"])


OUTPUT_GRID = 32
"""The snapshot's default output grid side (the decision boundary: 32 x 32 values)."""

UNIT_GRID = 8
"""The snapshot's default side of each hidden unit's map (8 x 8 values per unit)."""

NOT_POINTS = {422: "the run's data are images or sentences, not points"}

MAPS_OVER_BUDGET = {422: "grids whose maps would exceed the setting max_map_values, or take "
                         "more arithmetic than one grid pass may (`loc` names the grid; the "
                         "message says the largest side that fits)"}


def run_info(slot: RunSlot, jobs: JobTable) -> dict[str, Any]:
    """The run's description and metrics (status ``training`` while a job runs)."""
    info = slot.info()
    if jobs.active(slot.id) is not None:
        info["status"] = "training"
    return clean(info)


def make_run(request: Request, registry: RunRegistry, players: Players, viewer: Viewer,
             recipe: Recipe, lesson: str | None = None, variant: str | None = None) -> RunSlot:
    """A new run for the asker: owned by them (a student or the teacher), counted
    against their client's limit of runs held. A student's runs no page shows go
    first; on a full server a class's run takes the place of another (see
    :func:`app.classroom.room_maker`), anyone else's gets 429."""
    student = viewer.student.id if viewer.student is not None else None
    retire_unshown(registry, players, student)
    return registry.create(recipe, lesson=lesson, variant=variant, owner=viewer.owner,
                           client=client_name(viewer, request),
                           make_room=room_maker(players) if viewer.owner is not None else None)


def build_recipe(body: RunCreate, settings: Settings,
                 uploads: UploadStore | None = None, viewer: Viewer = ANYONE) -> Recipe:
    """How to make the run a create request asks for; SpecError naming the field
    for a bad request (errors inside the spec come when the run is made). A spec
    naming an upload the viewer may read gets its points inline (from ``uploads``)."""
    if body.spec is not None and body.lesson is not None:
        raise app_error("lesson", "lesson_and_spec")
    if body.lesson is None:
        if body.variant is not None:
            raise app_error("variant", "only_with_lesson")
        if body.seed is not None:
            raise app_error("seed", "seed_only_with_lesson")
        if body.data_seed is not None:
            raise app_error("data_seed", "data_seed_only_with_lesson")
        if body.spec is None:
            raise app_error("spec", "spec_or_lesson")
        try:
            spec = body.spec if uploads is None else resolve_uploads(body.spec, uploads,
                                                                      viewer.may_read)
        except SpecError as err:
            raise err.nested("spec") from None
        return ("spec", spec, spec_limits(settings))
    lesson = LESSONS.get(body.lesson)
    if lesson is None:
        raise app_error("lesson", "unknown_lesson", lesson=body.lesson,
                        choices=", ".join(LESSONS))
    names = [v.name for v in lesson.variants]
    if body.variant is not None and body.variant not in names:
        choices = ", ".join(names) if names else "none"
        raise app_error("variant", "unknown_variant", lesson=lesson.name, variant=body.variant,
                        choices=choices)
    if body.data_seed is not None and body.seed is None:
        raise app_error("data_seed", "data_seed_needs_seed")
    draw = None if body.seed is None else Draw(
        body.seed, body.seed if body.data_seed is None else body.data_seed)
    return ("lesson", body.lesson, body.variant, run_budget(settings), draw)


@router.post("", status_code=201, response_model=RunInfo, summary="Create a run",
             responses=answers(JSON_BODY, TOKEN_GUESSES,
                               {422: "a bad spec, lesson or variant (`loc` names the "
                                     "field)"}, NEW_RUN,
                               _201=created("the new run")))
def create_run(body: RunCreate, request: Request, response: Response, settings: SettingsDep,
               registry: RegistryDep, players: PlayersDep, jobs: JobsDep,
               uploads: UploadsDep, viewer: ViewerDep, _: NewRunDep) -> dict[str, Any]:
    """Create a run from `spec`, or from `lesson` (and `variant`; `seed` and
    `data_seed` run the lesson from seeds of one's own). The answer's `id`
    is unguessable: it is the key to the run. A spec's `data` may name an uploaded
    data set, `{"name": "upload", "upload": id}`: the run gets its points inline.
    A student's or the teacher's run (see the classroom) is theirs alone; making
    one drops the student's older runs that none of their pages shows (save a
    model to keep one). One client holds at most `max_runs_per_client` runs
    (setting); on a full server a class's new run takes the place of a run made
    outside the class."""
    slot = make_run(request, registry, players, viewer,
                    build_recipe(body, settings, uploads, viewer), body.lesson, body.variant)
    response.headers["Location"] = location(request, "get_run", run_id=slot.id)
    return run_info(slot, jobs)


@router.get("/{run_id}", response_model=RunInfo, summary="Read a run",
            responses=answers(RUN_GONE, TOKEN_GUESSES))
def get_run(slot: RunDep, jobs: JobsDep) -> dict[str, Any]:
    """Spec, status (idle, training, diverged), step, epoch, settings, layers, metrics."""
    return run_info(slot, jobs)


@router.delete("/{run_id}", status_code=204, summary="Delete a run",
               responses=answers(RUN_GONE, TOKEN_GUESSES))
def delete_run(slot: RunDep, registry: RegistryDep, jobs: JobsDep) -> Response:
    """Drop the run (its running job stops). Saved models are not affected."""
    run_id = slot.id
    registry.delete(run_id)
    job = jobs.active(run_id)
    if job is not None:
        job.cancel.set()
    return Response(status_code=204)


@router.post("/{run_id}/train", response_model=Metrics, summary="Train for n steps",
             responses=answers(RUN_GONE, TOKEN_GUESSES, BUSY_JOB, JSON_BODY, BAD_STEPS))
async def train_run(body: TrainRequest, request: Request, slot: RunDep,
                    settings: SettingsDep, jobs: JobsDep) -> dict[str, Any]:
    """Train `steps` steps (at most the setting max_steps_per_request) and answer the
    metrics. A diverging run stops at its last finite state with status `diverged`;
    losses that are not finite are null. The run trains a time slice at a time
    between other runs' work, so a large net takes as long as its share of the
    server allows; one training request or job at a time per run (else 409). A
    client that goes away stops the training (the run keeps what it learnt)."""
    try:
        steps = as_int("steps", body.steps, 1, settings.max_steps_per_request)
    except SpecError:
        if body.steps > settings.max_steps_per_request * JOB_STEPS_FACTOR:
            raise
        raise app_error("steps", "steps_use_a_job", low=1, high=settings.max_steps_per_request,
                        value=body.steps, id=slot.id) from None
    job = jobs.active(slot.id)
    if job is not None:
        raise ApiError.coded(409, ["path", "run_id"], "job_training_run", job=job.id)
    return clean(await slot.atrain(steps, gone=request.is_disconnected))


SNAPSHOT_EXAMPLE = {
    "run": "x2kYv0cQ7Q9uD1wA8n3L6g", "step": 0, "epoch": 0, "status": "idle",
    "train_loss": 0.69, "test_loss": 0.70, "train_accuracy": 0.5, "test_accuracy": 0.49,
    "layers": [{"path": "0", "type": "dense", "units": 8,
                "params": {"W": [[0.1, -0.3]], "b": [0.0]},
                "weight_grad_norm": 0.02, "input_grad_norm": 0.01},
               {"path": "1", "type": "activation", "name": "tanh",
                "inactive_share": [0.0], "dead": [False], "unit_maps": [[[0.1, 0.2]]]}],
    "output_map": [[0.48, 0.51]], "extent": [-6, 6, -6, 6],
    "hyper": {"lr": 0.03, "l1": 0, "l2": 0, "batch_size": 10},
}


@router.get("/{run_id}/snapshot", summary="Everything a frame shows, as JSON",
            responses={200: {"description": "the frame (arrays as nested lists)",
                             "content": {"application/json": {"example": SNAPSHOT_EXAMPLE}}},
                       **answers(RUN_GONE, TOKEN_GUESSES, BAD_QUERY, MAPS_OVER_BUDGET)})
def get_run_snapshot(
    slot: RunDep,
    output_grid: Annotated[int, Query(ge=2, le=200, description="side of the output's "
                                      "grid (the decision boundary)")] = OUTPUT_GRID,
    unit_grid: Annotated[int, Query(ge=2, le=200, description="side of each hidden "
                                    "unit's map")] = UNIT_GRID,
) -> JSONResponse:
    """Metrics, every weight and bias, gradient norms per dense layer, inactive share
    and dead flags per unit, batch-norm statistics, dropout masks, each unit's map
    on a `unit_grid` grid and the output on an `output_grid` grid over the plane
    (`extent`), and the sides drawn in `grid`. Non-finite numbers are null. The
    default grids are small (a lesson's snapshot is tens of KB); ask for finer ones
    (up to 200) when you draw them, or read only the weights with `GET /params`.
    The maps together (outputs x `output_grid`^2 + hidden units x `unit_grid`^2
    values) may hold at most the setting max_map_values (1,000,000 by default), and a
    grid's pass through the net at most 200 million multiply-adds (a 10 x 64 net's
    output grid at most 72): larger grids are refused with a 422 that names the
    grid and the largest side that fits."""
    try:
        frame = slot.frame(output_grid, unit_grid)
    except SpecError as err:
        raise ApiError.of(422, field_loc("query", err.field), err) from None
    return Response(frame_json_bytes(frame, {"run": slot.id}), media_type="application/json")


@router.get("/{run_id}/params", response_model=RunParams,
            summary="The weights and biases, per layer", responses=answers(RUN_GONE, TOKEN_GUESSES))
def get_run_params(slot: RunDep) -> dict[str, Any]:
    """Each layer that has parameters: its position (`index`) and `path` in the run's
    `layers`, its `kind`, `weights` and `biases` as nested lists with their shapes,
    and any other parameter (batch norm's gamma and beta, PReLU's alpha: one per
    unit after a dense layer, one per channel after a convolution) in
    `others`; with the `step` and `epoch` they belong to. Much smaller than the
    snapshot: no maps, no activity, no gradients."""
    return run_params(slot)


@router.get("/{run_id}/points", response_model=Points, summary="The data points, as plotted",
            responses=answers(RUN_GONE, TOKEN_GUESSES, NOT_POINTS))
def get_run_points(slot: RunDep) -> dict[str, Any]:
    """The run's training and test points in the coordinates of the plotted plane
    (before input features and standardisation): rows `[x1, x2, y]` (1-D data:
    `[x, y]`), `y` a class number or a target value, and the plotted `extent`."""
    return slot.call("points")


@router.post("/{run_id}/predict", response_model=Prediction,
             summary="The network's output on given points",
             responses=answers(RUN_GONE, TOKEN_GUESSES, JSON_BODY, BAD_BODY, NOT_POINTS))
def predict_run(body: PredictRequest, slot: RunDep) -> dict[str, Any]:
    """Evaluate the network (evaluation mode) on up to 10000 points of the input
    plane, in the data set's coordinates (as plotted, before features)."""
    result = slot.call("predict", body.points)
    return {**result, "output": clean(result["output"])}


PROBE_EXAMPLE = {
    "set": "test", "index": 0, "shift": [0, 0], "draw": None, "text": None, "label": 3,
    "input": [[0.21, 0.2]], "scores": [0.01, 0.02, 0.02, 0.9, 0.03, 0.02], "predicted": 3,
    "class_names": ["square", "ring", "cross", "stripes", "checker", "diagonal"],
    "layers": [{"path": "0", "type": "conv2d", "values": [[[0.1, 0.4]]]},
               {"path": "5", "type": "global_max_pool", "argmax": [39, 44],
                "values": [1.2, 0.7]}],
    "pooling": {"source": "1", "max": [[[0.4]]], "mean": [[[0.2]]],
                "overlapping": [[[0.4]]]},
}


@router.post("/{run_id}/probe", summary="One sample's way through an image or text net",
             responses={200: {"description": "the probe (arrays as nested lists)",
                              "content": {"application/json": {"example": PROBE_EXAMPLE}}},
                        **answers(RUN_GONE, TOKEN_GUESSES, JSON_BODY, BAD_BODY,
                                  {422: "the run's data are points, not images or text"})})
def probe_run(body: ProbeBody, slot: RunDep) -> JSONResponse:
    """For a run on image or text data: a sample's input, every top-level layer's
    output for it (feature maps (C, H, W), sequences (C, L), vectors), the class
    scores, for text the words, each conv1d output position's word window and the
    position each filter's max over time picked, and for image nets the first
    convolution block's maps pooled three ways (max 2x2, mean 2x2, overlapping
    max 3x3 stride 2). A run on point data answers 422."""
    result = slot.call("probe", body.model_dump(exclude_none=True))
    return JSONResponse(clean(result))


@router.put("/{run_id}/params", response_model=ParamSet, summary="Set one weight or bias",
            responses=answers(RUN_GONE, TOKEN_GUESSES, JSON_BODY, BAD_BODY))
def set_run_param(body: ParamRequest, slot: RunDep) -> dict[str, Any]:
    """Set one entry of a parameter array; `layer` is a path from the run's `layers`
    (dense layers have `W` of shape (inputs, units) and `b`)."""
    slot.call("set_param", body.layer, body.name, body.index, body.value)
    return {**body.model_dump(), "status": slot.status}


@router.patch("/{run_id}/hyper", response_model=Hyper,
              summary="Change learning rate, regularisation or batch size",
              responses=answers(RUN_GONE, TOKEN_GUESSES, JSON_BODY, BAD_BODY))
def update_run_hyper(body: HyperRequest, slot: RunDep) -> dict[str, Any]:
    """The next step uses the new values. All or nothing: if one value is out of
    range, none changes. A net with batch norm needs a batch_size of 2 or more."""
    return slot.call("set_hyper", body.model_dump(exclude_none=True))


@router.post("/{run_id}/reset", response_model=RunInfo, summary="Back to step 0",
             responses=answers(RUN_GONE, TOKEN_GUESSES))
def reset_run(slot: RunDep, jobs: JobsDep) -> dict[str, Any]:
    """Rebuild the run from its spec and seed: the step-0 weights and batch order again."""
    slot.call("reset")
    return run_info(slot, jobs)
