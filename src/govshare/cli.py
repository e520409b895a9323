"""The ``govshare`` command: serve, migrate, load the demo, manage users and tokens, verify audit.

Module commands (``govshare data …`` and so on) are added here as sub-apps from each module's
``cli.py``.
"""

from __future__ import annotations

import getpass
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from govshare.core.config import get_settings
from govshare.core.db import READS_ONLY, Database, make_engine
from govshare.core.errors import DomainError
from govshare.core.security import SYSTEM

app = typer.Typer(help="govshare：德州市政务信息共享平台命令行。", no_args_is_help=True)
db_app = typer.Typer(help="数据库结构迁移。", no_args_is_help=True)
user_app = typer.Typer(help="用户管理。", no_args_is_help=True)
token_app = typer.Typer(help="接口令牌。", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志。", no_args_is_help=True)
clocks_app = typer.Typer(help="期限、提醒与督办。", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
jobs_app = typer.Typer(help="后台任务。", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
data_app = typer.Typer(help="数据集：加载、定时拉取、合成数据。", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(clocks_app, name="clocks")
console = Console()
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _configure() -> Database:
    from govshare.main import configure

    settings = get_settings()
    configure(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(make_engine(settings.resolved_database_url))


@contextmanager
def transaction() -> Iterator[Session]:
    """One transaction for a command; domain errors print in Chinese and exit 1."""
    db = _configure()
    session = db.session()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        session.rollback()
        console.print(f"[red]{exc.title}：{exc.detail}[/red]")
        for e in exc.errors:
            console.print(f"  [red]{e.field}：{e.message}[/red]")
        raise typer.Exit(1) from exc
    finally:
        session.close()


def alembic_config(url: str | None = None) -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url or get_settings().resolved_database_url)
    return cfg


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Bring the metadata database up to the newest migration (SQLite or PostgreSQL)."""
    from alembic import command

    get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(), revision)  # type: ignore[arg-type]
    console.print("[green]数据库已是最新结构。[/green]")


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree (a migration is missing)."""
    from alembic import command

    command.check(alembic_config())  # type: ignore[arg-type]
    console.print("[green]模型与迁移一致。[/green]")


# Demo steps, in order: (label, seeder). Modules append theirs here.
def _demo_steps() -> list[tuple[str, Callable[[Session, dict[str, object]], None]]]:
    from govshare.accounts import demo as accounts_demo

    def departments(session: Session, ctx: dict[str, object]) -> None:
        ctx["units"] = accounts_demo.seed_departments(session)

    def users(session: Session, ctx: dict[str, object]) -> None:
        accounts_demo.seed_users(session, ctx["units"], get_settings().demo_password)  # type: ignore[arg-type]

    def catalog_categories(session: Session, ctx: dict[str, object]) -> None:
        from govshare.catalog import demo as catalog_demo

        ctx["categories"] = catalog_demo.seed_categories(session)
        catalog_demo.seed_reviewer(session, get_settings().demo_password)

    def catalog_resources(session: Session, ctx: dict[str, object]) -> None:
        from govshare.catalog import demo as catalog_demo

        catalog_demo.seed_resources(session, ctx["categories"])  # type: ignore[arg-type]

    def datasets(session: Session, ctx: dict[str, object]) -> None:
        from govshare.datastore import demo as datastore_demo
        from govshare.main import JOB_KINDS

        datastore_demo.seed_datasets(
            session,
            ctx["units"],  # type: ignore[arg-type]
            ctx["categories"],  # type: ignore[arg-type]
            JOB_KINDS,
        )

    def quality(session: Session, ctx: dict[str, object]) -> None:
        from govshare.quality import demo as quality_demo

        quality_demo.seed_quality(session)

    def open_data(session: Session, ctx: dict[str, object]) -> None:
        from govshare.main import JOB_KINDS
        from govshare.opendata import demo as opendata_demo

        opendata_demo.seed_open_data(
            session,
            ctx["units"],  # type: ignore[arg-type]
            ctx["categories"],  # type: ignore[arg-type]
            JOB_KINDS,
        )

    def plans(session: Session, ctx: dict[str, object]) -> None:
        from govshare.supervision import demo as supervision_demo

        ctx["plans"] = supervision_demo.seed_plans(session)

    def sharing(session: Session, ctx: dict[str, object]) -> None:
        from govshare.sharing import demo as sharing_demo

        ctx["sharing"] = sharing_demo.seed_sharing(session)

    return [
        ("单位与单位组", departments),
        ("演示账户", users),
        ("目录分类", catalog_categories),
        ("政务信息资源目录", catalog_resources),
        ("工作方案与督查", plans),
        ("演示数据集", datasets),
        ("数据质量规则与检查", quality),
        ("数据共享", sharing),
        ("开放数据", open_data),
    ]


@app.command()
def demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="只在数据库为空时加载（首次启动）。"),
) -> None:
    """Load the deterministic demo data (departments, accounts, and each module's examples)."""
    from govshare.accounts import demo as accounts_demo
    from govshare.core.security import configure_password_hasher

    with transaction() as session:
        if accounts_demo.is_seeded(session):
            if if_empty:
                console.print("演示数据已存在，跳过。")
                return
            console.print("[red]数据库中已有数据；演示数据只能加载到空库。[/red]")
            raise typer.Exit(1)
        # Demo accounts share one published password: hash them at argon2id's minimum
        # recommended cost so that first start stays quick (real accounts keep the full cost).
        settings = get_settings()
        configure_password_hasher(
            min(settings.argon2_time_cost, 2), min(settings.argon2_memory_kib, 19456)
        )
        steps = _demo_steps()
        ctx: dict[str, object] = {}
        with Progress(console=console, transient=False) as progress:
            task = progress.add_task("加载演示数据", total=len(steps))
            for label, step in steps:
                progress.update(task, description=f"加载演示数据：{label}")
                step(session, ctx)
                progress.advance(task)
        configure_password_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    console.print(
        f"[green]演示数据已加载。[/green] 演示管理员：admin / {get_settings().demo_password}"
    )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="监听地址。"),
    port: int = typer.Option(8000, envvar="PORT", help="端口（也读 PORT 环境变量）。"),
    workers: int = typer.Option(1, help="工作进程数。"),
    reload: bool = typer.Option(False, help="代码变化时自动重启（开发用）。"),
) -> None:
    """Serve the web pages and the API."""
    import uvicorn

    settings = get_settings()
    settings.check_safe()
    console.print(
        f"govshare 运行于 http://{host}:{port}  （数据目录：{settings.data_dir.resolve()}）"
    )
    if settings.env == "development":
        console.print(f"演示管理员：admin / {settings.demo_password}")
    uvicorn.run(
        "govshare.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        access_log=False,
        proxy_headers=True,
        log_level="warning",
    )


