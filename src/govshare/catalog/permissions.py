"""Who may do what in the catalog.

Data stewards and department admins file resources for their own department; 市电政办 reviewers
(platform admins and holders of the ``catalog_reviewer`` role) review, publish, return and
manage the category tree. Published (and retired) resources are visible to every logged-in actor;
drafts, submissions and returned resources only to their provider department, reviewers and
auditors. A hidden resource looks exactly like a missing one.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, Select, or_, select, true

from govshare.catalog.models import FacetCount, Resource
from govshare.core.security import Actor

PUBLIC_STATUSES = ("published", "retired")


class ResourceLike(Protocol):
    """What the rules need to know of a resource (model or public form)."""

    @property
    def provider_department_id(self) -> int: ...

    @property
    def status(self) -> str: ...


def is_catalog_reviewer(actor: Actor) -> bool:
    """市电政办 reviewers: platform admins and catalog reviewers."""
    return actor.has_role("platform_admin", "catalog_reviewer")


def files_for(actor: Actor, department_id: int | None) -> bool:
    """Stewards and department admins of the department; platform admins for any."""
    if actor.is_platform_admin:
        return True
    return actor.has_role("steward", "dept_admin") and actor.in_department(department_id)


def sees_all_resources(actor: Actor) -> bool:
    """Reviewers and auditors see every resource in every state."""
    return is_catalog_reviewer(actor) or actor.has_role("auditor")


def _visible(actor: Actor, model: type[Resource] | type[FacetCount]) -> ColumnElement[bool]:
    """The visibility rule on a model carrying ``status`` and ``provider_department_id``."""
    if not actor.is_authenticated:
        return model.id == -1
    if sees_all_resources(actor):
        return true()
    return or_(
        model.status.in_(PUBLIC_STATUSES),
        model.provider_department_id == (actor.department_id or -1),
    )


def visible_resources(actor: Actor) -> Select[Resource]:
    """Resources the actor may see: published and retired ones for anyone logged in, every
    state for the provider department, reviewers and auditors."""
    return select(Resource).where(_visible(actor, Resource))


def visible_facet_counts(actor: Actor) -> Select[FacetCount]:
    """The facet-count combinations of the resources ``visible_resources`` gives the actor
    (status and provider are part of every combination, so the same rule applies)."""
    return select(FacetCount).where(FacetCount.n > 0, _visible(actor, FacetCount))


def can_see_unpublished(actor: Actor, resource: ResourceLike) -> bool:
    """Pending revisions and unpublished versions: the provider department and reviewers."""
    return sees_all_resources(actor) or actor.in_department(resource.provider_department_id)


def can_get_resource(actor: Actor) -> bool:
    """Any logged-in actor (what they see is narrowed by visible_resources)."""
    return actor.is_authenticated


def can_get_resource_by_code(actor: Actor) -> bool:
    """Any logged-in actor."""
    return actor.is_authenticated


def can_list_resources(actor: Actor) -> bool:
    """Any logged-in actor."""
    return actor.is_authenticated


def can_search_resources(actor: Actor) -> bool:
    """Any logged-in actor."""
    return actor.is_authenticated


def can_create_resource(actor: Actor, department_id: int | None) -> bool:
    """Stewards and department admins file for their own department."""
    return files_for(actor, department_id)


def can_update_resource(actor: Actor, resource: ResourceLike) -> bool:
    """The provider's stewards edit drafts, returned filings and revisions (not retired ones)."""
    return resource.status != "retired" and files_for(actor, resource.provider_department_id)


def can_check_resource(actor: Actor) -> bool:
    """Checking a filing without saving it (live form validation): anyone logged in."""
    return actor.is_authenticated


def can_submit_resource(actor: Actor, resource: ResourceLike) -> bool:
    """The provider's stewards submit for review."""
    return resource.status != "retired" and files_for(actor, resource.provider_department_id)


def can_delete_resource(actor: Actor, resource: ResourceLike) -> bool:
    """The provider's stewards delete a filing that was never published."""
    return resource.status in ("draft", "returned") and files_for(
        actor, resource.provider_department_id
    )


