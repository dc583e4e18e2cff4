"""One task: its state (now or as of a time), its timeline, and the forms the account may use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from planflow.application.queries import resolve_task
from planflow.domain.errors import DomainError, InvalidArgument
from planflow.web import board, catalog, views
from planflow.web.access import Command
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.pages.common import checked_form, error_page, render, to_login
from planflow.web.pages.login import safe_next
from planflow.web.problems import NotFound
from planflow.web.service import Outcome, TaskCommands, Upload

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
    except DomainError as exc:
        return error_page(request, ctx, exc, user, session)
    return render(
        request,
        ctx,
        "task.html",
        user,
        session,
        t=state.as_json(),
        task=state.task,
        timeline=timeline,
        as_of=request.query_params.get("as_of", ""),
        agencies=agencies,
    )


def _text(fields: dict[str, str], name: str, vi: str, *, required: bool = True) -> str:
    value = fields.get(name, "").strip()
    if required and not value:
        raise InvalidArgument(f"Hãy nhập {vi}", f"please fill in {name.replace('_', ' ')}")
    if len(value) > 4000:
        raise InvalidArgument(f"{vi} quá dài (tối đa 4000 ký tự)", f"{name} is too long (4000 max)")
    return value


def _date(fields: dict[str, str], name: str) -> date:
    value = fields.get(name, "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(
            f"Ngày không hợp lệ {value!r} (dùng YYYY-MM-DD)",
            f"invalid date {value!r} (use YYYY-MM-DD)",
        ) from None


def _int(fields: dict[str, str], name: str) -> int:
    value = fields.get(name, "").strip()
    if not value.isdigit() or int(value) < 1:
        raise InvalidArgument(f"Số không hợp lệ {value!r}", f"invalid number {value!r}")
    return int(value)


def _version(fields: dict[str, str]) -> int | None:
    value = fields.get("expected_version", "").strip()
    return int(value) if value.isdigit() else None


Runner = Callable[[TaskCommands, UUID, dict[str, str], dict[str, Upload]], Outcome]


def _required_file(files: dict[str, Upload], name: str) -> Upload:
    upload = files.get(name)
    if upload is None:
        raise InvalidArgument("Hãy chọn tệp báo cáo", "please choose the report file")
    return upload


RUNNERS: dict[Command, Runner] = {
    Command.EXECUTE: lambda c, r, f, u: c.execute(
        r,
        note=_text(f, "note", "ghi chú", required=False),
        link=_text(f, "evidence", "minh chứng", required=False),
        upload=u.get("file"),
        expected_version=_version(f),
    ),
    Command.REPORT: lambda c, r, f, u: c.report(
        r,
        upload=_required_file(u, "file"),
        note=_text(f, "note", "ghi chú", required=False),
        expected_version=_version(f),
    ),
    Command.ACCEPT: lambda c, r, f, u: c.accept(
        r, note=_text(f, "note", "ghi chú", required=False), expected_version=_version(f)
    ),
    Command.RETURN: lambda c, r, f, u: c.return_(
        r, reason=_text(f, "reason", "lý do"), expected_version=_version(f)
    ),
    Command.RAISE: lambda c, r, f, u: c.raise_(
        r, text=_text(f, "text", "nội dung khó khăn"), expected_version=_version(f)
    ),
    Command.ANSWER: lambda c, r, f, u: c.answer(
        r,
        number=_int(f, "number"),
        answer=_text(f, "answer", "câu trả lời"),
        expected_version=_version(f),
    ),
    Command.REQUEST_EXTENSION: lambda c, r, f, u: c.request_extension(
        r,
        new_due=_date(f, "new_due"),
        reason=_text(f, "reason", "lý do"),
        expected_version=_version(f),
    ),
    Command.EXTEND: lambda c, r, f, u: c.extend(
        r,
        new_due=_date(f, "new_due"),
        reason=_text(f, "reason", "lý do"),
        answers=_int(f, "answers") if f.get("answers") else None,
        expected_version=_version(f),
    ),
    Command.REASSIGN: lambda c, r, f, u: c.reassign(
        r,
        new_agency=_text(f, "new_agency", "cơ quan mới"),
        reason=_text(f, "reason", "lý do"),
        expected_version=_version(f),
    ),
    Command.CANCEL: lambda c, r, f, u: c.cancel(
        r, reason=_text(f, "reason", "lý do"), expected_version=_version(f)
    ),
    Command.CHASE: lambda c, r, f, u: c.chase(
        r, note=_text(f, "note", "ý kiến đôn đốc", required=False), expected_version=_version(f)
    ),
}


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
        RUNNERS[which](commands, ref, fields, files)
    except DomainError as exc:
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
    except DomainError as exc:
        return error_page(request, ctx, exc, user, session)
