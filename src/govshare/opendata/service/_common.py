"""Shared parts of the portal's services: the portal actor, the released set, masks, the cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.catalog.schemas import DataItemPublic, ResourcePublic
from govshare.core import masking
from govshare.core.config import get_settings
from govshare.core.errors import NotFound
from govshare.core.i18n import N_, _
from govshare.core.security import Actor, derive_key
from govshare.datastore import service as datastore
from govshare.opendata.models import Application, Release

# The portal reads the catalog and the datastore as this system actor after deciding itself that
# a resource is released (and, for data, that the visitor may read it); it says so with
# ``authorized_by`` and records its own audit entry with the real visitor.
PORTAL = Actor(
    kind="system",
    username="opendata.portal",
    display_name=N_("开放数据门户"),
    roles=frozenset(),
)
T = TypeVar("T")


def released(level: str | None = None) -> Select[Any]:
    """Ids of the resources released on the portal (at ``level`` if given)."""
    stmt = select(Release.resource_id).where(Release.status == "released")
    if level:
        stmt = stmt.where(Release.level == level)
    return stmt


def release_of(session: Session, resource_id: int) -> Release:
    rel = session.scalars(
        select(Release).where(Release.resource_id == resource_id, Release.status == "released")
    ).one_or_none()
    if rel is None:
        raise NotFound(_("数据集不存在或未开放。"))
    return rel


def open_resource(session: Session, actor: Actor, resource_id: int) -> ResourcePublic:
    return catalog.get_open_resource(session, actor, released(), resource_id)


def personal_unmasked(items: list[DataItemPublic], masks: dict[str, str]) -> list[str]:
    """Names of personal data items that would leave in the clear under ``masks``."""
    out = []
    for item in items:
        mask = masks.get(item.name, masking.Mask.NONE.value)
        if item.personal and mask == masking.Mask.NONE.value:
            out.append(item.name)
    return out


def proposed_masks(resource: ResourcePublic) -> dict[str, str]:
    """The §4.2 defaults for a resource's items; personal items never default to the clear."""
    out: dict[str, str] = {}
    for item in resource.data_items:
        mask = masking.default_mask(
            item.name,
            item.type_code,
            max(item.sensitivity_level, 2 if item.personal else 1),
            resource.grading_level,
        )
        if item.personal and mask is masking.Mask.NONE:
            mask = masking.Mask.SUPPRESS
        out[item.name] = mask.value
    return out


def _pseudonym_key() -> bytes:
    return derive_key(get_settings().secret(), "opendata-pseudonym")


def mask_functions(
    resource: ResourcePublic, masks: dict[str, str]
) -> dict[str, Callable[[str | None], str | None]]:
    """column → masking function for every masked item. A personal item without a mask (added to
    the resource after its release) is suppressed: nothing personal leaves in the clear."""
    key = _pseudonym_key()
    out: dict[str, Callable[[str | None], str | None]] = {}
    for item in resource.data_items:
        raw = masks.get(item.name, masking.Mask.NONE.value)
        try:
            mask = masking.Mask(raw)
        except ValueError:
            mask = masking.Mask.SUPPRESS
        if item.personal and mask is masking.Mask.NONE:
            mask = masking.Mask.SUPPRESS
        if mask is masking.Mask.NONE:
            continue
        out[item.name] = _bound(mask, key)
    return out


def _bound(mask: masking.Mask, key: bytes) -> Callable[[str | None], str | None]:
    def apply(value: str | None) -> str | None:
        return masking.mask_value(mask, value, key=key)

    return apply


def mask_rows(
    rows: list[dict[str, Any]], fns: dict[str, Callable[[str | None], str | None]]
) -> list[dict[str, Any]]:
    if not fns:
        return rows
    out = []
    for row in rows:
        new = dict(row)
        for name, fn in fns.items():
            if name in new and new[name] is not None:
                new[name] = fn(str(new[name]))
        out.append(new)
    return out


def granted(session: Session, visitor_id: int | None, resource_id: int) -> bool:
    if visitor_id is None:
        return False
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Application)
            .where(
                Application.public_user_id == visitor_id,
                Application.resource_id == resource_id,
                Application.status == "granted",
            )
        )
    )


def dataset_of(session: Session, resource_id: int) -> Any | None:
    """The datastore dataset of a resource with a published version, or None."""
    try:
        ds = datastore.get_dataset_by_resource(session, PORTAL, resource_id)
    except NotFound:
        return None
    return ds if ds.current_version_id else None


def datasets_by_resource(session: Session) -> dict[int, Any]:
    """resource id → dataset, for datasets with a published version."""
    return {
        d.resource_id: d for d in datastore.list_datasets(session, PORTAL) if d.current_version_id
    }


# --- the cache of public answers ------------------------------------------------------------------

_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 512


def stamp_info(session: Session, actor: Actor) -> tuple[str, dt.datetime | None]:
    """The portal's version and when it last changed: it changes whenever a release or an open
    resource changes (an edit, a publication, a retirement, a level change). Computed once per
    transaction (until it writes)."""
    memo = session.info.get(_STAMP_KEY)
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    memo = _stamp_info(session, actor)
    session.info[_STAMP_KEY] = memo
    return memo


def _stamp_info(session: Session, actor: Actor) -> tuple[str, dt.datetime | None]:
    """The catalog's generation token (changed by every write to a resource) and the releases'
    count and last change key a memo of the counted stamp: two cheap reads a request, and the
    open set is counted once per change."""
    generation = catalog.get_catalog_generation(session, actor)
    rel = tuple(
        session.execute(  # two subqueries: each is answered from an index without a scan
            select(
                select(func.count()).select_from(Release).scalar_subquery(),
                select(func.max(Release.updated_at)).scalar_subquery(),
            )
        ).one()
    )
    if not generation:
        return _counted_stamp(session, actor, rel)
    key = ("stamp", str(session.get_bind().engine.url), generation, *rel)
    return cached(key, lambda: _counted_stamp(session, actor, rel))


def _counted_stamp(
    session: Session, actor: Actor, rel: tuple[Any, ...]
) -> tuple[str, dt.datetime | None]:
    count, changed = catalog.get_open_catalog_stamp(session, actor, released())
    raw = f"{count}|{changed}|{rel[0]}|{rel[1]}"
    times = [t for t in (changed, rel[1]) if t is not None]
    latest = max(_utc(t) for t in times) if times else None
    return hashlib.sha1(raw.encode()).hexdigest()[:16], latest  # noqa: S324 - a cache key


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def stamp(session: Session, actor: Actor) -> str:
    """The portal's version (see ``stamp_info``)."""
    return stamp_info(session, actor)[0]


_STAMP_KEY = "opendata_stamp"


@event.listens_for(Session, "after_flush")
def _forget_stamp(session: Session, _context: object) -> None:
    """A flush that wrote objects may have changed the portal: compute the stamp again."""
    session.info.pop(_STAMP_KEY, None)


@event.listens_for(Session, "after_commit")
def _forget_stamp_after_commit(session: Session) -> None:
    session.info.pop(_STAMP_KEY, None)


@event.listens_for(Session, "after_rollback")
def _forget_stamp_after_rollback(session: Session) -> None:
    session.info.pop(_STAMP_KEY, None)


def cached(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """The value cached under ``key`` (which includes the portal stamp), or ``build()``."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]  # type: ignore[no-any-return]
    value = build()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    """Forget every cached answer and the catalog's kept facet values (tests; a release change
    also changes the stamp)."""
    with _cache_lock:
        _cache.clear()
    catalog.clear_open_facts()
