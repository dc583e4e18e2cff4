"""Reading tasks: the filtered, paginated list, the board summary, one task, its history, files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from planflow.application.queries import (
    BoardFilter,
    counts_by_agency,
    list_tasks,
    per_agency,
    resolve_task,
)
from planflow.domain.status import TaskStatus
from planflow.web import board, views
from planflow.web.deps import ApiUser, Ctx

router = APIRouter(tags=["tasks"])


@router.get("/tasks", summary="Danh sách nhiệm vụ / tasks, filtered and paginated")
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
) -> dict[str, Any]:
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
    return {
        "moment": (moment or ctx.now()).isoformat(),
        "total": len(found),
        "page": page,
        "per_page": per_page,
        "pages": (len(found) + per_page - 1) // per_page,
        "tasks": [v.as_json() for v in found[start : start + per_page]],
    }


@router.get("/board", summary="Bảng tổng hợp / counts per agency and status, overdue first")
def board_summary(
    ctx: Ctx,
    user: ApiUser,
    plan: str | None = None,
    period: str | None = None,
    as_of: str | None = None,
) -> dict[str, Any]:
    moment = board.moment_param(as_of)
    wanted = board.period_param(period)
    if moment is None:
        # The current board is aggregated by the database (see docs/performance.md, "Board").
        rows = counts_by_agency(ctx.app.engine, ctx.now(), plan=plan, period=wanted)
    else:
        filters = BoardFilter(plan=plan, period=wanted)
        rows = per_agency(list_tasks(ctx.app.engine, moment, filters, as_of=True))
    totals = {s.value: sum(r.counts[s.value] for r in rows) for s in TaskStatus}
    return {
        "moment": (moment or ctx.now()).isoformat(),
        "total": sum(totals.values()),
        "totals": totals,
        "agencies": [row.as_json() for row in rows],
    }


@router.get("/tasks/{task}", summary="Một nhiệm vụ / one task, now or as of a time")
def get(task: str, ctx: Ctx, user: ApiUser, as_of: str | None = None) -> dict[str, Any]:
    ref = resolve_task(ctx.app.engine, task)
    return views.task_state(ctx, ref, board.moment_param(as_of)).as_json()


@router.get("/tasks/{task}/history", summary="Lịch sử / every event of the task")
def history(task: str, ctx: Ctx, user: ApiUser) -> dict[str, Any]:
    ref = resolve_task(ctx.app.engine, task)
    return {"task": str(ref), "events": views.history(ctx, ref)}


@router.get("/tasks/{task}/files/{sha256}", summary="Tệp đã nộp / a file submitted for the task")
def file(task: str, sha256: str, ctx: Ctx, user: ApiUser) -> FileResponse:
    path = views.stored_file(ctx, resolve_task(ctx.app.engine, task), sha256)
    return FileResponse(path, filename=path.name)
