"""Rate limits and quotas, in process by default and in Redis when several servers share them.

Built on the ``limits`` library: a sliding-window counter per key. ``check`` answers whether a
hit is allowed and, if not, how many seconds until it would be (the ``Retry-After`` of a 429).
Modules use it for per-grant request rates and daily quotas (sharing) and for anonymous visitors
(open data). ``GOVSHARE_REDIS_URL`` switches the storage to Redis.
"""

from __future__ import annotations

import math
import threading
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


class _Windows:
    """The sliding-window counter in process, without the ``limits`` memory storage's timer
    threads (which cost more than the data API's whole lookup): per key and limit, the previous
    and current window's counts; the previous one weighs by how much of it still overlaps."""

    def __init__(self) -> None:
        self._state: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def _counts(self, key: tuple[str, str], window: float, now: float) -> list[float]:
        idx = math.floor(now / window)
        state = self._state.get(key)
        if state is None or state[0] < idx - 1:
            state = [idx, 0.0, 0.0]
        elif state[0] == idx - 1:
            state = [idx, state[2], 0.0]
        self._state[key] = state
        return state

    def test(self, key: str, item: RateLimitItem, cost: int) -> tuple[bool, int, int]:
        window = float(item.get_expiry())
        now = time.time()
        with self._lock:
            idx, prev, cur = self._counts((key, str(item)), window, now)
        elapsed = now - idx * window
        weighted = prev * (1 - elapsed / window) + cur
        allowed = weighted + cost <= item.amount
        if allowed:
            return True, int(item.amount - weighted - cost), 0
        room = item.amount - cur - cost
        # With room in this window, wait until enough of the previous one has slid out.
        wait = window * (1 - room / prev) - elapsed if prev > 0 and room >= 0 else window - elapsed
        return False, max(0, int(item.amount - weighted)), max(1, math.ceil(wait))

    def hit(self, key: str, item: RateLimitItem, cost: int) -> None:
        with self._lock:
            state = self._counts((key, str(item)), float(item.get_expiry()), time.time())
            state[2] += cost

    def reset(self) -> None:
        with self._lock:
            self._state.clear()


class RateLimiter:
    """Counts hits per key against limits such as ``"20/second"`` or ``"10000/day"``."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self.storage = storage.storage_from_string(storage_uri)
        self.limiter = strategies.SlidingWindowCounterRateLimiter(self.storage)
        self._local = _Windows() if storage_uri.startswith("memory") else None

    @staticmethod
    @lru_cache(maxsize=1024)
    def _item(limit: str) -> RateLimitItem:
        return parse(limit)

    def hit(self, key: str, limit: str, cost: int = 1) -> Decision:
        """Count ``cost`` hits for ``key`` under ``limit``; refuse (and count nothing) if over."""
        item = self._item(limit)
        if self._local is not None:
            allowed, remaining, wait = self._local.test(key, item, cost)
            if allowed:
                self._local.hit(key, item, cost)
            return Decision(allowed, remaining, wait)
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
            if self._local is not None:
                allowed, remaining, wait = self._local.test(key, item, cost)
                if not allowed:
                    return Decision(False, remaining, wait)
                continue
            if not self.limiter.test(item, key, cost=cost):
                stats = self.limiter.get_window_stats(item, key)
                return Decision(
                    False, int(stats.remaining), max(1, math.ceil(stats.reset_time - time.time()))
                )
        decisions = [self.hit(key, limit, cost) for limit in limits]
        return min(decisions, key=lambda d: d.remaining) if decisions else Decision(True, 0, 0)

    def reset(self) -> None:
        if self._local is not None:
            self._local.reset()
        self.storage.reset()


@lru_cache
def get_rate_limiter() -> RateLimiter:
    """The process-wide limiter (Redis when ``GOVSHARE_REDIS_URL`` is set)."""
    url = get_settings().redis_url
    return RateLimiter(url or "memory://")
