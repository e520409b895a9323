"""Who may register systems, apply, review, hold grants and call the data API.

A consumer department's ``consumer`` users and ``dept_admin`` register systems and apply on their
behalf; the provider department's ``reviewer`` and ``dept_admin`` decide; 市电政办
(``platform_admin``) and auditors see everything and are told of overdue requests; 市电政办
arbitrates objections to refusals. Usage dashboards show a department its own side: providers the
use of their resources, consumers their systems' use. The data API
is for API tokens bound to a consumer system: what they get is decided by the grant, not by the
user's roles.
"""

from __future__ import annotations

from govshare.core.security import Actor

APPLICANTS = ("consumer", "dept_admin")
DECIDERS = ("reviewer", "dept_admin")
OVERSEERS = ("platform_admin", "auditor")


def _oversees(actor: Actor) -> bool:
    return actor.kind == "system" or actor.has_role(*OVERSEERS)


def can_register_system(actor: Actor, department_id: int) -> bool:
    """Consumers and department admins of the department; platform admins."""
    if actor.is_platform_admin:
        return True
    return actor.has_role(*APPLICANTS) and actor.in_department(department_id)


def can_list_systems(actor: Actor) -> bool:
    """Anyone logged in lists the systems they may see (see ``can_see_system``)."""
    return actor.is_authenticated


def can_see_system(actor: Actor, department_id: int) -> bool:
    """A system is seen by its own department, platform admins and auditors."""
    return _oversees(actor) or actor.in_department(department_id)


def can_bind_system_token(actor: Actor, department_id: int, token_owner_id: int) -> bool:
    """The token's owner, a consumer or department admin of the system's department."""
    return (
        actor.kind == "user"
        and actor.user_id == token_owner_id
        and actor.has_role(*APPLICANTS)
        and actor.in_department(department_id)
    )


def can_submit_request(actor: Actor, department_id: int) -> bool:
    """Consumers and department admins apply for their own department's systems."""
    return actor.has_role(*APPLICANTS) and actor.in_department(department_id)


def can_update_request(actor: Actor, department_id: int) -> bool:
    """As submit_request: a returned request is completed and sent again by its department."""
    return can_submit_request(actor, department_id)


def can_list_requests(actor: Actor) -> bool:
    """Anyone logged in lists the requests they may see (own department's, provider's)."""
    return actor.is_authenticated


def can_see_request(actor: Actor, department_id: int, provider_department_id: int) -> bool:
    """The applying and the providing department, platform admins and auditors."""
    return (
        _oversees(actor)
        or actor.in_department(department_id)
        or actor.in_department(provider_department_id)
    )


def can_get_request(actor: Actor, department_id: int, provider_department_id: int) -> bool:
    """As can_see_request."""
    return can_see_request(actor, department_id, provider_department_id)


def can_list_review_queue(actor: Actor) -> bool:
    """Reviewers and department admins (their department's queue); platform admins (all)."""
    return actor.is_platform_admin or actor.has_role(*DECIDERS)


def _decides(actor: Actor, provider_department_id: int) -> bool:
    return actor.has_role(*DECIDERS) and actor.in_department(provider_department_id)


def can_approve_request(actor: Actor, provider_department_id: int) -> bool:
    """The provider department's reviewers and department admins."""
    return _decides(actor, provider_department_id)


def can_refuse_request(actor: Actor, provider_department_id: int) -> bool:
    """As approve_request."""
    return _decides(actor, provider_department_id)


def can_return_request(actor: Actor, provider_department_id: int) -> bool:
    """As approve_request."""
    return _decides(actor, provider_department_id)


def can_object_to_refusal(actor: Actor, department_id: int) -> bool:
    """As submit_request: the applying department objects to a refusal of its request."""
    return can_submit_request(actor, department_id)


def can_arbitrate_objection(actor: Actor) -> bool:
    """市电政办 (platform admins) arbitrate sharing disputes."""
    return actor.kind == "user" and actor.is_platform_admin


def can_list_arbitration_queue(actor: Actor) -> bool:
    """Platform admins (who arbitrate) and auditors."""
    return actor.kind in ("user", "system") and actor.has_role("platform_admin", "auditor")


def can_list_grants(actor: Actor) -> bool:
    """Anyone logged in lists the grants they may see (consumer's or provider's)."""
    return actor.is_authenticated


def can_get_grant(actor: Actor, department_id: int, provider_department_id: int) -> bool:
    """As can_see_request."""
    return can_see_request(actor, department_id, provider_department_id)


def can_revoke_grant(actor: Actor, department_id: int, provider_department_id: int) -> bool:
    """The provider's reviewers and admins, the consumer's department admin, platform admins."""
    return (
        actor.is_platform_admin
        or _decides(actor, provider_department_id)
        or (actor.has_role("dept_admin") and actor.in_department(department_id))
    )


def can_apply_renewal(actor: Actor, department_id: int) -> bool:
    """As submit_request: the holding department applies to renew its system's grant."""
    return can_submit_request(actor, department_id)


def can_list_renewals(actor: Actor) -> bool:
    """Anyone logged in lists the renewals they may see (held or given by their department)."""
    return actor.is_authenticated


def can_approve_renewal(actor: Actor, provider_department_id: int) -> bool:
    """The provider department's reviewers and department admins (as approve_request)."""
    return _decides(actor, provider_department_id)


def can_refuse_renewal(actor: Actor, provider_department_id: int) -> bool:
    """As approve_renewal: the provider lets the grant lapse."""
    return _decides(actor, provider_department_id)


def can_send_expiry_notices(actor: Actor) -> bool:
    """The scheduler (the system) and platform admins."""
    return actor.kind == "system" or actor.is_platform_admin


def can_get_usage(actor: Actor) -> bool:
    """Users of a department (their department's side only); platform admins and auditors (all).
    The service narrows what each sees."""
    return actor.kind in ("user", "token") and (
        actor.department_id is not None or actor.has_role(*OVERSEERS)
    )


def _calls(actor: Actor) -> bool:
    return actor.kind == "token" and actor.has_scope("read")


def can_read_rows(actor: Actor) -> bool:
    """An API token with the read scope; the grant of its bound system decides the rest."""
    return _calls(actor)


def can_lookup_record(actor: Actor) -> bool:
    """As read_rows."""
    return _calls(actor)


def can_lookup_records(actor: Actor) -> bool:
    """As read_rows."""
    return _calls(actor)


def can_verify_record(actor: Actor) -> bool:
    """As read_rows."""
    return _calls(actor)


def can_send_deadline_reminders(actor: Actor) -> bool:
    """The scheduler (the system) and platform admins."""
    return actor.kind == "system" or actor.is_platform_admin
