"""Where the pages' files are: ``static/`` and ``templates/``.

In a checkout (and the editable install that ``make run`` makes) they sit next to
the ``app`` package. An installed package (a wheel, as the Docker image installs)
carries them as data files under ``share/nnplay-pages`` of whatever scheme pip installed
into (a virtualenv, ``/usr/local``, ``~/.local`` with ``--user``...); the
distribution's own list of installed files says where, so no prefix is guessed.
The folder is not ``share/nnplay``: with ``--user`` on Linux that is
``~/.local/share/nnplay``, the default data folder, which a teacher may delete to
start afresh.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "nnplay"
DATA_PARTS = ("share", "nnplay-pages")


def checkout_dir(name: str) -> Path | None:
    """``<checkout>/name`` when the app package sits in a source checkout that has it."""
    folder = SOURCE_ROOT / name
    if (SOURCE_ROOT / "pyproject.toml").is_file() and folder.is_dir():
        return folder
    return None


def installed_dir(name: str, distribution: str = DISTRIBUTION) -> Path | None:
    """The folder ``share/nnplay-pages/name`` that the installed distribution's record lists
    files in, or None (not installed, or installed without its data files)."""
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        return None
    wanted = (*DATA_PARTS, name)
    for path in files:
        parts = path.parts
        for i in range(len(parts) - len(wanted)):
            if parts[i:i + len(wanted)] == wanted:
                depth = len(parts) - 1 - (i + len(wanted))  # folders between it and the file
                folder = Path(str(path.locate())).parents[depth].resolve()
                if folder.is_dir():
                    return folder
    return None


def asset_dir(name: str) -> Path:
    """The folder ``name`` (``static`` or ``templates``): the checkout's if the app
    runs from one, else the installed distribution's; RuntimeError if neither."""
    folder = checkout_dir(name) or installed_dir(name)
    if folder is None:
        raise RuntimeError(
            f"the pages' folder {name!r} is neither in the checkout {SOURCE_ROOT} nor among "
            f"the installed files of the {DISTRIBUTION!r} distribution (reinstall nnplay)")
    return folder
