"""Catalog use cases, split by sub-entity: resources (filing and reading), reviews (queue,
decisions, versions and diffs), categories, searching, transfer (template, import, export) and
reports (statistics, DCAT-AP, the province exchange form). ``common`` holds shared helpers.

Every function takes the session and the acting ``Actor``, checks ``permissions.can_<function>``,
works in the caller's transaction and records the audit entry of every write.
"""

from govshare.catalog.service.categories import create_category, list_categories
from govshare.catalog.service.resources import (
    create_resource,
    delete_resource,
    get_resource,
    get_resource_by_code,
    list_resources,
    submit_resource,
    update_resource,
)
from govshare.catalog.service.reviews import (
    diff_versions,
    list_review_queue,
    list_reviews,
    list_versions,
    publish_resource,
    retire_resource,
    return_resource,
)
from govshare.catalog.service.searching import search_resources

__all__ = [
    "create_category",
    "create_resource",
    "delete_resource",
    "diff_versions",
    "get_resource",
    "get_resource_by_code",
    "list_categories",
    "list_resources",
    "list_review_queue",
    "list_reviews",
    "list_versions",
    "publish_resource",
    "retire_resource",
    "return_resource",
    "search_resources",
    "submit_resource",
    "update_resource",
]