def can_return_resource(actor: Actor, resource: ResourceLike | None = None) -> bool:
    """市电政办 reviewers return a submission with comments."""
    return is_catalog_reviewer(actor)


def can_publish_resource(actor: Actor, resource: ResourceLike | None = None) -> bool:
    """市电政办 reviewers publish a submission."""
    return is_catalog_reviewer(actor)


def can_retire_resource(actor: Actor, resource: ResourceLike) -> bool:
    """Reviewers, and the provider's department admins, retire a published resource."""
    if resource.status != "published":
        return False
    if is_catalog_reviewer(actor):
        return True
    return actor.has_role("dept_admin") and actor.in_department(resource.provider_department_id)


def can_list_versions(actor: Actor) -> bool:
    """Any logged-in actor who sees the resource (unpublished versions: see can_see_unpublished)."""
    return actor.is_authenticated


def can_diff_versions(actor: Actor) -> bool:
    """Any logged-in actor who sees the resource."""
    return actor.is_authenticated


def can_list_reviews(actor: Actor) -> bool:
    """Any logged-in actor who sees the resource's unpublished history."""
    return actor.is_authenticated


def can_list_review_queue(actor: Actor) -> bool:
    """The review queue is the reviewers' (stewards see their filings' states on the list)."""
    return is_catalog_reviewer(actor) or actor.has_role("auditor")


def can_list_categories(actor: Actor) -> bool:
    """Any logged-in actor reads the classification."""
    return actor.is_authenticated


def can_list_units(actor: Actor) -> bool:
    """The units a form offers as providers: anyone logged in."""
    return actor.is_authenticated


def can_create_category(actor: Actor) -> bool:
    """市电政办 reviewers add 目 and 细目."""
    return is_catalog_reviewer(actor)


def can_get_template(actor: Actor) -> bool:
    """Any logged-in actor downloads the filing template."""
    return actor.is_authenticated


def can_import_resources(actor: Actor, department_id: int | None) -> bool:
    """Stewards and department admins import their own department's catalog."""
    return files_for(actor, department_id)


def can_export_resources(actor: Actor) -> bool:
    """Any logged-in actor exports what they can see (tokens need no write scope)."""
    return actor.is_authenticated


def can_export_catalog_json(actor: Actor) -> bool:
    """Any logged-in actor exports the published catalog."""
    return actor.is_authenticated


def can_export_dcat(actor: Actor) -> bool:
    """Any logged-in actor exports the published catalog as DCAT-AP."""
    return actor.is_authenticated


def can_export_province(actor: Actor) -> bool:
    """The province exchange form: reviewers (they report the city's catalog upwards) and
    the provider's own stewards for their department."""
    return is_catalog_reviewer(actor) or actor.has_role("steward", "dept_admin", "auditor")


def can_get_statistics(actor: Actor) -> bool:
    """Any logged-in actor follows the filing progress (supervision, departments)."""
    return actor.is_authenticated


def can_reindex_resources(actor: Actor) -> bool:
    """Rebuilding the search index is an operator's task (platform admins, the CLI)."""
    return actor.is_platform_admin


def can_search_open_resources(actor: Actor) -> bool:
    """Everyone, visitors included: only published, openly or conditionally open resources that
    the portal released are searched (the open-data portal)."""
    return True


def can_search_open_resources_public(actor: Actor) -> bool:
    """As search_open_resources."""
    return True


def can_get_open_resource(actor: Actor) -> bool:
    """Everyone, visitors included (open and conditionally open published resources only)."""
    return True


def can_get_open_resources(actor: Actor) -> bool:
    """As get_open_resource."""
    return True


def can_get_catalog_generation(actor: Actor) -> bool:
    """Everyone: an opaque token that changes with every write to resources (a cache key)."""
    return True


def can_get_open_catalog_stamp(actor: Actor) -> bool:
    """Everyone: a count and a time, the open-data portal's cache key."""
    return True


def can_get_open_dcat(actor: Actor) -> bool:
    """Everyone: the open resources as DCAT-AP (the portal's catalog.ttl/.jsonld/.rdf)."""
    return True


def can_get_domain_names(actor: Actor) -> bool:
    """Everyone: category names are public (the portal's domains)."""
    return True
