"""Every module's models, imported in one place so that Alembic sees one metadata."""

from govshare.accounts import models as accounts_models
from govshare.audit import models as audit_models
from govshare.core.db import Base

__all__ = ["Base", "accounts_models", "audit_models"]
