"""Security headers, the websocket's Origin check, and CORS (off unless set).

Every HTTP answer gets ``X-Content-Type-Options: nosniff``, a referrer policy and
a Content-Security-Policy. The pages' policy allows scripts, styles and
connections from this server only, no inline script and no framing
(``frame-ancestors 'none'``); the API documentation page (exactly ``/docs``),
whose generated HTML starts its viewer with an inline script, gets the same
policy with inline scripts and styles allowed. :func:`headers_on_every_answer`
puts the headers outside every other layer of the application, so that errors
written by the outer ones (a 413 for a large body, a 400 for an unknown host, a
500) carry them too.

A browser sends the page's origin with a websocket handshake; a socket from a
page of another site is refused unless its origin is listed in the setting
``allowed_origins``. Clients that send no Origin (scripts, the Python client in
docs/protocol.md) are let in: the check guards against other sites' pages acting
with a visitor's browser, not against programs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
               "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
DOCS_POLICY = PAGE_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'") \
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") + "; worker-src 'self' blob:"
DOCS_PATH = "/docs"


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] == DOCS_PATH else PAGE_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", policy.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def headers_on_every_answer(app: Starlette) -> None:
    """Wrap ``app``'s whole middleware stack in :class:`SecurityHeaders`: outside
    Starlette's server-error layer, which writes the 500s, and outside the
    middleware added with ``add_middleware`` (which would sit inside that layer)."""
    build = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build())

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """Whether a websocket handshake with this Origin header may go on: none sent,
    the same host (and port) as the one the client asked for, or listed."""
    if origin is None:
        return True
    if origin in allowed or "*" in allowed:
        return True
    return host is not None and urlsplit(origin).netloc == host
