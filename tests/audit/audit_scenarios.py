"""Audit scenarios of the audit module's own writes (verification and export are recorded)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govshare.audit import service as audit

SCENARIOS: dict[str, Callable[[Any, Callable[[str], Any]], None]] = {
    "audit.verify_audit_chain": lambda s, a: audit.verify_audit_chain(s, a("auditor")),
    "audit.export_audit_entries": lambda s, a: list(audit.export_audit_entries(s, a("auditor"))),
}
