"""Applications for conditionally open resources (申请表 + 安全承诺书), and their decision.

The provider decides: ``hand_to_provider`` tells the provider department's reviewers and
department admins, who approve or refuse on the portal's admin page (``decide_application``)
within ``GOVSHARE_OPENDATA_APPLY_DAYS`` working days counted by the clocks module. These are not
sharing requests: a sharing request binds a consumer *system* of a department and ends in a grant
to its API tokens, while a public applicant is a person with a portal API key; the decision,
its deadline, reasons and audit follow the same rules, on the portal's own records.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog import service as catalog
from govshare.clocks import service as clocks
from govshare.core.config import get_settings
from govshare.core.db import local_today, utcnow
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.opendata import permissions
from govshare.opendata.models import Application, PublicUser
from govshare.opendata.schemas import ApplicationCreate, ApplicationPublic, Decision
from govshare.opendata.service._common import PORTAL, open_resource, release_of, released
from govshare.opendata.service.users import visitor_actor


def hand_to_provider(session: Session, application: Application, resource_name: str) -> str:
    """Give the provider an application to decide (in-app and e-mail notice to its reviewers
    and department admins, who decide on /open-admin/applications); returns its reference."""
    notify.send(
        session,
        PORTAL,
        recipients=Recipients(
            department_ids=[application.provider_department_id], roles=["reviewer", "dept_admin"]
        ),
        subject=_("开放数据申请：{name}").format(name=resource_name),
        body=_("公众用户申请使用有条件开放的数据，请在 {due} 前答复。").format(
            due=application.due_date.isoformat()
        ),
        link="/open-admin/applications",
        kind="opendata.application",
    )
    return f"opendata:{application.id}"


def _public(session: Session, app: Application) -> ApplicationPublic:
    out = ApplicationPublic.model_validate(app)
    user = session.get(PublicUser, app.public_user_id)
    out.applicant_name = (
        f"{user.name}（{user.organization}）"
        if user and user.organization
        else (user.name if user else "")
    )
    return out


def apply_for_resource(
    session: Session,
    actor: Actor,
    visitor: PublicUser | None,
    resource_id: int,
    data: ApplicationCreate,
) -> Application:
    """A verified public user applies for a conditionally open resource; the provider must
    answer within the configured working days."""
    require(
        permissions.can_apply_for_resource(actor, visitor),
        "opendata.apply_for_resource",
        message=_("请先登录并验证邮箱后再申请。"),
    )
    assert visitor is not None
    resource = open_resource(session, actor, resource_id)
    rel = release_of(session, resource_id)
    if rel.level != "conditional":
        raise Conflict(_("该数据集无条件开放，无需申请，可直接下载。"))
    waiting = session.scalar(
        select(Application.id).where(
            Application.public_user_id == visitor.id,
            Application.resource_id == resource_id,
            Application.status.in_(("submitted", "granted")),
        )
    )
    if waiting:
        raise Conflict(_("您已申请过该数据集，请等待答复或直接使用。"))
    due = clocks.add_working_days(
        session, PORTAL, local_today(), get_settings().opendata_apply_days
    ).result
    app = Application(
        release_id=rel.id,
        resource_id=resource_id,
        provider_department_id=resource.provider_department_id,
        public_user_id=visitor.id,
        purpose=data.purpose,
        commitment=data.commitment,
        due_date=due,
    )
    session.add(app)
    session.flush()
    app.handoff_ref = hand_to_provider(session, app, resource.name)
    session.flush()
    audit.record(
        session,
        visitor_actor(visitor),
        "opendata.apply_for_resource",
        app,
        after={"status": app.status, "due_date": due.isoformat()},
    )
    return app


def list_my_applications(
    session: Session, actor: Actor, visitor: PublicUser | None
) -> list[ApplicationPublic]:
    """The signed-in public user's applications, newest first."""
    require(permissions.can_list_my_applications(actor, visitor), "opendata.list_my_applications")
    assert visitor is not None
    rows = session.scalars(
        select(Application)
        .where(Application.public_user_id == visitor.id)
        .order_by(Application.id.desc())
    ).all()
    return [_public(session, a) for a in rows]


def list_applications(
    session: Session, actor: Actor, *, status: str | None = None
) -> list[ApplicationPublic]:
    """Applications to decide: the actor's department's (platform admins, auditors: all)."""
    require(permissions.can_list_applications(actor), "opendata.list_applications")
    stmt = select(Application).order_by(Application.due_date, Application.id).limit(500)
    if status:
        stmt = stmt.where(Application.status == status)
    if not (actor.is_platform_admin or actor.has_role("auditor")):
        stmt = stmt.where(Application.provider_department_id == (actor.department_id or -1))
    rows: Sequence[Application] = session.scalars(stmt).all()
    ids = list({a.resource_id for a in rows})
    names = {
        r.id: r.name
        for r in catalog.get_open_resources(session, actor, released(), ids, with_items=False)
    }
    out = []
    for a in rows:
        one = _public(session, a)
        one.resource_name = names.get(a.resource_id, "")
        one.overdue = one.status == "submitted" and one.due_date < local_today()
        out.append(one)
    return out


def decide_application(
    session: Session, actor: Actor, application_id: int, decision: Decision
) -> Application:
    """Grant or refuse an application (a refusal gives its reasons); the applicant is told by
    e-mail. Granted applicants read and download the resource on the portal."""
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound(_("申请不存在。"))
    require(
        permissions.can_decide_application(actor, app),
        "opendata.decide_application",
        ("application", str(app.id), ""),
    )
    if app.status != "submitted":
        raise Conflict(_("该申请已经答复。"))
    if not decision.approve and not decision.note.strip():
        raise Invalid(_("不同意时请写明理由。"), errors=[FieldError("note", _("不能为空。"))])
    app.status = "granted" if decision.approve else "refused"
    app.decided_by_id, app.decided_at = actor.user_id, utcnow()
    app.decision_note = decision.note.strip()
    session.flush()
    user = session.get(PublicUser, app.public_user_id)
    if user is not None:
        word = _("已同意") if decision.approve else _("未同意")
        notify.send_email(
            session,
            PORTAL,
            to=user.email,
            subject=_("您的数据申请{word}").format(word=word),
            body=_("您对数据集（编号 {id}）的申请{word}。{note}\n{url}").format(
                id=app.resource_id,
                word=word,
                note=app.decision_note,
                url=f"{get_settings().base_url.rstrip('/')}/open/datasets/{app.resource_id}",
            ),
            kind="opendata.application",
        )
    audit.record(
        session,
        actor,
        "opendata.decide_application",
        app,
        after={"status": app.status, "note": app.decision_note},
    )
    return app
