"""Search: ranked full-text matches over names, abstracts and data items, with facets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from govshare.catalog import permissions, search
from govshare.catalog.models import Category, Resource
from govshare.catalog.schemas import (
    CATEGORY_CLASS_LABELS,
    FORMAT_CLASS_LABELS,
    GRADING_LABELS,
    OPEN_TYPE_LABELS,
    SHARE_TYPE_LABELS,
    STATUS_LABELS,
    UPDATE_CYCLE_LABELS,
    FacetValue,
    ResourceFilter,
    SearchResult,
)
from govshare.catalog.service.common import summaries
from govshare.catalog.service.resources import filtered
from govshare.core.errors import FieldError, Invalid
from govshare.core.i18n import _
from govshare.core.pagination import decode_cursor, encode_cursor
from govshare.core.security import Actor, require

MAX_OFFSET = 5000
FACETS: dict[str, Any] = {
    "provider": Resource.provider_department_id,
    "category_class": Resource.category_class,
    "share_type": Resource.share_type,
    "open_type": Resource.open_type,
    "format_class": Resource.format_class,
    "update_cycle": Resource.update_cycle,
    "grading_level": Resource.grading_level,
    "status": Resource.status,
}
_LABELS: dict[str, dict[Any, str]] = {
    "category_class": CATEGORY_CLASS_LABELS,
    "share_type": SHARE_TYPE_LABELS,
    "open_type": OPEN_TYPE_LABELS,
    "format_class": FORMAT_CLASS_LABELS,
    "update_cycle": UPDATE_CYCLE_LABELS,
    "grading_level": GRADING_LABELS,
    "status": STATUS_LABELS,
}


def _offset(cursor: str | None) -> int:
    data = decode_cursor(cursor)
    if data is None:
        return 0
    offset = data.get("o")
    if not isinstance(offset, int) or offset < 0 or offset > MAX_OFFSET:
        raise Invalid(_("分页游标无效。"), errors=[FieldError("cursor", _("分页游标无效。"))])
    return offset


def _facets(
    session: Session, base: Select[Any], provider_names: dict[int, str]
) -> dict[str, list[FacetValue]]:
    ids = base.with_only_columns(Resource.id).order_by(None).subquery()
    out: dict[str, list[FacetValue]] = {}
    for name, col in FACETS.items():
        rows = session.execute(
            select(col, func.count())
            .select_from(Resource)
            .where(Resource.id.in_(select(ids.c.id)))
            .group_by(col)
            .order_by(func.count().desc())
        ).all()
        values = []
        for value, count in rows:
            if name == "provider":
                label = provider_names.get(value, str(value))
            else:
                raw = _LABELS[name].get(value)
                label = _(raw) if raw else str(value)
            values.append(FacetValue(value=str(value), label=label, count=int(count)))
        out[name] = values
    return out


def search_resources(
    session: Session,
    actor: Actor,
    filters: ResourceFilter | None = None,
    *,
    cursor: str | None = None,
    limit: int = 20,
    with_facets: bool = True,
) -> SearchResult:
    """Visible resources matching a Chinese phrase (every segmented word must occur in the name,
    abstract, data items, provider, code or keywords), best first; without a phrase, newest
    first. Facet counts cover the whole result set."""
    require(permissions.can_search_resources(actor), "catalog.search_resources")
    f = filters or ResourceFilter()
    tokens = search.query_tokens(f.q) if f.q.strip() else []
    base: Select[Any] = filtered(actor, f)  # type: ignore[assignment]
    offset = _offset(cursor)
    if tokens:
        base, rank = search.matching(session, base, tokens)
        ordered = base.order_by(rank, Resource.id.desc())
    elif f.q.strip():
        base = base.where(Resource.id == -1)  # only punctuation: nothing can match
        ordered = base
    else:
        ordered = base.order_by(Resource.id.desc())
    rows = list(session.scalars(ordered.offset(offset).limit(limit + 1)))
    more = len(rows) > limit and offset + limit < MAX_OFFSET
    rows = rows[:limit]
    total = session.scalar(base.with_only_columns(func.count()).order_by(None)) or 0
    names = dict(
        session.execute(
            select(Resource.provider_department_id, Resource.provider_name).distinct()
        ).all()
    )
    facets = _facets(session, base, names) if with_facets else {}
    return SearchResult(
        items=summaries(session, rows),
        total=int(total),
        facets=facets,
        next_cursor=encode_cursor({"o": offset + limit}) if more else None,
        tokens=tokens,
    )


def category_names(session: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in session.execute(select(Category.id, Category.name))}
