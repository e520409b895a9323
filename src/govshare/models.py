"""Every module's models, imported in one place so that Alembic sees one metadata."""

from govshare.accounts import models as accounts_models
from govshare.audit import models as audit_models
from govshare.clocks import models as clocks_models
from govshare.core.db import Base
from govshare.notify import models as notify_models
from govshare.supervision import models as supervision_models

__all__ = [
    "Base",
    "accounts_models",
    "audit_models",
    "clocks_models",
    "notify_models",
    "supervision_models",
]
