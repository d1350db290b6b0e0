"""The pages: the playground at ``/``, the convolution lab at ``/lab``, and the
files they load from ``/static``.

Pages are Jinja2 templates from ``templates/``; scripts, styles and every other
browser asset are served from ``static/`` by this server (no CDN). The folders
sit next to the ``app`` package in the project, or where an installed package
put them (see :mod:`app.assets`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.assets import asset_dir

STATIC_DIR = asset_dir("static")
TEMPLATES_DIR = asset_dir("templates")

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def static_files() -> StaticFiles:
    """The ``/static`` mount."""
    return StaticFiles(directory=STATIC_DIR)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def playground(request: Request) -> HTMLResponse:
    """The playground page."""
    settings = request.app.state.settings
    return templates.TemplateResponse(request, "index.html", {
        "version": __version__,
        "limits": {"max_hidden_layers": settings.max_hidden_layers,
                   "max_units": settings.max_units,
                   "max_frame_rate": settings.max_frame_rate},
    })


@router.get("/lab", response_class=HTMLResponse, include_in_schema=False)
def lab(request: Request) -> HTMLResponse:
    """The lab: convolution, pooling, text and residual nets, one sample at a time."""
    settings = request.app.state.settings
    return templates.TemplateResponse(request, "lab.html", {
        "version": __version__,
        "limits": {"max_frame_rate": settings.max_frame_rate},
    })
