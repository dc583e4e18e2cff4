"""Facts about a loaded plan that its file cannot know: ``planflow event record`` (the date an
event happened) and ``planflow group resolve`` (the members of a group defined by a condition).
Each brings the duties waiting for it their tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from planflow.application.timeparse import parse_date
from planflow.cli.common import ActorOption, AtOption, app, console, edge, moment_of, open_app
from planflow.cli.group import PlanflowGroup

if TYPE_CHECKING:  # imported when a command runs
    from planflow.application.facts import FactResult

event_app = typer.Typer(
    cls=PlanflowGroup, no_args_is_help=True, help="Sự kiện của kế hoạch / a plan's events."
)
group_app = typer.Typer(
    cls=PlanflowGroup, no_args_is_help=True, help="Nhóm theo điều kiện / conditional groups."
)
app.add_typer(event_app, name="event")
app.add_typer(group_app, name="group")

PlanOption = Annotated[str, typer.Option("--plan", help="Plan id")]


@event_app.command("record")
def record(
    event: Annotated[str, typer.Argument(help="The event's code in the plan's `events`")],
    plan: PlanOption,
    day: Annotated[str, typer.Option("--date", help="When it happened: dd/mm/yyyy")],
    actor: ActorOption = "van-phong",
    at: AtOption = None,
) -> None:
    """Ghi nhận ngày xảy ra sự kiện / record the date of an event: the duties counted from it
    get their tasks (idempotent)."""
    with edge():
        happened = parse_date(day)
        result = open_app().record_event(plan, event, happened, actor=actor, at=moment_of(at))
        _report(result, f"sự kiện {event} ngày {happened:%d/%m/%Y}", f"event {event} on {day}")


@group_app.command("resolve")
def resolve(
    group: Annotated[str, typer.Argument(help="The group's code")],
    plan: PlanOption,
    members: Annotated[str, typer.Option("--members", help="Agency codes, comma-separated")],
    actor: ActorOption = "van-phong",
    at: AtOption = None,
) -> None:
    """Xác định thành viên của nhóm theo điều kiện / name the members of a group the plan
    defines by a condition: its duties get their tasks (idempotent)."""
    with edge():
        chosen = [m.strip() for m in members.split(",") if m.strip()]
        result = open_app().resolve_group(plan, group, chosen, actor=actor, at=moment_of(at))
        names = ", ".join(chosen)
        _report(result, f"nhóm {group}: {names}", f"group {group}: {names}")


def _report(result: FactResult, what_vi: str, what_en: str) -> None:
    if not result.recorded:
        console.print(
            f"Không có thay đổi: {what_vi} đã được ghi nhận / No change: {what_en} was already "
            "recorded"
        )
        return
    console.print(
        f"[green]Đã ghi nhận[/] {what_vi} — {result.assigned} nhiệm vụ được giao / "
        f"[green]Recorded[/] {what_en} — {result.assigned} tasks assigned"
    )
