"""Public users: self-registration with e-mail verification, sign-in, API keys.

Public users are not platform users: they never see the internal catalog. The portal keeps who
is signed in in its signed session cookie as (user id, session nonce); signing out (or a new
sign-in) changes the nonce, so an old cookie stops working.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, FieldError, Invalid, NotAuthenticated
from govshare.core.i18n import _
from govshare.core.masking import mask_email
from govshare.core.security import (
    Actor,
    hash_password,
    new_token,
    require,
    token_digest,
    verify_password,
)
from govshare.notify import service as notify
from govshare.opendata import permissions
from govshare.opendata.models import PublicUser
from govshare.opendata.schemas import PublicUserCreate
from govshare.opendata.service._common import PORTAL

KEY_PREFIX = "od"


def visitor_actor(user: PublicUser) -> Actor:
    """The actor of a signed-in public user: still anonymous to the platform (no internal
    reads), named in the audit trail."""
    return Actor(
        kind="anonymous",
        username=f"public:{user.id}",
        display_name=f"{user.name}（公众用户）",
    )


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _send_verification(session: Session, user: PublicUser) -> bool:
    token = new_token("ov")
    user.verify_digest = token_digest(token)
    user.verify_expires_at = utcnow() + dt.timedelta(hours=get_settings().opendata_verify_hours)
    link = f"{get_settings().base_url.rstrip('/')}/open/verify?token={token}"
    body = _(
        "{name}，您好：\n\n请打开下面的链接验证邮箱，完成德州市公共数据开放平台的注册：\n{link}\n\n"
        "链接 {hours} 小时内有效。如果不是您本人注册，请忽略本邮件。"
    ).format(name=user.name, link=link, hours=get_settings().opendata_verify_hours)
    return notify.send_email(
        session,
        PORTAL,
        to=user.email,
        subject=_("请验证您的邮箱"),
        body=body,
        kind="opendata.verify",
    )


def register_public_user(session: Session, actor: Actor, data: PublicUserCreate) -> PublicUser:
    """Register a member of the public and e-mail them a verification link (through the
    configured SMTP server). Refused when the address is taken or no mail can be sent."""
    require(permissions.can_register_public_user(actor), "opendata.register_public_user")
    email = data.email.strip().lower()
    if session.scalar(select(PublicUser.id).where(PublicUser.email == email)):
        raise Conflict(
            _("该邮箱已注册。"), errors=[FieldError("email", _("该邮箱已注册，请直接登录。"))]
        )
    if not get_settings().smtp_host:
        raise Conflict(_("平台暂未配置邮件服务，无法发送验证邮件，请稍后再注册。"))
    user = PublicUser(
        email=email,
        name=data.name,
        organization=data.organization,
        password_hash=hash_password(data.password),
        session_nonce=secrets.token_hex(16),
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(_("该邮箱已注册。")) from None
    _send_verification(session, user)
    audit.record(
        session,
        visitor_actor(user),
        "opendata.register_public_user",
        user,
        details={"email": mask_email(email)},
    )
    return user


def verify_public_email(session: Session, actor: Actor, token: str) -> PublicUser:
    """Mark the address of the link's user verified (the link works once, until it expires)."""
    require(permissions.can_verify_public_email(actor), "opendata.verify_public_email")
    user = None
    if token and len(token) < 200:
        user = session.scalars(
            select(PublicUser).where(PublicUser.verify_digest == token_digest(token))
        ).one_or_none()
    expires = _as_utc(user.verify_expires_at) if user else None
    if user is None or expires is None or expires < utcnow():
        raise Invalid(
            _("验证链接无效或已过期，请重新注册或登录后重发。"),
            errors=[FieldError("token", _("链接无效。"))],
        )
    user.verified_at, user.verify_digest, user.verify_expires_at = utcnow(), None, None
    session.flush()
    audit.record(session, visitor_actor(user), "opendata.verify_public_email", user)
    return user


def log_in_public_user(
    session: Session, actor: Actor, *, email: str, password: str
) -> tuple[PublicUser, str]:
    """Check a public user's password; returns the user and the new session nonce."""
    require(permissions.can_log_in_public_user(actor), "opendata.log_in_public_user")
    user = session.scalars(
        select(PublicUser).where(PublicUser.email == email.strip().lower())
    ).one_or_none()
    if user is None or not verify_password(user.password_hash, password):
        raise NotAuthenticated(_("邮箱或密码不正确。"), action="opendata.log_in_public_user")
    user.session_nonce = secrets.token_hex(16)
    session.flush()
    audit.record(session, visitor_actor(user), "opendata.log_in_public_user", user)
    return user, user.session_nonce


def log_out_public_user(session: Session, actor: Actor, user_id: int) -> None:
    """End every portal session of the user (the cookie's nonce no longer matches)."""
    require(permissions.can_log_out_public_user(actor), "opendata.log_out_public_user")
    user = session.get(PublicUser, user_id)
    if user is None:
        return
    user.session_nonce = secrets.token_hex(16)
    session.flush()
    audit.record(session, visitor_actor(user), "opendata.log_out_public_user", user)


def resolve_public_user(
    session: Session, actor: Actor, user_id: object, nonce: object
) -> PublicUser | None:
    """The signed-in public user of a portal cookie, or None."""
    require(permissions.can_resolve_public_user(actor), "opendata.resolve_public_user")
    if not isinstance(user_id, int) or not isinstance(nonce, str) or not nonce:
        return None
    user = session.get(PublicUser, user_id)
    if user is None or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user


def resolve_api_key(session: Session, actor: Actor, key: str | None) -> PublicUser | None:
    """The public user of a CKAN API key (``X-CKAN-API-Key`` or ``Authorization``), or None;
    a key that matches nobody is refused (401)."""
    require(permissions.can_resolve_api_key(actor), "opendata.resolve_api_key")
    if not key:
        return None
    user = None
    if key.startswith(f"{KEY_PREFIX}_") and len(key) < 200:
        user = session.scalars(
            select(PublicUser).where(PublicUser.api_key_digest == token_digest(key))
        ).one_or_none()
    if user is None:
        raise NotAuthenticated(_("API 密钥无效。"))
    return user


def create_public_api_key(session: Session, actor: Actor, visitor: PublicUser | None) -> str:
    """A new API key for the signed-in, verified public user (shown once; replaces the old)."""
    require(
        permissions.can_create_public_api_key(actor, visitor),
        "opendata.create_public_api_key",
        message=_("请先登录并验证邮箱。"),
    )
    assert visitor is not None
    key = new_token(KEY_PREFIX)
    visitor.api_key_digest, visitor.api_key_prefix = token_digest(key), key[:10]
    session.flush()
    audit.record(
        session,
        visitor_actor(visitor),
        "opendata.create_public_api_key",
        visitor,
        details={"prefix": visitor.api_key_prefix},
    )
    return key
