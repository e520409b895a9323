"""Sharing use cases, split by sub-entity: systems (consumer systems and their tokens), requests
(applying, reviewing, the clock and its reminders), objections (to refusals, and 市电政办's
arbitration), grants (listing, revoking), renewals (expiry notices, re-certification), data (the
data API: rows, lookup, batch lookup, verification) and usage (dashboards read from the audit
trail). ``common`` holds shared helpers.

Other modules import this package: ``from govshare.sharing import service as sharing``.
"""

from __future__ import annotations

from govshare.sharing.service.data import (
    lookup_record,
    lookup_records,
    read_rows,
    verify_record,
)
from govshare.sharing.service.grants import get_grant, list_grants, revoke_grant
from govshare.sharing.service.objections import (
    arbitrate_objection,
    list_arbitration_queue,
    object_to_refusal,
)
from govshare.sharing.service.renewals import (
    apply_renewal,
    approve_renewal,
    list_renewals,
    refuse_renewal,
    send_expiry_notices,
)
from govshare.sharing.service.requests import (
    approve_request,
    get_request,
    list_requests,
    list_review_queue,
    refuse_request,
    return_request,
    send_deadline_reminders,
    submit_request,
    update_request,
)
from govshare.sharing.service.systems import bind_system_token, list_systems, register_system
from govshare.sharing.service.usage import get_usage

__all__ = [
    "apply_renewal",
    "approve_renewal",
    "approve_request",
    "arbitrate_objection",
    "bind_system_token",
    "get_grant",
    "get_request",
    "get_usage",
    "list_arbitration_queue",
    "list_grants",
    "list_renewals",
    "list_requests",
    "list_review_queue",
    "list_systems",
    "lookup_record",
    "lookup_records",
    "object_to_refusal",
    "read_rows",
    "refuse_renewal",
    "refuse_request",
    "register_system",
    "return_request",
    "revoke_grant",
    "send_deadline_reminders",
    "send_expiry_notices",
    "submit_request",
    "update_request",
    "verify_record",
]
