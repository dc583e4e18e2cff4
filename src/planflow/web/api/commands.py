"""Every task command as POST /api/v1/tasks/{id}/{command}, derived from the declarations in
application/commands.py: the body is the command's input model plus ``expected_version``.

The actor recorded is the token's account. ``expected_version`` (optional) makes the command
refuse with 409 if the task moved on since the client read it; the check and the write happen in
one transaction. The report is sent as multipart (the file, a note, the expected version).
"""

# No ``from __future__ import annotations``: the routes are built at run time from the
# declarations, and FastAPI reads their annotations as real classes.

from collections.abc import Callable
from typing import Annotated, Any, cast

from fastapi import APIRouter, File, Form, Response, UploadFile
from pydantic import Field, create_model

from planflow.application.commands import COMMANDS, CommandInput, CommandName, TaskCommand
from planflow.application.queries import resolve_task
from planflow.web.deps import ApiUser, Ctx
from planflow.web.problems import COMMAND_ERRORS
from planflow.web.service import Outcome, TaskCommands, Upload
from planflow.web.uploads import UploadTooLarge

router = APIRouter(prefix="/tasks/{task}", tags=["commands"])


async def read_upload(upload: UploadFile, limit: int) -> Upload:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(
            f"Tệp quá lớn; tối đa {limit} byte",
            f"the file is too large; the limit is {limit} bytes",
        )
    return Upload(upload.filename or "file", data)


def _body_model(spec: TaskCommand) -> type[CommandInput]:
    name = "".join(part.title() for part in spec.name.value.split("-")) + "Body"
    model = create_model(
        name,
        __base__=spec.input,
        expected_version=(int | None, Field(None, ge=1, description="Refuse if the task moved on")),
    )
    return cast(type[CommandInput], model)


def answer(outcome: Outcome) -> Response:
    """The outcome as JSON, the bytes FastAPI would send for ``response_model=Outcome``, without
    its validating the model it was just given and encoding it again (the route keeps
    ``response_model`` for the OpenAPI document)."""
    return Response(outcome.model_dump_json(), media_type="application/json")


def _json_route(spec: TaskCommand) -> Callable[..., Any]:
    body_model = _body_model(spec)

    def endpoint(task: str, body: body_model, ctx: Ctx, user: ApiUser) -> Response:  # type: ignore[valid-type]
        ref = resolve_task(ctx.app.engine, task)
        data = body.model_dump(exclude={"expected_version"})  # type: ignore[attr-defined]
        version = body.expected_version  # type: ignore[attr-defined]
        return answer(TaskCommands(ctx, user).run(spec.name, ref, data, expected_version=version))

    return endpoint


async def _report(
    task: str,
    ctx: Ctx,
    user: ApiUser,
    file: Annotated[UploadFile, File(description="pdf, docx, xlsx, odt, png or jpg")],
    note: Annotated[str, Form(max_length=4000)] = "",
    expected_version: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    ref = resolve_task(ctx.app.engine, task)
    commands = TaskCommands(ctx, user)
    # Access is checked before the file is read or stored.
    commands.check(ref, CommandName.REPORT)
    upload = await read_upload(file, ctx.settings.max_upload_bytes)
    return answer(
        commands.run(
            CommandName.REPORT,
            ref,
            {"note": note},
            upload=upload,
            expected_version=expected_version,
        )
    )


for _spec in COMMANDS:
    _endpoint = _report if _spec.name is CommandName.REPORT else _json_route(_spec)
    router.add_api_route(
        f"/{_spec.name.value}",
        _endpoint,
        methods=["POST"],
        name=_spec.name.value,
        summary=_spec.label,
        response_model=Outcome,
        responses=COMMAND_ERRORS,
    )
