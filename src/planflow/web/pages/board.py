"""The director's board: an overview per agency (worst first) with counts that open the task list,
the agencies × duties grid for a period, the on-time trend, filters, search, sorting, pagination,
and the filtered view as XLSX. Every view is a URL (``BoardQuery``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from planflow.application.queries import AgencyRow, BoardFilter, TaskView, list_tasks
from planflow.domain import clock
from planflow.domain.errors import PlanflowError
from planflow.web import board, catalog
from planflow.web.accounts import User
from planflow.web.auth import Session
from planflow.web.boardquery import (
    AGENCY_SORTS,
    PER_PAGE,
    TASK_SORTS,
    TASKS_PER_PAGE,
    BoardQuery,
    agency_rows,
    paginate,
    select,
    sort_tasks,
)
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.export import xlsx_response
from planflow.web.i18n import pick
from planflow.web.names import Names
from planflow.web.pages.common import error_page, language, render, to_login

router = APIRouter(include_in_schema=False)

SORT_LABELS = {
    "worst": ("Kém nhất trước", "Worst first"),
    "name": ("Theo tên cơ quan", "By agency name"),
    "total": ("Nhiều nhiệm vụ nhất", "Most tasks"),
    "on_time": ("Tỷ lệ đúng hạn cao nhất", "Best on-time share"),
    "due": ("Theo hạn", "By deadline"),
    "agency": ("Theo cơ quan", "By agency"),
    "status": ("Theo tình trạng", "By status"),
    "late": ("Quá hạn lâu nhất", "Longest overdue"),
}


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
LABEL_WIDTH = 260
COLUMN = 76


def chart(rates: dict[str, dict[str, float | None]], periods: list[str]) -> Chart:
    """One row per agency (in the order given), one bar per period; the bar's length is the
    on-time share."""
    rows = []
    for i, (agency, by_period) in enumerate(rates.items()):
        y = 24 + i * ROW
        bars = []
        for j, code in enumerate(periods):
            rate = by_period.get(code)
            x = LABEL_WIDTH + j * COLUMN
            width = 0.0 if rate is None else max(2.0, (COLUMN - 10) * rate)
            label = "—" if rate is None else f"{round(rate * 100)}%"
            bars.append(Bar(x, y, width, ROW - 6, label, rate))
        rows.append(ChartRow(agency, y, bars))
    columns = [(code, LABEL_WIDTH + j * COLUMN) for j, code in enumerate(periods)]
    return Chart(LABEL_WIDTH + len(periods) * COLUMN + 10, 30 + len(rows) * ROW, columns, rows)


@dataclass
class Loaded:
    query: BoardQuery
    names: Names
    plans: list[catalog.PlanInfo]
    plan: str | None
    moment: datetime
    every: list[TaskView]
    periods: list[str]
    period: str | None
    late: dict[str, int]  # task id → working days past its deadline (0 if not late)
    cooperating: list[TaskView]  # phối hợp: shown apart, never in the counts

    def late_days(self, view: TaskView) -> int:
        return self.late.get(view.id, 0)

    def in_period(self) -> list[TaskView]:
        if self.period == "all":
            return self.every
        return [v for v in self.every if v.period == self.period]

    def selected(self) -> list[TaskView]:
        return select(self.in_period(), self.query, self.names, self.late_days)


def load(ctx: Ctx, request: Request) -> Loaded:
    query = BoardQuery.parse(request.query_params)
    plans = catalog.list_plans(ctx)
    plan = query.plan or (plans[0].code if plans else None)
    as_of = board.moment_param(query.as_of)
    moment = as_of or ctx.now()
    listed = list_tasks(ctx.app.engine, moment, BoardFilter(plan=plan), as_of=as_of is not None)
    # Cooperating tasks (phối hợp) are counted apart: the lead's task carries the status.
    every = [v for v in listed if not v.is_cooperating]
    cooperating = [v for v in listed if v.is_cooperating]
    periods = board.periods(every)
    period = query.period or _default_period(periods, every)
    today = clock.local_date(moment)
    by_code = {p.code: p for p in plans}
    late = {}
    for v in every:
        if v.completed_at is None and v.due < today:
            cal = catalog.calendar(ctx, by_code.get(v.plan))
            late[v.id] = max(0, -cal.working_days_between(today, v.due))
    names = Names.of(language(request), plans)
    query = BoardQuery(**{**query.__dict__, "plan": plan, "period": period})
    return Loaded(query, names, plans, plan, moment, every, periods, period, late, cooperating)


def _common(loaded: Loaded) -> dict[str, Any]:
    duties = sorted({(v.plan, v.duty) for v in loaded.every}, key=lambda pd: _duty_key(pd[1]))
    agencies = sorted({v.agency for v in loaded.every}, key=loaded.names.agency)
    return {
        "bq": loaded.query,
        "n": loaded.names,
        "plans": loaded.plans,
        "plan": loaded.plan,
        "periods": loaded.periods,
        "period": loaded.period,
        "moment": loaded.moment,
        "as_of": loaded.query.as_of,
        "duty_choices": duties,
        "agency_choices": agencies,
        "late": loaded.late,
        "cooperating": [v for v in loaded.cooperating if loaded.period in ("all", v.period)],
        "status_order": board.STATUS_ORDER,
        "sort_label": lambda word: pick(loaded.names.lang, *SORT_LABELS.get(word, (word, word))),
    }


def _duty_key(duty: str) -> list[object]:
    return [
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in duty.replace("-", ".").split(".")
    ]


def _grid(selected: list[TaskView], rows: list[AgencyRow]) -> board.Grid:
    """The grid of the agencies shown, in the overview's order."""
    shown = {r.agency for r in rows}
    whole = board.grid([v for v in selected if v.agency in shown])
    return board.Grid(rows, whole.duties, whole.cells)


