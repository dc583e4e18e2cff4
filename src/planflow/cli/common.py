"""What every ``planflow`` command shares: the Typer app, options, the console, and the edge
where errors become messages and exit codes.

Exit codes: 0 done; 2 bad input (a malformed workflow file, a bad option); 3 the task's state does
not allow the command; 4 no such task; 5 someone else changed the task first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from planflow import logs
from planflow.application.errors import (
    AmbiguousTaskId,
    ConcurrencyConflict,
    PlanNotFound,
    PlanRevisionRefused,
    StoreUnavailable,
    TaskNotFound,
)
from planflow.application.timeparse import TimeFormatError, parse_moment
from planflow.cli import render
from planflow.cli.group import RootGroup
from planflow.domain.errors import FactConflict, InvalidArgument, PlanflowError
from planflow.settings import database_url
from planflow.workflow.errors import WorkflowError

if TYPE_CHECKING:  # the application (SQLAlchemy, eventsourcing) is imported when a command opens it
    from sqlalchemy import Engine

    from planflow.application.app import PlanflowApp

T = TypeVar("T")

EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3
EXIT_NOT_FOUND = 4
EXIT_CONFLICT = 5

app = typer.Typer(
    cls=RootGroup,
    no_args_is_help=True,
    add_completion=False,
    # Click's plain help (rich's help formatter imports rich, pygments and markdown-it at every
    # start); a crash prints Python's own traceback.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"max_content_width": 120},  # Click's default is 80 columns at most
    help="planflow: kế hoạch thành nhiệm vụ được theo dõi / a plan becomes tracked duties.",
)
console = render.lazy_console()
# An error is one line, whatever the terminal's width.
err_console = render.lazy_console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: planflow.db, or $PLANFLOW_DATABASE_URL)",
    ),
]
ActorOption = Annotated[
    str, typer.Option("--actor", help="Người thực hiện / who acts (recorded in the event)")
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When the action happened (16/03/2022 14:30 or 2022-03-16T14:30; naive = Vietnam "
        "time; a bare date = 08:00). Default: now",
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="table or json")]


ClockStartOption = Annotated[
    str | None,
    typer.Option(
        "--clock-start",
        help="Run on a clock that starts at this time (rehearsals, demos; naive = Vietnam time). "
        "Default: the wall clock",
    ),
]
ClockRateOption = Annotated[
    float,
    typer.Option("--clock-rate", help="With --clock-start: clock seconds per real second"),
]
ClockAnchorOption = Annotated[
    str | None,
    typer.Option(
        "--clock-anchor",
        help="With --clock-start: the real moment (ISO) at which the clock reads --clock-start; "
        "give every process of a rehearsal the same one. Default: now",
    ),
]
LogFormatOption = Annotated[
    str | None,
    typer.Option("--log-format", help="text or json (default: $PLANFLOW_LOG_FORMAT, else text)"),
]


def check_log_format(value: str | None) -> str:
    try:
        return logs.log_format(value)
    except ValueError:
        raise InvalidArgument(
            f"--log-format không hợp lệ {value!r}; dùng: text, json",
            f"unknown --log-format {value!r}; use one of: text, json",
        ) from None


class CliState:
    db: str | None = None


state = CliState()


@app.callback()
def _main(db: DbOption = None) -> None:
    state.db = db


# --- plumbing -----------------------------------------------------------------------------------


def fail(code: int, message: str) -> typer.Exit:
    err_console.print(f"[bold red]Lỗi / Error:[/] {message}", markup=True)
    return typer.Exit(code)


@contextmanager
def edge() -> Iterator[None]:
    """Map errors to messages and exit codes, here and nowhere deeper."""
    try:
        yield
    except WorkflowError as exc:
        err_console.print("[bold red]Tệp kế hoạch không hợp lệ / Invalid workflow file:[/]")
        for problem in exc.problems:
            err_console.print(f"  {problem}", markup=False)
        err_console.print("Không có gì được ghi / Nothing was written.")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (TimeFormatError, InvalidArgument, PlanRevisionRefused) as exc:
        raise fail(EXIT_BAD_INPUT, str(exc)) from None
    except (TaskNotFound, AmbiguousTaskId, PlanNotFound) as exc:
        raise fail(EXIT_NOT_FOUND, str(exc)) from None
    except (ConcurrencyConflict, FactConflict) as exc:
        raise fail(EXIT_CONFLICT, str(exc)) from None
    except PlanflowError as exc:
        raise fail(EXIT_REFUSED, f"{exc} — không có gì thay đổi / nothing changed") from None


class DatabaseUnusable(InvalidArgument):
    """--db (or $PLANFLOW_DATABASE_URL) names a database that cannot be opened or created."""

    def __init__(self, where: str, why_vi: str, why_en: str) -> None:
        super().__init__(
            f"Không mở được cơ sở dữ liệu {where!r}: {why_vi}",
            f"cannot open the database {where!r}: {why_en}",
        )


def _unusable(url: str, exc: BaseException) -> DatabaseUnusable:
    where = _shown(url)
    if url.startswith("sqlite:///") and not Path(where).parent.is_dir():
        folder = str(Path(where).parent)
        return DatabaseUnusable(
            where, f"thư mục {folder} không tồn tại", f"its folder {folder} does not exist"
        )
    detail = (str(exc).splitlines() or [type(exc).__name__])[0]
    return DatabaseUnusable(
        where, f"không đọc được kho ({detail})", f"cannot read the store ({detail})"
    )


def _shown(url: str) -> str:
    """The database as the user named it, with any password hidden."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def bootstrap(url: str) -> PlanflowApp:
    """The composition root, imported only when a command opens the store (``--help`` and the
    commands that need no store start without SQLAlchemy, the web app or the scheduler)."""
    from planflow.bootstrap import bootstrap as build

    return build(url)


def open_app(url: str | None = None) -> PlanflowApp:
    """The application on ``url`` (default: --db, $PLANFLOW_DATABASE_URL, planflow.db); a database
    that cannot be opened is bad input, said in one line."""
    from sqlalchemy.exc import SQLAlchemyError

    url = url or database_url(state.db, os.environ)
    try:
        return bootstrap(url)
    except (SQLAlchemyError, StoreUnavailable, ValueError, OSError) as exc:
        raise _unusable(url, exc) from None


def store_url() -> str:
    """The store's URL: --db, else $PLANFLOW_DATABASE_URL, else planflow.db."""
    return database_url(state.db, os.environ)


def open_reader(url: str | None = None) -> Engine:
    """An engine for a read-only command: the read models only, without the event store
    (``application/reading.py``); a store without them yet is opened as ``open_app`` opens it."""
    from planflow.application.reading import read_engine

    url = url or database_url(state.db, os.environ)
    engine = read_engine(url)
    return engine if engine is not None else open_app(url).engine


def wall_now() -> datetime:
    """The wall clock, read only here at the edge."""
    return datetime.now(UTC)


def moment_of(value: str | None) -> datetime:
    return parse_moment(value, bare_date="start") if value else wall_now()


def check_format(value: str) -> str:
    if value not in ("table", "json"):
        raise TimeFormatError(
            f"định dạng không hợp lệ {value!r}: dùng table hoặc json / "
            f"unknown --format {value!r}: use table or json"
        )
    return value
