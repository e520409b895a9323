"""Accounts use cases: departments, groups, users, login and lockout, tokens."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govshare.accounts import service
from govshare.accounts.models import ApiToken, Department, User
from govshare.accounts.schemas import (
    DepartmentCreate,
    DepartmentKind,
    DepartmentUpdate,
    PasswordChange,
    TokenCreate,
    UnitGroupCreate,
    UserCreate,
    UserUpdate,
)
from govshare.audit.models import AuditEntry
from govshare.core.errors import Conflict, Invalid, NotAuthenticated, NotAuthorized, NotFound
from govshare.core.security import ANONYMOUS
from tests.personas import PASSWORD, department_id


def audit_rows(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


class TestDepartmentTree:
    def test_get_department_tree_has_city_counties_and_municipal_units(self, session, actor):
        tree = service.get_department_tree(session, actor("consumer"))
        roots = {n.name for n in tree}
        assert "德州市人民政府" in roots
        city = next(n for n in tree if n.name == "德州市人民政府")
        counties = [c for c in city.children if c.kind == DepartmentKind.county]
        assert {c.area_code for c in counties} == {
            "371402",
            "371403",
            "371422",
            "371423",
            "371424",
            "371425",
            "371426",
            "371427",
            "371428",
            "371481",
            "371482",
        }
        names = {c.short_name for c in city.children}
        for unit in (
            "市电政办",
            "市统计局",
            "市财政局",
            "市审计局",
            "市保密局",
            "市密码管理局",
            "市编办",
            "市人社局",
            "市民政局",
            "市发改委",
            "市政务服务中心管理办",
            "市民热线管理办",
            "市政府办公室",
        ):
            assert unit in names

    def test_get_department_tree_anonymous_is_refused(self, session):
        with pytest.raises(NotAuthorized):
            service.get_department_tree(session, ANONYMOUS)


class TestCreateDepartment:
    def test_create_department_by_platform_admin_is_saved_and_audited(self, session, actor):
        city = department_id(session, "德州市")
        dept = service.create_department(
            session,
            actor("platform_admin"),
            DepartmentCreate(
                code="DZ-TEST-01",
                name="德州市测试局",
                kind=DepartmentKind.municipal,
                parent_id=city,
                area_code="371400",
            ),
        )
        assert dept.id and dept.parent_id == city
        [entry] = audit_rows(session, "accounts.create_department")[-1:]
        assert entry.target_id == str(dept.id) and entry.after["name"] == "德州市测试局"

    def test_create_department_by_dept_admin_is_refused(self, session, actor):
        with pytest.raises(NotAuthorized):
            service.create_department(
                session,
                actor("dept_admin"),
                DepartmentCreate(code="DZ-TEST-02", name="x局", kind=DepartmentKind.municipal),
            )

    def test_create_department_with_taken_code_is_conflict(self, session, actor):
        code = session.scalar(select(Department.code).where(Department.short_name == "市统计局"))
        with pytest.raises(Conflict) as exc:
            service.create_department(
                session,
                actor("platform_admin"),
                DepartmentCreate(code=code, name="另一个局", kind=DepartmentKind.municipal),
            )
        assert exc.value.errors[0].field == "code"

    def test_create_department_with_unknown_parent_is_invalid(self, session, actor):
        with pytest.raises(Invalid) as exc:
            service.create_department(
                session,
                actor("platform_admin"),
                DepartmentCreate(
                    code="DZ-TEST-03",
                    name="孤儿局",
                    kind=DepartmentKind.municipal,
                    parent_id=999999,
                ),
            )
        assert exc.value.errors[0].field == "parent_id"

    def test_department_create_with_bad_credit_code_names_the_check_digit(self):
        with pytest.raises(ValueError, match="校验码"):
            DepartmentCreate(code="91371400MA3C00003A", name="x", kind=DepartmentKind.contractor)


class TestUpdateDepartment:
    def test_update_department_cannot_make_a_cycle(self, session, actor):
        city = department_id(session, "德州市")
        county = department_id(session, "德城区")
        with pytest.raises(Invalid, match="下级"):
            service.update_department(
                session, actor("platform_admin"), city, DepartmentUpdate(parent_id=county)
            )

    def test_update_department_records_before_and_after(self, session, actor):
        dept = department_id(session, "市统计局")
        service.update_department(
            session, actor("platform_admin"), dept, DepartmentUpdate(short_name="统计局")
        )
        entry = audit_rows(session, "accounts.update_department")[-1]
        assert entry.before["short_name"] == "市统计局" and entry.after["short_name"] == "统计局"


class TestUnitGroups:
    def test_county_group_has_the_eleven_counties(self, session, actor):
        groups = {g.name: g for g in service.list_unit_groups(session, actor("consumer"))}
        assert len(groups["各县市区政府"].members) == 11

    def test_find_units_resolves_short_names_and_groups(self, session, actor):
        found = service.find_units(
            session, actor("supervisor"), ["市电政办", "各县市区政府", "市火星局"]
        )
        assert found[0].department and found[0].department.name == "德州市电子政务办公室"
        assert found[1].group and len(found[1].group.members) == 11
        assert not found[2].found

    def test_create_unit_group_with_unknown_member_is_invalid_and_not_saved(self, session, actor):
        with pytest.raises(Invalid):
            service.create_unit_group(
                session,
                actor("platform_admin"),
                UnitGroupCreate(name="测试组", member_ids=[999999]),
            )


class TestCreateUser:
    def _data(self, session, unit="市统计局", **kw):
        base = {
            "username": "new.user",
            "real_name": "王小明",
            "department_id": department_id(session, unit),
            "password": "Abcdef12345",
        }
        base.update(kw)
        return UserCreate(**base)

    def test_create_user_by_dept_admin_in_own_department(self, session, actor):
        user = service.create_user(
            session, actor("dept_admin"), self._data(session, roles=["steward"])
        )
        assert user.roles == ["steward"] and user.department_name == "德州市统计局"

    def test_create_user_by_dept_admin_in_other_department_is_refused(self, session, actor):
        with pytest.raises(NotAuthorized, match="本部门"):
            service.create_user(session, actor("dept_admin"), self._data(session, "市公安局"))

    def test_create_user_by_dept_admin_with_platform_role_is_refused(self, session, actor):
        with pytest.raises(NotAuthorized):
            service.create_user(
                session, actor("dept_admin"), self._data(session, roles=["platform_admin"])
            )

    def test_create_user_with_weak_password_is_invalid(self, session, actor):
        with pytest.raises(Invalid) as exc:
            service.create_user(
                session, actor("platform_admin"), self._data(session, password="short")
            )
        assert exc.value.errors[0].field == "password"

    def test_create_user_with_taken_username_is_conflict(self, session, actor):
        with pytest.raises(Conflict):
            service.create_user(
                session, actor("platform_admin"), self._data(session, username="p.admin")
            )

    def test_create_user_stores_mobile_encrypted(self, session, actor):
        service.create_user(
            session, actor("platform_admin"), self._data(session, mobile="13912345678")
        )
        raw = session.execute(
            select(User.__table__.c.mobile).where(User.username == "new.user")
        ).scalar_one()
        # The ORM decrypts; read the stored text without the type's processing.
        stored = (
            session.connection()
            .exec_driver_sql("SELECT mobile FROM user_account WHERE username = 'new.user'")
            .scalar_one()
        )
        assert raw == "13912345678" and "13912345678" not in stored

    def test_mobile_is_masked_for_those_who_do_not_administer_the_user(self, session, actor):
        created = service.create_user(
            session, actor("platform_admin"), self._data(session, mobile="13912345678")
        )
        seen = service.get_user(session, actor("auditor"), created.id)
        assert seen.mobile == "139****5678"
        assert service.get_user(session, actor("dept_admin"), created.id).mobile == "13912345678"


class TestUpdateUser:
    def test_update_user_of_other_department_is_not_found_for_dept_admin(self, session, actor):
        other = session.scalar(select(User.id).where(User.username == "p.gongan.admin"))
        with pytest.raises(NotFound):
            service.update_user(session, actor("dept_admin"), other, UserUpdate(real_name="x"))

    def test_dept_admin_cannot_move_user_to_another_department(self, session, actor):
        uid = session.scalar(select(User.id).where(User.username == "p.tongji.steward"))
        with pytest.raises(NotAuthorized):
            service.update_user(
                session,
                actor("dept_admin"),
                uid,
                UserUpdate(department_id=department_id(session, "市公安局")),
            )

    def test_set_user_roles_by_dept_admin_cannot_grant_auditor(self, session, actor):
        uid = session.scalar(select(User.id).where(User.username == "p.tongji.steward"))
        with pytest.raises(NotAuthorized):
            service.set_user_roles(session, actor("dept_admin"), uid, ["steward", "auditor"])
        assert service.set_user_roles(
            session, actor("dept_admin"), uid, ["steward", "reviewer"]
        ).roles == ["reviewer", "steward"]


class TestLogIn:
    def test_log_in_with_right_password_opens_a_session(self, session):
        result = service.log_in(session, ANONYMOUS, username="p.admin", password=PASSWORD)
        assert result.ok and result.session_token
        actor = service.resolve_actor(
            session, session_token=result.session_token, authorization=None
        )
        assert actor.username == "p.admin" and actor.is_platform_admin

    def test_log_in_with_wrong_password_is_refused_and_counted(self, session):
        result = service.log_in(session, ANONYMOUS, username="p.admin", password="wrong")
        assert not result.ok and result.message == "用户名或密码错误。"
        user = session.scalars(select(User).where(User.username == "p.admin")).one()
        assert user.failed_logins == 1
        assert audit_rows(session, "accounts.log_in")[-1].outcome == "denied"

    def test_log_in_locks_after_max_failures_then_unlocks_after_the_period(self, session, actor):
        for _ in range(4):
            assert not service.log_in(session, ANONYMOUS, username="p.shenji", password="x").ok
        fifth = service.log_in(session, ANONYMOUS, username="p.shenji", password="x")
        assert "已锁定" in fifth.message
        locked = service.log_in(session, ANONYMOUS, username="p.shenji", password=PASSWORD)
        assert not locked.ok and "已锁定" in locked.message
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
        with time_machine.travel(later, tick=False):
            assert service.log_in(session, ANONYMOUS, username="p.shenji", password=PASSWORD).ok

    def test_unlock_user_by_platform_admin_lifts_the_lock(self, session, actor):
        for _ in range(5):
            service.log_in(session, ANONYMOUS, username="p.shenji", password="x")
        uid = session.scalar(select(User.id).where(User.username == "p.shenji"))
        assert service.get_user(session, actor("platform_admin"), uid).locked
        service.unlock_user(session, actor("platform_admin"), uid)
        assert service.log_in(session, ANONYMOUS, username="p.shenji", password=PASSWORD).ok

    def test_log_in_unknown_user_gives_the_same_message(self, session):
        result = service.log_in(session, ANONYMOUS, username="nobody", password="x")
        assert not result.ok and result.message == "用户名或密码错误。"

    def test_reset_password_ends_open_sessions(self, session, actor):
        result = service.log_in(session, ANONYMOUS, username="p.tongji.steward", password=PASSWORD)
        uid = result.user_id
        service.reset_password(session, actor("dept_admin"), uid, "NewPass-2027x")
        after = service.resolve_actor(
            session, session_token=result.session_token, authorization=None
        )
        assert not after.is_authenticated

    def test_change_own_password_with_wrong_current_is_invalid(self, session, actor):
        with pytest.raises(Invalid) as exc:
            service.change_own_password(
                session,
                actor("steward"),
                PasswordChange(current_password="nope", new_password="Another-2027x"),
            )
        assert exc.value.errors[0].field == "current_password"


class TestTokens:
    def test_create_token_returns_secret_once_and_stores_digest(self, session, actor):
        created = service.create_token(
            session, actor("consumer"), TokenCreate(name="社保系统", scopes=["read"])
        )
        row = session.get(ApiToken, created.id)
        assert created.token.startswith("gs_") and row.token_digest != created.token
        assert created.token not in row.token_digest
        who = service.resolve_actor(
            session, session_token=None, authorization=f"Bearer {created.token}"
        )
        assert who.kind == "token" and who.username == "p.lingcheng.consumer"

    def test_revoked_token_is_refused(self, session, actor):
        created = service.create_token(session, actor("consumer"), TokenCreate(name="x"))
        service.revoke_token(session, actor("consumer"), created.id)
        with pytest.raises(NotAuthenticated, match="吊销"):
            service.resolve_actor(
                session, session_token=None, authorization=f"Bearer {created.token}"
            )

    def test_expired_token_is_refused(self, session, actor):
        created = service.create_token(session, actor("consumer"), TokenCreate(name="x", days=1))
        with (
            time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2), tick=False),
            pytest.raises(NotAuthenticated, match="过期"),
        ):
            service.resolve_actor(
                session, session_token=None, authorization=f"Bearer {created.token}"
            )

    def test_read_only_token_cannot_write(self, session, actor):
        created = service.create_token(
            session, actor("consumer"), TokenCreate(name="x", scopes=["read"])
        )
        with pytest.raises(NotAuthorized, match="只有读取"):
            service.resolve_actor(
                session, session_token=None, authorization=f"Bearer {created.token}", method="POST"
            )

    def test_token_cannot_mint_tokens(self, session, actor):
        created = service.create_token(session, actor("consumer"), TokenCreate(name="x"))
        token_actor = service.resolve_actor(
            session, session_token=None, authorization=f"Bearer {created.token}"
        )
        with pytest.raises(NotAuthorized):
            service.create_token(session, token_actor, TokenCreate(name="y"))

    def test_token_longer_than_the_maximum_is_invalid(self, session, actor):
        with pytest.raises(Invalid):
            service.create_token(session, actor("consumer"), TokenCreate(name="x", days=5000))

    def test_revoke_token_of_someone_else_is_not_found(self, session, actor):
        created = service.create_token(session, actor("consumer"), TokenCreate(name="x"))
        with pytest.raises(NotFound):
            service.revoke_token(session, actor("steward"), created.id)
        count = session.scalar(
            select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_not(None))
        )
        assert count == 0
