"""The order an engine worker carries out requests in: by priority, and fair
between clients.

Each request belongs to a *tenant* (the client that made the run: a student, the
teacher, or an address) and has a priority: a student's command (``COMMAND``), a
live frame (``FRAME``) or long training from the REST API (``BACKGROUND``). Every
request that trains is one time slice (see :mod:`app.engine_pool`), so what one
request costs is bounded; what a tenant may take is bounded here.

The queue charges each tenant the time its requests took, and forgets it
exponentially (half of it every ``USAGE_HALF_LIFE`` seconds), so ``usage / tau``
is the share of the worker the tenant has used lately. A tenant whose share is
above its fair share (one over the number of tenants active here) is *over its
share*, and its requests wait while any request of a tenant within its share
waits. Among requests of tenants within their share:

1. commands, oldest first;
2. else the older of the first frame and the first training request, if it has
   waited ``MAX_WAIT_SECONDS`` (so a busy class never starves a training request);
3. else frames before training, oldest first.

Among requests of tenants over their share, commands go first, then frames, then
training, and within each the request of the tenant that used least, except that
one waiting ``STARVE_SECONDS`` goes before them all. When every tenant is over its share (a class
past the machine's capacity), that is round robin by time used.

So forty students at ten frames a second keep their frames and command latency
while one client trains the largest net it may in a loop: it gets what the class
leaves, and it slows only itself.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field

COMMAND, FRAME, BACKGROUND = 0, 1, 2
"""Request priorities: lower goes first."""

USAGE_HALF_LIFE = 1.0
"""Seconds in which a tenant's charged time halves."""

TAU = USAGE_HALF_LIFE / math.log(2)
"""The decay's time constant: usage / TAU is the share of the worker used lately."""

IDLE_USAGE = 1e-4
"""Seconds of charged time below which a tenant with nothing queued is forgotten."""

MAX_WAIT_SECONDS = 0.5
"""A frame or training request of a tenant within its share waiting this long goes
before the other of those two."""

STARVE_SECONDS = 5.0
"""A request of a tenant over its share waits at most about this long."""


@dataclass(eq=False)
class Request:
    """One queued operation on a run; ``future`` gets its result."""

    run_id: str
    op: str
    args: tuple
    priority: int
    tenant: str
    future: Future = field(default_factory=Future)
    arrived: float = field(default_factory=time.monotonic)


class FairQueue:
    """Queued requests of one worker, and each tenant's recent use of it.

    Not thread-safe: the worker guards it with its own lock.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._queued: list[Request] = []
        self._usage: dict[str, tuple[float, float]] = {}  # tenant -> (seconds, when)

    def __len__(self) -> int:
        return len(self._queued)

    def __iter__(self) -> Iterator[Request]:
        return iter(list(self._queued))

    def push(self, request: Request) -> None:
        self._queued.append(request)

    def remove(self, request: Request) -> None:
        self._queued.remove(request)

    def waiting(self, priority: int) -> int:
        """How many requests of this priority are queued."""
        return sum(1 for r in self._queued if r.priority == priority)

    # -- what tenants used ----------------------------------------------------------
    def charge(self, tenant: str, seconds: float) -> None:
        """Count ``seconds`` of the worker's time to ``tenant``."""
        now = self._clock()
        self._usage[tenant] = (self.usage(tenant, now) + seconds, now)

    def usage(self, tenant: str, now: float | None = None) -> float:
        """The tenant's charged seconds, decayed to ``now``."""
        used, when = self._usage.get(tenant, (0.0, 0.0))
        if not used:
            return 0.0
        now = self._clock() if now is None else now
        return used * math.exp(-(now - when) / TAU)

    def shares(self, now: float) -> tuple[dict[str, float], float]:
        """Each active tenant's recent share of the worker, and the fair share (one
        over the number of active tenants: those with requests queued or recent use).
        Forgets tenants that have gone quiet."""
        queued = {r.tenant for r in self._queued}
        shares = {}
        for tenant in list(self._usage):
            used = self.usage(tenant, now)
            if used < IDLE_USAGE and tenant not in queued:
                del self._usage[tenant]
            else:
                shares[tenant] = used / TAU
        for tenant in queued:
            shares.setdefault(tenant, 0.0)
        return shares, 1.0 / max(1, len(shares))

    # -- the order ------------------------------------------------------------------
    def pop(self) -> Request | None:
        """Take the next request by the rules above (None if nothing is queued)."""
        if not self._queued:
            return None
        chosen = self._choose(self._clock())
        self._queued.remove(chosen)
        return chosen

    def _choose(self, now: float) -> Request:
        """The request the rules give next (the queue is not empty)."""
        shares, fair = self.shares(now)
        within = [r for r in self._queued if shares[r.tenant] <= fair]
        over = [r for r in self._queued if shares[r.tenant] > fair]
        starving = [r for r in over if now - r.arrived >= STARVE_SECONDS]
        if starving:
            chosen = min(starving, key=lambda r: r.arrived)
        elif within:
            chosen = self._by_priority(within, now)
        else:
            chosen = min(over, key=lambda r: (r.priority, shares[r.tenant], r.arrived))
        return chosen

    def next_is(self, priority: int, op: str) -> bool:
        """Whether the request :meth:`pop` would take now has this priority and
        operation (a worker gathering a batch of live frames asks)."""
        if not self._queued:
            return False
        chosen = self._choose(self._clock())
        return chosen.priority == priority and chosen.op == op

    def _by_priority(self, requests: list[Request], now: float) -> Request:
        """Commands first; then an overdue frame or training request; then frames."""
        firsts: dict[int, Request] = {}
        for r in requests:  # the queue is in order of arrival
            firsts.setdefault(r.priority, r)
        if COMMAND in firsts:
            return firsts[COMMAND]
        oldest = min(firsts.values(), key=lambda r: r.arrived)
        if now - oldest.arrived >= MAX_WAIT_SECONDS:
            return oldest
        return firsts[min(firsts)]

    def promote(self, future: Future) -> bool:
        """Make a queued request a command (a frame that now answers one); False if
        it is no longer queued."""
        for r in self._queued:
            if r.future is future:
                self._queued.remove(r)
                r.priority = COMMAND
                self._queued.append(r)
                return True
        return False

    def drain(self) -> list[Request]:
        """Take every queued request (on closing)."""
        taken, self._queued = self._queued, []
        return taken

