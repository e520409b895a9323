"""Who may do what on the open-data portal.

The portal is public: everyone, visitors included, reads released open resources (metadata,
preview, downloads, the CKAN API, DCAT), sees conditional resources' metadata, and reads the
public data requests. A registered public user with a verified e-mail applies for conditional
resources and reads them once granted. The provider department's stewards and department admins
(platform admins for any) release resources, set masks and ask for level changes; lowering a
level (344号) is approved by a platform admin. The provider's reviewers and department admins
decide applications; the e-government office (platform admins) routes data requests; the
assigned provider answers them.
"""

from __future__ import annotations

from typing import Protocol

from govshare.core.security import Actor


class HasProvider(Protocol):
    """Anything that names its provider department."""

    @property
    def provider_department_id(self) -> int | None: ...


class VisitorLike(Protocol):
    """A public user as the rules need them."""

    @property
    def verified_at(self) -> object: ...


def _public(actor: Actor) -> bool:
    return True


def _provider_staff(actor: Actor, department_id: int | None, roles: tuple[str, ...]) -> bool:
    if actor.kind == "system" or actor.is_platform_admin:
        return True
    return actor.has_role(*roles) and actor.in_department(department_id)


FILERS = ("steward", "dept_admin")
DECIDERS = ("reviewer", "dept_admin")
ANSWERERS = ("steward", "reviewer", "dept_admin")


# --- public reading ------------------------------------------------------------------------------


def can_get_portal_home(actor: Actor) -> bool:
    """Everyone."""
    return _public(actor)


def can_search_portal(actor: Actor) -> bool:
    """Everyone (released open and conditional resources only)."""
    return _public(actor)


def can_get_portal_dataset(actor: Actor) -> bool:
    """Everyone; the preview only where ``can_read_data`` says so."""
    return _public(actor)


def can_read_data(level: str, granted: bool) -> bool:
    """Rows of an open resource: everyone; of a conditional one: its granted applicants."""
    return level == "open" or granted


def can_download_dataset(actor: Actor) -> bool:
    """Everyone, for open resources (conditional: granted applicants, checked with the data)."""
    return _public(actor)


def can_get_datapackage(actor: Actor) -> bool:
    """Everyone (a released resource's Frictionless descriptor)."""
    return _public(actor)


def can_list_portal_departments(actor: Actor) -> bool:
    """Everyone."""
    return _public(actor)


def can_get_portal_department(actor: Actor) -> bool:
    """Everyone."""
    return _public(actor)


def can_get_rankings(actor: Actor) -> bool:
    """Everyone."""
    return _public(actor)


def can_get_portal_stamp(actor: Actor) -> bool:
    """Everyone (the cache key of public answers)."""
    return _public(actor)


def can_get_portal_dcat(actor: Actor) -> bool:
    """Everyone: the portal's DCAT-AP feeds."""
    return _public(actor)


def can_check_portal_dcat(actor: Actor) -> bool:
    """Platform admins and filers: the DCAT-AP check of the public feed before harvesters
    read it."""
    return actor.kind == "system" or actor.is_platform_admin or actor.has_role(*FILERS)


def can_check_visitor_rate(actor: Actor) -> bool:
    """Everyone is counted against the anonymous (or key) rate limit."""
    return _public(actor)


def can_ckan_action(actor: Actor) -> bool:
    """Everyone may call the CKAN Action API (released resources only)."""
    return _public(actor)


def can_get_portal_usage(actor: Actor) -> bool:
    """Platform admins (the e-government office) and the system."""
    return actor.kind == "system" or actor.is_platform_admin


def can_flush_portal_usage(actor: Actor) -> bool:
    """The system (the scheduler's usage pass) and platform admins."""
    return actor.kind == "system" or actor.is_platform_admin


def can_dump_datastore(actor: Actor) -> bool:
    """Everyone, for open resources."""
    return _public(actor)


# --- releases and levels ---------------------------------------------------------------------


def can_list_releases(actor: Actor) -> bool:
    """Stewards, department admins (their department's resources) and platform admins."""
    return actor.is_platform_admin or actor.has_role(*FILERS)


