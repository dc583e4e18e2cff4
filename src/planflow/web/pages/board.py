"""The director's board: agencies × duties for a period, counts per agency, on-time chart."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from planflow.application.queries import BoardFilter, TaskView, list_tasks
from planflow.domain.errors import DomainError
from planflow.web import board, catalog
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.pages.common import error_page, render, to_login

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    rate: float | None


@dataclass(frozen=True)
class ChartRow:
    agency: str
    y: float
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    periods: list[tuple[str, int]]  # code and x of its column label
    rows: list[ChartRow]


ROW = 22
LABEL_WIDTH = 200
COLUMN = 56


def chart(rates: dict[str, dict[str, float | None]], periods: list[str]) -> Chart:
    """One row per agency, one bar per period; the bar's length is the on-time share."""
    rows = []
    for i, (agency, by_period) in enumerate(sorted(rates.items())):
        y = 24 + i * ROW
        bars = []
        for j, code in enumerate(periods):
            rate = by_period.get(code)
            x = LABEL_WIDTH + j * COLUMN
            width = 0.0 if rate is None else max(2.0, (COLUMN - 8) * rate)
            label = "—" if rate is None else f"{round(rate * 100)}%"
            bars.append(Bar(x, y, width, ROW - 6, label, rate))
        rows.append(ChartRow(agency, y, bars))
    columns = [(code, LABEL_WIDTH + j * COLUMN) for j, code in enumerate(periods)]
    return Chart(LABEL_WIDTH + len(periods) * COLUMN + 10, 30 + len(rows) * ROW, columns, rows)


@router.get("/board")
def board_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        query = request.query_params
        plans = catalog.list_plans(ctx)
        plan = query.get("plan") or (plans[0].code if plans else None)
        as_of = board.moment_param(query.get("as_of"))
        moment = as_of or ctx.now()
        listed = list_tasks(ctx.app.engine, moment, BoardFilter(plan=plan), as_of=as_of is not None)
        # Cooperating tasks (phối hợp) are counted apart: the lead's task carries the status.
        every = [v for v in listed if not v.is_cooperating]
        periods = board.periods(every)
        period = board.period_param(query.get("period")) or _default_period(periods, every)
        shown = [v for v in every if v.period == period]
        cooperating = [v for v in listed if v.is_cooperating and v.period == period]
        codes, rates = board.on_time_rates(every)
        names = {a.code: a.name_vi for a in catalog.agencies(ctx, plan)}
        titles = catalog.duty_titles(ctx).get(plan or "", {})
    except DomainError as exc:
        return error_page(request, ctx, exc, user, session)
    return render(
        request,
        ctx,
        "board.html",
        user,
        session,
        plans=plans,
        plan=plan,
        periods=periods,
        period=period,
        as_of=query.get("as_of", ""),
        moment=moment,
        grid=board.grid(shown),
        totals=board.totals(shown),
        cooperating=cooperating,
        chart=chart(rates, codes),
        names=names,
        titles=titles,
        awaiting=[v for v in every if v.state == "submitted"],
        difficulties=[v for v in every if v.open_difficulties],
    )


def _default_period(periods: list[str], views: list[TaskView]) -> str | None:
    """The first period with an open task, else the last one."""
    for code in periods:
        if any(v.period == code and v.completed_at is None for v in views):
            return code
    return periods[-1] if periods else None
