"""Settings: one typed class, every field described, unsafe defaults refused outside development.

Every field is read from an environment variable named ``GOVSHARE_<FIELD>`` (upper case).
docs/configuration.md lists them all; a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class UnsafeSettings(RuntimeError):
    """Raised at start-up when production runs with a development default."""


class Settings(BaseSettings):
    """govshare's configuration, from ``GOVSHARE_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="GOVSHARE_", extra="ignore")

    env: Literal["development", "test", "production"] = Field(
        "development",
        description="Deployment kind. 'production' refuses unsafe defaults (no secret key, "
        "insecure cookies).",
    )
    data_dir: Path = Field(
        Path("var"),
        description="Directory for the embedded SQLite database, dataset files, uploads and the "
        "development secret key.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the metadata database, e.g. "
        "postgresql+psycopg://user@host/db. Empty means SQLite (WAL) in the data dir.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key for sessions, CSRF tokens, the audit chain's HMAC-SM3 and SM4 "
        "encryption at rest. Required in production; in development one is generated and kept "
        "in <data_dir>/secret_key.",
    )
    sqlite_synchronous: Literal["normal", "full"] = Field(
        "normal",
        description="SQLite's synchronous level for the embedded database. normal: a commit is "
        "in the write-ahead log and survives a crash of the process, not a power loss; full: "
        "every commit waits for the disk (fsync), and the data API's audit entries are then "
        "committed by a writer thread, not the event loop.",
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL (redis://host:6379/0) for rate limits and caches shared by several "
        "app servers. Empty: kept in process.",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public address of this instance, used in e-mails and exported links.",
    )
    session_hours: int = Field(12, ge=1, le=24 * 30, description="Web session lifetime in hours.")
    cookie_secure: bool = Field(
        False, description="Send cookies with the Secure flag (HTTPS only). Required in production."
    )
    login_max_failures: int = Field(
        5, ge=1, le=100, description="Failed logins in a row before an account is locked."
    )
    login_lockout_minutes: int = Field(
        15, ge=1, le=24 * 60, description="How long a locked account stays locked."
    )
    password_min_length: int = Field(10, ge=8, le=128, description="Minimum password length.")
    argon2_time_cost: int = Field(3, ge=1, description="argon2id time cost (iterations).")
    argon2_memory_kib: int = Field(65536, ge=8, description="argon2id memory cost in KiB.")
    token_default_days: int = Field(90, ge=1, description="Default API token validity in days.")
    token_max_days: int = Field(366, ge=1, description="Longest API token validity in days.")
    default_locale: Literal["zh_CN", "en"] = Field(
        "zh_CN", description="Language of pages and messages unless the user chooses another."
    )
    timezone: str = Field("Asia/Shanghai", description="Time zone in which times are shown.")
    page_size: int = Field(
        50, ge=1, le=1000, description="Default rows per list page and API page."
    )
    page_size_max: int = Field(
        500, ge=1, le=10000, description="Largest page an API client may ask for."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level written to the log."
    )
    log_json: bool = Field(True, description="Write logs as JSON lines (false: readable console).")
    jobs_worker: bool = Field(
        True,
        description="Run a jobs worker thread inside the web process (false: only "
        "`govshare jobs work` processes run jobs).",
    )
    gc_freeze: bool = Field(
        True,
        description="Once the web app has started, move every object alive then out of the "
        "cyclic garbage collector's reach (gc.freeze), so its full collections scan only what "
        "requests create (off in the test suite, which starts many apps in one process).",
    )
    jobs_lease_seconds: int = Field(
        60,
        ge=2,
        le=3600,
        description="How long a worker holds a job without renewing its "
        "lease; a job whose lease runs out is failed as interrupted.",
    )
    jobs_poll_seconds: float = Field(
        1.0, gt=0, le=60, description="How often an idle worker looks for queued jobs."
    )
    jobs_nats_url: str | None = Field(
        None,
        description="NATS server with JetStream (e.g. nats://127.0.0.1:4222) to dispatch jobs to "
        "workers on several machines. Empty: workers poll the job table.",
    )
    datastore_query_timeout_ms: int = Field(
        5000,
        ge=10,
        le=600_000,
        description="Time limit of a query the datastore runs for "
        "another module (scans, filtered pages); longer queries are stopped.",
    )
    datastore_row_cap: int = Field(
        10_000,
        ge=1,
        le=10_000_000,
        description="Most rows a datastore query returns to another "
        "module (downloads stream and are not capped).",
    )
    datastore_upload_max_bytes: int = Field(
        20 * 1024**3, ge=1024, description="Largest file a steward may upload (bytes)."
    )
    datastore_upload_chunk_bytes: int = Field(
        16 * 1024**2, ge=1024, le=1024**3, description="Largest chunk of a resumable upload."
    )
    datastore_retention_versions: int = Field(
        10,
        ge=1,
        le=1000,
        description="Versions of a dataset kept by default (a steward may set "
        "another number per dataset); older versions' files are deleted.",
    )
    datastore_reject_threshold: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Default share of rejected rows above which a load fails "
        "(a steward may set another per dataset).",
    )
    datastore_serving_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the row store that serves the current versions "
        "(PostgreSQL in production). Empty: SQLite files in the data dir when the metadata "
        "database is SQLite, else the metadata database.",
    )
    datastore_memory_limit: str = Field(
        "512MB", description="DuckDB memory limit for loads and scans (it spills to disk beyond)."
    )
    datastore_batch_rows: int = Field(
        65_536, ge=100, le=1_000_000, description="Rows per batch when loading (memory vs speed)."
    )
    datastore_pull_timeout_seconds: int = Field(
        30,
        ge=1,
        le=3600,
        description="Time limit of one request or query when pulling from a "
        "department database or an HTTP API.",
    )
    quality_weights: dict[str, float] = Field(
        {
            "completeness": 0.25,
            "validity": 0.3,
            "uniqueness": 0.15,
            "consistency": 0.2,
            "timeliness": 0.1,
        },
        description="Weights of the quality dimensions in the overall score, as a JSON object "
        "(renormalised over the dimensions a dataset's rules measure).",
    )
    quality_timeout_ms: int = Field(
        300_000,
        ge=1000,
        le=600_000,
        description="Time limit of one quality scan of a version (all rules in one pass).",
    )
    quality_objection_days: int = Field(
        5, ge=1, le=60, description="Working days a provider has to answer a data objection."
    )
    quality_inspection_days: int = Field(
        7, ge=1, le=366, description="Days between periodic inspections of a dataset."
    )
    quality_inspections_per_pass: int = Field(
        20, ge=1, le=1000, description="Most datasets one scheduler pass inspects."
    )
    demo_password: str = Field(
        "Dezhou@2026",
        description="Password given to every demo account by `govshare demo`. Development only.",
    )
    # --- clocks: working-day deadlines and the escalation ladder (conventions, not law) -------
    clocks_remind_before_days: int = Field(
        3, ge=0, le=60, description="Default ladder: 提醒 this many working days before a due date."
    )
    clocks_urge_after_days: int = Field(
        0,
        ge=0,
        le=60,
        description="Default ladder: 催办 once this many working days overdue "
        "(0: the first day after the due date).",
    )
    clocks_supervise_after_days: int = Field(
        5, ge=0, le=120, description="Default ladder: 督办 once this many working days overdue."
    )
    clocks_notify_after_days: int = Field(
        10,
        ge=0,
        le=240,
        description="Default ladder: 通报 candidate once this many working days overdue.",
    )
    clocks_scheduler: bool = Field(
        True,
        description="Run the in-process scheduler (reminders, outbox delivery) with the web "
        "app. Off in tests; cron can run `govshare clocks tick` instead.",
    )
    clocks_tick_minutes: int = Field(
        10, ge=1, le=24 * 60, description="Minutes between two passes of the in-process scheduler."
    )
    # --- notify: e-mail over SMTP and webhooks ---------------------------------------------------
    smtp_host: str | None = Field(
        None, description="SMTP server for e-mail notifications. Empty: no e-mail is sent."
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP server port.")
    smtp_username: str | None = Field(None, description="SMTP login name (empty: no login).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_ssl: bool = Field(False, description="Connect to the SMTP server over TLS (port 465).")
    smtp_from: str = Field(
        "govshare@example.gov.cn", description="Sender address of notification e-mails."
    )
    smtp_timeout_seconds: int = Field(10, ge=1, le=300, description="SMTP connection timeout.")
    notify_webhook_timeout_seconds: int = Field(
        5, ge=1, le=120, description="Time a webhook receiver has to answer."
    )
    notify_max_attempts: int = Field(
        6, ge=1, le=50, description="Deliveries of one message tried before it is given up."
    )
    notify_backoff_seconds: int = Field(
        30, ge=1, le=86400, description="Wait before the first retry; doubled after each failure."
    )
    # --- supervision: the work plan --------------------------------------------------------------
    supervision_report_cadence: Literal["monthly", "quarterly"] = Field(
        "monthly", description="How often responsible units report progress."
    )
    supervision_report_grace_days: int = Field(
        5,
        ge=0,
        le=60,
        description="Working days after a period's end before a missing report counts as late.",
    )
    supervision_at_risk_gap: int = Field(
        20,
        ge=0,
        le=100,
        description="Percentage points behind the time elapsed at which an open "
        "milestone is at risk.",
    )
    supervision_attachment_max_mb: int = Field(
        10, ge=1, le=500, description="Largest evidence attachment, in MiB."
    )
    supervision_attachment_types: str = Field(
        "pdf,ofd,jpg,jpeg,png,docx,xlsx,txt",
        description="File extensions accepted as evidence (comma-separated).",
    )
    supervision_keep_group_words: str = Field(
        "有关,相关,其他",
        description="A unit group whose name holds one of these words (市直有关部门) stays a named "
        "group for the supervisor to resolve; other groups (各县市区政府) expand to their members.",
    )
    supervision_weight_on_time: float = Field(
        0.5, ge=0, le=1, description="Evaluation weight of milestones completed on time."
    )
    supervision_weight_timeliness: float = Field(
        0.3, ge=0, le=1, description="Evaluation weight of progress reports filed on time."
    )
    supervision_weight_rating: float = Field(
        0.2, ge=0, le=1, description="Evaluation weight of the supervisors' ratings of reports."
    )

    # --- sharing: the legal time limits ([M] in STANDARDS.md §2: settings with those defaults) ---
    sharing_review_days: int = Field(
        10,
        ge=1,
        le=120,
        description="Working days a provider has to answer a conditional share request "
        "(国发〔2016〕51号, 山东省政府令第329号: 10). The default limit of the sharing.request "
        "clock; a ladder set by a platform admin on /clocks/ladders takes precedence.",
    )
    sharing_objection_days: int = Field(
        15,
        ge=1,
        le=120,
        description="Working days after a refusal during which the consumer may object "
        "(提出异议) to 市电政办.",
    )
    sharing_arbitration_days: int = Field(
        15,
        ge=1,
        le=120,
        description="Working days 市电政办 has to arbitrate an objection: the default limit of "
        "the sharing.arbitration clock.",
    )
    sharing_expiry_notice_days: int = Field(
        30,
        ge=1,
        le=365,
        description="Calendar days before a grant expires when the scheduler announces it to the "
        "consumer and the provider, who may then renew it (re-certification).",
    )

    # --- catalog (政务信息资源目录). Values STANDARDS.md marks [M] are settings, not constants.
    catalog_code_separator: str = Field(
        "/",
        min_length=1,
        max_length=1,
        description="Character between the 前段码 and the 后段码 of a resource code "
        "(STANDARDS.md §1.4, [M]).",
    )
    catalog_sequence_digits: int = Field(
        6,
        ge=3,
        le=10,
        description="Digits of the 顺序码 (后段码); every code of the catalog keeps this length "
        "(STANDARDS.md §1.4, [M]).",
    )
    catalog_update_cycles: list[str] = Field(
        ["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "其他"],
        description="Allowed 更新周期 values, as a JSON list (STANDARDS.md §1.2 element 11, [M]).",
    )
    catalog_format_types: dict[str, list[str]] = Field(
        {
            "file": ["OFD", "wps", "xml", "txt", "doc", "docx", "html", "pdf", "ppt"],
            "spreadsheet": ["et", "xls", "xlsx", "csv"],
            "database": [
                "达梦",
                "KingbaseES",
                "Access",
                "dbf",
                "Oracle",
                "SQL Server",
                "DB2",
                "MySQL",
                "PostgreSQL",
            ],
            "image": ["jpg", "gif", "bmp", "png", "tif"],
            "streaming": ["swf", "rm", "mpg", "mp4"],
            "self_describing": ["json", "xml"],
            "other": [],
        },
        description="信息资源格式: allowed types per format class, as JSON; an empty list accepts "
        "any type (STANDARDS.md §1.2 element 7, [M]).",
    )
    catalog_grading_defaults: dict[int, tuple[str, str]] = Field(
        {
            1: ("unconditional", "open"),
            2: ("unconditional", "conditional"),
            3: ("conditional", "closed"),
            4: ("conditional", "closed"),
        },
        description="Default [share type, open type] per data grading level 1–4, as JSON; other "
        "choices need a reason (STANDARDS.md §4.3 suggested model).",
    )
    catalog_review_days: int = Field(
        10,
        ge=1,
        le=60,
        description="Working days a 市电政办 reviewer has to decide a submitted resource before it "
        "counts as an overdue review in the statistics.",
    )
    opendata_apply_days: int = Field(
        5,
        ge=1,
        le=60,
        description="Working days the provider has to decide a public user's application for a "
        "conditionally open resource (开放工作细则: 5).",
    )
    opendata_request_days: int = Field(
        10,
        ge=1,
        le=60,
        description="Working days the assigned provider has to answer a public data request.",
    )
    opendata_rate_limit: str = Field(
        "120/minute",
        description="Requests one anonymous address may make to the open-data portal and its "
        "API (limits syntax, e.g. 120/minute); over it: 429 with Retry-After.",
    )
    opendata_key_rate_limit: str = Field(
        "600/minute",
        description="Requests per minute for callers with a public API key (limits syntax).",
    )
    opendata_verify_hours: int = Field(
        48, ge=1, le=720, description="How long an e-mail verification link stays valid, in hours."
    )
    opendata_rows_max: int = Field(
        1000,
        ge=10,
        le=10_000,
        description="Most results one package_search or datastore_search call returns (larger "
        "rows/limit values are clamped, as CKAN does).",
    )
    catalog_import_max_mb: int = Field(
        20,
        ge=1,
        le=500,
        description="Largest catalog file (.xlsx or .csv) accepted for import, in MB.",
    )
    catalog_import_max_rows: int = Field(
        20000,
        ge=10,
        description="Most resource rows one import may hold.",
    )

    @property
    def resolved_database_url(self) -> str:
        """The metadata database URL, defaulting to SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'govshare.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def secret(self) -> bytes:
        """The secret key as bytes; generated and persisted in the data dir outside production."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()

    def check_safe(self) -> None:
        """Refuse development defaults when running in production."""
        if self.env != "production":
            return
        problems = []
        if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
            problems.append("GOVSHARE_SECRET_KEY must be set to at least 32 characters")
        if not self.cookie_secure:
            problems.append("GOVSHARE_COOKIE_SECURE must be true (HTTPS)")
        if problems:
            raise UnsafeSettings("; ".join(problems))


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
