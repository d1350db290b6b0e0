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
        raise SpecError.coded(field, "not_integer", got=type(value).__name__)
    if not low <= value <= high:
        raise SpecError.coded(field, "value_out_of_range", low=low, high=high, value=int(value))
    return int(value)


def as_float(field: str, value: Any, low: float, high: float) -> float:
    """``value`` as a finite float in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise SpecError.coded(field, "not_number", got=type(value).__name__)
    number = float(value)
    if not math.isfinite(number):
        raise SpecError.coded(field, "not_finite")
    if not low <= number <= high:
        raise SpecError.coded(field, "value_out_of_range", low=float(low), high=float(high),
                               value=number)
    return number


def as_bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SpecError.coded(field, "not_boolean")
    return value


def as_choice(field: str, value: Any, choices: Iterable[str], what: str = "value") -> str:
    """``value`` as one of ``choices`` (strings)."""
    options = list(choices)
    if not isinstance(value, str):
        raise SpecError.coded(field, "not_choice_text", what=what)
    if value not in options:
        raise SpecError.coded(field, "unknown_choice", what=what, value=value,
                               choices=", ".join(options))
    return value


def as_mapping(field: str, value: Any, known: Iterable[str]) -> Mapping[str, Any]:
    """``value`` as a mapping whose keys are all in ``known``."""
    if not isinstance(value, Mapping):
        raise SpecError.coded(field, "not_object")
    allowed = set(known)
    for key in value:
        if key not in allowed:
            raise SpecError.coded(f"{field}.{key}" if field else str(key), "unknown_field")
    return value


def as_list(field: str, value: Any, max_len: int) -> list:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise SpecError.coded(field, "not_list")
    if len(value) > max_len:
        raise SpecError.coded(field, "too_many_entries", max=max_len, count=len(value))
    return list(value)
