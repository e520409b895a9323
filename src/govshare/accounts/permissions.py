"""Who may do what with departments, groups, users and tokens.

Platform admins (市电政办) manage the tree and every account. Department admins manage the accounts
of their own department only, and may grant only departmental roles. Auditors read everything.
Everyone logged in may read the department tree (it is how units find each other).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Select, select

from govshare.accounts.models import ApiToken, Department, User
from govshare.core.security import ROLE_BY_CODE, Actor


class UserLike(Protocol):
    """A user model or its public form: what the rules need to know."""

    @property
    def id(self) -> int: ...

    @property
    def department_id(self) -> int: ...


def _user_admin_of(actor: Actor, department_id: int | None) -> bool:
    if actor.is_platform_admin:
        return True
    return actor.has_role("dept_admin") and actor.in_department(department_id)


def can_list_departments(actor: Actor) -> bool:
    """Any logged-in actor may read the department tree."""
    return actor.is_authenticated


def can_get_department(actor: Actor, department: Department | None = None) -> bool:
    """Any logged-in actor may read a unit."""
    return actor.is_authenticated


def can_get_department_tree(actor: Actor) -> bool:
    """Any logged-in actor may read the tree."""
    return actor.is_authenticated


def can_create_department(actor: Actor) -> bool:
    """Only platform admins add units."""
    return actor.is_platform_admin


def can_update_department(actor: Actor, department: Department | None = None) -> bool:
    """Only platform admins change units."""
    return actor.is_platform_admin


def can_list_unit_groups(actor: Actor) -> bool:
    """Any logged-in actor may read the unit groups."""
    return actor.is_authenticated


def can_get_unit_group(actor: Actor) -> bool:
    """Any logged-in actor may read a unit group."""
    return actor.is_authenticated


def can_create_unit_group(actor: Actor) -> bool:
    """Platform admins define unit groups."""
    return actor.is_platform_admin


def can_update_unit_group(actor: Actor) -> bool:
    """Platform admins change unit groups."""
    return actor.is_platform_admin


def can_find_units(actor: Actor) -> bool:
    """Name lookups (used by imports) are open to logged-in actors and the system."""
    return actor.is_authenticated


def can_home_summary(actor: Actor) -> bool:
    """The dashboard's counts are for anyone logged in."""
    return actor.is_authenticated


def can_list_users(actor: Actor) -> bool:
    """Admins and auditors list accounts (what they see is narrowed by visible_users)."""
    return actor.has_role("platform_admin", "dept_admin", "auditor")


def can_get_user(actor: Actor, user: UserLike) -> bool:
    """Oneself, the admins of the user's department, platform admins and auditors."""
    return (
        actor.user_id == user.id
        or actor.has_role("auditor")
        or _user_admin_of(actor, user.department_id)
    )


def can_create_user(actor: Actor, department_id: int) -> bool:
    """Platform admins anywhere; department admins in their own department."""
    return _user_admin_of(actor, department_id)


def can_update_user(actor: Actor, user: UserLike, new_department_id: int | None = None) -> bool:
    """Admins of the user's department; moving a user needs rights over the target too."""
    if not _user_admin_of(actor, user.department_id):
        return False
    return new_department_id is None or _user_admin_of(actor, new_department_id)


def can_set_user_roles(actor: Actor, user: UserLike, roles: list[str]) -> bool:
    """Department admins grant departmental roles in their department; platform roles need a
    platform admin."""
    if actor.is_platform_admin:
        return True
    if not _user_admin_of(actor, user.department_id):
        return False
    return not any(ROLE_BY_CODE[r].platform_level for r in roles if r in ROLE_BY_CODE)


def can_reset_password(actor: Actor, user: UserLike) -> bool:
    """Admins of the user's department reset passwords (not their own: use change)."""
    return actor.user_id != user.id and _user_admin_of(actor, user.department_id)


def can_unlock_user(actor: Actor, user: UserLike) -> bool:
    """Admins of the user's department lift a lockout."""
    return _user_admin_of(actor, user.department_id)


def can_change_own_password(actor: Actor) -> bool:
    """A logged-in person changes their own password (not with an API token)."""
    return actor.kind == "user"


def can_log_in(actor: Actor) -> bool:
    """Anyone may try to log in."""
    return True


def can_log_out(actor: Actor) -> bool:
    """Anyone may end their own session."""
    return True


def can_resolve_actor(actor: Actor) -> bool:
    """Resolving credentials is done for every request."""
    return True


def can_get_me(actor: Actor) -> bool:
    """Anyone may ask who they are."""
    return True


def can_list_my_tokens(actor: Actor) -> bool:
    """People list their own tokens (a token cannot list tokens)."""
    return actor.kind in ("user", "system")


def can_create_token(actor: Actor, owner: User | None = None) -> bool:
    """People create tokens for themselves; platform admins (and the CLI) for any account.

    A token cannot mint tokens.
    """
    if actor.kind not in ("user", "system"):
        return False
    return owner is None or owner.id == actor.user_id or actor.is_platform_admin


def can_revoke_token(actor: Actor, token: ApiToken) -> bool:
    """The owner, or a platform admin responding to an incident."""
    if actor.kind == "anonymous":
        return False
    return token.user_id == actor.user_id or actor.is_platform_admin


def visible_users(actor: Actor) -> Select[User]:
    """Accounts the actor may see: all for platform admins and auditors, the own department for
    department admins, only oneself otherwise."""
    stmt = select(User)
    if actor.is_platform_admin or actor.has_role("auditor"):
        return stmt
    if actor.has_role("dept_admin") and actor.department_id is not None:
        return stmt.where(User.department_id == actor.department_id)
    return stmt.where(User.id == (actor.user_id or -1))


def visible_departments(actor: Actor) -> Select[Department]:
    """Units the actor may see: the whole tree for anyone logged in."""
    stmt = select(Department)
    if not actor.is_authenticated:
        return stmt.where(Department.id == -1)
    return stmt


def can_see_mobile(actor: Actor, user: UserLike) -> bool:
    """Mobile numbers in full: oneself and the admins of the user's department."""
    return actor.user_id == user.id or _user_admin_of(actor, user.department_id)
