"""Every task command as POST /api/v1/tasks/{id}/{command}.

The actor recorded is the token's account. ``expected_version`` (optional) makes the command
refuse with 409 if the task moved on since the client read it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from planflow.application.queries import resolve_task
from planflow.web.deps import ApiUser, Ctx
from planflow.web.service import TaskCommands, Upload
from planflow.web.uploads import UploadTooLarge

router = APIRouter(prefix="/tasks/{task}", tags=["commands"])

Text = Annotated[str, Field(max_length=4000)]
Required = Annotated[str, Field(min_length=1, max_length=4000, pattern=r"\S")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected_version: int | None = Field(None, ge=1)


class ExecuteBody(Body):
    note: Text = ""
    evidence: Annotated[str, Field(max_length=2000)] = Field(
        "", description="A link (http:// or https://) to the evidence"
    )


class NoteBody(Body):
    note: Text = ""


class ReasonBody(Body):
    reason: Required


class RaiseBody(Body):
    text: Required


class AnswerBody(Body):
    number: int = Field(ge=1)
    answer: Required


class ExtendBody(Body):
    new_due: date
    reason: Required
    answers: int | None = Field(None, ge=1, description="Also answer this extension request")


class RequestExtensionBody(Body):
    new_due: date
    reason: Required


class ReassignBody(Body):
    new_agency: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Required


def _commands(ctx: Ctx, user: ApiUser, task: str) -> tuple[TaskCommands, Any]:
    return TaskCommands(ctx, user), resolve_task(ctx.app.engine, task)


async def read_upload(upload: UploadFile, limit: int) -> Upload:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(
            f"Tệp quá lớn; tối đa {limit} byte",
            f"the file is too large; the limit is {limit} bytes",
        )
    return Upload(upload.filename or "file", data)


@router.post("/execute", summary="Đánh dấu đã thực hiện / mark an activity executed")
def execute(task: str, body: ExecuteBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.execute(
        ref, note=body.note, link=body.evidence, expected_version=body.expected_version
    ).as_json()


@router.post("/report", summary="Gửi báo cáo / submit a report (multipart: file, note)")
async def report(
    task: str,
    ctx: Ctx,
    user: ApiUser,
    file: Annotated[UploadFile, File(description="pdf, docx, xlsx, odt, png or jpg")],
    note: Annotated[str, Form(max_length=4000)] = "",
    expected_version: Annotated[int | None, Form(ge=1)] = None,
) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    # Access is checked before the file is read or stored.
    commands.check(ref, "report")
    upload = await read_upload(file, ctx.settings.max_upload_bytes)
    return commands.report(
        ref, upload=upload, note=note, expected_version=expected_version
    ).as_json()


@router.post("/accept", summary="Chấp nhận báo cáo / accept the report")
def accept(task: str, body: NoteBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.accept(ref, note=body.note, expected_version=body.expected_version).as_json()


@router.post("/return", summary="Trả lại báo cáo / return the report")
def return_(task: str, body: ReasonBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.return_(
        ref, reason=body.reason, expected_version=body.expected_version
    ).as_json()


@router.post("/raise", summary="Nêu khó khăn, vướng mắc / raise a difficulty")
def raise_(task: str, body: RaiseBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.raise_(ref, text=body.text, expected_version=body.expected_version).as_json()


@router.post("/answer", summary="Trả lời khó khăn / answer a difficulty")
def answer(task: str, body: AnswerBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.answer(
        ref, number=body.number, answer=body.answer, expected_version=body.expected_version
    ).as_json()


@router.post("/request-extension", summary="Đề nghị gia hạn / ask for an extension")
def request_extension(
    task: str, body: RequestExtensionBody, ctx: Ctx, user: ApiUser
) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.request_extension(
        ref, new_due=body.new_due, reason=body.reason, expected_version=body.expected_version
    ).as_json()


@router.post("/extend", summary="Gia hạn / extend the deadline")
def extend(task: str, body: ExtendBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.extend(
        ref,
        new_due=body.new_due,
        reason=body.reason,
        answers=body.answers,
        expected_version=body.expected_version,
    ).as_json()


@router.post("/reassign", summary="Giao lại / reassign to another agency")
def reassign(task: str, body: ReassignBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.reassign(
        ref, new_agency=body.new_agency, reason=body.reason, expected_version=body.expected_version
    ).as_json()


@router.post("/cancel", summary="Hủy / cancel the task")
def cancel(task: str, body: ReasonBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.cancel(
        ref, reason=body.reason, expected_version=body.expected_version
    ).as_json()


@router.post("/chase", summary="Đôn đốc ngay / send a chase-up now (records ChaseUpSent)")
def chase(task: str, body: NoteBody, ctx: Ctx, user: ApiUser) -> dict[str, object]:
    commands, ref = _commands(ctx, user, task)
    return commands.chase(ref, note=body.note, expected_version=body.expected_version).as_json()
