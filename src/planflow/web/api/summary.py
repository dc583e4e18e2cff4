"""The Office's consolidated report (báo cáo tổng hợp) to download: for programs (bearer token,
``GET /api/v1/summary``) and for the board's download links (session cookie, ``GET
/board/summary``). Both build it from the same figures as ``planflow summary``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from planflow.application.summary import build_summary, default_moment, summary_period
from planflow.reports import MEDIA_TYPES, check_format, filename, render
from planflow.web import board, catalog
from planflow.web.context import WebContext
from planflow.web.deps import ApiUser, Ctx, PageUser
from planflow.web.pages.common import to_login
from planflow.web.problems import NotFound

router = APIRouter(tags=["summary"])
pages = APIRouter(include_in_schema=False)

FormatQuery = Annotated[str, Query(alias="format", description="html, pdf, docx or xlsx")]


def summary_file(
    ctx: WebContext, plan: str, period: str, fmt: str, moment: datetime | None
) -> Response:
    check_format(fmt)
    wanted = summary_period(period)
    if catalog.get_plan(ctx, plan) is None:
        raise NotFound(f"Không có kế hoạch {plan!r}", f"no plan {plan!r}")
    at = moment or default_moment(ctx.app, plan, wanted, ctx.now())
    data = render(build_summary(ctx.app, plan, wanted, at), fmt)
    name = filename(plan, wanted.code, fmt)
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "X-Planflow-As-Of": at.isoformat(),
        },
    )


@router.get(
    "/summary",
    summary="Báo cáo tổng hợp / the Office's consolidated report for a period, as a file",
    response_class=Response,
)
def summary_api(
    ctx: Ctx,
    user: ApiUser,
    plan: str,
    period: Annotated[str, Query(description="2022-Q1 … 2022-Q4, 2022-H1, 2022-9M, 2022")],
    fmt: FormatQuery = "pdf",
    as_of: Annotated[
        str | None, Query(description="Default: when the Office's own report falls due")
    ] = None,
) -> Response:
    return summary_file(ctx, plan, period, fmt, board.moment_param(as_of))


@pages.get("/board/summary")
def summary_page(
    request: Request,
    ctx: Ctx,
    user: PageUser,
    plan: str,
    period: str,
    fmt: FormatQuery = "pdf",
    as_of: str | None = None,
) -> Response:
    """The board's link: the report for the period shown, as the board stands (now or as of)."""
    if user is None:
        return to_login(request)
    return summary_file(ctx, plan, period, fmt, board.moment_param(as_of) or ctx.now())
