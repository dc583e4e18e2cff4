"""``planflow serve`` and ``planflow users …``: the web app and its accounts."""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Annotated

import typer

from planflow import logs
from planflow.cli.common import (
    ClockAnchorOption,
    ClockRateOption,
    ClockStartOption,
    LogFormatOption,
    app,
    check_log_format,
    console,
    edge,
    open_app,
    state,
    wall_now,
)
from planflow.cli.group import PlanflowGroup
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.errors import InvalidArgument

WORKER_HEALTHCHECK_SECONDS = 60

if TYPE_CHECKING:
    from planflow.bootstrap import Clock

users_app = typer.Typer(
    cls=PlanflowGroup,
    no_args_is_help=True,
    help="Tài khoản và vai trò / accounts and roles for the web app.",
)
app.add_typer(users_app, name="users")


def _roles() -> str:
    from planflow.application.accounts_store import Role

    return ", ".join(r.value for r in Role)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load the Kiên Giang 2022 plan at its start (15/02/2022), play the days up to "
            "the clock (default 20/03/2022 08:00) and create the demo accounts",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Web worker processes on one socket (PostgreSQL only above 1; the scheduler "
            "then runs as `planflow run`)",
        ),
    ] = 1,
    scheduler: Annotated[
        bool | None,
        typer.Option(
            "--scheduler/--no-scheduler",
            help="Tick and deliver inside this process (default: with one worker only)",
        ),
    ] = None,
    tick_interval: Annotated[
        float, typer.Option("--tick-interval", help="Seconds between scheduler ticks")
    ] = 60.0,
    clock_start: ClockStartOption = None,
    clock_rate: ClockRateOption = 1.0,
    clock_anchor: ClockAnchorOption = None,
    log_format: LogFormatOption = None,
) -> None:
    """Chạy ứng dụng web / run the web app (and, with one worker, the scheduler's tick)."""
    import uvicorn

    from planflow.bootstrap import (
        background,
        clock_from,
        clock_settings,
        demo_clock_start,
        seed_demo,
        web_app,
        web_settings,
        worker_environment,
    )

    with edge():
        fmt = check_log_format(log_format)
        settings = web_settings(state.db, demo=demo)  # fails fast without a secret
        ticking = workers == 1 if scheduler is None else scheduler
        _check_workers(workers, ticking, settings.database_url)
        if not clock_start and demo:  # the README's moment: after the first quarter's reports
            clock_start = demo_clock_start().isoformat()
        clock: Clock = clock_from(clock_start, clock_rate, clock_anchor)
        application = open_app(settings.database_url)
        seeded = seed_demo(application, clock(), force=demo)
        if seeded:
            console.print("[bold]Tài khoản thử / Demo accounts[/] (mật khẩu / password):")
            for account in seeded:
                scope = f" [{account.agency}]" if account.agency else ""
                console.print(
                    f"  {account.username:<9} {account.role.value}{scope}  {account.password}",
                    markup=False,
                )
        if clock_start:
            start = f"{clock().astimezone(LOCAL_TZ):%d/%m/%Y %H:%M:%S}"
            console.print(
                f"Đồng hồ bắt đầu từ {start} (giờ Việt Nam) / clock starts at {start} (Vietnam time)"
            )
        console.print(f"[green]planflow[/] http://{host}:{port}/  (API: http://{host}:{port}/docs)")
        log_config = logs.dict_config(fmt)
        if workers > 1:
            application.close()
            os.environ.update(worker_environment(settings, fmt))
            os.environ.update(clock_settings(clock_start, clock_rate, clock_anchor))
            console.print(
                f"{workers} tiến trình web, không chạy bộ nhắc việc (dùng `planflow run`) / "
                f"{workers} web workers, no scheduler here (run `planflow run`)"
            )
            uvicorn.run(
                "planflow.bootstrap:web_worker",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                # A worker imports the app and opens its store before it answers the parent's
                # health check: allow a loaded machine its time instead of killing it.
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
                log_config=log_config,
                access_log=False,
            )
            return
        stop = background(application, clock, tick_interval) if ticking else (lambda: None)
        if ticking:
            console.print(f"Bộ nhắc việc đang chạy / scheduler ticking every {tick_interval:g} s")
        web = web_app(settings, clock, application)
        try:
            uvicorn.run(web, host=host, port=port, log_config=log_config, access_log=False)
        finally:
            stop()
            application.close()


