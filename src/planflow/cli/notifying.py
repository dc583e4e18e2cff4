"""``planflow notify | letter | ical``: deliver what was recorded (docs/scheduler.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planflow.application.timeparse import TimeFormatError, parse_moment
from planflow.cli.choices import check_agency, check_plan
from planflow.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_NOT_FOUND,
    app,
    console,
    edge,
    fail,
    open_app,
    wall_now,
)

if TYPE_CHECKING:  # the delivery machinery is imported when a command runs
    from planflow.application.app import PlanflowApp
    from planflow.bootstrap import NotifyConfig

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="TOML settings file (else $PLANFLOW_CONFIG); env vars override"),
]


def outbox_runner(
    application: PlanflowApp, config_path: Path | None = None, per_run: int | None = None
) -> Callable[[datetime], list[str]]:
    """For ``planflow run``: one call delivers what is pending on every configured channel."""
    from planflow.bootstrap import deliverer

    return deliverer(application, config_path, per_run)


def _config(path: Path | None) -> NotifyConfig:
    from planflow.bootstrap import notify_config

    return notify_config(path)


@app.command()
def notify(
    now: Annotated[
        str | None, typer.Option("--now", help="Delivery time (16/03/2022 14:30 or ISO)")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Gửi thông báo / deliver recorded reminders, escalations and chase-ups on every channel."""
    from planflow.bootstrap import checkpoint_outbox_for, digests_for, outbox_for

    with edge():
        moment = parse_moment(now, bare_date="start") if now else wall_now()
        settings = _config(config)
        application = open_app()
        outbox = outbox_for(application, settings, wall_now)
        checkpoints = checkpoint_outbox_for(application, settings, wall_now)
        digest = digests_for(application, settings)
        if not outbox.channels and not checkpoints.channels:
            console.print(
                "Chưa cấu hình kênh gửi nào / no delivery channel configured (docs/scheduler.md: "
                "PLANFLOW_SMTP_HOST, PLANFLOW_WEBHOOK_URL, PLANFLOW_ICAL_DIR, PLANFLOW_LETTERS_DIR, "
                "PLANFLOW_AUDIT_MAIL_TO, PLANFLOW_AUDIT_WEBHOOK_URL)"
            )
            return
        for result in [*outbox.run(moment), *checkpoints.run(moment)]:
            console.print(result.summary())
        for line in digest.run(moment) if digest else []:
            console.print(line, markup=False)


@app.command()
def letter(
    agency: Annotated[str, typer.Option(help="The late agency's code")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    now: Annotated[
        str | None, typer.Option("--now", help="Date of the letter (16/03/2022 or ISO)")
    ] = None,
    plan: Annotated[str | None, typer.Option(help="Plan id (needed if several are loaded)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, docx or pdf")] = "html",
    level: Annotated[
        int | None,
        typer.Option(
            "--level",
            min=1,
            help="Escalation level the letter is written at; it decides who signs "
            "(default: the level the agency's longest-late task has reached)",
        ),
    ] = None,
) -> None:
    """Văn bản đôn đốc / a chase-up letter to a late agency (Decree 30/2020 layout)."""
    from planflow.bootstrap import (
        LETTER_FORMATS,
        NothingOverdue,
        UnknownPlan,
        letter_for,
        render_letter,
    )

    with edge():
        if fmt not in LETTER_FORMATS:
            raise TimeFormatError(
                f"định dạng không hợp lệ {fmt!r}: dùng html, docx hoặc pdf / "
                f"unknown --format {fmt!r}: use html, docx or pdf"
            )
        moment = parse_moment(now, bare_date="start") if now else wall_now()
        application = open_app()
        check_plan(application.engine, plan)
        code = plan or _only_plan(application)
        check_agency(application.engine, agency, code)
        try:
            text = render_letter(letter_for(application, code, agency, moment, level), fmt)
        except (NothingOverdue, UnknownPlan) as exc:
            raise fail(EXIT_NOT_FOUND, str(exc)) from None
        output.write_bytes(text)
        console.print(f"[green]Đã viết / Wrote[/] {output}")


def _only_plan(application: PlanflowApp) -> str:
    codes = application.plan_codes()
    if len(codes) != 1:
        raise fail(
            EXIT_BAD_INPUT,
            f"hãy chọn --plan trong: {', '.join(codes) or '(không có)'} / "
            f"choose --plan among: {', '.join(codes) or '(none)'}",
        )
    return codes[0]


@app.command()
def ical(
    agency: Annotated[str, typer.Option(help="Agency code")],
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    now: Annotated[str | None, typer.Option("--now")] = None,
) -> None:
    """Lịch hạn của một cơ quan / an agency's deadlines as an iCalendar (.ics) feed."""
    from planflow.bootstrap import agency_feed

    with edge():
        moment = parse_moment(now, bare_date="start") if now else wall_now()
        engine = open_app().engine
        check_agency(engine, agency)
        data = agency_feed(engine, agency, moment)
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            output.write_bytes(data)
            console.print(f"[green]Đã viết / Wrote[/] {output}")
