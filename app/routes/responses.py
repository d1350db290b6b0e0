"""What the routes declare besides their own answer: the errors they can answer,
and the ``Location`` of what they create.

Every route lists each 4xx it can really answer, with the one error shape
(:class:`app.error_schema.ErrorBody`), and no other: a 422 only where a body, a query
or a spec can be wrong, a 400 and a 413 only where a body is taken, a 503 and a 507 where
the route writes to a store (WAL readers never wait for a lock). Reused reasons are below;
``answers({404: "...", 422: "..."}, TOO_LARGE)`` builds a ``responses=`` dict.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from app.error_schema import ErrorBody

RUN_GONE = {404: "no run with that id (it may have been dropped after idling, or it is "
                 "another student's)"}
TOO_LARGE = {413: "the request body is larger than the setting max_request_bytes"}
JSON_BODY = {400: "the body cannot be read as JSON text (e.g. it is not UTF-8)", **TOO_LARGE}
BAD_BODY = {422: "the body is not what the operation takes (`loc` names the field), or "
                 "holds NaN or Infinity"}
BAD_QUERY = {422: "a query parameter is out of range (`loc` names it)"}
NEW_RUN = {429: "the server holds its maximum of runs, or this client created too many in "
                "the last minute (see `Retry-After`)",
           409: "this client holds as many runs as one client may (setting "
                "max_runs_per_client): delete one first",
           503: "the engine cannot take a new run: its Ray cluster is out of reach or has "
                "no engine worker left (see `Retry-After`)"}
TOKEN_GUESSES = {429: "this address sent too many wrong teacher tokens in the last minute "
                      "(see `Retry-After`)"}
STORE_BUSY = {503: "the database is busy (try again after `Retry-After`), or the server's "
                   "data folder cannot be written (no `Retry-After`: waiting does not help)",
              507: "the server's disk is full (no `Retry-After`: waiting does not help)"}
BUSY_JOB = {409: "a background job or another request is training this run"}
BAD_STEPS = {422: "`steps` is out of range, or the body is not what the operation takes"}

RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again (sent "
                                              "when waiting helps)",
                               "schema": {"type": "integer"}}}


def answers(*parts: dict[int, str], **extra: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses``: each status of ``parts`` with its reason and the
    error shape (429 and 503 with ``Retry-After``), then ``extra`` by status
    (``_201=...`` for a 201's headers or an example)."""
    out: dict[int | str, dict[str, Any]] = {}
    for part in parts:
        for status, reason in part.items():
            if status in out:
                reason = f"{out[status]['description']}; or {reason}"
            out[status] = {"model": ErrorBody, "description": reason}
            if status in (429, 503):
                out[status]["headers"] = RETRY_AFTER
    for key, value in extra.items():
        out[int(key.lstrip("_"))] = value
    return out


def created(what: str) -> dict[str, Any]:
    """The documentation of a 201 (or 202) answer with a ``Location`` header."""
    return {"description": f"{what}; `Location` is its address",
            "headers": {"Location": {"description": "the path of the new resource",
                                     "schema": {"type": "string"}}}}


def location(request: Request, route: str, **params: str) -> str:
    """The path (with the app's root path) of the resource a route names."""
    return request.url_for(route, **params).path
