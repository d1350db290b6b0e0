"""How often one client may do something, per minute (settings such as
``runs_per_minute``, ``joins_per_minute``, ``teacher_failures_per_minute``).

Runs hold memory until deleted or idle, a joined student stays in their class,
and a teacher token must not be guessable quickly: so a script or a stuck page
must not be able to do these without bound. Each :class:`PerMinute` counts one
kind of act per key (a client, an address, a class) in a moving window: a burst
is allowed up to the limit, then one more per freed place. A refused request
gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import ApiError


class PerMinute:
    """At most ``per_minute`` acts per key in any minute, counted in this process.

    ``code`` is the refusal's error code (:data:`app.error_codes.APP_ERRORS`: its
    sentence words the act, with the ``limit`` and the seconds to ``wait``), ``loc``
    the field the refusal names."""

    def __init__(self, per_minute: int, code: str, loc: list[str] | None = None) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.code = code
        self.loc = loc or []

    def hit(self, key: str) -> bool:
        """Count one act for ``key``; False (and not counted) if over the limit."""
        return self.limiter.hit(self.item, key)

    def check(self, key: str) -> None:
        """Count one act for ``key``; ApiError 429 if over the limit (not counted)."""
        if not self.hit(key):
            raise self.refusal(key)

    def over(self, key: str) -> bool:
        """Whether ``key`` has used up its minute (nothing is counted)."""
        return not self.limiter.test(self.item, key)

    def refusal(self, key: str) -> ApiError:
        """The 429 for ``key``, with the seconds until it may act again."""
        reset, _ = self.limiter.get_window_stats(self.item, key)
        wait = max(1, math.ceil(reset - time.time()))
        return ApiError.coded(429, self.loc, self.code, headers={"Retry-After": str(wait)},
                              limit=self.item.amount, wait=wait)
