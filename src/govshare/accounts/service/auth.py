"""Logging in and out, lockout, and resolving the actor of each request."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from govshare.accounts import permissions
from govshare.accounts.models import ApiToken, Department, User, UserRole, WebSession
from govshare.accounts.schemas import LoginResult, Me
from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.context import current_request
from govshare.core.db import READS_ONLY, defer_write, utcnow
from govshare.core.errors import NotAuthenticated, NotAuthorized
from govshare.core.i18n import _
from govshare.core.security import (
    ANONYMOUS,
    Actor,
    new_token,
    require,
    token_digest,
    verify_password,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_TOUCH_SECONDS = 60


def actor_for(session: Session, user: User, **extra: object) -> Actor:
    """The Actor of a user: roles and department loaded once."""
    roles = frozenset(session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
    dept = session.get(Department, user.department_id)
    return Actor(
        kind=extra.pop("kind", "user"),  # type: ignore[arg-type]
        user_id=user.id,
        username=user.username,
        display_name=user.real_name,
        department_id=user.department_id,
        department_name=dept.name if dept else None,
        roles=roles,
        **extra,  # type: ignore[arg-type]
    )


def end_sessions(session: Session, user_id: int) -> int:
    """Revoke every open web session of a user; returns how many were open."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def log_in(session: Session, actor: Actor, *, username: str, password: str) -> LoginResult:
    """Check a username and password; open a web session or count the failure.

    Failures are answers, not exceptions, so that the failure count and its audit entry are
    saved. After ``login_max_failures`` failures in a row the account is locked for
    ``login_lockout_minutes``.
    """
    require(permissions.can_log_in(actor), "accounts.log_in")
    settings = get_settings()
    name = username.strip().lower()
    user = session.scalars(select(User).where(User.username == name)).one_or_none()
    target = ("user_account", str(user.id) if user else "", name)
    now = utcnow()
    if user is None or not user.active:
        audit.record(
            session,
            actor,
            "accounts.log_in",
            target,
            outcome="denied",
            reason="unknown or inactive account",
        )
        return LoginResult(ok=False, message=_("用户名或密码错误。"))
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        audit.record(session, actor, "accounts.log_in", user, outcome="denied", reason="locked")
        return LoginResult(
            ok=False,
            message=_("账户已锁定，请 {minutes} 分钟后再试，或请部门管理员解锁。").format(
                minutes=minutes
            ),
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + dt.timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
            message = _("连续登录失败次数过多，账户已锁定 {minutes} 分钟。").format(
                minutes=settings.login_lockout_minutes
            )
            reason = "wrong password; locked"
        else:
            message = _("用户名或密码错误。")
            reason = "wrong password"
        audit.record(session, actor, "accounts.log_in", user, outcome="denied", reason=reason)
        return LoginResult(ok=False, message=message)
    token = new_token("gss")
    ctx = current_request()
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    session.add(
        WebSession(
            token_digest=token_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.session_hours),
            client_ip=ctx.client_ip if ctx else None,
            user_agent=ctx.user_agent if ctx else None,
        )
    )
    session.flush()
    audit.record(session, actor_for(session, user), "accounts.log_in", user)
    return LoginResult(ok=True, session_token=token, user_id=user.id)


def log_out(session: Session, actor: Actor, *, session_token: str | None) -> None:
    """End the web session whose cookie is given."""
    require(permissions.can_log_out(actor), "accounts.log_out")
    if not session_token:
        return
    web = session.scalars(
        select(WebSession).where(WebSession.token_digest == token_digest(session_token))
    ).one_or_none()
    if web is None or web.revoked_at is not None:
        return
    web.revoked_at = utcnow()
    session.flush()
    audit.record(session, actor, "accounts.log_out", ("web_session", str(web.id), ""))


