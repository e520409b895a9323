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

    @staticmethod
    def _judge(
        state: list[float], item: RateLimitItem, window: float, now: float, cost: int
    ) -> tuple[bool, int, int]:
        idx, prev, cur = state
        elapsed = now - idx * window
        weighted = prev * (1 - elapsed / window) + cur
        if weighted + cost <= item.amount:
            return True, int(item.amount - weighted - cost), 0
        room = item.amount - cur - cost
        # With room in this window, wait until enough of the previous one has slid out.
        wait = window * (1 - room / prev) - elapsed if prev > 0 and room >= 0 else window - elapsed
        return False, max(0, int(item.amount - weighted)), max(1, math.ceil(wait))

    def test(self, key: str, limit: str, item: RateLimitItem, cost: int) -> tuple[bool, int, int]:
        window = float(item.get_expiry())
        now = time.time()
        with self._lock:
            state = list(self._counts((key, limit), window, now))
        return self._judge(state, item, window, now, cost)

    def hit(self, key: str, limit: str, item: RateLimitItem, cost: int) -> None:
        with self._lock:
            state = self._counts((key, limit), float(item.get_expiry()), time.time())
            state[2] += cost

    def hit_all(
        self, key: str, limits: list[tuple[str, RateLimitItem]], cost: int
    ) -> tuple[bool, int, int]:
        """Test every limit, then count all of them or none, under one lock and one clock."""
        now = time.time()
        least: tuple[bool, int, int] = (True, 0, 0)
        with self._lock:
            states = []
            for n, (limit, item) in enumerate(limits):
                window = float(item.get_expiry())
                state = self._counts((key, limit), window, now)
                verdict = self._judge(state, item, window, now, cost)
                if not verdict[0]:
                    return verdict
                if n == 0 or verdict[1] < least[1]:
                    least = verdict
                states.append(state)
            for state in states:
                state[2] += cost
        return least

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
            allowed, remaining, wait = self._local.test(key, limit, item, cost)
            if allowed:
                self._local.hit(key, limit, item, cost)
            return Decision(allowed, remaining, wait)
        if self.limiter.hit(item, key, cost=cost):
            stats = self.limiter.get_window_stats(item, key)
            return Decision(True, int(stats.remaining), 0)
        return self._refusal(item, key)

    def test(self, key: str, limit: str, cost: int = 1) -> Decision:
        """Whether ``cost`` more hits would be allowed, counting nothing."""
        item = self._item(limit)
        if self._local is not None:
            return Decision(*self._local.test(key, limit, item, cost))
        if self.limiter.test(item, key, cost=cost):
            stats = self.limiter.get_window_stats(item, key)
            return Decision(True, int(stats.remaining) - cost, 0)
        return self._refusal(item, key)

    def charge(self, key: str, limit: str, cost: int) -> None:
        """Count ``cost`` hits that already happened (e.g. the records a call returned), up to
        what remains of the window: the limit is then used up and refuses the next hit."""
        if cost <= 0:
            return
        item = self._item(limit)
        if self._local is not None:
            _allowed, remaining, _wait = self._local.test(key, limit, item, 0)
            if remaining > 0:
                self._local.hit(key, limit, item, min(cost, remaining))
            return
        remaining = int(self.limiter.get_window_stats(item, key).remaining)
        if remaining > 0:
            self.limiter.hit(item, key, cost=min(cost, remaining))

    def _refusal(self, item: RateLimitItem, key: str) -> Decision:
        stats = self.limiter.get_window_stats(item, key)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(False, int(stats.remaining), wait)

    def hit_all(self, key: str, limits: list[str], cost: int = 1) -> Decision:
        """Check several limits (e.g. a rate and a daily quota); the strictest refusal wins.

        Limits are tested before any is counted, so a refused request uses none of its quota.
        """
        if self._local is not None:
            return Decision(
                *self._local.hit_all(key, [(limit, self._item(limit)) for limit in limits], cost)
            )
        for limit in limits:
            item = self._item(limit)
            if not self.limiter.test(item, key, cost=cost):
                return self._refusal(item, key)
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
