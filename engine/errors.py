"""Errors the engine raises for bad input.

Every validation failure names the field it is about with a dotted path such as
``layers.2.units`` or ``data.noise``, so a web layer can turn it into a 4xx answer
and a notebook user can see at once what to fix. Most also carry a stable
``code`` and the ``params`` of their sentence (see :mod:`engine.error_codes`), so
a page can say it in its reader's language.
"""

from __future__ import annotations

from typing import Any

from engine.error_codes import ENGINE_ERRORS, render

PLAIN = "value_error"
"""The code of an error that has no template: its English message is all there is."""


class SpecError(ValueError):
    """A value in a spec (or a request built on one) is missing, of the wrong type,
    or out of range.

    Attributes:
        field: dotted path of the offending field, e.g. ``"layers.1.activation"``.
        message: what is wrong, in plain words (English).
        code: what kind of error, for a program (``value_error`` when it has no
            template of its own).
        params: the values the message is built from (JSON values).
    """

    def __init__(self, field: str, message: str, code: str = PLAIN,
                 params: dict[str, Any] | None = None) -> None:
        self.field = field
        self.message = message
        self.code = code
        self.params = dict(params or {})
        super().__init__(f"{field}: {message}" if field else message)

    @classmethod
    def coded(cls, field: str, code: str, templates: dict[str, str] | None = None, /,
              **params: Any) -> SpecError:
        """The error of ``code`` about ``field``, its message the code's template
        (from ``templates``, else the engine's table) filled with ``params``."""
        template = (templates or ENGINE_ERRORS)[code]
        return cls(field, render(template, params), code, params)

    def nested(self, prefix: str) -> SpecError:
        """The same error with ``prefix`` put in front of its field path."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return SpecError(field, self.message, self.code, self.params)

    def moved(self, field: str) -> SpecError:
        """The same error about another ``field``."""
        return SpecError(field, self.message, self.code, self.params)