_T = cast(Table, ApiToken.__table__)
_U = cast(Table, User.__table__)
_D = cast(Table, Department.__table__)
_W = cast(Table, WebSession.__table__)
_R = cast(Table, UserRole.__table__)
# Statements built once: they run on every request.
_ROLES = select(_R.c.role).where(_R.c.user_id == bindparam("uid"))
_USER_COLUMNS = (
    _U.c.id,
    _U.c.username,
    _U.c.real_name,
    _U.c.department_id,
    _U.c.active,
    _D.c.name.label("department_name"),
)
_BY_TOKEN = (
    select(
        _T.c.id.label("token_id"),
        _T.c.name,
        _T.c.prefix,
        _T.c.scopes,
        _T.c.expires_at,
        _T.c.revoked_at,
        _T.c.last_used_at,
        *_USER_COLUMNS,
    )
    .join(_U, _U.c.id == _T.c.user_id)
    .join(_D, _D.c.id == _U.c.department_id)
    .where(_T.c.token_digest == bindparam("digest"))
)
_BY_SESSION = (
    select(_W.c.id.label("session_id"), _W.c.expires_at, _W.c.revoked_at, *_USER_COLUMNS)
    .join(_U, _U.c.id == _W.c.user_id)
    .join(_D, _D.c.id == _U.c.department_id)
    .where(_W.c.token_digest == bindparam("digest"))
)
_TOUCH = update(_T).where(_T.c.id == bindparam("tid")).values(last_used_at=bindparam("now"))


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Core queries bypass the ORM type's conversion on some drivers: normalise to aware UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _actor_from_row(session: Session, row: Any, **extra: Any) -> Actor:
    roles = frozenset(session.scalars(_ROLES, {"uid": row.id}))
    return Actor(
        kind=extra.pop("kind", "user"),
        user_id=row.id,
        username=row.username,
        display_name=row.real_name,
        department_id=row.department_id,
        department_name=row.department_name,
        roles=roles,
        **extra,
    )


def _token_actor(session: Session, authorization: str, method: str) -> Actor:
    scheme, _sep, raw = authorization.partition(" ")
    action = "accounts.authenticate_token"
    if scheme.lower() != "bearer" or not raw.strip():
        raise NotAuthenticated(
            _("不支持的认证方式，请使用 Authorization: Bearer <令牌>。"), action=action
        )
    raw = raw.strip()
    row = session.execute(_BY_TOKEN, {"digest": token_digest(raw)}).one_or_none()
    if row is None:
        raise NotAuthenticated(
            _("接口令牌无效。"), action=action, target=("api_token", "", raw[:12])
        )
    target = ("api_token", str(row.token_id), f"{row.name}（{row.prefix}…）")
    now = utcnow()
    if row.revoked_at is not None:
        raise NotAuthenticated(_("接口令牌已被吊销。"), action=action, target=target)
    expires = _as_utc(row.expires_at)
    if expires is not None and expires <= now:
        raise NotAuthenticated(_("接口令牌已过期。"), action=action, target=target)
    if not row.active:
        raise NotAuthenticated(_("令牌所属账户已停用。"), action=action, target=target)
    scopes = row.scopes if isinstance(row.scopes, list) else json.loads(row.scopes or "[]")
    actor = _actor_from_row(
        session,
        row,
        kind="token",
        token_id=row.token_id,
        scopes=frozenset(scopes),
        token_expires_at=expires,
    )
    if method.upper() not in SAFE_METHODS and not actor.has_scope("write"):
        raise NotAuthorized(_("此接口令牌只有读取权限。"), action=action, target=target)
    last = _as_utc(row.last_used_at)
    if last is None or (now - last).total_seconds() > TOKEN_TOUCH_SECONDS:
        _touch(session, row.token_id, now)
    return actor


def _touch(session: Session, token_id: int, now: dt.datetime) -> None:
    """Note when a token was last used. A read-only transaction (the data API's, DEFERRED on
    SQLite) must not upgrade to a writer after it has read (SQLite answers "database is locked"
    at once when another writer committed meanwhile), so there the note waits for its commit."""
    params = {"tid": token_id, "now": now}
    if session.connection().get_execution_options().get(READS_ONLY):
        defer_write(session, _TOUCH, params)
    else:
        session.execute(_TOUCH, params)


def resolve_actor(
    session: Session,
    *,
    session_token: str | None,
    authorization: str | None,
    method: str = "GET",
) -> Actor:
    """Who is asking: a bearer token (API), a web session cookie, or nobody.

    A bad bearer token is an error (401, recorded); a stale session cookie just means anonymous.
    """
    if authorization:
        return _token_actor(session, authorization, method)
    if not session_token:
        return ANONYMOUS
    row = session.execute(_BY_SESSION, {"digest": token_digest(session_token)}).one_or_none()
    if row is None or row.revoked_at is not None or not row.active:
        return ANONYMOUS
    expires = _as_utc(row.expires_at)
    if expires is None or expires <= utcnow():
        return ANONYMOUS
    return _actor_from_row(session, row, session_id=row.session_id)


def get_me(actor: Actor) -> Me:
    """The caller as the platform sees it."""
    require(permissions.can_get_me(actor), "accounts.get_me")
    return Me(
        kind=actor.kind,
        user_id=actor.user_id,
        username=actor.username,
        display_name=_(actor.display_name),
        department_id=actor.department_id,
        department_name=actor.department_name,
        roles=sorted(actor.roles),
        scopes=sorted(actor.scopes) if actor.kind == "token" else [],
    )
