"""Who may see and cancel jobs: every persona × every rule."""

from __future__ import annotations

import pytest

from govshare.jobs import permissions as p
from govshare.jobs.models import Job
from tests.personas import ROLE_PERSONAS


def _job(session, owner_actor, status="running"):
    return Job(
        kind="test.x",
        status=status,
        created_by_id=owner_actor.user_id,
        department_id=owner_actor.department_id,
    )


# The job is the steward's (市统计局): its department admin sees it too.
MATRIX = {
    "enqueue": (lambda a, j: p.can_enqueue(a), set(ROLE_PERSONAS) - {"public"}),
    "list_jobs": (lambda a, j: p.can_list_jobs(a), set(ROLE_PERSONAS) - {"public"}),
    "get_job": (p.can_get_job, {"steward", "dept_admin", "platform_admin"}),
    "cancel_job": (p.can_cancel_job, {"steward", "dept_admin", "platform_admin"}),
}


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, session, actor):
    check, allowed = MATRIX[rule]
    job = _job(session, actor("steward"))
    assert check(actor(persona), job) is (persona in allowed)


def test_finished_jobs_cannot_be_cancelled(session, actor):
    job = _job(session, actor("steward"), status="succeeded")
    assert not p.can_cancel_job(actor("steward"), job)
