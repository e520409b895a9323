"""Every module's models, imported in one place so that Alembic sees one metadata."""

from govshare.accounts import models as accounts_models
from govshare.audit import models as audit_models
from govshare.catalog import models as catalog_models
from govshare.clocks import models as clocks_models
from govshare.core.db import Base
from govshare.datastore import models as datastore_models
from govshare.jobs import models as jobs_models
from govshare.notify import models as notify_models
from govshare.opendata import models as opendata_models
from govshare.quality import models as quality_models
from govshare.sharing import models as sharing_models
from govshare.supervision import models as supervision_models

# Tables (and indexes) that migrations create outside the models' metadata, with the backend's
# own DDL; ``alembic check`` leaves them alone. FTS5 creates shadow tables named after its table.
UNMANAGED_PREFIXES = ("catalog_fts", "ix_catalog_search_tsv")

__all__ = [
    "UNMANAGED_PREFIXES",
    "Base",
    "accounts_models",
    "audit_models",
    "catalog_models",
    "clocks_models",
    "datastore_models",
    "jobs_models",
    "notify_models",
    "quality_models",
    "sharing_models",
    "opendata_models",
    "supervision_models",
]
