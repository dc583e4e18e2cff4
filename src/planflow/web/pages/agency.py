"""The agency's page: its tasks by deadline, with the working days left; the tasks it only
cooperates on (phối hợp), apart; and the reports it receives and must review (``report_to``)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from planflow.application.queries import BoardFilter, TaskView, list_tasks
from planflow.domain import clock
from planflow.domain.errors import PlanflowError
from planflow.web import catalog
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.pages.common import error_page, render, to_login

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Row:
    view: TaskView
    days_left: int  # working days from today to the deadline (negative when overdue)


@router.get("/agency")
def agency_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        agency = user.agency or request.query_params.get("agency") or ""
        known = catalog.agencies(ctx)
        if not agency and known:
            agency = known[0].code
        moment = ctx.now()
        today = clock.local_date(moment)
        views = list_tasks(ctx.app.engine, moment, BoardFilter(agency=agency), as_of=False)
        plans = {p.code: p for p in catalog.list_plans(ctx)}
        rows = []
        for v in views:
            cal = catalog.calendar(ctx, plans.get(v.plan))
            rows.append(Row(v, cal.working_days_between(today, v.due)))
        lead = [r for r in rows if not r.view.is_cooperating]
        open_rows = [r for r in lead if r.view.completed_at is None]
        done_rows = [r for r in lead if r.view.completed_at is not None]
        cooperating_rows = [r for r in rows if r.view.is_cooperating]
        received = (
            list_tasks(ctx.app.engine, moment, BoardFilter(recipient=agency), as_of=False)
            if agency
            else []
        )
        review_rows = [v for v in received if v.state == "submitted"]
        names = {a.code: a.name_vi for a in known}
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)
    return render(
        request,
        ctx,
        "agency.html",
        user,
        session,
        agency=agency,
        agency_name=names.get(agency, agency),
        agencies=known,
        open_rows=open_rows,
        done_rows=done_rows,
        cooperating_rows=cooperating_rows,
        review_rows=review_rows,
        received=received,
    )
