"""One task: its state (now or as of a time), its timeline, and the forms the account may use."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from planflow.application.commands import COMMANDS, CommandName, TaskCommand, form_fields
from planflow.application.errors import ConcurrencyConflict
from planflow.application.inputs import command_named
from planflow.application.queries import resolve_task
from planflow.application.timeparse import TimeFormatError, parse_date
from planflow.domain.errors import (
    InvalidArgument,
    InvalidDeadline,
    PlanflowError,
    UnknownDifficulty,
)
from planflow.web import board, catalog, views
from planflow.web.access import Command, may
from planflow.web.accounts import User
from planflow.web.auth import Session
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.pages import guards
from planflow.web.pages.common import checked_form, error_page, render, to_login
from planflow.web.pages.login import safe_next
from planflow.web.problems import NotFound, classify
from planflow.web.service import TaskCommands, Upload

router = APIRouter(include_in_schema=False)


@router.get("/tasks/{task}")
def task_page(
    task: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    if user is None:
        return to_login(request)
    try:
        ref = resolve_task(ctx.app.engine, task)
        as_of = board.moment_param(request.query_params.get("as_of"))
        return _task_view(request, ctx, user, session, ref, as_of)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)


def _task_view(
    request: Request,
    ctx: Ctx,
    user: User,
    session: Session | None,
    ref: UUID,
    as_of: datetime | None = None,
    *,
    filled_command: str = "",
    filled: Mapping[str, str] | None = None,
    conflict: Mapping[str, Any] | None = None,
    problem: PlanflowError | None = None,
    status_code: int = 200,
) -> Response:
    """The task page; after a conflict or an "edit" from a confirmation, with one command's form
    filled in with what the user typed."""
    state = views.task_state(ctx, ref, as_of)
    timeline = [
        e for e in views.history(ctx, ref) if as_of is None or e["timestamp"] <= as_of.isoformat()
    ]
    agencies = catalog.agencies(ctx, state.task.plan)
    t = state.as_json()
    return render(
        request,
        ctx,
        "task.html",
        user,
        session,
        status_code=status_code,
        t=t,
        task=state.task,
        timeline=timeline,
        as_of=request.query_params.get("as_of", ""),
        agencies=agencies,
        form_fields=form_fields,
        filled_command=filled_command,
        filled=filled or {},
        conflict=conflict,
        problem=problem,
        # The Office's own report duty (IV.1.b): planflow drafts the consolidated report for the
        # task's period from the board's figures; the Office reviews it and submits it here.
        draft_formats=(
            ("docx", "xlsx", "pdf", "html")
            if state.task.completion.value == "report"
            and state.task.period[:4].isdigit()
            and any(a.code == state.task.agency and a.kind == "office" for a in agencies)
            else ()
        ),
        forms=[
            c
            for c in COMMANDS
            if may(user, c.name, state.task.agency, state.task.recipient) and c.offered(t)
        ]
        if as_of is None and not state.task.cancelled
        else [],
    )


def form_input(spec: TaskCommand, fields: dict[str, str]) -> dict[str, Any]:
    """The declared command's input, read from a page form: each field by its declared widget,
    with a message in Vietnamese and English that names the field when it is missing or bad."""
    data: dict[str, Any] = {}
    for f in form_fields(spec):
        name, widget, label_vi = f.name, f.widget, f.label_vi
        value = fields.get(name, "").strip()
        if not value:
            if f.required and widget != "file":
                raise InvalidArgument(f"Hãy nhập {label_vi.lower()}", f"please fill in {name}")
            continue
        if widget == "date":
            try:
                data[name] = parse_date(value)  # 10/03/2022 or 2022-03-10
            except TimeFormatError:
                raise InvalidArgument(
                    f"Ngày không hợp lệ {value!r} (dùng dd/mm/yyyy, ví dụ 10/03/2022)",
                    f"invalid date {value!r} (use dd/mm/yyyy, e.g. 10/03/2022, or 2022-03-10)",
                ) from None
        elif widget.startswith("open-difficulty"):
            if not value.isdigit() or int(value) < 1:
                raise InvalidArgument(f"Số không hợp lệ {value!r}", f"invalid number {value!r}")
            data[name] = int(value)
        else:
            data[name] = value
    return data


@router.post("/tasks/{task}/{command}")
async def task_command(
    task: str,
    command: str,
    request: Request,
    ctx: Ctx,
    user: PageUser,
    session: SessionDep,
) -> Response:
    back = f"/tasks/{task}"
    fields: dict[str, str] = {}
    try:
        signed_in, fields, files = await checked_form(request, ctx, user, session)
        try:
            which = Command(command)
        except ValueError:
            raise NotFound(f"Không có lệnh {command!r}", f"no command {command!r}") from None
        ref = resolve_task(ctx.app.engine, task)
        commands = TaskCommands(ctx, signed_in)
        commands.check(ref, which.value)
        spec = command_named(which.value)
        if fields.get("edit") == "1":  # "change it" on a confirmation: the form, filled in
            return _task_view(
                request,
                ctx,
                signed_in,
                session,
                ref,
                filled_command=spec.name.value,
                filled=guards.form_values(spec, fields),
            )
        try:
            data = form_input(spec, fields)
            if guards.needs_confirmation(spec, fields):
                return guards.confirmation(
                    request, ctx, signed_in, session, spec, ref, data, fields
                )
            if spec.name is CommandName.CHASE and fields.get("send_anyway") != "1":
                earlier = guards.chased_today(ctx, ref)
                if earlier is not None:
                    return guards.chase_warning(
                        request, ctx, signed_in, session, ref, fields, earlier
                    )
            commands.run(
                spec.name,
                ref,
                data,
                upload=files.get("file"),
                expected_version=guards.seen_version(fields),
            )
        except ConcurrencyConflict as exc:
            return _conflict(request, ctx, signed_in, session, spec, ref, fields, files, exc)
        except (InvalidArgument, InvalidDeadline, UnknownDifficulty) as exc:
            # Bad input: the message beside the form, filled in with what was typed.
            return _task_view(
                request,
                ctx,
                signed_in,
                session,
                ref,
                filled_command=spec.name.value,
                filled=guards.form_values(spec, fields),
                problem=exc,
                status_code=classify(exc)[0],
            )
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back=back)
    target = safe_next(fields.get("back"), None) if fields.get("back") else back
    if target == "/login":
        target = back
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}ok={which.value}", status_code=303)


def _conflict(
    request: Request,
    ctx: Ctx,
    user: User,
    session: Session | None,
    spec: TaskCommand,
    ref: UUID,
    fields: Mapping[str, str],
    files: Mapping[str, Upload],
    exc: ConcurrencyConflict,
) -> Response:
    """409: the task as it is now, what changed since the version the user saw, and their form
    filled in with what they typed (a file must be chosen again: browsers do not allow
    re-filling a file input)."""
    seen = guards.seen_version(fields)
    values = guards.form_values(spec, fields)
    state = views.task_state(ctx, ref, None)
    offered = spec.offered(state.as_json()) and not state.task.cancelled
    conflict = {
        "seen": seen if seen is not None else "?",
        "current": exc.current_version,
        "changes": guards.changes_since(ctx, ref, seen),
        "offered": offered,
        "label_vi": spec.label_vi,
        "label_en": spec.label_en,
        "file": bool(files),
        "typed": [
            (f.label_vi, f.label_en, values[f.name])
            for f in form_fields(spec)
            if values.get(f.name)
        ],
    }
    return _task_view(
        request,
        ctx,
        user,
        session,
        ref,
        filled_command=spec.name.value,
        filled=values,
        conflict=conflict,
        status_code=409,
    )


@router.get("/tasks/{task}/files/{sha256}")
def task_file(
    task: str, sha256: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    if user is None:
        return to_login(request)
    try:
        path = views.stored_file(ctx, resolve_task(ctx.app.engine, task), sha256)
        return FileResponse(path, filename=path.name)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)
