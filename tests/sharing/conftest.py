"""A loaded population resource of 市公安局 and a 陵城区 consumer system, once per test."""

from __future__ import annotations

import pytest

from govshare.core.ratelimit import get_rate_limiter
from tests.sharing.helpers import World, build_world


@pytest.fixture
def world(db, session, tmp_path) -> World:  # type: ignore[no-untyped-def]
    from govshare.sharing.service.data import clear_caches
    from govshare.sharing.service.hotpath import clear_entries

    get_rate_limiter().reset()
    clear_caches()
    clear_entries()
    return build_world(db, session, tmp_path)