def _trend(loaded: Loaded, views: list[TaskView], agencies: list[str]) -> Chart:
    codes, rates = board.on_time_rates(views)
    return chart({a: rates[a] for a in agencies if a in rates}, codes)


@router.get("/board")
def board_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        loaded = load(ctx, request)
        selected = loaded.selected()
        rows, page = paginate(
            agency_rows(selected, loaded.query.sort, loaded.names), loaded.query.page, PER_PAGE
        )
        shown_agencies = [r.agency for r in rows]
        across = select(loaded.every, loaded.query, loaded.names, loaded.late_days)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)
    one_period = loaded.period != "all"
    return render(
        request,
        ctx,
        "board.html",
        user,
        session,
        **_common(loaded),
        rows=rows,
        page=page,
        sorts=AGENCY_SORTS,
        totals=board.totals(selected),
        grid=_grid(selected, rows) if one_period else None,
        chart=_trend(loaded, across, shown_agencies),
        awaiting=[v for v in selected if v.state == "submitted"],
        difficulties=[v for v in selected if v.open_difficulties],
    )


@router.get("/board/tasks")
def board_tasks(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        loaded = load(ctx, request)
        ordered = sort_tasks(loaded.selected(), loaded.query.sort, loaded.names, loaded.late_days)
        views, page = paginate(ordered, loaded.query.page, TASKS_PER_PAGE)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)
    return render(
        request,
        ctx,
        "board_tasks.html",
        user,
        session,
        **_common(loaded),
        views=views,
        page=page,
        sorts=TASK_SORTS,
        totals=board.totals(ordered),
    )


@router.get("/board/export.xlsx")
def board_export(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        loaded = load(ctx, request)
        ordered = sort_tasks(loaded.selected(), loaded.query.sort, loaded.names, loaded.late_days)
    except PlanflowError as exc:
        return _error(request, ctx, exc, user, session)
    return xlsx_response(ordered, loaded.names, loaded.late_days, loaded.moment)


def _error(
    request: Request, ctx: Ctx, exc: PlanflowError, user: User, session: Session | None
) -> Response:
    return error_page(request, ctx, exc, user, session, back="/board")


def _default_period(periods: list[str], views: list[TaskView]) -> str | None:
    """The first period with an open task, else the last one."""
    for code in periods:
        if any(v.period == code and v.completed_at is None for v in views):
            return code
    return periods[-1] if periods else None
