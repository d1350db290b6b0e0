"""Small checks that turn JSON-like values into typed ones or raise SpecError.

Each takes the dotted field path first, so the error names the field. Booleans are
not accepted as numbers, NaN and infinities are not accepted at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Integral, Real
from typing import Any

from engine.errors import SpecError


def as_int(field: str, value: Any, low: int, high: int) -> int:
    """``value`` as an int in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise SpecError(field, f"must be an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise SpecError(field, f"must be between {low} and {high}, got {value}")
    return int(value)


def as_float(field: str, value: Any, low: float, high: float) -> float:
    """``value`` as a finite float in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise SpecError(field, f"must be a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise SpecError(field, "must be a finite number")
    if not low <= number <= high:
        raise SpecError(field, f"must be between {low:g} and {high:g}, got {number:g}")
    return number


def as_bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SpecError(field, "must be true or false")
    return value


def as_choice(field: str, value: Any, choices: Iterable[str], what: str = "value") -> str:
    """``value`` as one of ``choices`` (strings)."""
    options = list(choices)
    if not isinstance(value, str):
        raise SpecError(field, f"must be a string naming the {what}")
    if value not in options:
        raise SpecError(field, f"unknown {what} {value!r}; choose one of {', '.join(options)}")
    return value


def as_mapping(field: str, value: Any, known: Iterable[str]) -> Mapping[str, Any]:
    """``value`` as a mapping whose keys are all in ``known``."""
    if not isinstance(value, Mapping):
        raise SpecError(field, "must be an object")
    allowed = set(known)
    for key in value:
        if key not in allowed:
            raise SpecError(f"{field}.{key}" if field else str(key), "unknown field")
    return value


def as_list(field: str, value: Any, max_len: int) -> list:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise SpecError(field, "must be a list")
    if len(value) > max_len:
        raise SpecError(field, f"must have at most {max_len} entries, got {len(value)}")
    return list(value)
