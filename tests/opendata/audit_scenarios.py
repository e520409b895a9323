"""Audit scenarios of the open-data portal: each write, run once, must leave its audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from govshare.core.db import utcnow
from govshare.core.security import ANONYMOUS, token_digest
from govshare.opendata import service
from govshare.opendata.schemas import (
    ApplicationCreate,
    DataRequestAnswer,
    DataRequestCreate,
    Decision,
    LevelChangeCreate,
    ReleaseCreate,
)
from tests.opendata.helpers import open_resource, people_resource, public_user
from tests.personas import department_id

APPLY = ApplicationCreate(
    purpose="用于城市志愿服务研究，统计各区县志愿者分布。",
    commitment="仅用于研究，不对外提供，不试图识别个人，用后删除。",
    agree=True,
)


def _lowering(s: Any, a: Callable[[str], Any]) -> Any:
    r = open_resource(s, data=False)
    return service.request_level_change(
        s, a("steward"), r.id, LevelChangeCreate(to_level="conditional", reason="发现数据质量问题")
    )


def _application(s: Any, a: Callable[[str], Any]) -> Any:
    r = people_resource(s, data=False)
    return service.apply_for_resource(s, ANONYMOUS, public_user(s), r.id, APPLY)


def _request(s: Any, a: Callable[[str], Any]) -> Any:
    return service.submit_data_request(
        s,
        ANONYMOUS,
        DataRequestCreate(
            title="公共充电桩位置",
            description="希望开放全市公共充电桩的位置和数量。",
            requester_name="王先生",
        ),
    )


def _assigned(s: Any, a: Callable[[str], Any]) -> Any:
    req = _request(s, a)
    return service.assign_data_request(s, a("platform_admin"), req.id, department_id(s, "市统计局"))


def _verify(s: Any, a: Callable[[str], Any]) -> None:
    user = public_user(s, verified=False)
    user.verify_digest = token_digest("ov_scenario")
    user.verify_expires_at = utcnow() + dt.timedelta(hours=1)
    s.flush()
    service.verify_public_email(s, ANONYMOUS, "ov_scenario")


SCENARIOS: dict[str, Callable[[Any, Callable[[str], Any]], None]] = {
    "opendata.release_resource": lambda s, a: service.release_resource(
        s, a("steward"), ReleaseCreate(resource_id=open_resource(s, release=False, data=False).id)
    ),
    "opendata.update_release_masks": lambda s, a: service.update_release_masks(
        s, a("steward"), open_resource(s, data=False).id, {"AQI": "suppress"}
    ),
    "opendata.request_level_change": _lowering,
    "opendata.approve_level_change": lambda s, a: service.approve_level_change(
        s, a("platform_admin"), _lowering(s, a).id
    ),
    "opendata.refuse_level_change": lambda s, a: service.refuse_level_change(
        s, a("platform_admin"), _lowering(s, a).id, note="理由不充分"
    ),
    "opendata.withdraw_release": lambda s, a: service.withdraw_release(
        s, a("platform_admin"), open_resource(s, data=False).id, reason="发现敏感信息"
    ),
    "opendata.register_public_user": lambda s, a: public_user(s),
    "opendata.verify_public_email": _verify,
    "opendata.log_in_public_user": lambda s, a: service.log_in_public_user(
        s, ANONYMOUS, email=public_user(s).email, password="Open-Data-2026"
    ),
    "opendata.log_out_public_user": lambda s, a: service.log_out_public_user(
        s, ANONYMOUS, public_user(s).id
    ),
    "opendata.create_public_api_key": lambda s, a: service.create_public_api_key(
        s, ANONYMOUS, public_user(s)
    ),
    "opendata.apply_for_resource": _application,
    "opendata.decide_application": lambda s, a: service.decide_application(
        s, a("reviewer"), _application(s, a).id, Decision(approve=True)
    ),
    "opendata.submit_data_request": _request,
    "opendata.assign_data_request": _assigned,
    "opendata.answer_data_request": lambda s, a: service.answer_data_request(
        s, a("steward"), _assigned(s, a).id, DataRequestAnswer(answer="已列入下季度开放计划。")
    ),
}
