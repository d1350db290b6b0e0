"""JSON sent by a client, read and checked before anything else uses it.

Python's JSON parser accepts ``NaN`` and ``Infinity`` (and reads ``1e999`` as
infinity), and it nests values as deep as the interpreter's recursion allows. A
value nested hundreds of levels deep then breaks whatever walks it recursively
later (validation, pickling it to an engine process), and a non-finite number
breaks the JSON answer that echoes it. :func:`read_json` parses a client's text
and :func:`check_value` walks the result without recursion, so that both come
back as one :class:`JsonInputError` naming where the value is.

Depth counts containers: ``{"a": 1}`` is 1 deep, ``{"a": [[1]]}`` is 3 deep. The
deepest body the server's own pages and downloads send (a saved record of a
convolution net, whose weights are 4-D lists inside the record) is 7 deep.
"""

from __future__ import annotations

import json
import math
from typing import Any


class JsonInputError(ValueError):
    """What is wrong with a client's JSON value.

    ``path`` holds the keys and list positions (as strings) leading to the value,
    empty for the document as a whole; ``kind`` is the error's ``type`` in an
    error answer (``too_deep`` or ``finite_number``).
    """

    def __init__(self, path: list[str], message: str, kind: str,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.kind = kind
        self.params = dict(params or {})


def _too_deep(path: list[str], max_depth: int) -> JsonInputError:
    return JsonInputError(path, f"nested deeper than {max_depth} levels (setting "
                          "max_json_depth)", "too_deep", {"max": max_depth})


def check_value(value: Any, max_depth: int) -> None:
    """Raise :class:`JsonInputError` for the first value, in document order, that is
    a container more than ``max_depth`` containers deep or a NaN or infinite number;
    return None if there is none."""
    stack: list[tuple[Any, list[str], int]] = [(value, [], 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                raise JsonInputError(path, "must be a finite number (NaN and Infinity are "
                                     "not allowed)", "finite_number")
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise _too_deep(path, max_depth)
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend((v, [*path, str(k)], depth + 1) for k, v in reversed(list(pairs)))


def read_json(text: str | bytes, max_depth: int) -> Any:
    """The value of the JSON document ``text``, checked by :func:`check_value`.

    Raises :class:`JsonInputError` for a value nested too deeply (also one too deep
    for the parser itself) or a non-finite number, and ``ValueError`` for text that
    is not JSON.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep([], max_depth) from None
    check_value(value, max_depth)
    return value
