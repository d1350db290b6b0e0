"""Saved models: save a run under a name, list, download, import back, delete.

A saved model's record (from :func:`engine.checkpoint.export_run`) is the whole
JSON document: spec, every weight per layer, batch-norm state, step, epoch and
metrics. It lives in the SQLite store, so it survives a restart; downloading it
gives a file that ``POST /api/models/import`` turns back into a run.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from app.access import Viewer
from app.clients import client_name
from app.deps import (
    JobsDep,
    NewRunDep,
    PageDep,
    PlayersDep,
    RegistryDep,
    RunDep,
    SettingsDep,
    StoreDep,
    ViewerDep,
    page_of,
    spec_limits,
)
from app.error_codes import app_error
from app.errors import ApiError, as_field
from app.routes.responses import (
    BAD_QUERY,
    JSON_BODY,
    NEW_RUN,
    RUN_GONE,
    STORE_BUSY,
    TOKEN_GUESSES,
    answers,
    created,
    location,
)
from app.routes.runs import make_run, run_info
from app.schemas import SPEC_EXAMPLE, ModelListing, ModelPage, RunInfo, SaveRequest
from app.store import ModelNotFound, ModelStore, summary_of
from engine.errors import SpecError

router = APIRouter(prefix="/api", tags=["models"])

MODEL_GONE = {404: "no saved model with that id (or it is another student's)"}

RECORD_EXAMPLE = {
    "format": "nnplay-model", "version": 1, "spec": {**SPEC_EXAMPLE, "hidden": [2]},
    "params": {"0": {"W": [[0.5, -0.2], [0.1, 0.9]], "b": [0.0, 0.1]},
               "2": {"W": [[1.2], [-0.7]], "b": [0.05]}},
    "state": {}, "step": 1000, "epoch": 50,
    "metrics": {"step": 1000, "epoch": 50, "status": "idle", "train_loss": 0.31,
                "test_loss": 0.35, "train_accuracy": 0.86, "test_accuracy": 0.84},
}


def download_name(name: str) -> str:
    """A Content-Disposition value: an ASCII filename and the exact UTF-8 one."""
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "_", name).strip(" ._") or "model"
    return (f'attachment; filename="{ascii_name}.nnplay.json"; '
            f"filename*=UTF-8''{quote(name + '.nnplay.json', safe='')}")


@router.post("/runs/{run_id}/save", status_code=201, response_model=ModelListing,
             summary="Save a run as a named model",
             responses=answers(RUN_GONE, TOKEN_GUESSES, JSON_BODY,
                               {422: "a bad name, or a body that is not `{\"name\": ...}`"},
                               {503: "the store holds its maximum of models"}, STORE_BUSY,
                               {409: "this client keeps as many saved models as one client "
                                     "may (setting max_models_per_client): delete one first"},
                               _201=created("the saved model's listing")))
def save_run(body: SaveRequest, request: Request, response: Response, slot: RunDep,
             store: StoreDep, viewer: ViewerDep) -> dict[str, Any]:
    """Store the run's spec, weights and metrics under `name`; answers the listing.
    A student's or the teacher's model is theirs alone. One client keeps at most
    `max_models_per_client` models (setting)."""
    record = slot.call("export")
    with as_field("name"):
        listing = store.save(body.name, record, summary_of(record, slot.lesson, slot.variant),
                             owner=viewer.owner, client=client_name(viewer, request))
    response.headers["Location"] = location(request, "get_model", model_id=listing["id"])
    return listing


@router.get("/models", response_model=ModelPage, summary="List saved models",
            responses=answers(BAD_QUERY, TOKEN_GUESSES))
def list_models(store: StoreDep, viewer: ViewerDep, page: PageDep) -> dict[str, Any]:
    """A page of the saved models, newest first (without the records): a student's
    own, or those saved outside a class; the teacher sees every one."""
    return page_of(store.list(viewer.owner, viewer.teacher, page.limit, page.offset),
                   store.count_listed(viewer.owner, viewer.teacher), page)


def _readable(model_id: object, store: ModelStore, viewer: Viewer) -> None:
    """ModelNotFound unless the viewer may read the model (others' do not exist)."""
    if not viewer.may_read(store.owner(model_id)):  # type: ignore[arg-type]
        raise ModelNotFound(model_id)


@router.get("/models/{model_id}", summary="Download a saved model",
            responses={200: {"description": "the record, as a file to download",
                             "content": {"application/json": {"example": RECORD_EXAMPLE}}},
                       **answers(MODEL_GONE, TOKEN_GUESSES)})
def get_model(model_id: str, store: StoreDep, viewer: ViewerDep) -> JSONResponse:
    """The saved record (format, version, spec, params, state, step, epoch, metrics),
    sent as an attachment named after the model."""
    _readable(model_id, store, viewer)
    model = store.get(model_id)
    return JSONResponse(model["record"],
                        headers={"Content-Disposition": download_name(model["name"])})


@router.post("/models/import", status_code=201, response_model=RunInfo,
             summary="Open a saved model or an uploaded record as a new run",
             responses=answers({404: "no saved model with that `model_id`"}, TOKEN_GUESSES,
                               JSON_BODY,
                               {422: "a bad record (`loc` names the field)"}, NEW_RUN,
                               _201=created("the new run")))
def import_model(body: Annotated[dict[str, Any], Body(openapi_examples={
                     "saved": {"summary": "a model saved on this server",
                               "value": {"model_id": "pX0dA3mW9kQe1vZr"}},
                     "record": {"summary": "a downloaded record", "value": RECORD_EXAMPLE},
                 })],
                 request: Request, response: Response, settings: SettingsDep,
                 store: StoreDep, registry: RegistryDep, players: PlayersDep, jobs: JobsDep,
                 viewer: ViewerDep, _: NewRunDep) -> dict[str, Any]:
    """Either `{"model_id": ...}` or a whole record as downloaded from
    `GET /api/models/{id}` (checked field by field). The run starts with the
    record's weights, step and epoch and fresh optimiser state."""
    record = body
    if "model_id" in body:
        if len(body) > 1:
            raise app_error("model_id", "model_id_and_record")
        if not isinstance(body["model_id"], str):
            raise app_error("model_id", "not_text")
        try:
            _readable(body["model_id"], store, viewer)
            record = store.get(body["model_id"])["record"]
        except ModelNotFound as err:
            raise ApiError(404, ["body", "model_id"], str(err), "model_not_found",
                           ctx={"id": str(err.model_id)}) from None
    try:
        slot = make_run(request, registry, players, viewer,
                        ("record", record, spec_limits(settings)))
    except SpecError as err:
        if err.field.startswith("record."):  # an unknown top-level key
            raise err.moved(err.field.removeprefix("record.")) from None
        raise
    response.headers["Location"] = location(request, "get_run", run_id=slot.id)
    return run_info(slot, jobs)


@router.delete("/models/{model_id}", status_code=204, summary="Delete a saved model",
               responses=answers(MODEL_GONE, TOKEN_GUESSES, STORE_BUSY))
def delete_model(model_id: str, store: StoreDep, viewer: ViewerDep) -> Response:
    """Delete the saved model for good (runs opened from it are not affected). A
    student's model can be deleted by that student only."""
    owner = store.owner(model_id)
    if not viewer.may_change(owner):
        raise ModelNotFound(model_id)
    store.delete(model_id, owner=owner)
    return Response(status_code=204)
