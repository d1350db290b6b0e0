"""Where the pages' files are: ``static/`` and ``templates/``.

In a checkout (and an editable install, as ``make run`` makes) they sit next to
the ``app`` package. An installed package (``pip install .``, as the Docker image
does) carries them as data files under ``<prefix>/share/nnplay``.
"""

from __future__ import annotations

import sys
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
INSTALLED_ROOT = Path(sys.prefix) / "share" / "nnplay"


def asset_dir(name: str) -> Path:
    """The folder ``name`` (``static`` or ``templates``): next to the package if
    it is there, else the installed copy; RuntimeError naming both if neither."""
    for root in (SOURCE_ROOT, INSTALLED_ROOT):
        if (root / name).is_dir():
            return root / name
    raise RuntimeError(f"the pages' folder {name!r} is neither in {SOURCE_ROOT} "
                       f"nor in {INSTALLED_ROOT}")
