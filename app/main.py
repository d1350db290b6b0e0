"""The FastAPI application: kept thin, it only creates the app and wires routes in.

Run it with `python -m app` or `nnplay serve`.
"""

from fastapi import FastAPI

from app import __version__

app = FastAPI(title="nnplay", version=__version__)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness check: answers as long as the process is serving requests."""
    return {"status": "ok"}


@app.get("/")
def index() -> dict[str, str]:
    """Say what this server is; the playground page is not served yet."""
    return {
        "name": "nnplay",
        "version": __version__,
        "engine": "available as the Python package `engine`",
        "page": "not yet available; the playground page arrives later",
        "docs": "/docs",
    }
