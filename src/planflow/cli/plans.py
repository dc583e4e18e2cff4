"""Plan commands: validate, load, schema, rebuild, calendar."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planflow.cli import render
from planflow.cli.common import (
    EXIT_BAD_INPUT,
    ActorOption,
    AtOption,
    app,
    console,
    edge,
    fail,
    moment_of,
    open_app,
)

if TYPE_CHECKING:  # imported when a command runs
    from planflow.application.app import LoadResult, PlanflowApp
    from planflow.workflow.loader import LoadedPlan


@app.command()
def validate(file: Path) -> None:
    """Kiểm tra tệp kế hoạch / check a workflow file without writing anything."""
    from planflow.domain.calendar import due_note
    from planflow.workflow.expand import expand
    from planflow.workflow.loader import load_workflow

    with edge():
        loaded = load_workflow(file)
        specs = expand(loaded.workflow, loaded.calendar)
        plan = loaded.workflow.plan
        console.print(
            f"[green]Hợp lệ / Valid:[/] {file} — {plan.id}: {len(loaded.workflow.duties)} "
            f"nhiệm vụ gốc, {len(loaded.workflow.agencies)} cơ quan, {len(specs)} nhiệm vụ theo "
            f"cơ quan và kỳ / {len(loaded.workflow.duties)} duties, "
            f"{len(loaded.workflow.agencies)} agencies, {len(specs)} tasks"
        )
        for stated in sorted({s.stated_due for s in specs if s.stated_due is not None}):
            console.print(f"  {due_note(stated, loaded.calendar)}", markup=False)
        from planflow.application.facts import waiting_of

        render.print_waiting(console, waiting_of(loaded.workflow, {}, {}))


DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Chỉ in những gì sẽ thay đổi, không ghi gì / print what loading would do, write nothing",
    ),
]


@app.command()
def load(
    file: Path,
    actor: ActorOption = "planflow-loader",
    at: AtOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Nạp hoặc cập nhật kế hoạch / load a workflow file (idempotent; revisions become events)."""
    from rich.progress import Progress

    from planflow.application.plan_records import ensure_record_tables, record_load
    from planflow.workflow.loader import load_workflow

    with edge():
        loaded = load_workflow(file)
        moment = moment_of(at)
        application = open_app()
        if dry_run:
            _print_dry_run(application, loaded, actor, moment)
            return
        ensure_record_tables(application)
        with Progress(console=render.real(console), transient=True) as progress:
            bar = progress.add_task("Đang nạp / loading", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            result = application.load_plan(
                loaded,
                actor=actor,
                at=moment,
                progress=advance,
                on_commit=lambda session, res: record_load(session, loaded, res, actor, moment),
            )
        if not result.changed:
            console.print(
                f"Không có thay đổi: {result.plan} — {result.tasks_in_file} nhiệm vụ đã có / "
                f"No change: {result.plan} — {result.tasks_in_file} tasks already loaded"
            )
            return
        vi, en = _counts(result)
        console.print(
            f"[green]Đã nạp[/] {result.plan}: {vi} / [green]Loaded[/] {result.plan}: {en}"
        )


def _counts(result: LoadResult) -> tuple[str, str]:
    return (
        f"{result.tasks_in_file} nhiệm vụ trong tệp — "
        f"{result.assigned} giao mới, {result.extended} gia hạn, {result.cancelled} hủy, "
        f"{result.reassigned} giao cho cơ quan kế thừa, {result.unchanged} không đổi",
        f"{result.tasks_in_file} tasks in the file — "
        f"{result.assigned} assigned, {result.extended} extended, "
        f"{result.cancelled} cancelled, {result.reassigned} reassigned to a successor, "
        f"{result.unchanged} unchanged",
    )


def _print_dry_run(
    application: PlanflowApp, loaded: LoadedPlan, actor: str, moment: datetime
) -> None:
    """What ``load`` would do, task by task, and how the file differs from the plan in force."""
    from planflow.application.plan_diff import diff_documents

    result = application.load_plan(loaded, actor=actor, at=moment, dry_run=True)
    in_force = application.get_plan(result.plan)
    vi, en = _counts(result)
    console.print(
        f"[bold]Chạy thử, không ghi gì[/] {result.plan}: {vi} / "
        f"[bold]Dry run, nothing written[/] {result.plan}: {en}"
    )
    if in_force is not None:
        diff = diff_documents(in_force.document, loaded.workflow.model_dump(mode="json"))
        console.print(
            f"Khác với kế hoạch đang có hiệu lực ({len(diff)}) / "
            f"Differences from the plan in force ({len(diff)}):"
        )
        for line in diff:
            console.print(f"  {line.line()}", markup=False)
    else:
        console.print("Kế hoạch mới / A new plan")
    for change in result.changes:
        console.print(
            f"  {change.kind.label_vi} / {change.kind.label_en}: {change.line()}", markup=False
        )


@app.command()
def schema(output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
    """In JSON Schema của tệp kế hoạch / print the workflow file's JSON Schema."""
    from planflow.workflow.model import Workflow

    text = json.dumps(Workflow.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@app.command()
def rebuild(
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Tiếp tục lần dựng lại bị ngắt / go on from where an interrupted rebuild stopped",
        ),
    ] = False,
) -> None:
    """Dựng lại các bảng đọc từ sự kiện / drop and rebuild every read model from the events
    (committed as it goes; stop the web and scheduler processes first)."""
    from rich.progress import Progress

    with edge():
        application = open_app()
        total, interrupted = application.rebuild_state()
        if interrupted is not None and not resume:
            console.print(
                f"Lần dựng lại trước dừng ở sự kiện {interrupted}; dựng lại từ đầu "
                f"(--resume để tiếp tục) / an earlier rebuild stopped at event {interrupted}; "
                "starting over (--resume goes on from there)",
                markup=False,
            )
        with Progress(console=render.real(console), transient=True) as progress:
            bar = progress.add_task("Đang dựng lại / rebuilding", total=total or None)
            count = application.rebuild_read_models(
                lambda n: progress.update(bar, completed=n), resume=resume
            )
        console.print(f"[green]Đã dựng lại từ {count} sự kiện / Rebuilt from {count} events[/]")


@app.command()
def calendar(
    what: Annotated[str, typer.Argument(help="YEAR, or 'check' followed by YEAR")],
    year: Annotated[int | None, typer.Argument(help="the year to check")] = None,
    overrides: Annotated[Path | None, typer.Option(help="A calendar overrides file")] = None,
) -> None:
    """Lịch làm việc của năm và nguồn của từng ngày / a year's days off and worked weekend days
    with each day's source; `calendar check YEAR` compares the holidays package with the shipped
    announcements (exit 1 when they disagree)."""
    with edge():
        if what == "check":
            if year is None:
                raise fail(
                    EXIT_BAD_INPUT,
                    "thiếu năm: planflow calendar check NĂM / missing YEAR: planflow calendar check YEAR",
                )
            _check(year)
            return
        if year is not None or not what.isdigit():
            raise fail(EXIT_BAD_INPUT, f"năm không hợp lệ: {what!r} / not a year: {what!r}")
        _show(int(what), overrides)


def _show(year: int, overrides: Path | None) -> None:
    from rich.table import Table

    from planflow.adapters.holidays_vn import vietnam_calendar
    from planflow.adapters.vn_announcements import load_announcements
    from planflow.workflow.loader import apply_overrides, load_overrides

    cal = vietnam_calendar([year])
    if overrides is not None:
        extra = load_overrides(overrides)
        cal = apply_overrides(cal, extra)
        mark = f"tệp điều chỉnh / overrides file {overrides.name}"
        dates = [e.date for e in (*extra.working_days, *extra.days_off)]
        cal = cal.with_overrides(sources=dict.fromkeys(dates, mark))
    table = Table(title=f"Lịch làm việc năm {year} / Working calendar {year}")
    for header in ("Ngày / Date", "Thứ / Weekday", "Loại / Kind", "Tên / Name", "Nguồn / Source"):
        table.add_column(header)
    days = sorted(d for d in cal.days_off | cal.working_days | set(cal.sources) if d.year == year)
    for day in days:
        kind = "làm việc / worked" if cal.is_working_day(day) else "nghỉ / off"
        row = (
            day.isoformat(),
            day.strftime("%a"),
            kind,
            cal.names.get(day, ""),
            cal.source_of(day),
        )
        table.add_row(*row)
    console.print(table)
    shipped = load_announcements()
    for key, document in shipped.cited_in(cal.sources[d] for d in days):
        console.print(f"  {key} ({document.date}) — {document.issuer}: {document.title}")
    data = shipped.year(year)
    for note in data.notes if data else ():
        console.print(f"  {note}", markup=False)


def _check(year: int) -> None:
    from planflow.adapters.holidays_vn import compare_year

    result = compare_year(year)
    if result.agree:
        console.print(
            f"[green]Khớp / Agree:[/] gói holidays và lịch đã công bố năm {year} trùng nhau / the "
            f"holidays package and the announced schedule for {year} agree"
        )
        return
    if not result.covered:
        console.print(
            f"[yellow]Chưa đủ / Not covered:[/] planflow chưa có đủ lịch công bố năm {year}; dùng gói "
            f"holidays / planflow ships no complete announced schedule for {year}; the holidays "
            "package is used"
        )
    for note in result.notes:
        console.print(f"  {note}", markup=False)
    if result.disagreements:
        console.print(
            f"[bold]Khác nhau ({len(result.disagreements)}):[/] gói holidays ↔ lịch planflow "
            f"dùng / [bold]Disagree ({len(result.disagreements)}):[/] holidays package ↔ what "
            "planflow uses"
        )
    for d in result.disagreements:
        console.print(
            f"  {d.day.isoformat()} ({d.day:%a}): gói / package: {d.package} ↔ planflow: "
            f"{d.announced}",
            markup=False,
        )
    raise typer.Exit(1)
