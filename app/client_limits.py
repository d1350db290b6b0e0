"""The error of a client that holds as much of something as one client may
(runs, saved models, uploads: the settings ``max_*_per_client``). The server
answers it with 409 saying which limit was hit and how to free room."""

from __future__ import annotations


class ClientLimitError(RuntimeError):
    """A client holds ``limit`` ``what`` already; ``free`` says how to make room.
    ``code`` names the limit (``client_limit_runs``, ...) and ``params`` holds the
    values of its sentence besides ``limit`` (see :mod:`app.error_codes`)."""

    def __init__(self, what: str, limit: int, free: str, code: str = "client_limit",
                 params: dict | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.limit = limit
        self.free = free
        self.code = code
        self.params = {"limit": limit, **(params or {})}

    def __str__(self) -> str:
        return (f"this client holds {self.limit} {self.what}, the most one client may "
                f"keep; {self.free}")
