"""Reading commands: the status board, a task's history, a task as it stood."""

from __future__ import annotations

import json
import sys
from contextlib import closing
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from planflow.application.errors import TaskNotFound
from planflow.application.timeparse import parse_moment
from planflow.cli import render
from planflow.cli.choices import (
    check_agency,
    check_duty,
    check_period,
    check_plan,
    check_plan_in,
    task_ref,
)
from planflow.cli.common import (
    FormatOption,
    app,
    check_format,
    console,
    edge,
    open_app,
    open_reader,
    store_url,
    wall_now,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from planflow.application.queries.tasks import BoardFilter
from planflow.domain.labels import window_words
from planflow.domain.status import TaskStatus, parse_status

TABLE_LIMIT = 1000  # a table of 100,000 rows is no answer on a terminal, and slow to draw


@app.command()
def status(
    plan: Annotated[str | None, typer.Option(help="Plan id")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency code")] = None,
    period: Annotated[
        str | None, typer.Option(help="e.g. 2022-Q1, 2022-H1, 2022-9M, 2022-Y, 2022")
    ] = None,
    duty: Annotated[str | None, typer.Option(help="Duty id, e.g. IV.1.a.2")] = None,
    only: Annotated[
        str | None,
        typer.Option("--status", help="done_on_time, done_late, open_in_time or open_overdue"),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The board as it stood then (31/03/2022 or 2022-03-31; a bare date = end of day)",
        ),
    ] = None,
    include_cancelled: Annotated[bool, typer.Option("--include-cancelled")] = False,
    fmt: FormatOption = "table",
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=0,
            help="Rows the table shows (the counts cover every task; 0 = all; JSON is complete)",
        ),
    ] = TABLE_LIMIT,
) -> None:
    """Bảng theo dõi / the status board, now or as of a past time."""
    with edge():
        check_format(fmt)
        wanted = _status_word(only)
        moment = parse_moment(as_of, bare_date="end") if as_of else wall_now()
        shown = limit or None
        quick = None  # a SQLite store read straight through sqlite3 (application/board_sqlite.py)
        if fmt == "table" and agency is None and duty is None and period is None:
            from planflow.application import board_sqlite

            quick = board_sqlite.connect(store_url())
        if quick is not None:
            with closing(quick):
                check_plan_in(board_sqlite.plan_codes(quick), plan)
                found = board_sqlite.status_lines(
                    quick,
                    moment,
                    as_of=as_of is not None,
                    plan=plan,
                    status=wanted,
                    include_cancelled=include_cancelled,
                    limit=shown,
                )
                counts, lines = found.counts, found.lines
                waiting_plans = board_sqlite.plans_that_may_wait(quick, plan)
        else:
            from planflow.application.queries.status_table import (
                plans_that_may_wait,
                status_table,
            )
            from planflow.application.queries.tasks import BoardFilter

            engine = open_reader()
            check_plan(engine, plan)
            check_agency(engine, agency, plan)
            check_duty(engine, duty, plan)
            check_period(engine, wall_now(), period, plan)
            filters = BoardFilter(
                plan=plan,
                agency=agency,
                period=period,
                duty=duty,
                status=wanted,
                include_cancelled=include_cancelled,
            )
            if fmt == "json":
                _print_json(engine, moment, filters, as_of is not None)
                return
            table = status_table(engine, moment, filters, as_of=as_of is not None, limit=shown)
            counts = table.counts
            lines = [
                (v.id, v.duty, v.agency, v.period, v.due.isoformat(), v.status, v.state)
                for v in table.rows
            ]
            waiting_plans = plans_that_may_wait(engine, plan)
        total = sum(counts.values())
        out = render.board_text(lines, total, moment, as_of is not None)
        sys.stdout.write(out + render.counts_text(counts))
        sys.stdout.flush()
        if waiting_plans:  # only these plans' recorded facts need the event store
            from planflow.application.facts import waiting

            application = open_app()
            for code in waiting_plans:
                recorded = application.get_plan(code)
                if recorded is not None:
                    render.print_waiting(console, waiting(recorded), code)


def _print_json(engine: Engine, moment: datetime, filters: BoardFilter, as_of: bool) -> None:
    from planflow.application.queries import list_tasks

    views = list_tasks(engine, moment, filters, as_of=as_of)
    payload = {
        "as_of": moment.isoformat(),
        "count": len(views),
        "tasks": [v.as_json() for v in views],
    }
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _status_word(value: str | None) -> TaskStatus | None:
    return None if value is None else parse_status(value)


@app.command()
def history(task: str, fmt: FormatOption = "table") -> None:
    """Lịch sử sự kiện của một nhiệm vụ / every event of one task (from the event store)."""
    with edge():
        check_format(fmt)
        application = open_app()
        ref = task_ref(application.engine, task)
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
    from planflow.application.queries import version_at

    with edge():
        check_format(fmt)
        application = open_app()
        ref = task_ref(application.engine, task)
        moment = parse_moment(as_of, bare_date="end") if as_of else wall_now()
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
            "ongoing": t.is_ongoing,
            "check_ins": [d.isoformat() for d in t.check_ins],
            "check_ins_done": t.check_ins_done,
            "target": t.target,
            "products": list(t.products),
            "due_basis": t.basis,
            "difficulties": [
                {"number": d.number, "text": d.text, "answer": d.answer} for d in t.difficulties
            ],
            "version": t.version,
            "as_of": moment.isoformat(),
        }
        window = getattr(t, "window_start", None), getattr(t, "window_end", None)
        if window[0] is not None and window[1] is not None:
            vi, en = window_words(window[0], window[1])
            data["window"] = {
                "start": window[0].isoformat(),
                "end": window[1].isoformat(),
                "vi": vi,
                "en": en,
            }
        if fmt == "json":
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        shown = data | {  # dates as the pages print them, times in Vietnam time
            "due": f"{t.due:%d/%m/%Y}",
            "original_due": f"{t.original_due:%d/%m/%Y}",
            "completed_at": render.local(t.completed_at) or None,
            "check_ins": ", ".join(f"{d:%d/%m/%Y}" for d in t.check_ins) or None,
            "products": "; ".join(t.products) or None,
            "as_of": f"{render.local(moment)} (giờ Việt Nam / Vietnam time)",
        }
        if "window" in data:
            w = data["window"]
            shown["window"] = f"{w['vi']} / {w['en']} ({window[0]:%d/%m/%Y} – {window[1]:%d/%m/%Y})"
        for label, value in render.task_facts(shown):
            console.print(f"[bold]{label}[/]: {value}", highlight=False)
