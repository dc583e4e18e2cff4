"""One task: its state (now or as of a time), its timeline, and the forms the account may use."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from planflow.application.commands import COMMANDS, TaskCommand, form_fields
from planflow.application.inputs import command_named
from planflow.application.queries import resolve_task
from planflow.application.timeparse import TimeFormatError, parse_date
from planflow.domain.errors import InvalidArgument, PlanflowError
from planflow.web import board, catalog, views
from planflow.web.access import Command, may
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.pages.common import checked_form, error_page, render, to_login
from planflow.web.pages.login import safe_next
from planflow.web.problems import NotFound
from planflow.web.service import TaskCommands

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
        state = views.task_state(ctx, ref, as_of)
        timeline = [
            e
            for e in views.history(ctx, ref)
            if as_of is None or e["timestamp"] <= as_of.isoformat()
        ]
        agencies = catalog.agencies(ctx, state.task.plan)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)
    t = state.as_json()
    return render(
        request,
        ctx,
        "task.html",
        user,
        session,
        t=t,
        task=state.task,
        timeline=timeline,
        as_of=request.query_params.get("as_of", ""),
        agencies=agencies,
        form_fields=form_fields,
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
            if user is not None
            and may(user, c.name, state.task.agency, state.task.recipient)
            and c.offered(t)
        ]
        if as_of is None and not state.task.cancelled
        else [],
    )


def _version(fields: dict[str, str]) -> int | None:
    value = fields.get("expected_version", "").strip()
    return int(value) if value.isdigit() else None


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
        commands.run(
            spec.name,
            ref,
            form_input(spec, fields),
            upload=files.get("file"),
            expected_version=_version(fields),
        )
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back=back)
    target = safe_next(fields.get("back"), None) if fields.get("back") else back
    if target == "/login":
        target = back
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}ok={which.value}", status_code=303)


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
