"""Reference rules: "the value exists in another resource", checked as an anti-join inside the
datastore engine over both resources' current versions; which resources a steward may reference."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.core.config import get_settings
from govshare.core.errors import FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.datastore import service as datastore
from govshare.quality import permissions
from govshare.quality.compiler import Spec, reference_sql
from govshare.quality.schemas import ReferenceTarget
from govshare.quality.service._common import dataset, keys_of, target, types_of
from govshare.quality.suggest import CREDIT_CODE, ENTITY_RESOURCE

TARGETS_MAX = 200


def _bad(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[FieldError(field, message)])


def referenced(session: Session, actor: Actor, params: dict[str, Any]) -> Any:
    """The referenced resource's dataset, checked for a rule: the resource must be visible to
    the actor in the catalog (a hidden one is NotFound, exactly like a missing one), have a
    dataset with a published version, and hold the referenced item."""
    try:
        resource_id = int(params.get("resource_id") or 0)
    except (TypeError, ValueError):
        resource_id = 0
    if not resource_id:
        raise _bad("params.resource_id", _("请选择引用的信息资源。"))
    try:
        catalog.get_resource(session, actor, resource_id)
    except NotFound as exc:
        raise NotFound(_("引用的信息资源不存在或您无权查看。")) from exc
    try:
        ref = datastore.get_dataset_by_resource(session, actor, resource_id)
    except NotFound as exc:
        raise _bad("params.resource_id", _("引用的信息资源还没有数据集。")) from exc
    item = str(params.get("item") or "")
    if item not in types_of(ref):
        raise _bad(
            "params.item",
            _("引用的信息资源「{name}」中没有数据项「{item}」。").format(name=ref.name, item=item),
        )
    if ref.current_version_id is None:
        raise _bad(
            "params.resource_id",
            _("引用的信息资源「{name}」还没有已发布的版本，无法比对。").format(name=ref.name),
        )
    return ref


def measure_reference(
    session: Session, actor: Actor, ds: Any, number: int, spec: Spec, name: str
) -> dict[str, Any]:
    """Rows checked and failing, and at most 20 failing samples (only when some fail)."""
    try:
        ref = datastore.get_dataset_by_resource(session, actor, int(spec.params["resource_id"]))
        ref_type = types_of(ref)[str(spec.params["item"])]
        counts, samples = reference_sql(spec, keys_of(ds), types_of(ds), ref_type)
        scan = _scan(session, actor, ds, number, spec, counts)
        checked, failing = (int(x) for x in scan.rows[0])
        found = []
        if failing:
            found = [
                {"key": k, "value": v}
                for k, v in _scan(session, actor, ds, number, spec, samples).rows
            ]
    except (NotFound, KeyError, ValueError) as exc:
        raise Invalid(
            _(
                "规则「{name}」无法执行：引用的信息资源或数据项已不存在，或还没有已发布的版本。"
            ).format(name=name)
        ) from exc
    detail = _("与「{name}」当前版本的「{item}」比对。").format(
        name=ref.name, item=spec.params["item"]
    )
    return {"failing": failing, "checked": checked, "extra": {}, "samples": found, "detail": detail}


def _scan(session: Session, actor: Actor, ds: Any, number: int, spec: Spec, sql: str) -> Any:
    return datastore.run_reference_scan(
        session,
        actor,
        ds.resource_id,
        number,
        int(spec.params["resource_id"]),
        sql,
        timeout_ms=get_settings().quality_timeout_ms,
        authorized_by=f"quality.rules:{ds.id}",
    )


def list_reference_targets(
    session: Session, actor: Actor, dataset_id: int
) -> list[ReferenceTarget]:
    """Resources a reference rule on this dataset may point at: visible to the actor in the
    catalog, with a dataset that has a published version (at most 200, by name)."""
    ds = dataset(session, actor, dataset_id)
    require(
        permissions.can_list_reference_targets(actor, ds.department_id),
        "quality.list_reference_targets",
        target(ds),
    )
    out = []
    for other in datastore.list_datasets(session, actor):
        if other.current_version_id is None:
            continue
        try:
            resource = catalog.get_resource(session, actor, other.resource_id)
        except NotFound:
            continue
        out.append(
            ReferenceTarget(
                resource_id=other.resource_id,
                name=resource.name,
                department=resource.provider_name,
                items=[c["name"] for c in other.columns],
            )
        )
        if len(out) >= TARGETS_MAX:
            break
    return out


def entity_reference(session: Session, actor: Actor, ds: Any) -> tuple[int, str] | None:
    """The legal-entity resource (市场主体登记信息) and its credit-code item, when it exists with
    a published version, the actor can see it, and ``ds`` is not that resource itself."""
    for other in datastore.list_datasets(session, actor, q=ENTITY_RESOURCE):
        if other.id == ds.id or other.current_version_id is None:
            continue
        item = next((c["name"] for c in other.columns if re.search(CREDIT_CODE, c["name"])), None)
        if item is None:
            continue
        try:
            catalog.get_resource(session, actor, other.resource_id)
        except NotFound:
            continue
        return other.resource_id, item
    return None
