"""The network address a request or websocket comes from, as the limits count it.

The address is the peer of the connection: the server believes a request's
``X-Forwarded-For`` header only when that peer is a reverse proxy named in the
setting ``trusted_proxies`` (off by default). The rule is uvicorn's
``forwarded-allow-ips`` one, applied by uvicorn's own middleware: the client is
the rightmost address of the header that is not itself a trusted proxy.
``nnplay serve`` turns uvicorn's server-wide handling of the header off, so that
only this setting decides.

An IPv6 client counts as its /64 network: one home or phone gets a whole /64,
and could otherwise take a fresh address for every request.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from fastapi import FastAPI
from starlette.requests import HTTPConnection
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def address_of(conn: HTTPConnection) -> str:
    """The client's address (``192.0.2.7``, or ``2001:db8:1:2::/64`` for IPv6)."""
    host = conn.client.host if conn.client is not None else ""
    try:
        ip = ip_address(host)
    except ValueError:  # not an IP address (a unix socket, a test client)
        return host or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ip_network(f"{ip}/64", strict=False))
    return str(ip)


def trust_proxies(app: FastAPI, proxies: list[str]) -> None:
    """Believe ``X-Forwarded-For`` (and ``X-Forwarded-Proto``) from ``proxies``
    only; nothing to do when none are named."""
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
