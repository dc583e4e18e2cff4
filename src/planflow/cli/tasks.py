"""The agencies' and the Office's actions on a task."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar
from uuid import UUID

import typer

from planflow.application.app import PlanflowApp
from planflow.application.queries import resolve_task
from planflow.application.timeparse import parse_date
from planflow.cli.common import ActorOption, AtOption, app, console, edge, moment_of, open_app

T = TypeVar("T")


def act(
    task: str,
    at: str | None,
    action: Callable[[PlanflowApp, UUID, datetime], T],
    done_vi: str,
    done_en: str,
) -> T:
    with edge():
        moment = moment_of(at)
        application = open_app()
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
    act(
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
    act(
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
    act(
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
    act(
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
    number = act(
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
    act(
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
    with edge():
        new_due = parse_date(to)
    act(
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
    act(
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
    act(
        task,
        at,
        lambda a, r, m: a.cancel(r, actor=actor, at=m, reason=reason),
        "Đã hủy",
        "cancelled",
    )
