"""The one shape of every error answer, as the OpenAPI description shows it.

``{"detail": [{"loc": [...], "msg": "...", "type": "...", "ctx": {...}}]}``: :class:`ErrorBody`
is the model every documented 4xx refers to (the handlers in :mod:`app.errors`
write it), and :func:`drop_undeclared_422` takes out of the description the 422s
FastAPI adds by itself where a route declares none.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorItem(BaseModel):
    """One thing wrong with a request."""

    loc: list[str | int] = Field(description="where: body, path, query, header or cookie, "
                                 "then the field path (our own errors write list positions "
                                 "as strings, FastAPI's validation as integers); empty when "
                                 "the request as a whole is refused")
    msg: str = Field(description="what is wrong, for a person")
    type: str = Field(description="what kind of error, for a program: a stable code such as "
                      "value_out_of_range, csv_not_number, run_not_found (docs/errors.md "
                      "lists them with their sentences), http_error for a rare answer of the "
                      "HTTP layer without a sentence of its own, or pydantic's own "
                      "(missing, ...)")

    model_config = ConfigDict(extra="allow", json_schema_extra={
        "description": "`ctx` holds the values the sentence `msg` is built from (left out "
                       "when there are none); FastAPI's own validation errors add `input`."})


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    detail: list[ErrorItem] = Field(min_length=1)

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"detail": [{"loc": ["body", "spec", "hidden", "1"],
                     "msg": "must be between 1 and 64, got 0", "type": "value_out_of_range",
                     "ctx": {"low": 1, "high": 64, "value": 0}}]}]})


def drop_undeclared_422(schema: dict[str, Any]) -> None:
    """Remove from an OpenAPI ``schema`` the 422 answers FastAPI adds by itself to
    every operation with a parameter (those that refer to its HTTPValidationError;
    a route that can answer 422 declares it with :class:`ErrorBody`), and the
    schemas they used."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422")
            if answer is not None and "HTTPValidationError" in json.dumps(answer):
                del operation["responses"]["422"]
    schemas = schema.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
