"""The client a request or websocket comes from, as the per-client limits and
the compute shares count it: one name per student, one for the teacher, and one
per address for everyone else.

- ``student:<id>``: a student of a class (their token), wherever they connect
  from, so that a class behind one school address does not share one allowance;
- ``teacher``: the teacher (token or session cookie);
- ``address:<address>``: anyone else, by the address of :func:`app.addresses.address_of`
  (X-Forwarded-For believed only from the setting ``trusted_proxies``).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from app.access import TEACHER, Viewer, viewer_of
from app.addresses import address_of


def client_name(viewer: Viewer, conn: HTTPConnection) -> str:
    """The client name of ``viewer``, asking through ``conn``."""
    if viewer.student is not None:
        return f"student:{viewer.student.id}"
    if viewer.teacher:
        return TEACHER
    return f"address:{address_of(conn)}"


def client_of(conn: HTTPConnection) -> str:
    """The client a request or websocket comes from (see the module's text)."""
    return client_name(viewer_of(conn), conn)
