"""Accounts: creating, changing, locking and unlocking users; roles; passwords."""

from __future__ import annotations

import re

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from govshare.accounts import permissions
from govshare.accounts.models import Department, User, UserRole
from govshare.accounts.schemas import PasswordChange, UserCreate, UserPublic, UserUpdate
from govshare.accounts.service.auth import end_sessions
from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.masking import mask_phone
from govshare.core.pagination import keyset_page
from govshare.core.security import Actor, hash_password, require, verify_password

SNAPSHOT = ("username", "real_name", "department_id", "email", "posts", "active")


def _snapshot(user: User) -> dict[str, object]:
    data: dict[str, object] = {f: getattr(user, f) for f in SNAPSHOT}
    data["mobile"] = mask_phone(user.mobile)
    return data


def password_problem(password: str) -> str | None:
    """Why a new password is too weak, or None."""
    minimum = get_settings().password_min_length
    if len(password) < minimum:
        return _("密码至少 {n} 位。").format(n=minimum)
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return _("密码须同时包含字母和数字。")
    return None


def _check_password(password: str, field: str = "password") -> None:
    problem = password_problem(password)
    if problem:
        raise Invalid(problem, errors=[FieldError(field, problem)])


def _roles_of(session: Session, user_id: int) -> list[str]:
    return sorted(session.scalars(select(UserRole.role).where(UserRole.user_id == user_id)).all())


