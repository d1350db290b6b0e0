"""The classroom's pages: ``/teacher`` (the teacher's classes and live table) and
``/join`` (a student types the class code and a name). Both answer 404 while the
classroom is off (no teacher token set)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.access import viewer_of
from app.errors import ApiError
from app.routes.pages import render

router = APIRouter(tags=["pages"])


def _classroom_on(request: Request) -> None:
    if getattr(request.app.state, "classroom", None) is None:
        raise ApiError.coded(404, ["path"], "classroom_off")


@router.get("/teacher", response_class=HTMLResponse, include_in_schema=False)
def teacher(request: Request) -> HTMLResponse:
    """The teacher's page: a login form, or the classes and the class table."""
    _classroom_on(request)
    return render(request, "teacher.html", {"teacher": viewer_of(request).teacher})


@router.get("/join", response_class=HTMLResponse, include_in_schema=False)
def join(request: Request) -> HTMLResponse:
    """The students' page for joining a class (``?code=`` fills the code in)."""
    _classroom_on(request)
    code = request.query_params.get("code", "")[:20]
    return render(request, "join.html", {"code": code})
