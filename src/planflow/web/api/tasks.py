"""Reading tasks: the filtered, paginated list, the board summary, one task, its history, files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from planflow.application.queries import (
    BoardFilter,
    list_tasks,
    resolve_task,
)
from planflow.domain.status import TaskStatus
from planflow.web import board, views
from planflow.web.api.models import (
    AgencyCounts,
    BoardOut,
    EventOut,
    HistoryOut,
    TaskOut,
    TaskPage,
    TaskRow,
)
from planflow.web.deps import ApiUser, Ctx
from planflow.web.problems import problem_responses

router = APIRouter(tags=["tasks"])

# The stored files' types (web/filechecks.py): named here, not guessed from the system's table.
FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}


def file_type(path: Path) -> str:
    return FILE_TYPES.get(path.suffix.lower().lstrip("."), "application/octet-stream")


@router.get(
    "/tasks",
    summary="Danh sách nhiệm vụ / tasks, filtered and paginated",
    response_model=TaskPage,
    responses=problem_responses(401, 422, 503),
)
def list_(
    ctx: Ctx,
    user: ApiUser,
    plan: str | None = None,
    agency: str | None = None,
    period: str | None = None,
    duty: str | None = None,
    status: Annotated[str | None, Query(description="One of the four status words")] = None,
    overdue: Annotated[bool | None, Query(description="Only open and overdue tasks")] = None,
    as_of: Annotated[str | None, Query(description="The tasks as they stood then")] = None,
    include_cancelled: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> TaskPage:
    wanted = board.status_param(status)
    if overdue:
        wanted = TaskStatus.OPEN_OVERDUE
    moment = board.moment_param(as_of)
    filters = BoardFilter(
        plan=plan,
        agency=agency,
        period=board.period_param(period),
        duty=duty,
        status=wanted,
        include_cancelled=include_cancelled,
    )
    found = list_tasks(ctx.app.engine, moment or ctx.now(), filters, as_of=moment is not None)
    if overdue is False:
        found = [v for v in found if v.status is not TaskStatus.OPEN_OVERDUE]
    start = (page - 1) * per_page
    return TaskPage(
        moment=(moment or ctx.now()).isoformat(),
        total=len(found),
        page=page,
        per_page=per_page,
        pages=(len(found) + per_page - 1) // per_page,
        tasks=[TaskRow(**v.as_json()) for v in found[start : start + per_page]],
    )


@router.get(
    "/board",
    summary="Bảng tổng hợp / counts per agency and status, overdue first",
    response_model=BoardOut,
    responses=problem_responses(401, 422, 503),
)
def board_summary(
    ctx: Ctx,
    user: ApiUser,
    plan: str | None = None,
    period: str | None = None,
    as_of: str | None = None,
) -> BoardOut:
    moment = board.moment_param(as_of)
    wanted = board.period_param(period)
    # Aggregated by the database, now or as of a past time (docs/performance.md, "Board"), and
    # kept until the next event or minute (application/queries/board_cache.py).
    rows = ctx.board_cache().counts(
        moment or ctx.now(), plan=plan, period=wanted, as_of=moment is not None
    )
    totals = {s.value: sum(r.counts[s.value] for r in rows) for s in TaskStatus}
    return BoardOut(
        moment=(moment or ctx.now()).isoformat(),
        total=sum(totals.values()),
        totals=totals,
        agencies=[AgencyCounts(agency=r.agency, total=r.total, counts=r.counts) for r in rows],
    )


@router.get(
    "/tasks/{task}",
    summary="Một nhiệm vụ / one task, now or as of a time",
    response_model=TaskOut,
    responses=problem_responses(401, 404, 422, 503),
)
def get(task: str, ctx: Ctx, user: ApiUser, as_of: str | None = None) -> TaskOut:
    ref = resolve_task(ctx.app.engine, task)
    return TaskOut(**views.task_state(ctx, ref, board.moment_param(as_of)).as_json())


@router.get(
    "/tasks/{task}/history",
    summary="Lịch sử / every event of the task",
    response_model=HistoryOut,
    responses=problem_responses(401, 404, 503),
)
def history(task: str, ctx: Ctx, user: ApiUser) -> HistoryOut:
    ref = resolve_task(ctx.app.engine, task)
    return HistoryOut(task=str(ref), events=[EventOut(**e) for e in views.history(ctx, ref)])


@router.get(
    "/tasks/{task}/files/{sha256}",
    summary="Tệp đã nộp / a file submitted for the task",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file as submitted",
            "content": {media: BINARY for media in sorted(set(FILE_TYPES.values()))},
        },
        **problem_responses(401, 404, 503),
    },
)
def file(task: str, sha256: str, ctx: Ctx, user: ApiUser) -> FileResponse:
    path = views.stored_file(ctx, resolve_task(ctx.app.engine, task), sha256)
    return FileResponse(path, filename=path.name, media_type=file_type(path))
