"""Bad input becomes a clear 4xx answer that names the field; nothing else is a 500.

Every error answer has the shape of FastAPI's own validation errors, so a client
handles one format::

    {"detail": [{"loc": ["body", "spec", "hidden", "1"],
                 "msg": "must be between 1 and 64, got 0", "type": "value_out_of_range",
                 "ctx": {"low": 1, "high": 64, "value": 0}}]}

``loc`` starts with where the value came from (``body``, ``path``, ``query``,
``header``) and continues with the field path (our own paths use strings for list
positions, as in the engine's dotted fields: ``hidden.1``). ``type`` is a stable
code and ``ctx`` the parameters of the English ``msg`` (:mod:`app.error_codes`,
docs/errors.md), so a page can say it in its reader's language.

* :class:`engine.errors.SpecError` (a bad spec, a value out of range): 422.
* An unknown run or saved model: 404 naming the id. A run another request or
  job is training: 409. A full registry: 429; a full model store: 503. A client
  holding as many runs, saved models or uploads as one client may: 409 saying
  which and how to free room. A failed database call (:mod:`app.store_errors`):
  503 with ``Retry-After`` when it was busy; 507 for a full disk and 503 for a
  data folder that cannot be written, both without ``Retry-After`` (waiting does
  not help).
* A request body larger than ``max_request_bytes``: 413, from :class:`BodyGuard`,
  which counts the streamed bytes (not only the Content-Length header). The same
  guard reads every body FastAPI would read as JSON (the same content types, in
  any letter case) and refuses, with a 422 naming the field, NaN and Infinity
  (Python's JSON parser, and so FastAPI, accepts them) and values nested deeper
  than ``max_json_depth`` (see :mod:`app.json_input`).
* Anything else is a bug: it is logged and answered with a 500.

:mod:`app.error_schema` has that shape as a pydantic model, which every 4xx in the
OpenAPI description refers to; :func:`install` drops the 422 FastAPI documents by
itself on operations that declare none (a path id is any string, so it cannot fail).
"""

from __future__ import annotations

import email.message
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.client_limits import ClientLimitError
from app.engine_pool import EngineUnavailableError
from app.error_codes import ALL_ERRORS, message
from app.error_schema import drop_undeclared_422
from app.json_input import JsonInputError, read_json
from app.registry import RegistryFullError, RunBusyError, UnknownRunError
from app.store import ModelNotFound, StoreFull
from app.store_errors import diagnose
from engine.errors import SpecError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
"""Told to a client turned away by a full registry (idle runs are swept this often)."""

THREAD_PARSE_BYTES = 64_000
"""JSON bodies at least this large are checked for NaN in a worker thread."""


class ApiError(Exception):
    """An answer with a given status and one error entry (raised by the routes)."""

    def __init__(self, status: int, loc: list[str], msg: str, kind: str = "value_error",
                 headers: dict[str, str] | None = None,
                 ctx: dict[str, Any] | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.loc = loc
        self.msg = msg
        self.kind = kind
        self.headers = headers
        self.ctx = ctx

    @classmethod
    def coded(cls, status: int, loc: list[str], code: str, /,
              headers: dict[str, str] | None = None, **params: Any) -> ApiError:
        """The answer of one of :data:`app.error_codes.ALL_ERRORS`' codes, its ``msg``
        the code's English sentence and its ``ctx`` the ``params``."""
        return cls(status, loc, message(code, **params), code, headers, params)

    @classmethod
    def of(cls, status: int, loc: list[str], err: SpecError) -> ApiError:
        """The answer of a SpecError (its code and params) at ``loc``."""
        return cls(status, loc, err.message, err.code, None, err.params)


def error_response(status: int, loc: list[Any], msg: str, kind: str,
                   headers: dict[str, str] | None = None,
                   ctx: dict[str, Any] | None = None) -> JSONResponse:
    """The one error format: ``{"detail": [{"loc", "msg", "type"}]}``, with ``ctx``
    (the parameters of ``msg``, see :mod:`app.error_codes`) when there are any."""
    item: dict[str, Any] = {"loc": loc, "msg": msg, "type": kind}
    if ctx:
        item["ctx"] = ctx
    return JSONResponse({"detail": [item]}, status_code=status, headers=headers)


def field_loc(source: str, field: str) -> list[str]:
    """``("body", "spec.hidden.1")`` -> ``["body", "spec", "hidden", "1"]``."""
    return [source, *field.split(".")] if field else [source]


@contextmanager
def as_field(field: str) -> Iterator[None]:
    """Turn a plain ValueError (e.g. the store's check of a name) into a SpecError
    about ``field``; SpecErrors pass through unchanged."""
    try:
        yield
    except SpecError:
        raise
    except ValueError as err:
        raise SpecError.coded(field, "value_refused", ALL_ERRORS, reason=str(err)) from None


async def _spec_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SpecError)
    return error_response(422, field_loc("body", exc.field), exc.message, exc.code,
                          ctx=exc.params)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.loc, exc.msg, exc.kind, exc.headers, exc.ctx)


