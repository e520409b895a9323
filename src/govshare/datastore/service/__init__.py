"""The datastore's use cases, split by sub-entity: datasets, uploads, loads, versions, reads.

Other modules import this package: ``from govshare.datastore import service as datastore``.
"""

from __future__ import annotations

from govshare.datastore.service.datasets import (
    create_dataset,
    create_dataset_for_resource,
    get_dataset,
    get_dataset_by_resource,
    get_dataset_page,
    list_datasets,
    sync_dataset_columns,
    update_dataset,
)
from govshare.datastore.service.loads import (
    cleanup_load_job,
    enqueue_due_pulls,
    export_rejects,
    get_load,
    get_load_view,
    handle_load_job,
    list_loads,
    load_dataset,
    load_file,
    load_uploaded_file,
    pull_dataset,
)
from govshare.datastore.service.reads import (
    KeyLookup,
    lookup_rows,
    page_rows,
    prepare_lookup,
    query_version,
    run_scan,
    search_rows,
    validate_scan_sql,
)
from govshare.datastore.service.uploads import create_upload, get_upload, upload_chunk
from govshare.datastore.service.versions import (
    Candidate,
    Gate,
    apply_retention,
    configure_gates,
    diff_versions,
    download_version,
    get_profile,
    get_version,
    get_version_page,
    list_versions,
    preview_version,
)

__all__ = [
    "Candidate",
    "Gate",
    "apply_retention",
    "cleanup_load_job",
    "configure_gates",
    "create_dataset",
    "create_dataset_for_resource",
    "create_upload",
    "diff_versions",
    "download_version",
    "enqueue_due_pulls",
    "export_rejects",
    "get_dataset",
    "get_dataset_by_resource",
    "get_dataset_page",
    "get_load",
    "get_load_view",
    "get_profile",
    "get_upload",
    "get_version",
    "get_version_page",
    "handle_load_job",
    "list_datasets",
    "list_loads",
    "list_versions",
    "load_dataset",
    "load_file",
    "load_uploaded_file",
    "KeyLookup",
    "lookup_rows",
    "page_rows",
    "prepare_lookup",
    "preview_version",
    "pull_dataset",
    "query_version",
    "run_scan",
    "search_rows",
    "sync_dataset_columns",
    "update_dataset",
    "upload_chunk",
    "validate_scan_sql",
]
