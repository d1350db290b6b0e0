"""The lessons' texts in Traditional Chinese (see :mod:`engine.lessons.translations`)."""

from __future__ import annotations

from typing import Any

ZH_HANT: dict[str, dict[str, Any]] = {}
