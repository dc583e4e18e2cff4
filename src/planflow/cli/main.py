"""``planflow``: validate and load plans, watch the board, act on tasks.

Exit codes: 0 done; 2 bad input (a malformed workflow file, a bad option); 3 the task's state does
not allow the command; 4 no such task; 5 someone else changed the task first.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.progress import Progress
from rich.table import Table

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.application.app import PlanflowApp
from planflow.application.errors import (
    AmbiguousTaskId,
    ConcurrencyConflict,
    PlanRevisionRefused,
    TaskNotFound,
)
from planflow.application.queries import BoardFilter, list_tasks, resolve_task, version_at
from planflow.bootstrap import bootstrap
from planflow.cli import render
from planflow.cli.timeparse import TimeFormatError, parse_date, parse_moment
from planflow.domain.errors import DomainError, InvalidArgument
from planflow.domain.status import TaskStatus, parse_status
from planflow.settings import database_url
from planflow.workflow.errors import WorkflowError
from planflow.workflow.expand import expand
from planflow.workflow.loader import apply_overrides, load_overrides, load_workflow
from planflow.workflow.model import Workflow

T = TypeVar("T")

EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3
EXIT_NOT_FOUND = 4
EXIT_CONFLICT = 5

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="planflow: kế hoạch thành nhiệm vụ được theo dõi / a plan becomes tracked duties.",
)
console = render.make_console()
err_console = render.make_console()
err_console.stderr = True

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL or SQLite file (default: planflow.db, or $PLANFLOW_DATABASE_URL)"
    ),
]
ActorOption = Annotated[
    str, typer.Option("--actor", help="Người thực hiện / who acts (recorded in the event)")
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When the action happened (ISO; naive = Vietnam time; "
        "a bare date = 08:00). Default: now",
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="table or json")]


class CliState:
    db: str | None = None


state = CliState()


@app.callback()
def _main(db: DbOption = None) -> None:
    state.db = db


def main() -> None:
    app()


# --- plumbing -----------------------------------------------------------------------------------


def _fail(code: int, message: str) -> typer.Exit:
    err_console.print(f"[bold red]Lỗi / Error:[/] {message}", markup=True)
    return typer.Exit(code)


@contextmanager
def _edge() -> Iterator[None]:
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
        raise _fail(EXIT_BAD_INPUT, str(exc)) from None
    except (TaskNotFound, AmbiguousTaskId) as exc:
        raise _fail(EXIT_NOT_FOUND, str(exc)) from None
    except ConcurrencyConflict as exc:
        raise _fail(EXIT_CONFLICT, str(exc)) from None
    except DomainError as exc:
        raise _fail(EXIT_REFUSED, f"{exc} — không có gì thay đổi / nothing changed") from None


def _app() -> PlanflowApp:
    return bootstrap(database_url(state.db, os.environ))


def _now() -> datetime:
    """The wall clock, read only here at the edge."""
    return datetime.now(UTC)


def _at(value: str | None) -> datetime:
    return parse_moment(value, bare_date="start") if value else _now()


def _check_format(value: str) -> str:
    if value not in ("table", "json"):
        raise TimeFormatError(f"định dạng không hợp lệ {value!r} / --format must be table or json")
    return value


# --- plans -------------------------------------------------------------------------------------


@app.command()
def validate(file: Path) -> None:
    """Kiểm tra tệp kế hoạch / check a workflow file without writing anything."""
    with _edge():
        loaded = load_workflow(file)
        specs = expand(loaded.workflow, loaded.calendar)
        plan = loaded.workflow.plan
        console.print(
            f"[green]Hợp lệ / Valid:[/] {file} — {plan.id}: {len(loaded.workflow.duties)} "
            f"nhiệm vụ gốc / duties, {len(loaded.workflow.agencies)} cơ quan / agencies, "
            f"{len(specs)} nhiệm vụ theo cơ quan và kỳ / tasks"
        )


@app.command()
def load(file: Path, actor: ActorOption = "planflow-loader", at: AtOption = None) -> None:
    """Nạp hoặc cập nhật kế hoạch / load a workflow file (idempotent; revisions become events)."""
    with _edge():
        loaded = load_workflow(file)
        moment = _at(at)
        application = _app()
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task("Đang nạp / loading", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            result = application.load_plan(loaded, actor=actor, at=moment, progress=advance)
        if not result.changed:
            console.print(
                f"Không có thay đổi / No change: {result.plan} — {result.tasks_in_file} "
                "nhiệm vụ đã có / tasks already loaded"
            )
            return
        console.print(
            f"[green]Đã nạp / Loaded[/] {result.plan}: {result.tasks_in_file} nhiệm vụ trong tệp / "
            f"tasks in the file — {result.assigned} giao mới / assigned, "
            f"{result.extended} gia hạn / extended, {result.cancelled} hủy / cancelled, "
            f"{result.unchanged} không đổi / unchanged"
        )


@app.command()
def schema(output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
    """In JSON Schema của tệp kế hoạch / print the workflow file's JSON Schema."""
    text = json.dumps(Workflow.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@app.command()
def rebuild() -> None:
    """Dựng lại các bảng đọc từ sự kiện / drop and rebuild every read model from the events."""
    with _edge():
        application = _app()
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task("Đang dựng lại / rebuilding", total=None)
            count = application.rebuild_read_models(lambda n: progress.update(bar, completed=n))
        console.print(f"[green]Đã dựng lại / Rebuilt[/] từ / from {count} sự kiện / events")


@app.command()
def calendar(
    year: int,
    overrides: Annotated[Path | None, typer.Option(help="A calendar overrides file")] = None,
) -> None:
    """Ngày nghỉ và ngày làm bù trong năm / a year's days off and worked weekend days."""
    with _edge():
        cal = vietnam_calendar([year])
        if overrides is not None:
            cal = apply_overrides(cal, load_overrides(overrides))
        table = Table(title=f"Lịch làm việc năm {year} / Working calendar {year}")
        for header in ("Ngày / Date", "Thứ / Weekday", "Loại / Kind", "Tên / Name"):
            table.add_column(header)
        days = sorted(d for d in cal.days_off | cal.working_days if d.year == year)
        for day in days:
            kind = "làm việc / worked" if cal.is_working_day(day) else "nghỉ / off"
            table.add_row(day.isoformat(), day.strftime("%a"), kind, cal.names.get(day, ""))
        console.print(table)


# --- reading -----------------------------------------------------------------------------------


@app.command()
def status(
    plan: Annotated[str | None, typer.Option(help="Plan id")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency code")] = None,
    period: Annotated[str | None, typer.Option(help="e.g. 2022-Q1, 2022-H1, 2022-Y, 2022")] = None,
    duty: Annotated[str | None, typer.Option(help="Duty id, e.g. IV.1.a.2")] = None,
    only: Annotated[str | None, typer.Option("--status", help="One status word")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The board as it stood then (a bare date = end of day)"),
    ] = None,
    include_cancelled: Annotated[bool, typer.Option("--include-cancelled")] = False,
    fmt: FormatOption = "table",
) -> None:
    """Bảng theo dõi / the status board, now or as of a past time."""
    with _edge():
        _check_format(fmt)
        wanted = _status_word(only)
        moment = parse_moment(as_of, bare_date="end") if as_of else _now()
        application = _app()
        views = list_tasks(
            application.engine,
            moment,
            BoardFilter(
                plan=plan,
                agency=agency,
                period=period,
                duty=duty,
                status=wanted,
                include_cancelled=include_cancelled,
            ),
            as_of=as_of is not None,
        )
        if fmt == "json":
            payload = {
                "as_of": moment.isoformat(),
                "count": len(views),
                "tasks": [v.as_json() for v in views],
            }
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
            return
        console.print(render.board_table(views, moment, as_of is not None))
        console.print(render.status_counts(views))


def _status_word(value: str | None) -> TaskStatus | None:
    return None if value is None else parse_status(value)


@app.command()
def history(task: str, fmt: FormatOption = "table") -> None:
    """Lịch sử sự kiện của một nhiệm vụ / every event of one task (from the event store)."""
    with _edge():
        _check_format(fmt)
        application = _app()
        ref = resolve_task(application.engine, task)
        events = application.task_events(ref)
        if fmt == "json":
            sys.stdout.write(render.history_json(str(ref), events) + "\n")
        else:
            console.print(render.history_table(str(ref), events))


@app.command()
def show(
    task: str,
    as_of: Annotated[str | None, typer.Option("--as-of", help="As the task stood then")] = None,
    fmt: FormatOption = "table",
) -> None:
    """Một nhiệm vụ, hiện tại hoặc tại một thời điểm / one task, now or as it stood then."""
    with _edge():
        _check_format(fmt)
        application = _app()
        ref = resolve_task(application.engine, task)
        moment = parse_moment(as_of, bare_date="end") if as_of else _now()
        version = version_at(application.engine, ref, moment) if as_of else None
        if as_of and version is None:
            raise TaskNotFound(f"{ref} @ {moment.isoformat()}")
        t = application.get_task(ref, version=version)
        data: dict[str, Any] = {
            "id": str(t.id),
            "plan": t.plan,
            "duty": t.duty,
            "agency": t.agency,
            "period": t.period,
            "title": t.title,
            "due": t.due.isoformat(),
            "original_due": t.original_due.isoformat(),
            "completion": t.completion.value,
            "status": t.status(moment).value,
            "status_vi": t.status(moment).label_vi,
            "report_state": t.report_state.value,
            "cancelled": t.cancelled,
            "completed_at": t.completed_at.isoformat() if t.completed_at else None,
            "difficulties": [
                {"number": d.number, "text": d.text, "answer": d.answer} for d in t.difficulties
            ],
            "version": t.version,
            "as_of": moment.isoformat(),
        }
        if fmt == "json":
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        for key, value in data.items():
            console.print(f"[bold]{key}[/]: {value}")


# --- the agencies' and the Office's actions ---------------------------------------------------


def _act(
    task: str,
    at: str | None,
    action: Callable[[PlanflowApp, UUID, datetime], T],
    done_vi: str,
    done_en: str,
) -> T:
    with _edge():
        moment = _at(at)
        application = _app()
        ref = resolve_task(application.engine, task)
        result = action(application, ref, moment)
        console.print(f"[green]{done_vi} / {done_en}[/]: {ref}")
        return result


@app.command()
def execute(
    task: str,
    actor: ActorOption,
    note: Annotated[str, typer.Option(help="Ghi chú / note")] = "",
    evidence: Annotated[str, typer.Option(help="Link or file name as evidence")] = "",
    at: AtOption = None,
) -> None:
    """Đánh dấu đã thực hiện / mark an activity executed."""
    _act(
        task,
        at,
        lambda a, r, m: a.execute_activity(r, actor=actor, at=m, note=note, evidence=evidence),
        "Đã ghi nhận thực hiện",
        "activity recorded",
    )


@app.command()
def report(
    task: str,
    actor: ActorOption,
    document: Annotated[
        str, typer.Option(help="The report file (its SHA-256 is recorded) or its reference number")
    ],
    note: Annotated[str, typer.Option()] = "",
    at: AtOption = None,
) -> None:
    """Gửi báo cáo / submit a report."""
    path = Path(document)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    _act(
        task,
        at,
        lambda a, r, m: a.submit_report(
            r, actor=actor, at=m, document=document, sha256=digest, note=note
        ),
        "Đã gửi báo cáo",
        "report submitted",
    )


@app.command()
def accept(
    task: str, actor: ActorOption, note: Annotated[str, typer.Option()] = "", at: AtOption = None
) -> None:
    """Chấp nhận báo cáo / accept a submitted report."""
    _act(
        task,
        at,
        lambda a, r, m: a.accept_report(r, actor=actor, at=m, note=note),
        "Đã chấp nhận báo cáo",
        "report accepted",
    )


@app.command(name="return")
def return_(
    task: str, actor: ActorOption, reason: Annotated[str, typer.Option()], at: AtOption = None
) -> None:
    """Trả lại báo cáo / return a submitted report for correction."""
    _act(
        task,
        at,
        lambda a, r, m: a.return_report(r, actor=actor, at=m, reason=reason),
        "Đã trả lại báo cáo",
        "report returned",
    )


@app.command(name="raise")
def raise_(
    task: str, actor: ActorOption, text: Annotated[str, typer.Option()], at: AtOption = None
) -> None:
    """Nêu khó khăn, vướng mắc / raise a difficulty."""
    number = _act(
        task,
        at,
        lambda a, r, m: a.raise_difficulty(r, actor=actor, at=m, text=text),
        "Đã ghi nhận khó khăn",
        "difficulty raised",
    )
    console.print(f"Số / Number: {number}")


@app.command()
def answer(
    task: str,
    actor: ActorOption,
    number: Annotated[int, typer.Option()],
    text: Annotated[str, typer.Option()],
    at: AtOption = None,
) -> None:
    """Trả lời khó khăn / answer a difficulty."""
    _act(
        task,
        at,
        lambda a, r, m: a.answer_difficulty(r, actor=actor, at=m, number=number, answer=text),
        "Đã trả lời khó khăn",
        "difficulty answered",
    )


@app.command()
def extend(
    task: str,
    actor: ActorOption,
    to: Annotated[str, typer.Option(help="New due date")],
    reason: Annotated[str, typer.Option()],
    at: AtOption = None,
) -> None:
    """Gia hạn / extend the deadline to a later date."""
    with _edge():
        new_due = parse_date(to)
    _act(
        task,
        at,
        lambda a, r, m: a.extend_deadline(r, actor=actor, at=m, new_due=new_due, reason=reason),
        "Đã gia hạn",
        "deadline extended",
    )


@app.command()
def reassign(
    task: str,
    actor: ActorOption,
    to: Annotated[str, typer.Option(help="Agency code")],
    reason: Annotated[str, typer.Option()],
    at: AtOption = None,
) -> None:
    """Giao lại cho cơ quan khác / reassign to another agency (e.g. a successor)."""
    _act(
        task,
        at,
        lambda a, r, m: a.reassign(r, actor=actor, at=m, new_agency=to, reason=reason),
        "Đã giao lại",
        "reassigned",
    )


@app.command()
def cancel(
    task: str, actor: ActorOption, reason: Annotated[str, typer.Option()], at: AtOption = None
) -> None:
    """Hủy nhiệm vụ / cancel a task."""
    _act(
        task,
        at,
        lambda a, r, m: a.cancel(r, actor=actor, at=m, reason=reason),
        "Đã hủy",
        "cancelled",
    )


from planflow.cli import scheduling as _scheduling  # noqa: E402,F401
from planflow.cli import web as _web  # noqa: E402,F401