def _public(session: Session, actor: Actor, user: User) -> UserPublic:
    dept = session.get(Department, user.department_id)
    locked = user.locked_until is not None and user.locked_until > utcnow()
    return UserPublic(
        id=user.id,
        username=user.username,
        real_name=user.real_name,
        department_id=user.department_id,
        department_name=dept.name if dept else "",
        mobile=user.mobile if permissions.can_see_mobile(actor, user) else mask_phone(user.mobile),
        email=user.email,
        posts=list(user.posts or []),
        roles=_roles_of(session, user.id),
        active=user.active,
        locked=locked,
        last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def _load(session: Session, actor: Actor, user_id: int) -> User:
    user = session.scalars(permissions.visible_users(actor).where(User.id == user_id)).one_or_none()
    if user is None:
        raise NotFound(_("用户不存在。"))
    return user


def _department_exists(session: Session, department_id: int) -> None:
    if session.get(Department, department_id) is None:
        msg = _("单位不存在。")
        raise Invalid(msg, errors=[FieldError("department_id", msg)])


def list_users(
    session: Session,
    actor: Actor,
    *,
    department_id: int | None = None,
    role: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[UserPublic], str | None]:
    """A page of the accounts the actor may see, by department, role or a name search."""
    require(permissions.can_list_users(actor), "accounts.list_users")
    stmt = permissions.visible_users(actor)
    if department_id is not None:
        stmt = stmt.where(User.department_id == department_id)
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if q:
        stmt = stmt.where(
            or_(
                User.username.contains(q, autoescape=True),
                User.real_name.contains(q, autoescape=True),
            )
        )
    rows, next_cursor = keyset_page(
        session, stmt, User.id, cursor=cursor, limit=limit, descending=False
    )
    return [_public(session, actor, u) for u in rows], next_cursor


def get_user(session: Session, actor: Actor, user_id: int) -> UserPublic:
    """One account, or NotFound when it does not exist or the actor may not see it."""
    user = _load(session, actor, user_id)
    require(permissions.can_get_user(actor, user), "accounts.get_user")
    return _public(session, actor, user)


def create_user(session: Session, actor: Actor, data: UserCreate) -> UserPublic:
    """Open an account in a department (its admins, or platform admins)."""
    _department_exists(session, data.department_id)
    require(
        permissions.can_create_user(actor, data.department_id),
        "accounts.create_user",
        ("department", str(data.department_id), ""),
        _("只能为本部门创建用户。"),
    )
    if data.roles:
        probe = User(department_id=data.department_id, id=-1)
        require(
            permissions.can_set_user_roles(actor, probe, data.roles),
            "accounts.create_user",
            None,
            _("您不能授予平台级角色。"),
        )
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        msg = _("用户名 {username} 已被使用。").format(username=data.username)
        raise Conflict(msg, errors=[FieldError("username", msg)])
    _check_password(data.password)
    user = User(
        username=data.username,
        real_name=data.real_name,
        department_id=data.department_id,
        mobile=data.mobile,
        email=str(data.email) if data.email else None,
        posts=[p.strip() for p in data.posts if p.strip()],
        password_hash=hash_password(data.password),
    )
    session.add(user)
    session.flush()
    session.add_all(UserRole(user_id=user.id, role=r) for r in data.roles)
    session.flush()
    audit.record(
        session, actor, "accounts.create_user", user, after={**_snapshot(user), "roles": data.roles}
    )
    return _public(session, actor, user)


def update_user(session: Session, actor: Actor, user_id: int, data: UserUpdate) -> UserPublic:
    """Change names, contact details, posts, department or the active flag."""
    user = _load(session, actor, user_id)
    changes = data.model_dump(exclude_unset=True)
    new_dept = changes.get("department_id")
    if new_dept is not None:
        _department_exists(session, new_dept)
    require(
        permissions.can_update_user(actor, user, new_dept),
        "accounts.update_user",
        ("user_account", str(user.id), user.audit_label()),
        _("只能管理本部门的用户。"),
    )
    if changes.get("active") is False and user.id == actor.user_id:
        msg = _("不能停用自己的账户。")
        raise Invalid(msg, errors=[FieldError("active", msg)])
    before = _snapshot(user)
    if "email" in changes and changes["email"] is not None:
        changes["email"] = str(changes["email"])
    for key, value in changes.items():
        setattr(user, key, value)
    session.flush()
    audit.record(session, actor, "accounts.update_user", user, before=before, after=_snapshot(user))
    return _public(session, actor, user)


def set_user_roles(session: Session, actor: Actor, user_id: int, roles: list[str]) -> UserPublic:
    """Replace a user's roles. Department admins grant only departmental roles."""
    user = _load(session, actor, user_id)
    before = _roles_of(session, user.id)
    changed = sorted(set(before) ^ set(roles))
    require(
        permissions.can_set_user_roles(actor, user, changed),
        "accounts.set_user_roles",
        ("user_account", str(user.id), user.audit_label()),
        _("您不能授予或收回这些角色。"),
    )
    if user.id == actor.user_id and "platform_admin" in before and "platform_admin" not in roles:
        msg = _("不能收回自己的平台管理员角色。")
        raise Invalid(msg, errors=[FieldError("roles", msg)])
    session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    session.add_all(UserRole(user_id=user.id, role=r) for r in sorted(set(roles)))
    session.flush()
    audit.record(
        session,
        actor,
        "accounts.set_user_roles",
        user,
        before={"roles": before},
        after={"roles": sorted(set(roles))},
    )
    return _public(session, actor, user)


def reset_password(session: Session, actor: Actor, user_id: int, new_password: str) -> UserPublic:
    """Set a new password for someone else, and end their sessions."""
    user = _load(session, actor, user_id)
    require(
        permissions.can_reset_password(actor, user),
        "accounts.reset_password",
        ("user_account", str(user.id), user.audit_label()),
    )
    _check_password(new_password, "new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins, user.locked_until = 0, None
    ended = end_sessions(session, user.id)
    session.flush()
    audit.record(session, actor, "accounts.reset_password", user, details={"sessions_ended": ended})
    return _public(session, actor, user)


def unlock_user(session: Session, actor: Actor, user_id: int) -> UserPublic:
    """Lift a lockout after repeated failed logins."""
    user = _load(session, actor, user_id)
    require(
        permissions.can_unlock_user(actor, user),
        "accounts.unlock_user",
        ("user_account", str(user.id), user.audit_label()),
    )
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins, user.locked_until = 0, None
    session.flush()
    audit.record(
        session,
        actor,
        "accounts.unlock_user",
        user,
        before=before,
        after={"failed_logins": 0, "locked_until": None},
    )
    return _public(session, actor, user)


def change_own_password(session: Session, actor: Actor, data: PasswordChange) -> None:
    """Change one's own password, proving the current one."""
    require(permissions.can_change_own_password(actor), "accounts.change_own_password")
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound(_("用户不存在。"))
    if not verify_password(user.password_hash, data.current_password):
        msg = _("当前密码不正确。")
        raise Invalid(
            msg, errors=[FieldError("current_password", msg)], action="accounts.change_own_password"
        )
    _check_password(data.new_password, "new_password")
    if verify_password(user.password_hash, data.new_password):
        msg = _("新密码不能与当前密码相同。")
        raise Invalid(msg, errors=[FieldError("new_password", msg)])
    user.password_hash = hash_password(data.new_password)
    user.password_changed_at = utcnow()
    session.flush()
    audit.record(session, actor, "accounts.change_own_password", user)
