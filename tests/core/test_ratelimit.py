"""Rate limits and quotas, in process and in the real Redis server."""

from __future__ import annotations

import os
import uuid

import pytest

from govshare.core.ratelimit import RateLimiter

REDIS = os.environ.get("GOVSHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "redis"])
def limiter(request):
    if request.param == "memory":
        return RateLimiter("memory://")
    limiter = RateLimiter(REDIS)
    try:
        limiter.storage.check() or pytest.fail(f"Redis at {REDIS} does not answer")
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis at {REDIS} does not answer ({exc}); make test starts one")
    return limiter


def test_rate_limit_refuses_past_the_limit_with_retry_after(limiter):
    key = f"grant:{uuid.uuid4()}"
    decisions = [limiter.hit(key, "3/minute") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 1 <= decisions[-1].retry_after <= 60


def test_keys_are_independent(limiter):
    a, b = f"a:{uuid.uuid4()}", f"b:{uuid.uuid4()}"
    assert limiter.hit(a, "1/minute").allowed
    assert not limiter.hit(a, "1/minute").allowed
    assert limiter.hit(b, "1/minute").allowed


def test_a_refused_request_uses_none_of_the_daily_quota(limiter):
    key = f"q:{uuid.uuid4()}"
    assert limiter.hit_all(key, ["1/minute", "5/day"]).allowed
    refused = limiter.hit_all(key, ["1/minute", "5/day"])
    assert not refused.allowed
    # Only the first hit counted against the day: this is the second.
    assert limiter.hit(key, "5/day").remaining == 3


def test_cost_counts_a_batch_as_many(limiter):
    key = f"batch:{uuid.uuid4()}"
    assert limiter.hit(key, "10/minute", cost=8).allowed
    assert not limiter.hit(key, "10/minute", cost=3).allowed


def test_test_counts_nothing_and_charge_uses_up_the_window(limiter):
    key = f"charge:{uuid.uuid4()}"
    assert limiter.test(key, "10/day").allowed
    assert limiter.test(key, "10/day").allowed
    assert limiter.hit(key, "10/day").remaining == 9  # the tests counted nothing
    limiter.charge(key, "10/day", 4)
    assert limiter.test(key, "10/day").remaining == 4
    limiter.charge(key, "10/day", 50)  # more than remains: the day is used up, no more
    refused = limiter.test(key, "10/day")
    assert not refused.allowed and refused.retry_after >= 1
    assert not limiter.hit(key, "10/day").allowed
