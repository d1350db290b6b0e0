"""How fast one client may create runs (the setting ``runs_per_minute``).

Each run holds memory in an engine process until it is deleted or goes idle, so
one script or a stuck page must not be able to fill the registry for a whole
class. Clients are told apart by their address; the window moves (a burst is
allowed up to the limit, then one more run per freed slot). A refused request
gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import ApiError


class RunCreationLimit:
    """Runs created per client per minute, counted in this process."""

    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, client: str) -> None:
        """Count one run for ``client``; ApiError 429 if over the limit."""
        if self.limiter.hit(self.item, "runs", client):
            return
        reset, _ = self.limiter.get_window_stats(self.item, "runs", client)
        wait = max(1, math.ceil(reset - time.time()))
        raise ApiError(429, [], f"this client created {self.item.amount} runs in the last "
                       f"minute, the most it may; try again in {wait} s", "rate_limited",
                       headers={"Retry-After": str(wait)})
