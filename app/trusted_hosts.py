"""The host names the server answers to (the ``Host`` header), against DNS rebinding.

A page of another site can make its own host name resolve to the class server's
address (DNS rebinding); the visitor's browser then sends that name in the
``Host`` header and lets the page read the answers as its own. So the server
answers only to the names it is known by:

* ``localhost`` and names under ``.localhost`` (browsers keep those on the machine);
* any IP address, as students type the laptop's (an address cannot be rebound:
  a page reached by the server's address is the server's own page);
* the machine's own name (``socket.gethostname()``), without its domain too,
  and that with ``.local`` (its name on the local network);
* the name in the setting ``host`` (``NNPLAY_HOST``), when it is a name;
* the setting ``allowed_hosts``: names, ``*.domain`` for every name under a
  domain, or ``*`` for any host (e.g. behind a proxy that checks it).

Any other host gets a 400 naming the header, in the one error format; a
websocket handshake to one is refused before the socket opens (the client sees
HTTP 403). A request with no ``Host`` header (an HTTP/1.0 program) passes:
browsers always send one. Starlette's ``TrustedHostMiddleware`` is not used: it
cannot allow every IP address, and answers in plain text.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.error_codes import message
from app.errors import error_response
from app.settings import Settings


def host_name(header: str) -> str | None:
    """The host name of a ``Host`` header, lower-cased, without port, IPv6 brackets
    or a final dot: ``Laptop.local:8000`` -> ``laptop.local``, ``[::1]:8000`` ->
    ``::1``; None if the header is not a host with an optional numeric port."""
    value = header.strip().lower()
    if value.startswith("["):
        name, closed, rest = value[1:].partition("]")
        if not closed:
            return None
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    if rest and not (rest.startswith(":") and rest[1:].isascii() and rest[1:].isdigit()):
        return None
    name = name.removesuffix(".")
    return name or None


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostNames:
    """The names a server answers to (see above), from the listed ``allowed`` ones."""

    def __init__(self, allowed: Iterable[str]) -> None:
        listed = [name.lower() for name in allowed]
        self.any = "*" in listed
        self.exact = frozenset(name for name in listed if not name.startswith("*"))
        self.suffixes = tuple(name[1:] for name in listed if name.startswith("*."))

    def allows(self, header: str | None) -> bool:
        """Whether a request with this ``Host`` header (None: none sent) is answered."""
        if header is None or self.any:
            return True
        name = host_name(header)
        if name is None:
            return False
        return (name == "localhost" or name.endswith(".localhost") or _is_address(name)
                or name in self.exact or name.endswith(self.suffixes))


def machine_names() -> list[str]:
    """This machine's own names: its host name, the first label of it, and that
    label under ``.local`` (``Laptop.school.example`` -> ``laptop.school.example``,
    ``laptop``, ``laptop.local``); none if it has no name. No DNS is asked."""
    name = socket.gethostname().lower().removesuffix(".")
    if not name or _is_address(name):
        return []
    short = name.split(".")[0]
    return list(dict.fromkeys([name, short, f"{short}.local"]))


def served_names(settings: Settings) -> HostNames:
    """The host names of a server with these settings: ``allowed_hosts``, the
    machine's names, and the ``host`` it listens on when that is a name rather
    than an address."""
    listed = [*settings.allowed_hosts, *machine_names()]
    if settings.host and not _is_address(settings.host):
        listed.append(settings.host)
    return HostNames(listed)


class HostGuard:
    """ASGI middleware refusing requests and websockets to hosts not in ``names``."""

    def __init__(self, app: ASGIApp, names: HostNames) -> None:
        self.app = app
        self.names = names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = Headers(scope=scope).get("host") if scope["type"] in ("http", "websocket") \
            else None
        if self.names.allows(header):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await receive()  # the handshake's websocket.connect
            await send({"type": "websocket.close", "code": 4403})
        else:
            host = repr(header[:100]) if header is not None else repr(None)
            await error_response(400, ["header", "host"], message("host_not_allowed", host=host),
                                 "host_not_allowed", ctx={"host": host})(scope, receive, send)
