"""The open-data portal's use cases, split by sub-entity: portal (public reads: home, search,
dataset pages, downloads, descriptors, rankings, the visitor rate limit), ckan (the CKAN Action
API), feeds (DCAT-AP), releases (opening resources, masks, level changes), users (public users),
applications (conditional resources), requests (public data requests) and usage (API calls
tallied in memory, flushed by the scheduler). ``_common`` holds
the portal actor, the released set, masking and the per-stamp cache.
"""

from govshare.opendata.service.applications import (
    apply_for_resource,
    decide_application,
    list_applications,
    list_my_applications,
)
from govshare.opendata.service.ckan import ckan_action, dump_datastore
from govshare.opendata.service.feeds import check_portal_dcat, get_portal_dcat
from govshare.opendata.service.portal import (
    check_visitor_rate,
    download_dataset,
    get_datapackage,
    get_portal_dataset,
    get_portal_department,
    get_portal_home,
    get_portal_stamp,
    get_rankings,
    list_portal_departments,
    search_portal,
)
from govshare.opendata.service.releases import (
    approve_level_change,
    list_level_changes,
    list_releases,
    refuse_level_change,
    release_resource,
    request_level_change,
    update_release_masks,
    withdraw_release,
)
from govshare.opendata.service.requests import (
    answer_data_request,
    assign_data_request,
    get_data_request,
    list_data_requests,
    list_request_providers,
    submit_data_request,
)
from govshare.opendata.service.usage import flush_portal_usage, get_portal_usage
from govshare.opendata.service.users import (
    create_public_api_key,
    log_in_public_user,
    log_out_public_user,
    register_public_user,
    resolve_api_key,
    resolve_public_user,
    verify_public_email,
)

__all__ = [
    "answer_data_request",
    "apply_for_resource",
    "approve_level_change",
    "assign_data_request",
    "check_portal_dcat",
    "check_visitor_rate",
    "ckan_action",
    "create_public_api_key",
    "decide_application",
    "download_dataset",
    "dump_datastore",
    "flush_portal_usage",
    "get_data_request",
    "get_datapackage",
    "get_portal_dataset",
    "get_portal_dcat",
    "get_portal_department",
    "get_portal_home",
    "get_portal_stamp",
    "get_portal_usage",
    "get_rankings",
    "list_applications",
    "list_data_requests",
    "list_level_changes",
    "list_my_applications",
    "list_portal_departments",
    "list_releases",
    "list_request_providers",
    "log_in_public_user",
    "log_out_public_user",
    "refuse_level_change",
    "register_public_user",
    "release_resource",
    "request_level_change",
    "resolve_api_key",
    "resolve_public_user",
    "search_portal",
    "submit_data_request",
    "update_release_masks",
    "verify_public_email",
    "withdraw_release",
]
