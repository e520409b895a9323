"""The catalog as the public open-data portal sees it: published resources whose 开放属性 is
无条件开放 or 有条件开放, narrowed to those the portal has released (``within``: a subquery of
resource ids that the opendata module passes in). Anyone may read these, visitors included;
closed resources and unpublished filings never appear.

Search uses the same segmented full-text index as the catalog (no second index): a Chinese phrase
is matched by ``search.matching``, a relevance-sorted page is ranked on the index alone
(``search.best_matches``); facet counts and the total come from one GROUP BY over the facets.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Select,
    exists,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from govshare.catalog import exchange, permissions, search
from govshare.catalog.models import Category, Resource
from govshare.catalog.schemas import (
    FORMAT_CLASS_LABELS,
    OPEN_TYPE_LABELS,
    FacetValue,
    ResourcePublic,
    ResourceSummary,
)
from govshare.catalog.service.common import _PUBLIC_FIELDS as PUBLIC_FIELDS
from govshare.catalog.service.common import (
    categories_of,
    public,
    public_many,
    summaries,
)
from govshare.core.areas import CITY, COUNTIES
from govshare.core.errors import NotFound
from govshare.core.i18n import _
from govshare.core.security import ANONYMOUS, Actor, require

OPEN_TYPES = ("open", "conditional")
PORTAL_FACETS = ("provider", "domain", "county", "open_type", "format_class", "update_cycle")
#: How many of the index's best-ranked matches a relevance-sorted page is looked for among (at
#: least BEST_FEW, or BEST_PAGES times the rows up to the page's end), before falling back to
#: ranking every match.
BEST_FEW = 200
BEST_PAGES = 4
SORTS = ("relevance", "modified_desc", "modified_asc", "name_asc", "name_desc", "newest")


def _base(within: Select[Any]) -> Select[Any]:
    return select(Resource).where(
        Resource.status == "published",
        Resource.open_type.in_(OPEN_TYPES),
        Resource.id.in_(within),
    )


def _has_keyword(session: Session, tag: str) -> Any:
    if search.dialect(session) == "postgresql":
        return text("CAST(catalog_resource.keywords AS jsonb) ? :kw").bindparams(kw=tag)
    each = func.json_each(Resource.keywords).table_valued("value")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value == tag))


def _narrow(session: Session, stmt: Select[Any], filters: dict[str, Any]) -> Select[Any]:
    simple = {
        "provider_department_id": Resource.provider_department_id,
        "open_type": Resource.open_type,
        "format_class": Resource.format_class,
        "update_cycle": Resource.update_cycle,
        "category_class": Resource.category_class,
    }
    for key, value in filters.items():
        if value in (None, "", []):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        if key in simple:
            stmt = stmt.where(simple[key].in_(values))
        elif key == "domain":
            stmt = stmt.where((Resource.lei + Resource.xiang).in_([str(v) for v in values]))
        elif key == "county":
            stmt = stmt.where(func.substr(Resource.provider_area_code, 1, 6).in_(values))
        elif key == "tags":
            for tag in values:
                stmt = stmt.where(_has_keyword(session, str(tag)))
        elif key == "ids":
            stmt = stmt.where(Resource.id.in_([int(v) for v in values]))
    return stmt


def _domain_names(session: Session) -> dict[str, str]:
    rows = session.execute(select(Category.full_code, Category.name).where(Category.level == 2))
    return {str(code): str(name) for code, name in rows}


def _county_names() -> dict[str, str]:
    return {CITY.code: _("市本级"), **{a.code: a.name for a in COUNTIES}}


def _label(session: Session, facet: str, row: Sequence[Any], cache: dict[str, Any]) -> str:
    value = row[0]
    if facet == "provider":
        return str(row[1])
    if facet == "domain":
        if "domain" not in cache:
            cache["domain"] = _domain_names(session)
        return str(cache["domain"].get(value, value))
    if facet == "county":
        if "county" not in cache:
            cache["county"] = _county_names()
        return str(cache["county"].get(value, _("市本级")))
    if facet == "open_type":
        return _(OPEN_TYPE_LABELS.get(value, str(value)))
    if facet == "format_class":
        return _(FORMAT_CLASS_LABELS.get(value, str(value)))
    return str(value)


def _facet_exprs() -> dict[str, Any]:
    """The column or expression of each of PORTAL_FACETS."""
    return {
        "provider": Resource.provider_department_id.label("provider"),
        "domain": (Resource.lei + Resource.xiang).label("domain"),
        "county": func.substr(Resource.provider_area_code, 1, 6).label("county"),
        "open_type": Resource.open_type.label("open_type"),
        "format_class": Resource.format_class.label("format_class"),
        "update_cycle": Resource.update_cycle.label("update_cycle"),
    }


def _facets(
    session: Session, matches: Select[Any], wanted: Sequence[str], limit: int
) -> tuple[dict[str, list[FacetValue]], int | None]:
    """Counts per value of each wanted facet over the whole result set, from one query; and the
    size of the result set (every match has exactly one value of a facet, so the first facet's
    counts add up to it), None when no facet was wanted."""
    names = [f for f in wanted if f in PORTAL_FACETS]
    if not names:
        return {}, None
    cols = _facet_exprs()
    # One GROUP BY over the wanted columns together (the combinations are few: a provider has
    # one county, a handful of domains); the per-facet counts are summed from it here. Half
    # the time of grouping a materialised result once per facet.
    grouped = matches.with_only_columns(
        *[cols[f] for f in names], func.max(Resource.provider_name), func.count()
    ).order_by(None)
    grouped = grouped.group_by(*[cols[f] for f in names])
    groups = ((tuple(row[:-2]), row[-2], int(row[-1])) for row in session.execute(grouped))
    return _tally(session, names, groups, limit)


def _tally(
    session: Session,
    names: Sequence[str],
    groups: Iterable[tuple[tuple[Any, ...], Any, int]],
    limit: int,
) -> tuple[dict[str, list[FacetValue]], int]:
    """Facet values with counts (the ``limit`` most common of each facet) from groups of
    (the facets' values in ``names`` order, a provider name, how many); and their sum."""
    counters: dict[str, Counter[str]] = {f: Counter() for f in names}
    labels: dict[str, str] = {}
    at = names.index("provider") if "provider" in names else -1
    for values, provider_name, n in groups:
        for i, f in enumerate(names):
            counters[f][str(values[i])] += n
        if at >= 0:
            labels[str(values[at])] = str(provider_name)
    total = sum(counters[names[0]].values())
    out: dict[str, list[FacetValue]] = {}
    cache: dict[str, Any] = {}
    counties = _county_names()
    for f in names:
        counter = counters[f]
        if f == "county":
            merged: Counter[str] = Counter()
            for value, n in counter.items():
                merged[value if value in counties else CITY.code] += n
            counter = merged
        out[f] = [
            FacetValue(
                value=value,
                label=labels.get(value, value)
                if f == "provider"
                else _label(session, f, (value,), cache),
                count=int(n),
            )
            for value, n in counter.most_common(limit)
        ]
    return out, total


# The open resources' values of PORTAL_FACETS by id, kept per portal version (the caller's
# ``cache_key``): a phrase search with no filter counts its matches here instead of joining every
# match. Kept as (resource id → number of its combination of values, the combinations), so that
# counting a search's matches counts small integers.
_Facts = tuple[dict[int, int], list[tuple[Any, ...]]]
_facts: dict[Hashable, _Facts] = {}
_facts_lock = threading.Lock()


def clear_open_facts() -> None:
    """Forget the kept facet values (a new process; tests)."""
    with _facts_lock:
        _facts.clear()


def _open_facts(session: Session, within: Select[Any], key: Hashable) -> _Facts:
    with _facts_lock:
        found = _facts.get(key)
    if found is not None:
        return found
    cols = _facet_exprs()
    stmt = _base(within).with_only_columns(
        Resource.id, *[cols[f] for f in PORTAL_FACETS], Resource.provider_name
    )
    numbers: dict[tuple[Any, ...], int] = {}
    of: dict[int, int] = {}
    # The cyclic collector paused while the rows are read: tens of thousands of short-lived
    # rows alive at once would otherwise be promoted to the oldest generation, whose full
    # collection (every object of the process, ~200 ms here) they soon trigger.
    paused = gc.isenabled()
    gc.disable()
    try:
        rows = session.connection().execute(stmt).all()  # plain rows: no ORM processing
        for row in rows:
            of[int(row[0])] = numbers.setdefault(tuple(row[1:]), len(numbers))
        del rows
    finally:
        if paused:
            gc.enable()
    facts: _Facts = (of, list(numbers))
    with _facts_lock:
        if len(_facts) >= 4:  # a few versions at most: older ones are never asked again
            _facts.clear()
        _facts[key] = facts
    return facts


def _search_on_index(
    session: Session,
    within: Select[Any],
    key: Hashable,
    tokens: list[str],
    offset: int,
    limit: int,
    facets: Sequence[str],
    facet_limit: int,
) -> tuple[list[Resource], int, dict[str, list[FacetValue]]]:
    """A phrase search ranked by relevance with no filter: the matches' ids from the full-text
    index alone, narrowed to the open resources and counted with the kept facet values; the
    page ranked on the index; only the page's resources read from the table."""
    facts, combos = _open_facts(session, within, key)
    hits = [i for i in search.matching_ids(session, tokens) if i in facts]
    total = len(hits)
    counts: dict[str, list[FacetValue]] = {}
    names = [f for f in facets if f in PORTAL_FACETS]
    if names:
        at = [PORTAL_FACETS.index(f) for f in names]
        counted = Counter(map(facts.__getitem__, hits))  # small integers, counted in C
        groups = ((tuple(combos[c][j] for j in at), combos[c][-1], n) for c, n in counted.items())
        counts, _total = _tally(session, names, groups, facet_limit)
    rows: list[Resource] = []
    wanted = min(limit, total - offset)
    if limit > 0 and wanted > 0:
        k: int | None = max(BEST_FEW, BEST_PAGES * (offset + limit))
        ranked = [i for i in search.ranked_ids(session, tokens, k) if i in facts]
        if len(ranked) < offset + wanted:
            ranked = [i for i in search.ranked_ids(session, tokens, None) if i in facts]
        page = ranked[offset : offset + limit]
        found = {r.id: r for r in session.scalars(select(Resource).where(Resource.id.in_(page)))}
        rows = [found[i] for i in page if i in found]
    return rows, total, counts


def _order(sort: str, rank: Any | None) -> list[Any]:
    if sort == "relevance" and rank is not None:
        return [rank, Resource.id.desc()]
    if sort == "modified_asc":
        return [Resource.updated_at.asc(), Resource.id]
    if sort == "name_asc":
        return [Resource.name.asc(), Resource.id]
    if sort == "name_desc":
        return [Resource.name.desc(), Resource.id.desc()]
    if sort == "newest":
        return [Resource.published_at.desc(), Resource.id.desc()]
    return [Resource.updated_at.desc(), Resource.id.desc()]


def _search(
    session: Session,
    within: Select[Any],
    q: str,
    filters: dict[str, Any] | None,
    sort: str,
    offset: int,
    limit: int,
    facets: Sequence[str],
    facet_limit: int,
    cache_key: Hashable | None,
) -> tuple[list[Resource], int, dict[str, list[FacetValue]], list[str]]:
    tokens = search.query_tokens(q) if q.strip() else []
    plain = not any(v not in (None, "", []) for v in (filters or {}).values())
    if cache_key is not None and tokens and plain and sort == "relevance":
        found, many, counted_on_index = _search_on_index(
            session, within, cache_key, tokens, offset, limit, facets, facet_limit
        )
        return found, many, counted_on_index, tokens
    narrowed = _narrow(session, _base(within), filters or {})
    stmt, rank = narrowed, None
    if tokens:
        stmt, rank = search.matching(session, narrowed, tokens)
    elif q.strip():
        stmt = stmt.where(Resource.id == -1)  # only punctuation: nothing can match
    # With facets, their one grouped query also gives the total: the matches are found twice
    # (facets, page) instead of three times.
    counts, counted = _facets(session, stmt, facets, facet_limit) if facets else ({}, None)
    total = (
        counted
        if counted is not None
        else int(session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0)
    )
    rows: list[Resource] = []
    wanted = min(limit, total - offset)
    if limit > 0 and offset < total and rank is not None and sort == "relevance":
        # Rank the index alone for the best few, then narrow them; a common word's matches are
        # not all joined and sorted. Too few survive the narrowing: the full query below.
        k = max(BEST_FEW, BEST_PAGES * (offset + limit))
        best = search.best_matches(session, tokens, k)
        page = (
            narrowed.join(best, best.c.id == Resource.id)
            .order_by(best.c.score, Resource.id.desc())
            .offset(offset)
            .limit(limit)
        )
        rows = list(session.scalars(page))
    if limit > 0 and offset < total and len(rows) < wanted:
        rows = list(session.scalars(stmt.order_by(*_order(sort, rank)).offset(offset).limit(limit)))
    return rows, total, counts, tokens


def search_open_resources(
    session: Session,
    actor: Actor,
    within: Select[Any],
    *,
    q: str = "",
    filters: dict[str, Any] | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facets: Sequence[str] = (),
    facet_limit: int = 50,
    cache_key: Hashable | None = None,
) -> tuple[list[ResourceSummary], int, dict[str, list[FacetValue]], list[str]]:
    """Open and conditionally open published resources among ``within`` matching a Chinese
    phrase (every segmented word must occur, as in catalog search) and exact ``filters``
    (provider_department_id, domain, county, open_type, format_class, update_cycle, tags, ids;
    a value or a list), sorted, one page; with the total and the requested facet counts.

    ``cache_key``: a value that changes whenever an open resource or ``within`` does (the
    portal's version). Given, the open resources' facet values are kept in memory under it and
    a phrase search by relevance without filters is answered from the full-text index."""
    require(permissions.can_search_open_resources(actor), "catalog.search_open_resources")
    rows, total, counts, tokens = _search(
        session, within, q, filters, sort, offset, limit, facets, facet_limit, cache_key
    )
    return summaries(session, rows), total, counts, tokens


def search_open_resources_public(
    session: Session,
    actor: Actor,
    within: Select[Any],
    *,
    q: str = "",
    filters: dict[str, Any] | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facets: Sequence[str] = (),
    facet_limit: int = 50,
    cache_key: Hashable | None = None,
) -> tuple[list[ResourcePublic], int, dict[str, list[FacetValue]], list[str]]:
    """As ``search_open_resources``, the page's resources whole but without their data items
    (CKAN's package_search lists packages): no second query for them."""
    require(
        permissions.can_search_open_resources_public(actor), "catalog.search_open_resources_public"
    )
    rows, total, counts, tokens = _search(
        session, within, q, filters, sort, offset, limit, facets, facet_limit, cache_key
    )
    return _without_items(session, rows), total, counts, tokens


def get_open_resource(
    session: Session, actor: Actor, within: Select[Any], resource_id: int
) -> ResourcePublic:
    """One open or conditionally open published resource among ``within``, with its data items;
    NotFound for anything else (closed, unpublished, not released, missing)."""
    require(permissions.can_get_open_resource(actor), "catalog.get_open_resource")
    resource = session.scalars(_base(within).where(Resource.id == resource_id)).one_or_none()
    if resource is None:
        raise NotFound(_("数据集不存在或未开放。"))
    return public(session, ANONYMOUS, resource)


def get_open_resources(
    session: Session,
    actor: Actor,
    within: Select[Any],
    resource_ids: Sequence[int],
    *,
    with_items: bool = True,
) -> list[ResourcePublic]:
    """Several open resources by id (those that are not open are left out), in the given order;
    without their data items when ``with_items`` is false (lists of packages)."""
    require(permissions.can_get_open_resources(actor), "catalog.get_open_resources")
    found = {
        r.id: r for r in session.scalars(_base(within).where(Resource.id.in_(list(resource_ids))))
    }
    ordered = [found[i] for i in resource_ids if i in found]
    if with_items:
        return public_many(session, ANONYMOUS, ordered)
    return _without_items(session, ordered)


def _without_items(session: Session, resources: Sequence[Resource]) -> list[ResourcePublic]:
    cats = categories_of(session, list({r.category_id for r in resources}))
    return [
        ResourcePublic(
            **{f: getattr(r, f) for f in PUBLIC_FIELDS},
            category_code=cats[r.category_id].full_code,
            category_name=cats[r.category_id].name,
            pending_version=None,
            pending_status=None,
            data_items=[],
        )
        for r in resources
    ]


def get_domain_names(session: Session, actor: Actor) -> dict[str, str]:
    """The names of the catalog's domains (项, level-2 categories) by code, e.g. ``211`` →
    环境保护: the portal's domains and CKAN's groups."""
    require(permissions.can_get_domain_names(actor), "catalog.get_domain_names")
    return _domain_names(session)


def get_open_catalog_stamp(
    session: Session, actor: Actor, within: Select[Any]
) -> tuple[int, dt.datetime | None]:
    """How many open resources there are and when the last of them changed: the portal's
    cache key (any edit, publication or retirement of an open resource changes it)."""
    require(permissions.can_get_open_catalog_stamp(actor), "catalog.get_open_catalog_stamp")
    base = _base(within)
    row = session.execute(
        base.with_only_columns(func.count(), func.max(Resource.updated_at)).order_by(None)
    ).one()
    return int(row[0] or 0), row[1]


def get_catalog_generation(session: Session, actor: Actor) -> str:
    """The catalog's generation token: it changes in the transaction of every write that adds,
    changes or removes a resource or a data item (docs/decisions/0005), so an answer cached under
    it is exact. One primary-key read, where ``get_open_catalog_stamp`` scans the open set."""
    require(permissions.can_get_catalog_generation(actor), "catalog.get_catalog_generation")
    return search.generation(session)


def get_open_dcat(
    session: Session,
    actor: Actor,
    within: Select[Any],
    *,
    landing: str,
    distributions: dict[int, list[dict[str, Any]]],
    title: str,
    publisher: str,
) -> dict[str, Any]:
    """The open resources among ``within`` as DCAT-AP JSON-LD (catalog/exchange.py), with the
    portal's landing pages (``landing`` with ``{id}``) and distributions (download URLs)."""
    require(permissions.can_get_open_dcat(actor), "catalog.get_open_dcat")
    ids = list(session.scalars(_base(within).with_only_columns(Resource.id).order_by(Resource.id)))
    resources: list[ResourcePublic] = []
    for start in range(0, len(ids), 500):
        batch = list(
            session.scalars(_base(within).where(Resource.id.in_(ids[start : start + 500])))
        )
        resources += public_many(session, ANONYMOUS, batch)
    base = landing.split("{id}")[0].rstrip("/")
    doc = exchange.dcat_catalog(resources, base, title, publisher)
    graph = doc["@graph"]
    catalog_node, datasets = graph[0], graph[1 : 1 + len(resources)]
    catalog_node["@id"] = landing.replace("{id}", "").rstrip("/") or base
    for r, ds in zip(resources, datasets, strict=True):
        url = landing.format(id=r.id)
        ds["@id"] = url
        ds["dcat:landingPage"] = {"@id": url}
        dists = distributions.get(r.id)
        ds["dcat:distribution"] = (
            dists if dists else [{"@type": "dcat:Distribution", "dcat:accessURL": {"@id": url}}]
        )
    catalog_node["dcat:dataset"] = [{"@id": d["@id"]} for d in datasets]
    return doc