@user_app.command("create")
def user_create(
    username: str,
    real_name: str = typer.Option(..., "--name", help="姓名。"),
    department: str = typer.Option(..., help="单位代码、名称或简称。"),
    role: list[str] = typer.Option([], help="角色，可重复：platform_admin、dept_admin、steward…"),
    password: str | None = typer.Option(None, help="密码；不给则交互输入。"),
) -> None:
    """Create an account (as the system)."""
    from govshare.accounts import service
    from govshare.accounts.schemas import UserCreate
    from govshare.core.validation import parse

    pw = password or getpass.getpass("密码：")
    with transaction() as session:
        matches = service.find_units(session, SYSTEM, [department])
        dept_id = matches[0].department.id if matches[0].department else None
        if dept_id is None:
            rows, _c = service.list_departments(session, SYSTEM, q=department, limit=2)
            if len(rows) != 1:
                console.print(f"[red]找不到唯一的单位：{department}[/red]")
                raise typer.Exit(1)
            dept_id = rows[0].id
        user = service.create_user(
            session,
            SYSTEM,
            parse(
                UserCreate,
                {
                    "username": username,
                    "real_name": real_name,
                    "department_id": dept_id,
                    "password": pw,
                    "roles": role,
                },
            ),
        )
    console.print(
        f"[green]已创建用户 {user.username}（{user.real_name}，{user.department_name}）。[/green]"
    )


