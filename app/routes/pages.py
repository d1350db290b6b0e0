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

from app import __version__, i18n
from app.access import viewer_of
from app.assets import asset_dir

STATIC_DIR = asset_dir("static")
TEMPLATES_DIR = asset_dir("templates")

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def render(request: Request, name: str, context: dict) -> HTMLResponse:
    """A page in the visitor's language (see :mod:`app.i18n`): the template gets
    ``_`` (translate), ``lang``, ``languages`` and ``student`` (the class
    member asking, or None); a language chosen in the
    address is remembered in a cookie for a year."""
    language, chosen = i18n.page_language(request)
    response = templates.TemplateResponse(request, name, {
        **context, "version": __version__, "lang": language,
        "languages": i18n.LANGUAGES, "_": i18n.translator(language),
        "student": viewer_of(request).student})
    if chosen:
        response.set_cookie(i18n.COOKIE, language, max_age=365 * 24 * 3600,
                            samesite="lax", path="/")
    return response


def static_files() -> StaticFiles:
    """The ``/static`` mount."""
    return StaticFiles(directory=STATIC_DIR)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def playground(request: Request) -> HTMLResponse:
    """The playground page."""
    settings = request.app.state.settings
    return render(request, "index.html", {
        "limits": {"max_hidden_layers": settings.max_hidden_layers,
                   "max_units": settings.max_units,
                   "max_frame_rate": settings.max_frame_rate},
    })


@router.get("/lab", response_class=HTMLResponse, include_in_schema=False)
def lab(request: Request) -> HTMLResponse:
    """The lab: convolution, pooling, text and residual nets, one sample at a time."""
    settings = request.app.state.settings
    return render(request, "lab.html", {
        "limits": {"max_frame_rate": settings.max_frame_rate},
    })
