"""Guarded actions on the task page (issue 10, point 4).

- Cancel, reassign and extend first show what will happen — the events the command would record,
  checked by a dry run through the application's door (``PlanflowApp.preview_command``) — and
  run only when the form comes back with ``confirmed=1``.
- A second chase-up of the same task on the same (Vietnam) day shows the first one (who, when)
  and runs only with ``send_anyway=1``.
- A version conflict (409) shows the task again with the events recorded since the version the
  user saw, told as timeline sentences, and the user's form filled in with what they typed.

The API and the CLI are unchanged: their callers are explicit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import Response

from planflow.application.commands import CommandName, TaskCommand
from planflow.application.queries import list_plans
from planflow.application.timeparse import TimeFormatError, parse_date
from planflow.domain import clock
from planflow.domain.task import Task
from planflow.web.access import check
from planflow.web.accounts import User
from planflow.web.auth import Session
from planflow.web.context import WebContext
from planflow.web.i18n import pick
from planflow.web.names import Names
from planflow.web.pages.common import language, render
from planflow.web.story import tell
from planflow.web.views import event_details, history

CONFIRMED = frozenset({CommandName.CANCEL, CommandName.REASSIGN, CommandName.EXTEND})
"""Commands the page runs only after a confirmation step."""

# Form fields that steer the page, never part of a command's input.
CONTROL_FIELDS = frozenset({"csrf_token", "confirmed", "send_anyway", "edit", "back"})


def seen_version(fields: Mapping[str, str]) -> int | None:
    """The task version the user saw when the form was shown."""
    value = fields.get("expected_version", "").strip()
    return int(value) if value.isdigit() else None


def needs_confirmation(spec: TaskCommand, fields: Mapping[str, str]) -> bool:
    return spec.name in CONFIRMED and fields.get("confirmed") != "1"


def carried(fields: Mapping[str, str]) -> dict[str, str]:
    """The fields a confirmation or warning page sends back unchanged (hidden)."""
    return {k: v for k, v in fields.items() if k not in CONTROL_FIELDS}


def _effects(spec: TaskCommand, task: Task, data: Mapping[str, Any], names: Names) -> list[str]:
    """What the command changes besides its event, in the reader's language."""
    lang = names.lang
    if spec.name is CommandName.CANCEL:
        return [
            pick(
                lang,
                "Nhiệm vụ sẽ không còn được nhắc hạn, đôn đốc hay báo cáo cấp trên, "
                "và không còn được tính trên bảng theo dõi.",
                "The task will no longer be reminded, chased or escalated, and the board will "
                "no longer count it.",
            ),
            pick(
                lang,
                "Việc hủy không thể hoàn tác.",
                "A cancellation cannot be undone.",
            ),
        ]
    if spec.name is CommandName.REASSIGN:
        new = names.agency(str(data.get("new_agency", "")))
        return [
            pick(
                lang,
                f"Nhiệm vụ chuyển từ {names.agency(task.agency)} sang {new}; hạn vẫn là "
                f"{task.due:%d/%m/%Y}.",
                f"The task moves from {names.agency(task.agency)} to {new}; the deadline stays "
                f"{task.due:%d/%m/%Y}.",
            ),
            pick(
                lang,
                f"Các lần nhắc hạn, đôn đốc sau đây gửi Thủ trưởng {new}.",
                f"Reminders and chase-ups from now on go to the head of {new}.",
            ),
        ]
    if spec.name is CommandName.EXTEND:
        new_due = data.get("new_due")
        shown = new_due.strftime("%d/%m/%Y") if isinstance(new_due, date) else str(new_due)
        out = [
            pick(
                lang,
                f"Hạn chuyển từ {task.due:%d/%m/%Y} sang {shown}; nhắc hạn và báo cáo cấp trên "
                "được tính lại theo hạn mới.",
                f"The deadline moves from {task.due:%d/%m/%Y} to {shown}; reminders and "
                "escalations are counted again from the new deadline.",
            )
        ]
        if data.get("answers"):
            out.append(
                pick(
                    lang,
                    f"Đề nghị gia hạn số {data['answers']} được coi là đã trả lời.",
                    f"Extension request no. {data['answers']} counts as answered.",
                )
            )
        return out
    return []


@dataclass(frozen=True)
class Preview:
    """What a confirmation page shows: the events to be recorded, told, and their effects."""

    sentences: list[str]
    effects: list[str]


