"""Who may manage datasets and read rows: every persona × every rule."""

from __future__ import annotations

import pytest

from govshare.datastore import permissions as p
from govshare.datastore.models import Dataset
from tests.personas import ROLE_PERSONAS, department_id

LOGGED_IN = set(ROLE_PERSONAS) - {"public"}
MANAGERS = {"steward", "dept_admin", "platform_admin"}
STAFF = {"steward", "dept_admin", "reviewer", "platform_admin"}

# The dataset belongs to 市统计局, the department of steward, dept_admin and reviewer.
MATRIX = {
    "create_dataset": (lambda a, d: p.can_create_dataset(a, d.department_id), MANAGERS),
    "create_dataset_for_resource": (
        lambda a, d: p.can_create_dataset_for_resource(a, d.department_id),
        MANAGERS,
    ),
    "update_dataset": (p.can_update_dataset, MANAGERS),
    "sync_dataset_columns": (p.can_sync_dataset_columns, MANAGERS),
    "get_dataset": (p.can_get_dataset, LOGGED_IN),
    "get_dataset_by_resource": (p.can_get_dataset_by_resource, LOGGED_IN),
    "get_dataset_page": (p.can_get_dataset_page, LOGGED_IN),
    "list_datasets": (lambda a, d: p.can_list_datasets(a), LOGGED_IN),
    "list_versions": (p.can_list_versions, LOGGED_IN),
    "get_version": (p.can_get_version, LOGGED_IN),
    "get_version_page": (p.can_get_version_page, LOGGED_IN),
    "create_upload": (p.can_create_upload, MANAGERS),
    "upload_chunk": (p.can_upload_chunk, MANAGERS),
    "get_upload": (p.can_get_upload, MANAGERS),
    "load_dataset": (p.can_load_dataset, MANAGERS),
    "load_file": (p.can_load_file, MANAGERS),
    "load_uploaded_file": (p.can_load_uploaded_file, MANAGERS),
    "pull_dataset": (p.can_pull_dataset, MANAGERS),
    "enqueue_due_pulls": (lambda a, d: p.can_enqueue_due_pulls(a), {"platform_admin"}),
    "get_load": (p.can_get_load, STAFF),
    "get_load_view": (p.can_get_load_view, STAFF),
    "list_loads": (p.can_list_loads, STAFF),
    "export_rejects": (p.can_export_rejects, STAFF),
    "apply_retention": (p.can_apply_retention, MANAGERS),
    "preview_version": (p.can_preview_version, STAFF),
    "get_profile": (p.can_get_profile, STAFF),
    "download_version": (p.can_download_version, STAFF),
    "diff_versions": (p.can_diff_versions, STAFF),
    "lookup_rows": (p.can_lookup_rows, STAFF),
    "page_rows": (p.can_page_rows, STAFF),
    "search_rows": (p.can_search_rows, STAFF),
    "query_version": (p.can_query_version, STAFF),
    "run_scan": (p.can_run_scan, STAFF),
    "run_reference_scan": (p.can_run_reference_scan, STAFF),
    "validate_scan_sql": (lambda a, d: p.can_validate_scan_sql(a), LOGGED_IN),
}
READS = (
    "preview_version",
    "get_profile",
    "download_version",
    "diff_versions",
    "lookup_rows",
    "page_rows",
    "search_rows",
    "query_version",
    "run_scan",
    "run_reference_scan",
)


@pytest.fixture
def dataset(session):
    return Dataset(
        department_id=department_id(session, "市统计局"),
        name="x",
        code="x",
        resource_id=1,
        columns=[],
    )


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, actor, dataset):
    check, allowed = MATRIX[rule]
    assert check(actor(persona), dataset) is (persona in allowed)


@pytest.mark.parametrize("rule", READS)
def test_another_module_may_read_for_its_user(rule, actor, dataset):
    check = getattr(p, f"can_{rule}")
    assert check(actor("consumer"), dataset, "sharing.grant:1")
    assert not check(actor("consumer"), dataset)


def test_other_departments_staff_cannot_read(actor, dataset):
    assert not p.can_lookup_rows(actor("other_admin"), dataset)
    assert not p.can_load_dataset(actor("other_admin"), dataset)
