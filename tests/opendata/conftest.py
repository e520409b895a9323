"""Open-data tests start with an empty portal cache, no tallied API calls and a
fresh rate limiter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_portal() -> Iterator[None]:
    from govshare.core.ratelimit import get_rate_limiter
    from govshare.opendata.service._common import clear_cache
    from govshare.opendata.service.usage import clear_tally

    clear_cache()
    clear_tally()
    get_rate_limiter().reset()
    yield
    clear_cache()
    clear_tally()
    get_rate_limiter().reset()
