"""Errors the engine raises for bad input.

Every validation failure names the field it is about with a dotted path such as
``layers.2.units`` or ``data.noise``, so a web layer can turn it into a 4xx answer
and a notebook user can see at once what to fix.
"""

from __future__ import annotations


class SpecError(ValueError):
    """A value in a spec (or a request built on one) is missing, of the wrong type,
    or out of range.

    Attributes:
        field: dotted path of the offending field, e.g. ``"layers.1.activation"``.
        message: what is wrong, in plain words.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

    def nested(self, prefix: str) -> SpecError:
        """The same error with ``prefix`` put in front of its field path."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return SpecError(field, self.message)
