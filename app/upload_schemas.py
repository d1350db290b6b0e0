"""The shapes of the uploads API's answers (``/api/uploads``), with examples for /docs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.schemas import Page

UPLOAD_EXAMPLE: dict[str, Any] = {
    "id": "3f9c2a7d41b0e6c85a1d9e07", "name": "heights and weights",
    "created": "2025-03-04T10:15:00.000000+00:00", "kind": "binary", "rows": 120,
    "classes": 2, "counts": [64, 56], "extent": [-0.4, 4.4, -1.3, 2.3],
    "preview": [[0.0, 0.5, 1.0], [1.5, -1.0, 0.0]],
    "data": {"name": "upload", "upload": "3f9c2a7d41b0e6c85a1d9e07"},
}


class UploadInfo(BaseModel):
    """An uploaded data set as listed (``GET /api/uploads/{id}`` adds the points)."""

    id: str = Field(description="a hash of the content: the same points give the same id")
    name: str
    created: str
    kind: str = Field(description="binary, multiclass or regression")
    rows: int = Field(description="number of points")
    classes: int = Field(description="2 for binary, K for multiclass, 0 for regression")
    counts: list[int] | None = Field(description="points per class (null for regression)")
    extent: list[float] = Field(description="the plotted range around the points "
                                "[xmin, xmax, ymin, ymax], before any offset or scale")
    preview: list[list[float]] = Field(description="the first rows [x1, x2, label]")
    data: dict[str, Any] = Field(description="the `data` of a run spec that uses this "
                                 "upload; other data settings may be added to it")

    model_config = ConfigDict(json_schema_extra={"examples": [UPLOAD_EXAMPLE]})


class UploadPage(Page[UploadInfo]):
    """A page of uploaded data sets, newest first."""


class UploadPoints(UploadInfo):
    """An uploaded data set with all its points."""

    points: list[list[float]] = Field(description="every row [x1, x2, label or target]")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {**UPLOAD_EXAMPLE, "points": [[0.0, 0.5, 1.0], [1.5, -1.0, 0.0]]}]})
