"""Who may see datasets, load data, and read rows.

Dataset metadata (name, columns, versions and their counts) is visible to everyone logged in, as
the catalog is. The provider department's stewards and department admins (and platform admins)
manage a dataset and load data. Reading rows — previews, downloads, diffs, queries — is for the
provider department's staff and platform admins; other modules (sharing, opendata, quality) read
on behalf of their users after deciding themselves (a grant, an open resource, a rule) and say
so with ``authorized_by``, which the datastore records in the audit trail.
"""

from __future__ import annotations

from sqlalchemy import Select, false, select

from govshare.core.security import Actor
from govshare.datastore.models import Dataset

MANAGERS = ("steward", "dept_admin")
READERS = ("steward", "dept_admin", "reviewer")


def _manages(actor: Actor, department_id: int | None) -> bool:
    if actor.kind == "system" or actor.is_platform_admin:
        return True
    return actor.has_role(*MANAGERS) and actor.in_department(department_id)


def _reads(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    if authorized_by:
        return True
    if actor.kind == "system" or actor.is_platform_admin:
        return True
    return actor.has_role(*READERS) and actor.in_department(dataset.department_id)


def can_create_dataset(actor: Actor, department_id: int) -> bool:
    """Stewards and department admins of the provider department; platform admins."""
    return _manages(actor, department_id)


def can_create_dataset_for_resource(actor: Actor, department_id: int) -> bool:
    """As create_dataset, for the resource's provider department."""
    return _manages(actor, department_id)


def can_update_dataset(actor: Actor, dataset: Dataset) -> bool:
    """Stewards and department admins of the provider department; platform admins."""
    return _manages(actor, dataset.department_id)


def can_sync_dataset_columns(actor: Actor, dataset: Dataset) -> bool:
    """As update_dataset."""
    return _manages(actor, dataset.department_id)


def can_get_dataset(actor: Actor, dataset: Dataset | None = None) -> bool:
    """Metadata is visible to everyone logged in (and to the system)."""
    return actor.is_authenticated


def can_get_dataset_by_resource(actor: Actor, dataset: Dataset | None = None) -> bool:
    """As get_dataset."""
    return actor.is_authenticated


def can_list_datasets(actor: Actor) -> bool:
    """Everyone logged in."""
    return actor.is_authenticated


def can_list_versions(actor: Actor, dataset: Dataset) -> bool:
    """Everyone logged in sees a dataset's version history (counts, digests, provenance)."""
    return actor.is_authenticated


def can_get_version(actor: Actor, dataset: Dataset) -> bool:
    """As list_versions."""
    return actor.is_authenticated


def can_list_loads(actor: Actor, dataset: Dataset) -> bool:
    """The provider department's staff and platform admins (loads show rejected values)."""
    return _reads(actor, dataset)


def can_get_load(actor: Actor, dataset: Dataset) -> bool:
    """As list_loads."""
    return _reads(actor, dataset)


def can_export_rejects(actor: Actor, dataset: Dataset) -> bool:
    """As list_loads."""
    return _reads(actor, dataset)


def can_create_upload(actor: Actor, dataset: Dataset) -> bool:
    """Those who may load the dataset."""
    return _manages(actor, dataset.department_id)


def can_upload_chunk(actor: Actor, dataset: Dataset) -> bool:
    """Those who may load the dataset."""
    return _manages(actor, dataset.department_id)


def can_get_upload(actor: Actor, dataset: Dataset) -> bool:
    """Those who may load the dataset."""
    return _manages(actor, dataset.department_id)


def can_load_dataset(actor: Actor, dataset: Dataset) -> bool:
    """Stewards and department admins of the provider department; platform admins."""
    return _manages(actor, dataset.department_id)


def can_load_file(actor: Actor, dataset: Dataset) -> bool:
    """As load_dataset (the CLI loads a file from disk)."""
    return _manages(actor, dataset.department_id)


def can_pull_dataset(actor: Actor, dataset: Dataset) -> bool:
    """As load_dataset."""
    return _manages(actor, dataset.department_id)


def can_enqueue_due_pulls(actor: Actor) -> bool:
    """The system (the scheduler, ``govshare data pull-due``) and platform admins."""
    return actor.kind == "system" or actor.is_platform_admin


def can_apply_retention(actor: Actor, dataset: Dataset) -> bool:
    """As update_dataset (also run by the system after each publish)."""
    return _manages(actor, dataset.department_id)


def can_preview_version(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """The provider department's staff, platform admins, or another module that authorized it."""
    return _reads(actor, dataset, authorized_by)


def can_get_profile(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As preview_version."""
    return _reads(actor, dataset, authorized_by)


def can_download_version(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As preview_version."""
    return _reads(actor, dataset, authorized_by)


def can_diff_versions(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As preview_version."""
    return _reads(actor, dataset, authorized_by)


def can_lookup_rows(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As preview_version (sharing passes the grant as ``authorized_by``)."""
    return _reads(actor, dataset, authorized_by)


def can_prepare_lookup(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As lookup_rows."""
    return _reads(actor, dataset, authorized_by)


def can_page_rows(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As preview_version."""
    return _reads(actor, dataset, authorized_by)


def can_search_rows(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As preview_version (opendata passes the open resource as ``authorized_by``)."""
    return _reads(actor, dataset, authorized_by)


def can_query_version(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As preview_version."""
    return _reads(actor, dataset, authorized_by)


def can_run_scan(actor: Actor, dataset: Dataset, authorized_by: str | None = None) -> bool:
    """As preview_version (quality passes its rule run as ``authorized_by``)."""
    return _reads(actor, dataset, authorized_by)


def can_run_reference_scan(
    actor: Actor, dataset: Dataset, authorized_by: str | None = None
) -> bool:
    """As run_scan, for both datasets (quality passes its reference rule as ``authorized_by``)."""
    return _reads(actor, dataset, authorized_by)


def can_validate_scan_sql(actor: Actor) -> bool:
    """Anyone logged in may have SQL checked against the allow-list (no data is read)."""
    return actor.is_authenticated


def visible_datasets(actor: Actor) -> Select[Dataset]:
    """Datasets whose metadata the actor may see."""
    stmt = select(Dataset)
    if not actor.is_authenticated:
        return stmt.where(false())
    return stmt


def can_get_load_view(actor: Actor, dataset: Dataset) -> bool:
    """As get_load."""
    return _reads(actor, dataset)


def can_load_uploaded_file(actor: Actor, dataset: Dataset) -> bool:
    """As load_dataset."""
    return _manages(actor, dataset.department_id)


def can_get_dataset_page(actor: Actor, dataset: Dataset) -> bool:
    """Everyone logged in (the preview and loads only for those who may read the data)."""
    return actor.is_authenticated


def can_get_version_page(actor: Actor, dataset: Dataset) -> bool:
    """As get_dataset_page."""
    return actor.is_authenticated