def _check_workers(workers: int, ticking: bool, url: str) -> None:
    if workers < 1:
        raise InvalidArgument("--workers phải từ 1 trở lên", "--workers must be 1 or more")
    if workers > 1 and url.startswith("sqlite"):
        raise InvalidArgument(
            "Nhiều tiến trình web cần PostgreSQL: SQLite chỉ cho một tiến trình ghi mỗi lúc, "
            "các tiến trình còn lại phải chờ (dùng --workers 1, hoặc PostgreSQL)",
            "several web workers need PostgreSQL: SQLite lets one process write at a time and "
            "the others wait (use --workers 1, or PostgreSQL)",
        )
    if workers > 1 and ticking:
        raise InvalidArgument(
            "Với nhiều tiến trình web, bộ nhắc việc chạy riêng: `planflow run`",
            "with several web workers the scheduler runs on its own: `planflow run`",
        )


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option("--role", help="Vai trò / role")],
    agency: Annotated[
        str | None, typer.Option("--agency", help="Agency code (agency roles only)")
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="Asked for when left out")
    ] = None,
) -> None:
    """Tạo tài khoản / create an account."""
    from planflow.application.accounts_store import AccountStore, Role

    with edge():
        try:
            chosen = Role(role)
        except ValueError:
            from planflow.domain.errors import InvalidArgument

            raise InvalidArgument(
                f"Vai trò không hợp lệ {role!r}; dùng: {_roles()}",
                f"unknown role {role!r}; use one of: {_roles()}",
            ) from None
        secret = password or typer.prompt(
            "Mật khẩu / password", hide_input=True, confirmation_prompt=True
        )
        application = open_app()
        try:
            user = AccountStore(application.engine).add(
                username, chosen, secret, wall_now(), agency
            )
            scope = f" ({user.agency})" if user.agency else ""
            from planflow.application.accounts_admin import AccountAdmin

            AccountAdmin(application.engine).log(
                wall_now(), _cli_actor(), user.username, "created", user.role.value + scope
            )
        finally:
            application.close()
        scope = f" ({user.agency})" if user.agency else ""
        console.print(f"[green]Đã tạo / Created[/] {user.username}: {user.role.value}{scope}")


@users_app.command("passwd")
def users_passwd(
    username: str,
    password: Annotated[
        str | None, typer.Option("--password", help="Asked for when left out")
    ] = None,
) -> None:
    """Đổi mật khẩu / set a new password: every session and token of the account ends."""
    from planflow.application.accounts_store import AccountStore

    with edge():
        secret = password or typer.prompt(
            "Mật khẩu mới / new password", hide_input=True, confirmation_prompt=True
        )
        application = open_app()
        try:
            from planflow.application.accounts_admin import AccountAdmin
            from planflow.application.accounts_store import AccountStore

            AccountStore(application.engine).set_password(username, secret, wall_now())
            AccountAdmin(application.engine).log(
                wall_now(), _cli_actor(), username, "password_changed"
            )
        finally:
            application.close()
        console.print(f"[green]Đã đổi mật khẩu / Password changed[/] {username}")


@users_app.command("list")
def users_list() -> None:
    """Danh sách tài khoản / list accounts."""
    from planflow.application.accounts_store import AccountStore

    with edge():
        application = open_app()
        try:
            for user in AccountStore(application.engine).all():
                console.print(f"{user.username}\t{user.role.value}\t{user.agency or ''}")
        finally:
            application.close()


@users_app.command("token")
def users_token(
    username: str,
    password: Annotated[str | None, typer.Option("--password")] = None,
) -> None:
    """In mã truy cập API / print an API bearer token (needs PLANFLOW_SECRET_KEY as the server)."""
    from planflow.application.accounts_store import AccountStore
    from planflow.bootstrap import api_token, bad_credentials, web_settings

    with edge():
        settings = web_settings(state.db)  # the server's PLANFLOW_SECRET_KEY
        secret = password or typer.prompt("Mật khẩu / password", hide_input=True)
        application = open_app(settings.database_url)
        try:
            accounts = AccountStore(application.engine)
            user = accounts.authenticate(username, secret)
            if user is None:
                raise bad_credentials()
            session_id = accounts.open_session(
                user.username, "token", wall_now(), settings.token_max_age
            )
            from planflow.application.accounts_admin import AccountAdmin

            AccountAdmin(application.engine).record_signin(user.username, "cli", wall_now())
        finally:
            application.close()
        typer.echo(api_token(settings, user, session_id))


def _cli_actor() -> str:
    """Who changed an account from the command line: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"
