"""Rate limits and quotas, in process by default and in Redis when several servers share them.

Built on the ``limits`` library: a sliding-window counter per key. ``check`` answers whether a
hit is allowed and, if not, how many seconds until it would be (the ``Retry-After`` of a 429).
Modules use it for per-grant request rates and daily quotas (sharing) and for anonymous visitors
(open data). ``GOVSHARE_REDIS_URL`` switches the storage to Redis.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse, storage, strategies

from govshare.core.config import get_settings


@dataclass(frozen=True)
class Decision:
    """Whether a hit was allowed, what remains of the window, and when to retry."""

    allowed: bool
    remaining: int
    retry_after: int  # seconds; 0 when allowed


class RateLimiter:
    """Counts hits per key against limits such as ``"20/second"`` or ``"10000/day"``."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self.storage = storage.storage_from_string(storage_uri)
        self.limiter = strategies.SlidingWindowCounterRateLimiter(self.storage)

    @staticmethod
    @lru_cache(maxsize=1024)
    def _item(limit: str) -> RateLimitItem:
        return parse(limit)

    def hit(self, key: str, limit: str, cost: int = 1) -> Decision:
        """Count ``cost`` hits for ``key`` under ``limit``; refuse (and count nothing) if over."""
        item = self._item(limit)
        if self.limiter.hit(item, key, cost=cost):
            stats = self.limiter.get_window_stats(item, key)
            return Decision(True, int(stats.remaining), 0)
        stats = self.limiter.get_window_stats(item, key)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(False, int(stats.remaining), wait)

    def hit_all(self, key: str, limits: list[str], cost: int = 1) -> Decision:
        """Check several limits (e.g. a rate and a daily quota); the strictest refusal wins.

        Limits are tested before any is counted, so a refused request uses none of its quota.
        """
        for limit in limits:
            item = self._item(limit)
            if not self.limiter.test(item, key, cost=cost):
                stats = self.limiter.get_window_stats(item, key)
                return Decision(
                    False, int(stats.remaining), max(1, math.ceil(stats.reset_time - time.time()))
                )
        decisions = [self.hit(key, limit, cost) for limit in limits]
        return min(decisions, key=lambda d: d.remaining) if decisions else Decision(True, 0, 0)

    def reset(self) -> None:
        self.storage.reset()


@lru_cache
def get_rate_limiter() -> RateLimiter:
    """The process-wide limiter (Redis when ``GOVSHARE_REDIS_URL`` is set)."""
    url = get_settings().redis_url
    return RateLimiter(url or "memory://")
