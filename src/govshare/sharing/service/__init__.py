"""Sharing use cases, split by sub-entity: systems (consumer systems and their tokens), requests
(applying, reviewing, the clock and its reminders), grants (listing, revoking) and data (the data
API: rows, lookup, batch lookup, verification). ``common`` holds shared helpers.

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

__all__ = [
    "approve_request",
    "bind_system_token",
    "get_grant",
    "get_request",
    "list_grants",
    "list_requests",
    "list_review_queue",
    "list_systems",
    "lookup_record",
    "lookup_records",
    "read_rows",
    "refuse_request",
    "register_system",
    "return_request",
    "revoke_grant",
    "send_deadline_reminders",
    "submit_request",
    "update_request",
    "verify_record",
]
