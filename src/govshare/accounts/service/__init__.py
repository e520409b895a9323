"""Accounts use cases, split by sub-entity: departments (and unit groups), users, auth, tokens.

Every function takes the session and the acting ``Actor``, checks its named permission
(``permissions.can_<function>``), works in the caller's transaction and records the audit entry.
"""

from govshare.accounts.service.auth import get_me, log_in, log_out, resolve_actor
from govshare.accounts.service.departments import (
    create_department,
    create_unit_group,
    find_units,
    get_department,
    get_department_tree,
    get_unit_group,
    home_summary,
    list_departments,
    list_unit_groups,
    update_department,
    update_unit_group,
)
from govshare.accounts.service.tokens import create_token, list_my_tokens, revoke_token
from govshare.accounts.service.users import (
    change_own_password,
    create_user,
    get_user,
    list_users,
    reset_password,
    set_user_roles,
    unlock_user,
    update_user,
)

__all__ = [
    "change_own_password",
    "create_department",
    "create_token",
    "create_unit_group",
    "create_user",
    "find_units",
    "get_department",
    "get_department_tree",
    "get_me",
    "get_unit_group",
    "home_summary",
    "get_user",
    "list_departments",
    "list_my_tokens",
    "list_unit_groups",
    "list_users",
    "log_in",
    "log_out",
    "reset_password",
    "resolve_actor",
    "revoke_token",
    "set_user_roles",
    "unlock_user",
    "update_department",
    "update_unit_group",
    "update_user",
]
