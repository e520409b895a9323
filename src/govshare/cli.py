"""The ``govshare`` command: serve, migrate, load the demo, manage users and tokens, verify audit.

Module commands (``govshare data …`` and so on) are added here as sub-apps from each module's
``cli.py``.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy.orm import Session

from govshare.core.config import get_settings
from govshare.core.db import Database, make_engine
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

    def plans(session: Session, ctx: dict[str, object]) -> None:
        from govshare.supervision import demo as supervision_demo

        ctx["plans"] = supervision_demo.seed_plans(session)

    return [("单位与单位组", departments), ("演示账户", users), ("工作方案与督查", plans)]


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


@clocks_app.command("tick")
def clocks_tick() -> None:
    """One pass of every periodic job: reminders and escalation, then outbox delivery (cron)."""
    from govshare.jobs import tick

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
