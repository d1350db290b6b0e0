"""Reading your own 2-D points from CSV text.

:func:`parse_points_csv` turns text such as::

    x1,x2,label
    0.5,1.2,1
    -1.0,0.3,0

into the data-spec fragment ``{"name": "points", "kind": "binary", "points":
[[0.5, 1.2, 1.0], [-1.0, 0.3, 0.0]]}`` (see :mod:`engine.data.points`).

The format:

- one point per line: ``x1, x2, y``, separated by commas, semicolons, tabs or
  (if a line has none of these) spaces; the first data line decides. With
  semicolons or tabs a decimal comma is read as a point (``1,5`` is 1.5);
- an optional header: a first line none of whose values is a number;
- blank lines and lines starting with ``#`` are skipped; LF, CRLF and CR line
  ends, a UTF-8 byte-order mark, values in double quotes and one trailing
  separator are accepted;
- the kind, unless forced: ``binary`` if every y is 0 or 1 (or every y is -1 or
  1, read as 0 and 1); ``multiclass`` if the y are exactly the whole numbers
  0..K-1 with K from 3 to 5; ``regression`` otherwise.

Every problem is a :class:`SpecError` whose field names where it is: the line
(``csv.line.7``, counting every line from 1 as an editor does) or the whole text
(``csv``). No other exception escapes, whatever the text.
"""

from __future__ import annotations

import math
import re
from typing import Any, cast

from engine.data.points import (
    COLUMNS,
    KINDS,
    MAX_ROWS,
    MAX_VALUE,
    MIN_ROWS,
    POINTS,
    check_label,
    guess_kind,
)
from engine.data.registry import Kind
from engine.errors import SpecError

_LINE_END = re.compile(r"\r\n|\r|\n")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NOT_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)
_SEPARATORS = ("\t", ";", ",")

Line = tuple[int, list[str]]
"""A line's number (from 1) and its values, stripped."""


def _separator(line: str) -> str | None:
    """The separator a line uses: tab, semicolon or comma, in that order of
    preference (None: split on spaces)."""
    for sep in _SEPARATORS:
        if sep in line:
            return sep
    return None


def _values(line: str, sep: str | None) -> list[str]:
    """The stripped values of one line, without surrounding double quotes and
    without one empty value after a trailing separator."""
    parts = line.split(sep) if sep is not None else line.split()
    values = [part.strip().strip('"').strip() for part in parts]
    if len(values) > 1 and values[-1] == "":
        values.pop()
    return values


def _number(field: str, column: str, text: str, decimal_comma: bool) -> float:
    """One value as a finite float of magnitude at most MAX_VALUE."""
    if decimal_comma and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if _NOT_FINITE.fullmatch(text):
        raise SpecError.coded(field, "csv_not_finite", column=column, text=text)
    if not _NUMBER.fullmatch(text):
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise SpecError.coded(field, "csv_not_number", column=column, text=shown)
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        raise SpecError.coded(field, "csv_value_too_large", column=column, text=text,
                               max=float(MAX_VALUE))
    return value


def _is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text.replace(",", ".", 1)))


def _content_lines(text: str, max_rows: int) -> tuple[list[Line], str | None]:
    """The lines that hold data, after skipping blank and comment lines and an
    optional header, and the separator of the first of them; SpecError("csv",
    ...) beyond ``max_rows`` data lines."""
    lines: list[Line] = []
    sep: str | None = None
    first = True
    for number, raw in enumerate(_LINE_END.split(text.removeprefix("\ufeff")), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not lines:  # the first data line decides the separator
            sep = _separator(line)
        values = _values(line, sep)
        if first:
            first = False
            if not any(_is_number(v) for v in values):
                continue  # a header such as x1,x2,label
        if len(lines) == max_rows:
            raise SpecError.coded("csv", "csv_too_many_rows", max_rows=max_rows)
        lines.append((number, values))
    return lines, sep


def parse_points_csv(text: str, max_rows: int = MAX_ROWS,
                     kind: str | None = None) -> dict[str, Any]:
    """Parse CSV text of 2-D points (see the module docstring for the format).

    Args:
        text: the CSV text.
        max_rows: most data rows accepted (at most ``points.MAX_ROWS``).
        kind: force ``"binary"``, ``"multiclass"`` or ``"regression"``; None
            guesses it from the third column.

    Returns:
        ``{"name": "points", "kind": kind, "points": [[x1, x2, y], ...]}`` with
        floats, in file order; binary labels are 0.0 and 1.0.

    Raises:
        SpecError: ``csv.line.N`` for a bad line N, ``csv`` for the text as a
        whole (empty, too few or too many rows), ``kind`` for a bad ``kind``.
    """
    if not isinstance(text, str):
        raise SpecError.coded("csv", "csv_not_text", got=type(text).__name__)
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) \
            or not MIN_ROWS <= max_rows <= MAX_ROWS:
        raise ValueError(f"max_rows must be an integer from {MIN_ROWS} to {MAX_ROWS}")
    if kind is not None and kind not in KINDS:
        raise SpecError.coded("kind", "csv_bad_kind", kinds=", ".join(KINDS), kind=kind)
    lines, sep = _content_lines(text, max_rows)
    if not lines:
        raise SpecError.coded("csv", "csv_no_rows")
    if len(lines) < MIN_ROWS:
        raise SpecError.coded("csv", "csv_too_few_rows", min_rows=MIN_ROWS, rows=len(lines))
    decimal_comma = sep in ("\t", ";")
    rows: list[list[float]] = []
    for number, values in lines:
        field = f"csv.line.{number}"
        if len(values) != 3:
            raise SpecError.coded(field, "csv_wrong_value_count", count=len(values))
        rows.append([_number(field, c, v, decimal_comma)
                     for c, v in zip(COLUMNS, values, strict=True)])
    labels = [row[2] for row in rows]
    seen = set(labels)
    if kind in (None, "binary") and seen <= {-1.0, 1.0} and -1.0 in seen:
        for row in rows:
            row[2] = max(row[2], 0.0)  # -1 -> 0
        labels = [row[2] for row in rows]
    chosen = guess_kind(labels) if kind is None else cast(Kind, kind)
    for (number, _), label in zip(lines, labels, strict=True):
        check_label(f"csv.line.{number}", label, chosen)
    if chosen == "multiclass" and max(labels) < 2:
        raise SpecError.coded("csv", "csv_too_few_classes")
    return {"name": POINTS, "kind": chosen, "points": rows}
