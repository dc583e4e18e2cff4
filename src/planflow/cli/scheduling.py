"""``planflow tick | run | simulate | ledger | chase``: chase tasks on schedule, or by hand
(docs/scheduler.md).

The wall clock is read here, at the edge, and nowhere deeper.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planflow import logs
from planflow.application.timeparse import TimeFormatError, parse_date, parse_moment
from planflow.cli.choices import check_agency
from planflow.cli.common import (
    ClockAnchorOption,
    ClockRateOption,
    ClockStartOption,
    LogFormatOption,
    app,
    check_format,
    check_log_format,
    console,
    edge,
    err_console,
    open_app,
    wall_now,
)
from planflow.cli.stopping import stop_on_signals
from planflow.domain.chase import CHASE_UP
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.labels import ESCALATION_VI
from planflow.domain.status import TaskStatus

log = logging.getLogger("planflow.run")

if TYPE_CHECKING:  # the scheduler and the read models are imported when a command runs
    from rich.table import Table

    from planflow.application.queries import LedgerEntry
    from planflow.bootstrap import Fired, Ticker, TickReport

KIND_LABEL = {
    "reminder": "Nhắc hạn / reminder",
    "overdue": "Quá hạn / overdue",
    "escalation": f"{ESCALATION_VI} / escalation",
    CHASE_UP: "Đôn đốc / chase-up",
}

NowOption = Annotated[
    str | None,
    typer.Option("--now", help="The tick's time (ISO; naive = Vietnam time; a bare date = 08:00)"),
]


def _ticker() -> Ticker:
    from planflow.bootstrap import ticker

    return ticker(open_app())


def _fired_json(f: Fired) -> dict[str, object]:
    return {
        "task_id": f.task_id,
        "plan": f.plan,
        "duty": f.duty,
        "agency": f.agency,
        "period": f.period,
        "kind": f.kind,
        "step": f.step,
        "due": f.due.isoformat(),
        "fire_on": f.fire_on.isoformat(),
    }


def _fired_table(report: TickReport, title: str) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for header in (
        "Mã / Id",
        "Nhiệm vụ / Duty",
        "Cơ quan / Agency",
        "Kỳ / Period",
        "Loại / Kind",
        "Bước / Step",
        "Hạn / Due",
    ):
        table.add_column(header)
    for f in report.fired:
        table.add_row(
            f.task_id[:8],
            f.duty,
            f.agency,
            f.period,
            KIND_LABEL.get(f.kind, f.kind),
            str(f.step),
            f.due.strftime("%d/%m/%Y"),
        )
    return table


def _summary(report: TickReport) -> str:
    text = f"Đã ghi {len(report.fired)} bước, {report.tasks_due} nhiệm vụ đến hạn xử lý"
    english = f"recorded {len(report.fired)} steps, {report.tasks_due} tasks due"
    if report.conflicts:
        text += f", {report.conflicts} đã được tiến trình khác ghi"
        english += f", {report.conflicts} recorded by another process"
    if report.errors:
        text += f", {len(report.errors)} lỗi, sẽ thử lại"
        english += f", {len(report.errors)} errors, retried next tick"
    return f"{text} / {english}"


@app.command()
def tick(now: NowOption = None, fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    """Một lượt nhắc hạn / record every reminder, overdue mark and escalation due now."""
    from planflow.audit.daily import daily_checkpoints
    from planflow.bootstrap import recorded_tick

    with edge():
        check_format(fmt)
        moment = parse_moment(now, bare_date="start") if now else wall_now()
        ticker = _ticker()
        # The heartbeat too (/readyz), so that a cron job running `planflow tick` counts as a
        # scheduler node.
        import socket

        report = recorded_tick(ticker, f"{socket.gethostname()}:tick")(moment)
        daily_checkpoints(ticker.app, os.environ)(moment)
        if fmt == "json":
            payload = {
                "at": moment.isoformat(),
                "tasks_due": report.tasks_due,
                "conflicts": report.conflicts,
                "errors": report.errors,
                "fired": [_fired_json(f) for f in report.fired],
            }
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
            return
        when = f"{moment.astimezone(LOCAL_TZ):%d/%m/%Y %H:%M}"
        if report.fired:
            console.print(
                _fired_table(
                    report,
                    f"Lượt lúc {when} (giờ Việt Nam) / Tick at {when} (Vietnam time)",
                )
            )
        console.print(_summary(report))
        for error in report.errors:
            err_console.print(f"  {error}", markup=False)


@app.command()
def simulate(
    start: Annotated[str, typer.Option("--from", help="First day (dd/mm/yyyy or YYYY-MM-DD)")],
    end: Annotated[str, typer.Option("--to", help="Last day (dd/mm/yyyy or YYYY-MM-DD)")],
    at_time: Annotated[str, typer.Option("--time", help="Tick time each day, Vietnam")] = "08:00",
    fmt: Annotated[str, typer.Option("--format")] = "table",
) -> None:
    """Chạy thử từng ngày / play the plan one tick a day and print what fired (writes events)."""
    with edge():
        check_format(fmt)
        first, last = parse_date(start), parse_date(end)
        try:
            clock_time = time.fromisoformat(at_time)
        except ValueError:
            raise TimeFormatError(
                f"giờ không hợp lệ {at_time!r} (dùng 08:00) / invalid --time {at_time!r} (use 08:00)"
            ) from None
        ticker = _ticker()
        days: list[dict[str, object]] = []
        total = 0
        day = first
        while day <= last:
            moment = datetime.combine(day, clock_time, tzinfo=LOCAL_TZ)
            report = ticker.tick(moment)
            total += len(report.fired)
            if report.fired:
                days.append(
                    {"date": day.isoformat(), "fired": [_fired_json(f) for f in report.fired]}
                )
                if fmt == "table":
                    _print_day(day, report)
            day += timedelta(days=1)
        if fmt == "json":
            payload = {"from": first.isoformat(), "to": last.isoformat(), "days": days}
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
            return
        console.print(
            f"Tổng cộng: {total} bước trong {len(days)} ngày / "
            f"Total: {total} steps over {len(days)} days"
        )


_WEEKDAY_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def _print_day(day: date, report: TickReport) -> None:
    counts = Counter((f.duty, f.period, f.kind, f.step) for f in report.fired)
    console.print(f"[bold]{_WEEKDAY_VI[day.weekday()]} {day:%d/%m/%Y}[/]")
    for (duty, period, kind, step), n in sorted(counts.items()):
        console.print(f"  {KIND_LABEL.get(kind, kind)} {step} — {duty} {period}: {n}")


@app.command()
def run(
    interval: Annotated[float, typer.Option(help="Seconds between ticks")] = 60.0,
    notify: Annotated[bool, typer.Option("--notify/--no-notify", help="Deliver too")] = True,
    config: Annotated[
        Path | None, typer.Option("--config", help="Delivery settings file (TOML)")
    ] = None,
    clock_start: ClockStartOption = None,
    clock_rate: ClockRateOption = 1.0,
    clock_anchor: ClockAnchorOption = None,
    log_format: LogFormatOption = None,
    node: Annotated[
        str | None,
        typer.Option("--node", help="This node's name in /readyz and /metrics (default: host:pid)"),
    ] = None,
    per_tick: Annotated[
        int,
        typer.Option(
            "--per-tick",
            min=1,
            help="At most this many notifications per channel per tick (the rest go next tick)",
        ),
    ] = 500,
) -> None:
    """Chạy liên tục / the scheduler and delivery node: tick every --interval seconds until
    Ctrl-C or SIGTERM (any number of nodes may share one database)."""
    from planflow.audit.daily import daily_checkpoints
    from planflow.bootstrap import clock_from, node_name, recorded_tick, start_background

    with edge():
        fmt = check_log_format(log_format)
        clock = clock_from(clock_start, clock_rate, clock_anchor)
        logs.configure(fmt)
        ticker = _ticker()
        tick_once = recorded_tick(ticker, node or node_name())
        outbox = _outbox(ticker, config, per_tick) if notify else None
        daily = daily_checkpoints(ticker.app, os.environ)

        def say(line: str, fields: dict[str, object]) -> None:
            if fmt == "json":
                log.info("%s", line, extra={"fields": fields})
            else:
                console.print(line, markup=False)

        def job(moment: datetime) -> None:
            report = tick_once(moment)
            daily(moment)
            say(
                f"{moment.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M:%S} {_summary(report)}",
                {
                    "at": moment.isoformat(),
                    "tasks_due": report.tasks_due,
                    "fired": len(report.fired),
                    "conflicts": report.conflicts,
                    "errors": len(report.errors),
                },
            )
            if outbox is not None:
                for line in outbox(moment):
                    say(f"  {line}", {"delivery": line})

        with stop_on_signals() as stop:
            stop_ticking = start_background(job, clock, interval)
            console.print(
                f"Đang chạy: một lượt mỗi {interval:g} giây (Ctrl-C để dừng) / "
                f"Running: a tick every {interval:g} s (Ctrl-C to stop)"
            )
            try:
                stop.wait()
            finally:
                stop_ticking()
                ticker.app.close()
        console.print("Đã dừng / Stopped.")


def _outbox(ticker: Ticker, config: Path | None, per_tick: int) -> Callable[[datetime], list[str]]:
    from planflow.cli.notifying import outbox_runner

    return outbox_runner(ticker.app, config, per_tick)


@app.command(name="ledger")
def ledger_(
    agency: Annotated[str | None, typer.Option(help="Only heads of this agency")] = None,
    fmt: Annotated[str, typer.Option("--format")] = "table",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge outcomes at this time")
    ] = None,
) -> None:
    """Sổ trách nhiệm / every reminder, escalation and chase-up that named each head, and how it
    ended."""
    from planflow.application.ledger import ledger as build_ledger

    with edge():
        check_format(fmt)
        moment = parse_moment(as_of, bare_date="end") if as_of else wall_now()
        engine = open_app().engine
        check_agency(engine, agency)
        heads = build_ledger(engine, moment, agency)
        if fmt == "json":
            payload = {"as_of": moment.isoformat(), "heads": [h.as_json() for h in heads]}
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
            return
        for head in heads:
            who = f"{head.title} ({head.name})" if head.name else head.title
            from rich.table import Table

            table = Table(title=f"{who} — {head.agency or 'người ký / signer'}")
            for header in (
                "Lúc / At",
                "Loại / Kind",
                "Nhiệm vụ / Task",
                "Hạn / Due",
                "Kết quả / Outcome",
                "Chịu trách nhiệm cá nhân / Personally responsible",
            ):
                table.add_column(header)
            for e in head.entries:
                kind = KIND_LABEL.get(e.kind, e.kind).split(" / ")[0]
                table.add_row(
                    f"{e.at.astimezone(LOCAL_TZ):%d/%m/%Y}",
                    kind if e.kind == CHASE_UP else f"{kind} {e.step}",
                    f"{e.duty} {e.period} {e.task_agency}",
                    e.due.strftime("%d/%m/%Y"),
                    _outcome_label(e.outcome),
                    _responsible(e),
                )
            console.print(table)
        if not heads:
            console.print(
                "Chưa có nhắc hạn, báo cáo cấp trên hay đôn đốc nào / "
                "no reminder, escalation or chase-up recorded yet"
            )


def _responsible(entry: LedgerEntry) -> str:
    if not entry.personal_responsibility:
        return ""
    title = entry.responsible_title or "Thủ trưởng / head"
    return f"{title} ({entry.responsible_name})" if entry.responsible_name else title


def _outcome_label(outcome: str) -> str:
    if outcome == "cancelled":
        return "Đã hủy"
    return TaskStatus(outcome).label_vi


from planflow.cli import notifying as _notifying  # noqa: E402,F401
