"""The application: settings, database, middleware, error handlers and every module's routes.

``MODULES`` is the explicit list of business modules; each contributes ``pages.router`` (HTML),
``api.router`` (JSON under /api/v1) and ``pages.NAV`` (side navigation).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from asgi_csrf import asgi_csrf
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from govshare import __version__, shell
from govshare.accounts import api as accounts_api
from govshare.accounts import pages as accounts_pages
from govshare.accounts import service as accounts_service
from govshare.audit import api as audit_api
from govshare.audit import pages as audit_pages
from govshare.audit import service as audit_service
from govshare.audit.group import GroupRecorder
from govshare.catalog import api as catalog_api
from govshare.catalog import pages as catalog_pages
from govshare.clocks import api as clocks_api
from govshare.clocks import pages as clocks_pages
from govshare.core.config import Settings, get_settings
from govshare.core.csrf import patch_asgi_csrf
from govshare.core.db import Database, make_engine
from govshare.core.handlers import ERROR_SHAPES, install_handlers
from govshare.core.i18n import N_
from govshare.core.observability import RequestMiddleware, RouteCapture, configure_logging
from govshare.core.security import configure_data_key, configure_password_hasher, derive_key
from govshare.core.web import STATIC_DIR, NavEntry
from govshare.datastore import api as datastore_api
from govshare.datastore import pages as datastore_pages
from govshare.datastore import service as datastore_service
from govshare.jobs import api as jobs_api
from govshare.jobs import dispatch as jobs_dispatch
from govshare.jobs import pages as jobs_pages
from govshare.jobs.schemas import JobKind
from govshare.jobs.worker import Worker
from govshare.notify import api as notify_api
from govshare.notify import pages as notify_pages
from govshare.opendata import api as opendata_api
from govshare.opendata import pages as opendata_pages
from govshare.quality import api as quality_api
from govshare.quality import pages as quality_pages
from govshare.quality import service as quality_service
from govshare.schedule import Scheduler, flush_usage_now
from govshare.sharing import api as sharing_api
from govshare.sharing import pages as sharing_pages
from govshare.supervision import api as supervision_api
from govshare.supervision import pages as supervision_pages

patch_asgi_csrf()  # multipart forms: see core/csrf.py

# (pages, api) of every business module, in navigation order.
MODULES: list[tuple[ModuleType, ModuleType]] = [
    (supervision_pages, supervision_api),
    (catalog_pages, catalog_api),
    (datastore_pages, datastore_api),
    (quality_pages, quality_api),
    (sharing_pages, sharing_api),
    (opendata_pages, opendata_api),
    (jobs_pages, jobs_api),
    (notify_pages, notify_api),
    (clocks_pages, clocks_api),
    (accounts_pages, accounts_api),
    (audit_pages, audit_api),
]

# The job handler registry: kind → JobKind(title, run, cleanup). An explicit list, no discovery.
JOB_KINDS: dict[str, JobKind] = {
    "datastore.load": JobKind(
        N_("加载数据"), datastore_service.handle_load_job, datastore_service.cleanup_load_job
    ),
}

# Checks that may refuse to publish a dataset version (quality adds its gate here), in order.
PUBLISH_GATES: list[datastore_service.Gate] = [quality_service.gate_version]


def make_worker(db: Database, *, use_nats: bool | None = None) -> Worker:
    """A jobs worker over ``db`` with every registered kind; NATS when configured (or asked)."""
    settings = get_settings()
    url = settings.jobs_nats_url or ("nats://127.0.0.1:4222" if use_nats else None)
    if url and use_nats is not False:
        jobs_dispatch.configure(jobs_dispatch.NatsDispatcher(url))
    return Worker(
        db,
        JOB_KINDS,
        lease_seconds=settings.jobs_lease_seconds,
        poll_seconds=settings.jobs_poll_seconds,
    )


API_DESCRIPTION = """
govshare 平台接口。所有接口位于 `/api/v1` 下，使用 JSON；列表以游标分页（`cursor`、`limit`，
应答中的 `next_cursor`）；错误为 RFC 9457 `application/problem+json`，`title` 与 `detail` 默认为中文
（`Accept-Language: en` 时为英文）。机器客户端使用 `Authorization: Bearer <令牌>`。
"""


def configure(settings: Settings) -> None:
    """Process-wide set-up that depends on settings (keys, hashing cost, logging)."""
    settings.check_safe()
    secret = settings.secret()
    configure_data_key(secret)
    configure_password_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    audit_service.configure(secret)
    datastore_service.configure_gates(PUBLISH_GATES)
    configure_logging(settings.log_level, settings.log_json)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build the application: FastAPI with every module, behind CSRF protection."""
    settings = settings or get_settings()
    configure(settings)
    if db is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(make_engine(settings.resolved_database_url))
    db.refusal_recorder = audit_service.record_refusal

    audit_group = GroupRecorder(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """Start the jobs worker and the periodic scheduler with the app; stop them after."""
        worker = make_worker(db) if settings.jobs_worker else None
        if worker is not None:
            worker.start()
        scheduler = None
        if settings.clocks_scheduler and settings.env != "test":
            scheduler = Scheduler(db, settings.clocks_tick_minutes)
            scheduler.start()
        if settings.gc_freeze:
            # What start-up built lives as long as the process: kept out of every full
            # collection, which otherwise scans it all (~350k objects, ~200 ms a pause).
            gc.freeze()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()
            flush_usage_now(db)  # the portal's API calls tallied since the last tick (if any)
            if worker is not None:
                worker.stop()
            audit_group.stop()
            if settings.gc_freeze:
                gc.unfreeze()  # collectable again, so that the interpreter's exit frees it

    app = FastAPI(
        lifespan=lifespan,
        title="govshare",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.db = db
    app.state.audit_group = audit_group  # data reads record through it (group commit)
    app.state.settings = settings
    app.state.resolve_actor = accounts_service.resolve_actor
    app.include_router(shell.router)  # first: health checks match without scanning every route
    app.include_router(opendata_api.ckan_router)  # the CKAN Action API at /api/3 (not /api/v1)
    nav: list[NavEntry] = []
    api = APIRouter(prefix="/api/v1")
    for pages, module_api in MODULES:
        app.include_router(pages.router)
        api.include_router(module_api.router)
        nav.extend(pages.NAV)
    app.include_router(api)
    app.state.nav = nav
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_handlers(app)
    if opendata_api.ckan_shape not in ERROR_SHAPES:
        ERROR_SHAPES.append(opendata_api.ckan_shape)  # CKAN's error envelope on /api/3

    # Middleware, innermost first (each add wraps the ones before it).
    app.add_middleware(RouteCapture)
    app.add_middleware(
        SessionMiddleware,
        secret_key=derive_key(settings.secret(), "flash").hex(),
        session_cookie="govshare_flash",
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(
        asgi_csrf,
        signing_secret=derive_key(settings.secret(), "csrf").hex(),
        cookie_name="govshare_csrf",
        cookie_secure=settings.cookie_secure,
        send_csrf_failed=shell.csrf_failed,
    )
    app.add_middleware(sharing_api.FastLookup)  # the data API's lookup, ahead of CSRF/sessions
    app.add_middleware(RequestMiddleware, default_locale=settings.default_locale)
    return app
