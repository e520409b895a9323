"""The persona × rule matrix of sharing's permissions."""

from __future__ import annotations

import pytest

from govshare.sharing import permissions
from tests.personas import ROLE_PERSONAS, actor_of, department_id

ROLE_PERSONAS_WITH_A_DEPARTMENT = {p for p in ROLE_PERSONAS if p != "public"}

# Who may do what, with the consumer system of 陵城区 and a resource of 市公安局.
EXPECTED: dict[str, set[str]] = {
    "register_system": {"platform_admin", "consumer"},
    "submit_request": {"consumer"},
    "decide": {"other_admin"},
    "revoke_grant": {"platform_admin", "other_admin"},
    "review_queue": {"platform_admin", "dept_admin", "reviewer", "other_admin"},
    "see_request": {"platform_admin", "consumer", "auditor", "other_admin"},
    "call_data_api": set(),  # web sessions never call the data API; only bound tokens do
    "reminders": {"platform_admin"},
    "object_to_refusal": {"consumer"},
    "arbitrate_objection": {"platform_admin"},
    "arbitration_queue": {"platform_admin", "auditor"},
    "apply_renewal": {"consumer"},
    "decide_renewal": {"other_admin"},
    "expiry_notices": {"platform_admin"},
    "get_usage": {*ROLE_PERSONAS_WITH_A_DEPARTMENT, "other_admin"},
}
PERSONAS = (*ROLE_PERSONAS, "other_admin")


def _rules(session):  # type: ignore[no-untyped-def]
    consumer = department_id(session, "陵城区")
    provider = department_id(session, "市公安局")
    return {
        "register_system": lambda a: permissions.can_register_system(a, consumer),
        "submit_request": lambda a: permissions.can_submit_request(a, consumer),
        "decide": lambda a: all(
            f(a, provider)
            for f in (
                permissions.can_approve_request,
                permissions.can_refuse_request,
                permissions.can_return_request,
            )
        ),
        "revoke_grant": lambda a: permissions.can_revoke_grant(a, consumer, provider),
        "review_queue": permissions.can_list_review_queue,
        "see_request": lambda a: permissions.can_get_request(a, consumer, provider),
        "call_data_api": lambda a: any(
            f(a)
            for f in (
                permissions.can_read_rows,
                permissions.can_lookup_record,
                permissions.can_lookup_records,
                permissions.can_verify_record,
            )
        ),
        "reminders": permissions.can_send_deadline_reminders,
        "object_to_refusal": lambda a: permissions.can_object_to_refusal(a, consumer),
        "arbitrate_objection": permissions.can_arbitrate_objection,
        "arbitration_queue": permissions.can_list_arbitration_queue,
        "apply_renewal": lambda a: permissions.can_apply_renewal(a, consumer),
        "decide_renewal": lambda a: (
            permissions.can_approve_renewal(a, provider)
            and permissions.can_refuse_renewal(a, provider)
        ),
        "expiry_notices": permissions.can_send_expiry_notices,
        "get_usage": permissions.can_get_usage,
    }


@pytest.mark.parametrize("rule", sorted(EXPECTED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix(session, rule, persona):
    allowed = _rules(session)[rule](actor_of(session, persona))
    assert allowed == (persona in EXPECTED[rule]), f"{persona} × {rule}"


def test_a_read_token_calls_the_data_api(session):
    from dataclasses import replace

    token = replace(actor_of(session, "consumer"), kind="token", scopes=frozenset({"read"}))
    assert permissions.can_lookup_record(token)
    assert not permissions.can_lookup_record(replace(token, scopes=frozenset()))


def test_the_scheduler_sends_notices_but_does_not_arbitrate(session):
    from govshare.core.security import SYSTEM

    assert permissions.can_send_expiry_notices(SYSTEM)
    assert not permissions.can_arbitrate_objection(SYSTEM)
