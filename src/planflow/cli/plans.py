"""Plan commands: validate, load, schema, rebuild, calendar."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.cli.common import ActorOption, AtOption, app, console, edge, moment_of, open_app
from planflow.workflow.expand import expand
from planflow.workflow.loader import apply_overrides, load_overrides, load_workflow
from planflow.workflow.model import Workflow


@app.command()
def validate(file: Path) -> None:
    """Kiểm tra tệp kế hoạch / check a workflow file without writing anything."""
    with edge():
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
    with edge():
        loaded = load_workflow(file)
        moment = moment_of(at)
        application = open_app()
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
            f"{result.reassigned} giao cho cơ quan kế thừa / reassigned to a successor, "
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
    with edge():
        application = open_app()
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
    with edge():
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
