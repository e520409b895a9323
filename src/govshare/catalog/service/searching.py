"""Search: ranked full-text matches over names, abstracts and data items, with facets."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from govshare.catalog import permissions, search
from govshare.catalog.models import Category, FacetCount, Resource
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
    return _summed(session.execute(stmt))


def _summed(rows: Iterable[Sequence[Any]]) -> tuple[Counts, dict[Any, str]]:
    """Per-facet counts from rows of (the eight facet values…, count, provider name)."""
    counters: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
    provider_names: dict[Any, str] = {}
    names = list(FACETS)
    for row in rows:
        n = row[-2]
        for i, name in enumerate(names):
            counters[name][row[i]] += n
        provider_names[row[0]] = max(row[-1], provider_names.get(row[0], ""))
    # Most common first, ties by value (as the facet-count table's ORDER BY gives them), so
    # that the order does not depend on the order the database grouped the rows in.
    ordered = {
        name: sorted(c.items(), key=lambda vc: (-vc[1], vc[0])) for name, c in counters.items()
    }
    return ordered, provider_names


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


class GenerationCache:
    """Values per catalog generation (docs/decisions/0005): facet counts and result totals are
    kept under the generation token they were computed in, with who asked (the visibility
    scope), the filters and the query tokens. Every write to resources changes the token in its
    own transaction, so an entry can only be found while the catalog is exactly as counted; no
    expiry is needed. Facet counts are stored unlabelled (labels follow the reader's language)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


facet_cache = GenerationCache()
total_cache = GenerationCache(size=2048)
# Filters the facet-count table can answer: its columns (category and area are not in it).
_TABLE_FILTERS = {"status", "provider_department_id", "category_class", "share_type"}
_TABLE_FILTERS |= {"open_type", "format_class", "update_cycle", "grading_level"}


def _cached(
    cache: GenerationCache,
    session: Session,
    actor: Actor,
    f: ResourceFilter,
    tokens: list[str],
    compute: Callable[[], Any],
) -> Any:
    """``compute()``, from ``cache`` when the catalog has not changed since it was computed.
    The generation is read before and after; the value is kept only when both agree (nothing
    committed in between), so under READ COMMITTED too a hit is exact."""
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
    found = cache.get(key) if before else None
    if found is None:
        found = compute()
        if before and search.generation(session) == before:
            cache.put(key, found)
    return found


def _cached_total(
    session: Session, actor: Actor, f: ResourceFilter, tokens: list[str], count: Callable[[], int]
) -> int:
    return int(_cached(total_cache, session, actor, f, tokens, count))


def _combinations(actor: Actor, f: ResourceFilter) -> Select[Any]:
    """The facet-count combinations the actor may see, narrowed by the filters on their columns."""
    stmt = permissions.visible_facet_counts(actor)
    for name in _TABLE_FILTERS:
        value = getattr(f, name)
        if value is not None:
            stmt = stmt.where(getattr(FacetCount, name) == value)
    return stmt


def _table_count(
    session: Session, actor: Actor, f: ResourceFilter
) -> tuple[Counts, dict[Any, str]]:
    """Facet counts of a browse without a phrase, from the facet-count table the triggers keep
    (a few thousand combinations): exact in every generation, nothing to recount."""
    stmt = _combinations(actor, f)
    counts: Counts = {}
    provider_names: dict[Any, str] = {}
    for name in FACETS:  # eight small GROUP BYs in the database beat summing in Python
        col = getattr(FacetCount, FACETS[name].key)
        grouped = stmt.with_only_columns(
            col, func.sum(FacetCount.n), func.max(FacetCount.provider_name)
        ).group_by(col)
        rows = session.execute(grouped.order_by(func.sum(FacetCount.n).desc(), col)).all()
        counts[name] = [(row[0], int(row[1])) for row in rows]
        if name == "provider":
            provider_names = {row[0]: row[2] for row in rows}
    return counts, provider_names


def _combination_count(
    session: Session, actor: Actor, f: ResourceFilter, tokens: list[str]
) -> tuple[Counts, dict[Any, str]]:
    """Facet counts of a phrase's matches (filters on facet columns only): the matches counted
    per facet combination from the index and ``catalog_resource_facet`` (one integer a match),
    then the combinations the actor may see and the filters keep, summed per facet. Exact in
    every generation: the triggers keep both tables in the transaction of every write."""
    matches = search.combination_counts(session, tokens)
    if not matches:
        return {name: [] for name in FACETS}, {}
    cols = [getattr(FacetCount, FACETS[name].key) for name in FACETS]
    stmt = _combinations(actor, f).with_only_columns(FacetCount.id, *cols, FacetCount.provider_name)
    rows = session.execute(stmt)
    return _summed((*row[1:-1], matches[row[0]], row[-1]) for row in rows if row[0] in matches)


def facet_counts(
    session: Session, actor: Actor, f: ResourceFilter, tokens: list[str], base: Select[Any]
) -> dict[str, list[FacetValue]]:
    """The facets of a result set. With filters on facet columns only: without a phrase from
    the facet-count table, with one from the combinations of its matches (both exact, nothing
    to recount after a write); otherwise counted over the result set. Kept per catalog
    generation for repeat views."""
    compute: Callable[[], tuple[Counts, dict[Any, str]]] = partial(_count, session, base)
    if not f.model_dump(exclude_defaults=True, exclude=_TABLE_FILTERS | {"q"}):
        if not f.q.strip():
            compute = partial(_table_count, session, actor, f)
        elif tokens:
            compute = partial(_combination_count, session, actor, f, tokens)
    return _labelled(*_cached(facet_cache, session, actor, f, tokens, compute))


def _ranked(
    session: Session, visible: Select[Any], tokens: list[str], offset: int, n: int
) -> list[Resource]:
    """One page of ranked matches among ``visible`` (filters applied): the tiers of
    ``search.TIERS`` in order, newest first inside each (docs/decisions/0005)."""
    rows: list[Resource] = []
    for tier in search.TIERS:
        ids = search.tier_ids(session, tokens, tier)
        stmt = visible.where(Resource.id.in_(ids))
        page = list(
            session.scalars(stmt.order_by(Resource.id.desc()).offset(offset).limit(n - len(rows)))
        )
        rows += page
        if len(rows) >= n:
            break
        offset = 0 if page or not offset else max(0, offset - _size(session, stmt))
    return rows


def _size(session: Session, stmt: Select[Any]) -> int:
    count = stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return int(session.scalar(count) or 0)


def _ids(session: Session, tokens: list[str], offset: int, n: int) -> list[int]:
    """Ids of matches in rank order (tiers as in ``_ranked``), from the index alone: each
    tier is read newest first and only as far as the page needs; a tier is counted only when
    a later page starts past it."""
    out: list[int] = []
    for tier in search.TIERS:
        page = search.tier_page(session, tokens, tier, offset=offset, limit=n - len(out))
        out += page
        if len(out) >= n:
            break
        offset = (
            0 if page or not offset else max(0, offset - search.tier_count(session, tokens, tier))
        )
    return out


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
    total = _cached_total(
        session, actor, f, tokens, lambda: search.count_matches(session, tokens, scope)
    )
    rows: list[Resource] = []
    want, fetched, n = offset + limit + 1, 0, offset + limit + 1
    while len(rows) < want and fetched < total + MAX_OFFSET:
        # Rank without the scope (scoring the scope tokens would cost more than it saves), then
        # keep what the actor may see; drafts of other departments are few, so this rarely loops.
        batch = _ids(session, tokens, fetched, n + n // 4 + 10)
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
    abstract, data items, provider, code or keywords) in the tiers of ``search.TIERS``, newest
    first in each; without a phrase, newest first. Facet counts cover the whole result set."""
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
    total = _cached_total(session, actor, f, tokens, lambda: _size(session, base))
    if tokens:
        rows = _ranked(session, visible, tokens, offset, limit + 1)
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