async def _unknown_run(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownRunError)
    return error_response(404, ["path", "run_id"], str(exc), exc.code, ctx={"id": exc.run_id})


async def _run_busy(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RunBusyError)
    return error_response(409, ["path", "run_id"], str(exc), "run_busy", ctx={"id": exc.run_id})


async def _unknown_model(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ModelNotFound)
    return error_response(404, ["path", "model_id"], str(exc), "model_not_found",
                          ctx={"id": str(exc.model_id)})


async def _registry_full(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RegistryFullError)
    return error_response(429, [], str(exc), "too_many_runs",
                          {"Retry-After": str(RETRY_AFTER_SECONDS)}, {"max": exc.max_runs})


async def _client_limit(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ClientLimitError)
    return error_response(409, [], str(exc), exc.code, ctx=exc.params)


async def _engine_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EngineUnavailableError)
    return error_response(503, [], message("engine_unavailable"), "engine_unavailable",
                          {"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _store_full(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoreFull)
    return error_response(503, [], str(exc), "store_full", ctx={"max": exc.max_models})


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, sqlite3.Error)
    database = request.app.state.settings.database_path
    trouble = await anyio.to_thread.run_sync(diagnose, exc, database)
    if trouble.retry_after is None:
        log.error("database %s: %s (%s)", database, trouble.kind, exc)
        return error_response(trouble.status, [], trouble.message, trouble.kind,
                              ctx=trouble.params)
    log.warning("database %s busy or unavailable: %s", database, exc)
    return error_response(trouble.status, [], trouble.message, trouble.kind,
                          {"Retry-After": str(trouble.retry_after)}, trouble.params)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if isinstance(detail, list):
        return JSONResponse({"detail": detail}, status_code=exc.status_code,
                            headers=exc.headers)
    code = HTTP_CODES.get(exc.status_code)
    if code is not None and detail == message(code):
        return error_response(exc.status_code, [], str(detail), code, exc.headers)
    return error_response(exc.status_code, [], str(detail), "http_error", exc.headers)


HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}
"""The codes of the routing's own answers (an unknown path, a method it lacks)."""


async def _last_resort(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, [], message("internal_error"), "internal_error")


def reads_as_json(content_type: str | None) -> bool:
    """Whether FastAPI may read a body sent with this Content-Type header as JSON:
    ``application/json`` or ``application/<anything>+json``, in any letter case and
    with any parameters (it asks the standard library's e-mail parser for the media
    type, as this does), or none at all (read as JSON unless FastAPI's strict
    content-type check is on, as it is by default: checking it anyway costs little)."""
    if not content_type:
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def _json_problem(body: bytes, max_depth: int) -> JSONResponse | None:
    """A 422 for a JSON body nested too deeply or holding NaN/Infinity, else None
    (malformed JSON is left to FastAPI, which answers it with its own 422)."""
    try:
        read_json(body, max_depth)
    except JsonInputError as err:
        return error_response(422, ["body", *err.path], err.message, err.kind, ctx=err.params)
    except ValueError:  # not JSON at all
        pass
    return None


class BodyGuard:
    """ASGI middleware: reads a request's body (at most ``max_bytes``), answers
    413 beyond it and 422 for NaN/Infinity or nesting deeper than ``max_depth`` in
    JSON, then replays the body."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_depth: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)  # .get: the first of repeated headers, as FastAPI reads
        length = headers.get("content-length")
        if length is not None:
            if not (length.isascii() and length.strip().isdigit()):
                await error_response(400, ["header", "content-length"],
                                     message("length_not_whole"),
                                     "length_not_whole")(scope, receive, send)
                return
            if int(length) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            incoming = await receive()
            if incoming["type"] != "http.request":  # the client went away
                return
            chunk = incoming.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not incoming.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and reads_as_json(headers.get("content-type")):
            if len(body) >= THREAD_PARSE_BYTES:
                problem = await anyio.to_thread.run_sync(_json_problem, body, self.max_depth)
            else:
                problem = _json_problem(body, self.max_depth)
            if problem is not None:
                await problem(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(413, ["body"], message("too_large", max=self.max_bytes),
                             "too_large", ctx={"max": self.max_bytes})(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _document(app: FastAPI) -> None:
    """Make ``app.openapi()`` leave out the 422s no route declared (see above)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            drop_undeclared_422(build())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI, max_request_bytes: int, max_json_depth: int) -> None:
    """Register the handlers above and the body guard on ``app``, and document the
    error answers as the routes declare them."""
    _document(app)
    app.add_middleware(BodyGuard, max_bytes=max_request_bytes, max_depth=max_json_depth)
    app.add_exception_handler(SpecError, _spec_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(UnknownRunError, _unknown_run)
    app.add_exception_handler(RunBusyError, _run_busy)
    app.add_exception_handler(ModelNotFound, _unknown_model)
    app.add_exception_handler(RegistryFullError, _registry_full)
    app.add_exception_handler(StoreFull, _store_full)
    app.add_exception_handler(EngineUnavailableError, _engine_unavailable)
    app.add_exception_handler(ClientLimitError, _client_limit)
    app.add_exception_handler(sqlite3.Error, _store_unavailable)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _last_resort)