def preview(
    ctx: WebContext,
    user: User,
    spec: TaskCommand,
    ref: UUID,
    data: Mapping[str, Any],
    expected_version: int | None,
    lang: str,
) -> Preview:
    """A dry run of the command: refused exactly as the real run would be (access, version,
    the domain's rules), recording nothing."""

    def authorize(task: Task) -> None:
        check(user, spec.name, task.agency, task.recipient)

    names = Names.of(lang, list_plans(ctx.app.engine))
    events = ctx.app.preview_command(
        spec.name,
        ref,
        data,
        actor=user.username,
        at=ctx.now(),
        expected_version=expected_version,
        authorize=authorize,
    )
    task = ctx.app.get_task(ref)
    parsed = spec.input.model_validate(dict(data)).model_dump()
    return Preview(
        [tell(type(e).__name__, event_details(e), names) for e in events],
        _effects(spec, task, parsed, names),
    )


@dataclass(frozen=True)
class EarlierChase:
    actor: str
    at: str  # ISO timestamp
    sentence_vi: str
    sentence_en: str


def chased_today(ctx: WebContext, ref: UUID) -> EarlierChase | None:
    """The first manual chase-up of the task on today's date (Vietnam time), if any."""
    today = clock.local_date(ctx.now())
    for e in history(ctx, ref):
        if e["type"] != "ChaseUpSent":
            continue
        if clock.local_date(datetime.fromisoformat(e["timestamp"])) == today:
            return EarlierChase(e["actor"], e["timestamp"], e["sentence_vi"], e["sentence_en"])
    return None


def changes_since(ctx: WebContext, ref: UUID, seen: int | None) -> list[dict[str, Any]]:
    """The task's events after the version the user saw (the timeline's entries)."""
    if seen is None:
        return []
    return [e for e in history(ctx, ref) if int(e["version"]) > seen]


def form_values(spec: TaskCommand, fields: Mapping[str, str]) -> dict[str, str]:
    """What the user typed, ready to fill the command's form again (a date for a date input in
    ISO form when it can be read)."""
    out: dict[str, str] = {}
    for name in spec.input.model_fields:
        value = fields.get(name)
        if value is None:
            continue
        if name == "new_due":
            with contextlib.suppress(TimeFormatError):
                value = parse_date(value).isoformat()
        out[name] = value
    return out


def confirmation(
    request: Request,
    ctx: WebContext,
    user: User,
    session: Session | None,
    spec: TaskCommand,
    ref: UUID,
    data: Mapping[str, Any],
    fields: Mapping[str, str],
) -> Response:
    """What will happen, checked by a dry run; the command runs when this page's form comes
    back with ``confirmed=1``."""
    shown = preview(ctx, user, spec, ref, data, seen_version(fields), language(request))
    task = ctx.app.get_task(ref)
    return render(
        request,
        ctx,
        "confirm.html",
        user,
        session,
        heading=pick(language(request), f"Xác nhận: {spec.label_vi}", f"Confirm: {spec.label_en}"),
        command=spec.name.value,
        task_id=str(ref),
        task_title=task.title,
        task_agency=task.agency,
        sentences=shown.sentences,
        effects=shown.effects,
        earlier=None,
        hidden=carried(fields),
        back=fields.get("back", ""),
        confirm_field="confirmed",
        yes=pick(language(request), f"Xác nhận: {spec.submit_vi}", f"Confirm: {spec.submit_en}"),
        danger=spec.danger,
    )


def chase_warning(
    request: Request,
    ctx: WebContext,
    user: User,
    session: Session | None,
    ref: UUID,
    fields: Mapping[str, str],
    earlier: EarlierChase,
) -> Response:
    task = ctx.app.get_task(ref)
    lang = language(request)
    return render(
        request,
        ctx,
        "confirm.html",
        user,
        session,
        heading=pick(lang, "Đôn đốc lần thứ hai trong ngày?", "A second chase-up today?"),
        command=CommandName.CHASE.value,
        task_id=str(ref),
        task_title=task.title,
        task_agency=task.agency,
        sentences=[],
        effects=[],
        earlier=earlier,
        hidden=carried(fields),
        back=fields.get("back", ""),
        confirm_field="send_anyway",
        yes=pick(lang, "Vẫn gửi văn bản đôn đốc", "Send it anyway"),
        danger=False,
    )
