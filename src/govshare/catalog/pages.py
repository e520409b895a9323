"""Pages of the catalog (Chinese): browse with facets, resource detail, filing form, review
queue, import and statistics."""

from __future__ import annotations

from fastapi import APIRouter

from govshare.core.web import NavEntry

router = APIRouter(include_in_schema=False)

NAV: list[NavEntry] = []
