"""Catalog use cases, split by sub-entity: resources (filing and reading), reviews (queue,
decisions, versions and diffs), categories, searching, transfer (template, import, export) and
reports (statistics, DCAT-AP, the province exchange form) and portal (the open resources
as the public open-data portal reads them). ``common`` holds shared helpers.

Every function takes the session and the acting ``Actor``, checks ``permissions.can_<function>``,
works in the caller's transaction and records the audit entry of every write.
"""

from govshare.catalog.service.categories import create_category, list_categories, list_units
from govshare.catalog.service.portal import (
    clear_open_facts,
    get_catalog_generation,
    get_domain_names,
    get_open_catalog_stamp,
    get_open_dcat,
    get_open_resource,
    get_open_resources,
    search_open_resources,
    search_open_resources_public,
)
from govshare.catalog.service.reports import (
    export_catalog_json,
    export_dcat,
    export_province,
    get_statistics,
)
from govshare.catalog.service.resources import (
    check_resource,
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
from govshare.catalog.service.transfer import export_resources, get_template, import_resources

__all__ = [
    "clear_open_facts",
    "check_resource",
    "create_category",
    "create_resource",
    "delete_resource",
    "diff_versions",
    "export_catalog_json",
    "export_dcat",
    "export_province",
    "export_resources",
    "get_catalog_generation",
    "get_domain_names",
    "get_open_catalog_stamp",
    "get_open_dcat",
    "get_open_resource",
    "get_open_resources",
    "get_resource",
    "get_resource_by_code",
    "get_statistics",
    "get_template",
    "import_resources",
    "list_categories",
    "list_resources",
    "list_units",
    "list_review_queue",
    "list_reviews",
    "list_versions",
    "publish_resource",
    "retire_resource",
    "return_resource",
    "search_open_resources",
    "search_open_resources_public",
    "search_resources",
    "submit_resource",
    "update_resource",
]
