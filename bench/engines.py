"""The engines a bench can run a server against: ``local`` (the server's own engine
processes), ``two-node`` (a Ray cluster of two 1-CPU nodes that the bench starts on
loopback, 127.0.0.2 and 127.0.0.3) or the address of a running Ray cluster, given
as the setting ``NNPLAY_ENGINE`` takes it (``ray://HOST:PORT``, ``HOST:PORT``,
``auto``).

:func:`engine` is a context manager that gives an :class:`Engine`: the server's
environment for it and, for a cluster the bench started, its processes (whose CPU
time counts as the engine's).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TWO_NODE = "two-node"


@dataclass
class Engine:
    """An engine to point a server at.

    Attributes:
        name: as asked (``local``, ``two-node`` or an address).
        env: the server's environment variables for it.
        address: the cluster's GCS address (``HOST:PORT``) for a driver in this
            process, or None for the local engine.
        client_address: its Ray Client address (``ray://HOST:PORT``) when known.
        pids: the engine's processes outside the server (a cluster the bench started),
            or None when they are not known (local: the server's children; a cluster
            given by address: elsewhere).
    """

    name: str
    env: dict[str, str] = field(default_factory=dict)
    address: str | None = None
    pids: Callable[[], set[int]] | None = None
    client_address: str | None = None


@contextlib.contextmanager
def engine(name: str, processes: int | None = None) -> Iterator[Engine]:
    """The engine ``name`` for the time of the ``with`` block (a two-node cluster is
    started before and ended after it); ``processes`` caps the engine's workers
    (the setting ``NNPLAY_ENGINE_PROCESSES``), None leaves its default."""
    cap = {} if processes is None else {"NNPLAY_ENGINE_PROCESSES": str(processes)}
    if name == "local":
        yield Engine(name, {"NNPLAY_ENGINE": "local", **cap})
    elif name == TWO_NODE:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from tests.ray_cluster import LocalCluster  # a test helper; it needs Ray

        with LocalCluster(cpus=(1, 1)) as cluster:
            yield Engine(name, {**cluster.env(), "NNPLAY_ENGINE": "auto", **cap},
                         cluster.gcs_address, cluster.pids, cluster.client_address)
    else:
        client = name.startswith("ray://")
        yield Engine(name, {"NNPLAY_ENGINE": name, "RAY_USAGE_STATS_ENABLED": "0", **cap},
                     None if client else name, client_address=name if client else None)
