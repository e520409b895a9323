"""API tokens for machine clients: shown once, stored as digests, scoped, expiring, revocable."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import permissions
from govshare.accounts.models import ApiToken, User
from govshare.accounts.schemas import TokenCreate, TokenCreated, TokenPublic
from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, new_token, require, token_digest


def list_my_tokens(session: Session, actor: Actor) -> list[TokenPublic]:
    """The actor's own tokens, newest first (never their secrets)."""
    require(permissions.can_list_my_tokens(actor), "accounts.list_my_tokens")
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
    ).all()
    return [TokenPublic.model_validate(t) for t in rows]


def create_token(
    session: Session, actor: Actor, data: TokenCreate, *, owner_username: str | None = None
) -> TokenCreated:
    """Issue a token for oneself (or, for platform admins and the CLI, for another account).

    The answer carries the secret; only its SM3 digest is stored.
    """
    owner: User | None
    if owner_username is not None:
        owner = session.scalars(select(User).where(User.username == owner_username)).one_or_none()
        if owner is None:
            raise NotFound(_("用户 {username} 不存在。").format(username=owner_username))
    else:
        owner = session.get(User, actor.user_id) if actor.user_id else None
    require(permissions.can_create_token(actor, owner), "accounts.create_token")
    if owner is None or not owner.active:
        raise Invalid(_("只能为在用的账户创建令牌。"))
    settings = get_settings()
    days = data.days or settings.token_default_days
    if days > settings.token_max_days:
        msg = _("令牌有效期最长 {days} 天。").format(days=settings.token_max_days)
        raise Invalid(msg, errors=[FieldError("days", msg)])
    raw = new_token("gs")
    now = utcnow()
    token = ApiToken(
        user_id=owner.id,
        name=data.name,
        prefix=raw[:10],
        token_digest=token_digest(raw),
        scopes=data.scopes,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "accounts.create_token",
        token,
        after={"owner": owner.username, "scopes": data.scopes, "days": days},
    )
    return TokenCreated(**TokenPublic.model_validate(token).model_dump(), token=raw)


def revoke_token(session: Session, actor: Actor, token_id: int) -> TokenPublic:
    """Revoke a token at once: its next request is refused."""
    token = session.get(ApiToken, token_id)
    if token is None or not (token.user_id == actor.user_id or actor.is_platform_admin):
        raise NotFound(_("令牌不存在。"))
    require(
        permissions.can_revoke_token(actor, token),
        "accounts.revoke_token",
        ("api_token", str(token.id), token.audit_label()),
    )
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        audit.record(session, actor, "accounts.revoke_token", token)
    return TokenPublic.model_validate(token)