def can_release_resource(actor: Actor, resource: HasProvider) -> bool:
    """The provider department's stewards and department admins; platform admins."""
    return _provider_staff(actor, resource.provider_department_id, FILERS)


def can_update_release_masks(actor: Actor, resource: HasProvider) -> bool:
    """As release_resource."""
    return _provider_staff(actor, resource.provider_department_id, FILERS)


def can_withdraw_release(actor: Actor) -> bool:
    """Platform admins only: withdrawing is lowering to 不予开放 and needs their approval
    (providers ask through ``request_level_change``)."""
    return actor.kind == "system" or actor.is_platform_admin


def can_request_level_change(actor: Actor, resource: HasProvider) -> bool:
    """As release_resource."""
    return _provider_staff(actor, resource.provider_department_id, FILERS)


def can_list_level_changes(actor: Actor) -> bool:
    """Platform admins, auditors, and the provider staff (their department's)."""
    return actor.is_platform_admin or actor.has_role("auditor", *FILERS)


def can_approve_level_change(actor: Actor) -> bool:
    """Platform admins (市电政办, the 大数据主管部门 of 344号)."""
    return actor.kind == "system" or actor.is_platform_admin


def can_refuse_level_change(actor: Actor) -> bool:
    """As approve_level_change."""
    return actor.kind == "system" or actor.is_platform_admin


# --- public users --------------------------------------------------------------------------------


def can_register_public_user(actor: Actor) -> bool:
    """Visitors (not logged-in platform staff)."""
    return not actor.is_authenticated


def can_verify_public_email(actor: Actor) -> bool:
    """Whoever holds the link."""
    return _public(actor)


def can_log_in_public_user(actor: Actor) -> bool:
    """Visitors."""
    return _public(actor)


def can_log_out_public_user(actor: Actor) -> bool:
    """Visitors."""
    return _public(actor)


def can_resolve_public_user(actor: Actor) -> bool:
    """Everyone (the portal's own sign-in cookie)."""
    return _public(actor)


def can_resolve_api_key(actor: Actor) -> bool:
    """Everyone (a CKAN API key sent with a request)."""
    return _public(actor)


def can_create_public_api_key(actor: Actor, visitor: VisitorLike | None) -> bool:
    """A signed-in public user with a verified e-mail."""
    return visitor is not None and visitor.verified_at is not None


def can_apply_for_resource(actor: Actor, visitor: VisitorLike | None) -> bool:
    """A signed-in public user with a verified e-mail."""
    return visitor is not None and visitor.verified_at is not None


def can_list_my_applications(actor: Actor, visitor: VisitorLike | None) -> bool:
    """A signed-in public user (their own)."""
    return visitor is not None


# --- applications --------------------------------------------------------------------------------


def can_list_applications(actor: Actor) -> bool:
    """Reviewers and department admins (their department's), platform admins, auditors."""
    return actor.is_platform_admin or actor.has_role("auditor", *DECIDERS)


def can_decide_application(actor: Actor, application: HasProvider) -> bool:
    """The provider department's reviewers and department admins; platform admins."""
    return _provider_staff(actor, application.provider_department_id, DECIDERS)


# --- data requests -------------------------------------------------------------------------------


def can_submit_data_request(actor: Actor) -> bool:
    """Everyone (rate-limited per address)."""
    return _public(actor)


def can_list_data_requests(actor: Actor) -> bool:
    """Everyone: requests and answers are public."""
    return _public(actor)


def can_get_data_request(actor: Actor) -> bool:
    """Everyone."""
    return _public(actor)


def can_list_request_providers(actor: Actor) -> bool:
    """As assign_data_request."""
    return actor.kind == "system" or actor.is_platform_admin


def can_assign_data_request(actor: Actor) -> bool:
    """The e-government office (platform admins) chooses the likely provider."""
    return actor.kind == "system" or actor.is_platform_admin


def can_answer_data_request(actor: Actor, request: HasProvider) -> bool:
    """The assigned provider's stewards, reviewers and department admins; platform admins."""
    if request.provider_department_id is None:
        return actor.kind == "system" or actor.is_platform_admin
    return _provider_staff(actor, request.provider_department_id, ANSWERERS)
