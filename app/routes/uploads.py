"""Your own data: upload a CSV of 2-D points as a data set that any run may use.

``POST /api/uploads?name=...`` takes the CSV itself as the request body (see
:mod:`engine.data.csv_points` for the format) and answers the upload's id and the
``data`` to put in a run spec: ``{"name": "upload", "upload": id}``. When a run is
created, the server replaces that with the points themselves (see
:func:`app.upload_store.resolve_uploads`), so the run, and any model saved from
it, does not need the upload any more. A bad line is a 422 naming it
(``loc: ["body", "csv", "line", "7"]``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.clients import client_name
from app.deps import PageDep, SettingsDep, UploadsDep, ViewerDep, page_of
from app.errors import ApiError
from app.routes.responses import (
    BAD_QUERY,
    STORE_BUSY,
    TOKEN_GUESSES,
    TOO_LARGE,
    answers,
    created,
    location,
)
from app.store import check_name
from app.upload_schemas import UPLOAD_EXAMPLE, UploadInfo, UploadPage, UploadPoints
from app.upload_store import UPLOAD, UploadNotFound, UploadsFull, UploadStore
from engine.data.csv_points import parse_points_csv
from engine.errors import SpecError

router = APIRouter(prefix="/api/uploads", tags=["uploads"])

CSV_EXAMPLE = """x1,x2,label
# one point per line; a header line and # comments are optional
-2.0,1.5,0
-1.2,-0.4,0
1.1,0.7,1
2.3,-1.8,1
"""

ACCEPTED_TYPES = ("", "application/csv", "application/vnd.ms-excel",
                  "application/octet-stream", "application/x-www-form-urlencoded")
"""Content types taken as CSV text besides ``text/*`` (a browser may label a .csv
file ``application/vnd.ms-excel``; curl's ``--data-binary`` without ``-H`` sends
``application/x-www-form-urlencoded``)."""

UPLOAD_GONE = {404: "no uploaded data set with that id (or it is another student's)"}


def _check_content_type(header: str | None) -> None:
    """ApiError 415 unless the body is declared as text (or not declared)."""
    media = (header or "").split(";")[0].strip().lower()
    if media.startswith("text/") or media in ACCEPTED_TYPES:
        return
    raise ApiError.coded(415, ["header", "content-type"], "csv_sent_as_form"
                         if media.startswith("multipart/") else "unsupported_media_type",
                         media=media)


def _decode(body: bytes) -> str:
    """The body as text: UTF-8 (a byte-order mark is dropped), else Latin-1, which
    reads any bytes (a CSV of numbers is ASCII in both)."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def with_data(entry: dict[str, Any]) -> dict[str, Any]:
    """An upload's entry plus the ``data`` a run spec uses to name it."""
    return {**entry, "data": {"name": UPLOAD, "upload": entry["id"]}}


def _store_csv(body: bytes, name: str, kind: str | None, max_rows: int,
               uploads: UploadStore, owner: str | None,
               client: str) -> tuple[dict[str, Any], bool]:
    """Parse and store the CSV (in a worker thread); the entry and whether it is new."""
    try:
        name = check_name(name)
    except SpecError as err:
        raise ApiError.of(422, ["query", "name"], err) from None
    data = parse_points_csv(_decode(body), max_rows, kind)
    try:
        return uploads.add(name, data, owner, client)
    except UploadsFull as err:
        raise ApiError(503, [], str(err), "uploads_full", ctx={"max": err.max_uploads}) from None


@router.post(
    "", status_code=201, response_model=UploadInfo, summary="Upload a CSV of 2-D points",
    responses=answers(
        TOO_LARGE,
        {415: "the body is not declared as text (e.g. a JSON or form body)"},
        {422: "a bad line (`loc` ends with `csv`, `line`, its number), too few or too many "
              "rows, or a bad name or kind"},
        {503: "the server keeps its maximum of uploads"}, STORE_BUSY, TOKEN_GUESSES,
        {409: "this client keeps as many uploads as one client may (setting "
              "max_uploads_per_client): delete one first"},
        _200={"description": "the same points (and kind) were uploaded before: the "
              "stored upload, under its first name",
              "content": {"application/json": {"example": UPLOAD_EXAMPLE}}},
        _201=created("the new upload")),
    openapi_extra={"requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}}}})
async def create_upload(
    request: Request, response: Response, uploads: UploadsDep, settings: SettingsDep,
    viewer: ViewerDep,
    name: Annotated[str, Query(description="1 to 80 characters, shown in listings",
                               examples=["heights and weights"])] = "my points",
    kind: Annotated[Literal["binary", "multiclass", "regression"] | None, Query(
        description="force the task instead of guessing it from the labels")] = None,
) -> dict[str, Any]:
    """The body is the CSV text: one point per line, `x1,x2,label` (or a target
    value), separated by commas, semicolons or tabs; an optional header line, blank
    lines and `#` comments are skipped. At most `max_upload_rows` rows (setting).
    The kind is guessed unless given: labels 0/1 (or -1/1) make a binary set,
    0..K-1 with K = 3 to 5 a multiclass one, anything else a regression. Put the
    answer's `data` in a run spec to train on the points; the id is a hash of the
    content, so the same file always gives the same id."""
    _check_content_type(request.headers.get("content-type"))
    body = await request.body()
    entry, is_new = await run_in_threadpool(
        _store_csv, body, name, kind, settings.max_upload_rows, uploads, viewer.owner,
        client_name(viewer, request))
    if is_new:
        response.headers["Location"] = location(request, "get_upload", upload_id=entry["id"])
    else:
        response.status_code = 200
    return with_data(entry)


@router.get("", response_model=UploadPage, summary="List uploaded data sets",
            responses=answers(BAD_QUERY, TOKEN_GUESSES))
def list_uploads(uploads: UploadsDep, viewer: ViewerDep, page: PageDep) -> dict[str, Any]:
    """A page of the uploaded data sets, newest first, with a preview but without the
    points: a student's own, or those uploaded outside a class; the teacher sees
    every one."""
    entries = uploads.list(viewer.owner, viewer.teacher, page.limit, page.offset)
    return page_of([with_data(entry) for entry in entries],
                   uploads.count_listed(viewer.owner, viewer.teacher), page)


@router.get("/{upload_id}", response_model=UploadPoints, summary="Read an uploaded data set",
            responses=answers(UPLOAD_GONE, TOKEN_GUESSES))
def get_upload(upload_id: str, uploads: UploadsDep, viewer: ViewerDep) -> dict[str, Any]:
    """The upload's summary and all its points, `[x1, x2, label]` per row."""
    try:
        if not viewer.may_read(uploads.owner(upload_id)):
            raise UploadNotFound(upload_id)  # a student's upload is theirs alone
        return with_data(uploads.get(upload_id))
    except UploadNotFound as err:
        raise ApiError(404, ["path", "upload_id"], str(err), "upload_not_found",
                       ctx={"id": str(err.upload_id)}) from None


@router.delete("/{upload_id}", status_code=204, summary="Delete an uploaded data set",
               responses=answers(UPLOAD_GONE, TOKEN_GUESSES, STORE_BUSY))
def delete_upload(upload_id: str, uploads: UploadsDep, viewer: ViewerDep) -> Response:
    """Delete the upload for good. Runs made from it, and models saved from those,
    keep their points: they carry them in their spec."""
    try:
        owner = uploads.owner(upload_id)
        if not viewer.may_change(owner):
            raise UploadNotFound(upload_id)
        uploads.delete(upload_id, owner)
    except UploadNotFound as err:
        raise ApiError(404, ["path", "upload_id"], str(err), "upload_not_found",
                       ctx={"id": str(err.upload_id)}) from None
    return Response(status_code=204)
