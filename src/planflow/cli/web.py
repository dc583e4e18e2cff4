"""``planflow serve`` and ``planflow users …``: the web app and its accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from planflow.application.timeparse import parse_moment
from planflow.cli.common import app, console, edge, open_app, state, wall_now
from planflow.domain.clock import LOCAL_TZ

if TYPE_CHECKING:
    from planflow.bootstrap import Clock

users_app = typer.Typer(
    no_args_is_help=True, help="Tài khoản và vai trò / accounts and roles for the web app."
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
        bool, typer.Option("--demo", help="Load the Kiên Giang 2022 plan and demo accounts")
    ] = False,
    tick_interval: Annotated[
        float, typer.Option("--tick-interval", help="Seconds between scheduler ticks")
    ] = 60.0,
    clock_start: Annotated[
        str | None,
        typer.Option(
            "--clock-start",
            help="Run on a clock that starts at this time and moves at the real pace "
            "(rehearsals, demos; naive = Vietnam time). Default: the wall clock",
        ),
    ] = None,
) -> None:
    """Chạy ứng dụng web / run the web app and the scheduler's tick in one process."""
    import uvicorn

    from planflow.bootstrap import (
        background,
        clock_starting_at,
        seed_demo,
        wall_clock,
        web_app,
        web_settings,
    )

    with edge():
        settings = web_settings(state.db, demo=demo)  # fails fast without a secret
        clock: Clock = wall_clock
        if clock_start:
            clock = clock_starting_at(parse_moment(clock_start, bare_date="start"))
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
        stop = background(application, clock, tick_interval)
        console.print(f"Bộ nhắc việc đang chạy / scheduler ticking every {tick_interval:g} s")
        web = web_app(settings, clock, application)
        if clock_start:
            start = f"{clock().astimezone(LOCAL_TZ):%d/%m/%Y %H:%M:%S}"
            console.print(
                f"Đồng hồ bắt đầu từ {start} (giờ Việt Nam) / clock starts at {start} (Vietnam time)"
            )
        console.print(f"[green]planflow[/] http://{host}:{port}/  (API: http://{host}:{port}/docs)")
        try:
            uvicorn.run(web, host=host, port=port, log_level="info")
        finally:
            stop()
            application.close()


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
            AccountStore(application.engine).set_password(username, secret, wall_now())
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
        finally:
            application.close()
        typer.echo(api_token(settings, user, session_id))
