"""The director's board: an overview per agency (worst first) with counts that open the task list,
the agencies × duties grid for a period, the on-time trend, filters, search, sorting, pagination,
and the filtered view as XLSX. Every view is a URL (``BoardQuery``)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from planflow.application.queries import AgencyRow, BoardFilter, TaskView, list_tasks
from planflow.application.queries import pages as sql_pages
from planflow.domain import clock
from planflow.domain.errors import PlanflowError
from planflow.web import board, boardsql, catalog, pagelabels
from planflow.web.accounts import User
from planflow.web.auth import Session
from planflow.web.boardquery import (
    AGENCY_SORTS,
    PER_PAGE,
    TASK_SORTS,
    TASKS_PER_PAGE,
    BoardQuery,
    select,
    sort_agency_rows,
    sort_tasks,
)
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.export import xlsx_response
from planflow.web.i18n import pick, translations
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


def _scope(ctx: Ctx, request: Request) -> AbstractContextManager[boardsql.Scope]:
    plans = catalog.list_plans(ctx)
    names = Names.of(language(request), plans)
    return boardsql.scope(ctx, BoardQuery.parse(request.query_params), names, plans)


def _scope_context(sc: boardsql.Scope, late: dict[str, int]) -> dict[str, Any]:
    cooperating = sql_pages.Selection(
        plan=sc.plan, role="cooperating", period=None if sc.period == "all" else sc.period
    )
    return {
        "bq": sc.query,
        "n": sc.names,
        "plans": sc.plans,
        "plan": sc.plan,
        "periods": sc.periods,
        "period": sc.period,
        "moment": sc.moment,
        "as_of": sc.query.as_of,
        "duty_options": pagelabels.duty_options(sc.names, sc.duties),
        "agency_options": pagelabels.agency_options(sc.names, sc.agencies),
        "status_words": pagelabels.status_names(sc.names),
        "late": late,
        "cooperating": sc.count(cooperating),
        "status_order": board.STATUS_ORDER,
        "sort_label": lambda word: pick(sc.names.lang, *SORT_LABELS.get(word, (word, word))),
    }


@router.get("/board")
def board_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)

    def compute() -> dict[str, Any]:
        with _scope(ctx, request) as sc:
            return _board_view(sc)

    # The same figures until the next event or minute (application/queries/board_cache.py).
    parts = ("board-page", str(request.query_params), language(request))
    try:
        context = ctx.board_cache().remember(parts, compute, ctx.now())
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)
    return render(request, ctx, "board.html", user, session, **context)


def _board_view(sc: boardsql.Scope) -> dict[str, Any]:
    """The overview's page of agencies, its grid and trend, the first reports awaiting review and
    the first open difficulties: counted and listed by the database."""
    every = sort_agency_rows(boardsql.agency_rows(sc.period_counts()), sc.query.sort, sc.names)
    start, page = boardsql.page_of(len(every), sc.query.page, PER_PAGE)
    rows = every[start : start + PER_PAGE]
    codes, rates = boardsql.on_time_rates(sc.counts)
    in_period = sc.in_period
    grid, grid_more = _sql_grid(sc, rows) if sc.period != "all" else (None, 0)
    awaiting = replace(in_period, state="submitted")
    difficulties = replace(in_period, with_difficulties=True)
    flagged = sql_pages.count_where(sc.reader, in_period, submitted=True, difficulties=True)
    gettext = translations(sc.names.lang).gettext
    trend = chart({r.agency: rates[r.agency] for r in rows if r.agency in rates}, codes)
    titles = pagelabels.chart_titles(
        sc.names,
        [r.agency for r in trend.rows],
        [code for code, _x in trend.periods],
        [[bar.label for bar in r.bars] for r in trend.rows],
    )
    cells = (
        pagelabels.grid_cells(
            sc.names, [r.agency for r in grid.agencies], grid.duties, grid.cells, gettext
        )
        if grid
        else []
    )
    # No list query when the tally already counted none (the usual case on a quiet board).
    return {
        **_scope_context(sc, {}),
        "awaiting": _first(sc, awaiting, flagged["submitted"]),
        "awaiting_count": flagged["submitted"],
        "difficulties": _first(sc, difficulties, flagged["difficulties"]),
        "difficulties_count": flagged["difficulties"],
        "rows": rows,
        "overview": [(r, sc.names.agency(r.agency)) for r in rows],
        "page": page,
        "sorts": AGENCY_SORTS,
        "totals": sc.totals(),
        "grid": grid,
        "grid_rows": list(zip(grid.agencies, cells, strict=True)) if grid else [],
        "not_assigned": gettext("not assigned"),
        "grid_more": grid_more,
        "chart": trend,
        "chart_rows": [
            (r, list(zip(r.bars, t, strict=True))) for r, t in zip(trend.rows, titles, strict=True)
        ],
    }


def _first(sc: boardsql.Scope, s: sql_pages.Selection, counted: int) -> list[TaskView]:
    """The first ``LISTED`` of the ``counted`` tasks ``s`` selects (no query for none)."""
    return sc.rows(s, sort="base", limit=boardsql.LISTED) if counted else []


def _sql_grid(sc: boardsql.Scope, rows: list[AgencyRow]) -> tuple[board.Grid, int]:
    """The grid of the agencies shown, in the overview's order; at most ``GRID_DUTIES`` duties."""
    in_period = sc.in_period
    shown = frozenset(r.agency for r in rows)
    agencies = shown if in_period.agencies is None else shown & in_period.agencies
    cells_of = replace(in_period, agencies=agencies)
    every = sorted({str(d) for (d,) in sc.distinct(cells_of, "duty")}, key=board._duty_key)
    duties = every[: boardsql.GRID_DUTIES]
    found = sql_pages.cells(sc.reader, replace(cells_of, duties=frozenset(duties)))
    cells = {(v.agency, v.duty): v for v in found}
    return board.Grid(rows, duties, cells), len(every) - len(duties)


@router.get("/board/tasks")
def board_tasks(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        with _scope(ctx, request) as sc:
            totals = sc.totals()
            start, page = boardsql.page_of(sum(totals.values()), sc.query.page, TASKS_PER_PAGE)
            ranks = {a: i for i, a in enumerate(sorted(sc.agencies, key=sc.names.agency))}
            views = sc.rows(
                sc.in_period,
                sort=sc.query.sort,
                agency_rank=ranks,
                late=sc.late,
                limit=TASKS_PER_PAGE,
                offset=start,
            )
            common = _scope_context(sc, sc.late_of(views))
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)
    return render(
        request,
        ctx,
        "board_tasks.html",
        user,
        session,
        **common,
        views=views,
        listed=pagelabels.rows(common["n"], views),
        page=page,
        sorts=TASK_SORTS,
        totals=totals,
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
