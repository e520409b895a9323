"""Demo sharing: a consumer system of 陵城区, one approved grant on the population resource of
市公安局 (陵城区 rows only, ID number kept at its ends), and one request waiting for 市民政局's
review (婚姻登记信息)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.catalog import service as catalog
from govshare.catalog.schemas import ResourceFilter
from govshare.core.masking import Mask
from govshare.core.security import SYSTEM, Actor
from govshare.datastore.demo import DEMO
from govshare.sharing import service
from govshare.sharing.schemas import Decision, RequestCreate, RowScope, SystemCreate

COUNTY = "371403"  # 陵城区


def _actor(session: Session, unit: str, role: str) -> Actor | None:
    dept = next(m.department for m in accounts.find_units(session, SYSTEM, [unit]))
    if dept is None:
        return None
    users, _c = accounts.list_users(session, SYSTEM, department_id=dept.id, role=role, limit=5)
    if not users:
        return None
    u = users[0]
    return Actor(
        kind="user",
        user_id=u.id,
        username=u.username,
        display_name=u.real_name,
        department_id=u.department_id,
        department_name=u.department_name,
        roles=frozenset(u.roles),
    )


def _resource_id(session: Session, name: str, unit: str) -> int | None:
    dept = next(m.department for m in accounts.find_units(session, SYSTEM, [unit]))
    if dept is None:
        return None
    found, _more = catalog.list_resources(
        session,
        SYSTEM,
        filters=ResourceFilter(provider_department_id=dept.id, status="published"),
        limit=500,
    )
    return next((r.id for r in found if r.name == name), None)


def seed_sharing(session: Session) -> dict[str, Any]:
    """Register the system, approve the population grant, leave the entity request pending."""
    people_name, people_unit, *_rest = DEMO[0]
    consumer = _actor(session, "陵城区", "consumer")
    reviewer = _actor(session, people_unit, "reviewer")
    if consumer is None or reviewer is None:
        return {}
    system = service.register_system(
        session,
        consumer,
        SystemCreate(
            name="陵城区一网通办平台",
            purpose="办理户籍、社保等事项时核验申请人身份，免交证明材料",
            contact="陵城区行政审批服务局 0534-8212345",
        ),
    )
    out: dict[str, Any] = {"system": system.id}
    people = _resource_id(session, people_name, people_unit)
    if people is not None:
        req = service.submit_request(
            session,
            consumer,
            RequestCreate(
                system_id=system.id,
                resource_id=people,
                purpose="办事时核验申请人身份与户籍地址",
                scenario="陵城区一网通办：户籍类事项免交户口簿复印件",
                legal_basis="《山东省政务信息资源共享管理办法》",
                items=["姓名", "公民身份号码", "户籍地址"],
                days=365,
                volume="每日约 2,000 次",
            ),
        )
        done = service.approve_request(
            session,
            reviewer,
            req.id,
            Decision(
                row_filter=[RowScope(item="户籍地区划", values=[COUNTY])],
                masks={"公民身份号码": Mask.KEEP_ENDS},
                note="限本区户籍人口。",
            ),
        )
        out["grant"] = done.grant_id
    marriage = _resource_id(session, "婚姻登记信息", "市民政局")
    if marriage is not None:
        items = [i.name for i in catalog.get_resource(session, SYSTEM, marriage).data_items][:3]
        pending = service.submit_request(
            session,
            consumer,
            RequestCreate(
                system_id=system.id,
                resource_id=marriage,
                purpose="办理公租房申请时核验婚姻状况",
                scenario="陵城区一网通办：住房保障事项免交婚姻证明",
                legal_basis="《山东省政务信息资源共享管理办法》",
                items=items,
            ),
        )
        out["pending"] = pending.id
    return out