@token_app.command("create")
def token_create(
    user: str = typer.Option(..., "--user", help="令牌所属用户名。"),
    name: str = typer.Option("命令行创建", help="用途。"),
    scope: list[str] = typer.Option(["read"], help="权限范围：read、write。"),
    days: int | None = typer.Option(None, help="有效天数。"),
) -> None:
    """Issue an API token for an account and print it (shown only this once)."""
    from govshare.accounts import service
    from govshare.accounts.schemas import TokenCreate
    from govshare.core.validation import parse

    with transaction() as session:
        created = service.create_token(
            session,
            SYSTEM,
            parse(TokenCreate, {"name": name, "scopes": scope, "days": days}),
            owner_username=user,
        )
    console.print(
        f"令牌（只显示这一次），有效期至 {created.expires_at:%Y-%m-%d}：", highlight=False
    )
    sys.stdout.write(created.token + "\n")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the audit chain and name every altered, inserted or deleted entry (exit 1 if any)."""
    from govshare.audit import service

    with transaction() as session:
        result = service.verify_audit_chain(session, SYSTEM)
    if result.ok:
        console.print(
            f"[green]审计链完整：共 {result.checked} 条记录，链头序号 {result.head_seq}。[/green]"
        )
        return
    console.print(
        f"[red]审计链发现 {len(result.findings)} 处问题（共检查 {result.checked} 条）：[/red]"
    )
    for f in result.findings:
        ident = f" 记录 #{f.entry_id}" if f.entry_id else ""
        console.print(f"  [red]{f.kind}[/red] 序号 {f.seq}{ident}：{f.message}")
    raise typer.Exit(1)


@jobs_app.command("work")
def jobs_work(
    once: bool = typer.Option(False, "--once", help="运行完当前排队的任务后退出。"),
    nats: bool | None = typer.Option(
        None, "--nats/--no-nats", help="经 NATS JetStream 接收任务通知（默认看设置）。"
    ),
) -> None:
    """Run a jobs worker in this process until interrupted (Ctrl-C)."""
    from govshare.main import make_worker

    db = _configure()
    worker = make_worker(db, use_nats=nats)
    if once:
        worker.recover()
        for job_id, status in worker.run_pending():
            console.print(f"任务 #{job_id}：{status}")
        return
    signal.signal(signal.SIGTERM, lambda *_a: worker.stop(0))
    console.print(f"任务处理进程已启动（{worker.owner}），按 Ctrl-C 退出。")
    try:
        worker.loop()
    except KeyboardInterrupt:
        worker.stop(0)


@jobs_app.command("list")
def jobs_list(limit: int = typer.Option(20, help="显示条数。")) -> None:
    """Show the newest jobs with their status and progress."""
    from govshare.core.security import SYSTEM
    from govshare.jobs import service

    with transaction() as session:
        jobs, _c = service.list_jobs(session, SYSTEM, limit=limit)
        table = Table("#", "类型", "状态", "进度", "说明")
        for j in jobs:
            table.add_row(
                str(j.id), j.kind, j.status, f"{j.progress:.0%}", j.error or j.progress_text
            )
    console.print(table)


def _dataset_id(session: Session, ref: str) -> int:
    from govshare.datastore import service as datastore

    for ds in datastore.list_datasets(session, SYSTEM):
        if ref in (ds.code, str(ds.resource_id), str(ds.id), ds.name):
            return ds.id
    console.print(f"[red]找不到数据集：{ref}（可用资源代码、资源编号或名称）[/red]")
    raise typer.Exit(1)


@data_app.command("load")
def data_load(
    resource: str = typer.Argument(..., help="资源代码、资源编号或数据集名称。"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV/XLSX/JSON/Parquet。"),
    mode: str = typer.Option("replace", help="replace、append、upsert 或 delete。"),
) -> None:
    """Load a file into a dataset as a new version, with a progress bar."""
    import threading

    from govshare.datastore import service as datastore
    from govshare.jobs import service as jobs
    from govshare.main import make_worker

    with transaction() as session:
        load = datastore.load_file(session, SYSTEM, _dataset_id(session, resource), file, mode=mode)
        job_id, load_id = load.job_id, load.id
    db = _configure()
    worker = make_worker(db, use_nats=False)
    snap = worker.claim(job_id)
    if snap is None:
        console.print("[yellow]任务已由其他处理进程接手，可用 govshare jobs list 查看。[/yellow]")
        return
    outcome: list[str] = []
    runner = threading.Thread(target=lambda: outcome.append(worker.run(snap)))
    runner.start()
    with Progress(console=console) as progress:
        bar = progress.add_task(f"加载 {file.name}", total=1.0)
        while runner.is_alive():
            runner.join(0.3)
            with db.session() as s:
                # only reads: on SQLite it must not queue for the write lock the load's own
                # progress and publish transactions take
                s.connection(execution_options={READS_ONLY: True})
                job = jobs.get_job(s, SYSTEM, snap.id)
                progress.update(bar, completed=job.progress, description=job.progress_text[:60])
    with db.session() as s:
        rec = datastore.get_load(s, SYSTEM, load_id)
        job = jobs.get_job(s, SYSTEM, snap.id)
        if outcome and outcome[0] == "succeeded":
            r = job.result or {}
            console.print(
                f"[green]已发布版本 {r.get('version')}：{r.get('rows', 0):,} 行"
                f"（新增 {r.get('added', 0):,}，修改 {r.get('changed', 0):,}，"
                f"删除 {r.get('removed', 0):,}，拒绝 {r.get('rejected', 0):,}）。[/green]"
            )
            return
        console.print(f"[red]加载失败：{job.error}[/red]")
        for row, column, value, reason in rec.reject_sample[:10]:
            console.print(f"  第 {row} 行 {column}「{value}」：{reason}")
    raise typer.Exit(1)


@data_app.command("pull-due")
def data_pull_due() -> None:
    """Enqueue every scheduled pull that is due (the periodic scheduler calls this)."""
    from govshare.datastore import service as datastore

    with transaction() as session:
        loads = datastore.enqueue_due_pulls(session)
    console.print(f"已排队 {len(loads)} 个拉取任务。")


@data_app.command("people")
def data_people(
    file: Path = typer.Argument(..., dir_okay=False, help="要写入的 CSV 文件。"),
    rows: int = typer.Option(10_000, help="行数。"),
    encoding: str = typer.Option("utf-8", help="utf-8 或 gbk。"),
    bad: int = typer.Option(0, help="故意写错的行数（用于演示拒绝清单）。"),
    seed: int = typer.Option(2026, help="随机种子（相同种子得到相同数据）。"),
) -> None:
    """Write a deterministic synthetic person table of Dezhou (valid ID numbers) as CSV."""
    from govshare.datastore import synthetic

    n = synthetic.write_csv(
        file,
        synthetic.person_header(),
        synthetic.person_rows(rows, seed=seed),
        encoding=encoding,
        bad=bad,
    )
    console.print(f"已写入 {n:,} 行到 {file}。")


@clocks_app.command("tick")
def clocks_tick() -> None:
    """One pass of every periodic job: reminders and escalation, then outbox delivery (cron)."""
    from govshare.schedule import tick

    results = tick(_configure())
    failed = False
    for name, result in results.items():
        failed |= "error" in result
        shown = "，".join(f"{k} {v}" for k, v in result.items())
        console.print(f"{'[red]' if 'error' in result else ''}{name}：{shown}", highlight=False)
    if failed:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
