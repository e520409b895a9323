"""Search: ranked full-text matches over names, abstracts and data items, with facets."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
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
RANK_ALL = 2000  # result sets up to this size are ranked whole
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


Counts = dict[str, list[tuple[Any, int]]]  # facet → (value, count), most common first


def _count(session: Session, base: Select[Any]) -> tuple[Counts, dict[Any, str]]:
    """Every facet's counts over the whole result set, and the providers' names: one GROUP BY
    over the eight facet columns (a few thousand combinations at most) done by the database,
    summed per facet here."""
    cols = [FACETS[name] for name in FACETS]
    stmt = (
        base.with_only_columns(*cols, func.count(), func.max(Resource.provider_name))
        .group_by(*cols)
        .order_by(None)
    )
    counters: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
    provider_names: dict[Any, str] = {}
    names = list(FACETS)
    for row in session.execute(stmt):
        n = row[-2]
        for i, name in enumerate(names):
            counters[name][row[i]] += n
        provider_names[row[0]] = row[-1]
    return {name: c.most_common() for name, c in counters.items()}, provider_names


def _labelled(counts: Counts, provider_names: dict[Any, str]) -> dict[str, list[FacetValue]]:
    out: dict[str, list[FacetValue]] = {}
    for name, pairs in counts.items():
        values = []
        for value, count in pairs:
            if name == "provider":
                label = provider_names.get(value, str(value))
            else:
                raw = _LABELS[name].get(value)
                label = _(raw) if raw else str(value)
            values.append(FacetValue(value=str(value), label=label, count=int(count)))
        out[name] = values
    return out


def _facets(session: Session, base: Select[Any]) -> dict[str, list[FacetValue]]:
    """Counts of every facet over the whole result set (uncached)."""
    return _labelled(*_count(session, base))


class FacetCache:
    """Facet counts per catalog generation (docs/decisions/0005): a result set's counts are
    kept under the generation token they were counted in, with who asked (the visibility scope),
    the filters and the query tokens. Every write to resources changes the token in its own
    transaction, so an entry can only be found while the catalog is exactly as counted; no
    expiry is needed. Counts are stored unlabelled (labels follow the reader's language)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], tuple[Counts, dict[Any, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[Counts, dict[Any, str]] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], value: tuple[Counts, dict[Any, str]]) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


facet_cache = FacetCache()


def facet_counts(
    session: Session, actor: Actor, f: ResourceFilter, tokens: list[str], base: Select[Any]
) -> dict[str, list[FacetValue]]:
    """The facets of a result set, from the cache when the catalog has not changed since they
    were counted. The generation is read before and after counting; an entry is kept only when
    both agree (nothing committed in between), so under READ COMMITTED too it is exact."""
    before = search.generation(session)
    scope = (
        actor.is_authenticated,
        permissions.sees_all_resources(actor),
        actor.department_id,
    )
    key = (
        str(session.get_bind().engine.url),
        before,
        scope,
        f.model_dump_json(exclude={"q"}),
        tuple(tokens),
        bool(f.q.strip()),
    )
    cached = facet_cache.get(key) if before else None
    if cached is None:
        cached = _count(session, base)
        if before and search.generation(session) == before:
            facet_cache.put(key, cached)
    return _labelled(*cached)


def _ranked(
    session: Session, visible: Select[Any], tokens: list[str], total: int, offset: int, n: int
) -> list[Resource]:
    """One page of ranked matches. Matches in the name (or provider, code, keywords) come
    first, by relevance. The other matches follow, by relevance when there are few of them
    (≤ RANK_ALL); in a large result set by newest first, so that a query matching tens of
    thousands of data items does not score every one of them (docs/decisions/0005)."""
    everything, rank = search.matching(session, visible, tokens)
    if total <= RANK_ALL:
        return list(
            session.scalars(everything.order_by(rank, Resource.id.desc()).offset(offset).limit(n))
        )
    primary, prank = search.matching(session, visible, tokens, primary=True)
    rows = list(
        session.scalars(primary.order_by(prank, Resource.id.desc()).offset(offset).limit(n))
    )
    if len(rows) >= n:
        return rows
    in_primary = (
        session.scalar(
            primary.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
        )
        or 0
    )
    ids = primary.with_only_columns(Resource.id).order_by(None)
    rest = (
        everything.where(Resource.id.not_in(ids))
        .order_by(search.newest_first(session))
        .offset(max(0, offset - in_primary))
        .limit(n - len(rows))
    )
    return rows + list(session.scalars(rest))


def _ids(session: Session, tokens: list[str], total: int, offset: int, n: int) -> list[int]:
    """Ids of matches in rank order (tiers as in ``_ranked``), from the index alone."""
    if total <= RANK_ALL:
        return search.ranked_ids(session, tokens, None, primary=False, offset=offset, limit=n)
    ids = search.ranked_ids(session, tokens, None, primary=True, offset=offset, limit=n)
    if len(ids) < n:
        in_primary = search.count_matches(session, tokens, None, primary=True)
        ids += search.newest_ids(
            session, tokens, None, offset=max(0, offset - in_primary), limit=n - len(ids)
        )
    return ids


def _plain_search(
    session: Session,
    actor: Actor,
    f: ResourceFilter,
    tokens: list[str],
    offset: int,
    limit: int,
    with_facets: bool,
) -> SearchResult:
    """A phrase without other filters, answered by the full-text index alone (visibility is in
    the index as scope tokens; the rows are then read through visible_resources all the same)."""
    scope = search.scope_of(permissions.sees_all_resources(actor), actor.department_id)
    total = search.count_matches(session, tokens, scope)
    rows: list[Resource] = []
    want, fetched, n = offset + limit + 1, 0, offset + limit + 1
    while len(rows) < want and fetched < total + MAX_OFFSET:
        # Rank without the scope (scoring the scope tokens would cost more than it saves), then
        # keep what the actor may see; drafts of other departments are few, so this rarely loops.
        batch = _ids(session, tokens, total, fetched, n + n // 4 + 10)
        if not batch:
            break
        fetched += len(batch)
        found = {
            r.id: r
            for r in session.scalars(
                permissions.visible_resources(actor).where(Resource.id.in_(batch))
            )
        }
        rows += [found[i] for i in batch if i in found]
    rows = rows[offset:]
    more = len(rows) > limit and offset + limit < MAX_OFFSET
    facets = {}
    if with_facets:
        base, _rank = search.matching(session, filtered(actor, f), tokens)  # type: ignore[arg-type]
        facets = facet_counts(session, actor, f, tokens, base)
    return SearchResult(
        items=summaries(session, rows[:limit]),
        total=total,
        facets=facets,
        next_cursor=encode_cursor({"o": offset + limit}) if more else None,
        tokens=tokens,
    )


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
    if tokens and not f.model_dump(exclude_defaults=True, exclude={"q"}):
        return _plain_search(session, actor, f, tokens, offset, limit, with_facets)
    visible = base
    if tokens:
        base, _rank = search.matching(session, visible, tokens)
    elif f.q.strip():
        base = base.where(Resource.id == -1)  # only punctuation: nothing can match
    total = (
        session.scalar(
            base.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
        )
        or 0
    )
    if tokens:
        rows = _ranked(session, visible, tokens, total, offset, limit + 1)
    else:
        rows = list(
            session.scalars(base.order_by(Resource.id.desc()).offset(offset).limit(limit + 1))
        )
    more = len(rows) > limit and offset + limit < MAX_OFFSET
    rows = rows[:limit]
    facets = facet_counts(session, actor, f, tokens, base) if with_facets else {}
    return SearchResult(
        items=summaries(session, rows),
        total=int(total),
        facets=facets,
        next_cursor=encode_cursor({"o": offset + limit}) if more else None,
        tokens=tokens,
    )


def category_names(session: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in session.execute(select(Category.id, Category.name))}
