"""The agency's page: its tasks by deadline, with the working days left; the tasks it only
cooperates on (phối hợp), apart; and the reports it receives and must review (``report_to``).

Each list is read a page at a time (``queries.tasklists``: SQL ``LIMIT``/``OFFSET`` in the order
of ``list_tasks``) and counted by the database, at most ``ROWS_PER_PAGE`` rows each, with its own
page parameter (``open_page``, ``review_page``, ``cooperating_page``, ``done_page``): a page beyond
the last shows the last, as on /board/tasks; a page that is not a whole number is refused."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from planflow.application.queries import BoardFilter, PlanInfo, TaskView
from planflow.application.queries.tasklists import TaskCounts, count_tasks, page_of_tasks
from planflow.domain import clock
from planflow.domain.errors import InvalidArgument, PlanflowError
from planflow.web import catalog
from planflow.web.boardquery import Page
from planflow.web.boardsql import page_of
from planflow.web.context import WebContext
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.pages.common import error_page, render, to_login

router = APIRouter(include_in_schema=False)

ROWS_PER_PAGE = 100
# Each list's page parameter.
LISTS = ("open", "review", "cooperating", "done")


@dataclass(frozen=True)
class Row:
    view: TaskView
    days_left: int  # working days from today to the deadline (negative when overdue)


@dataclass(frozen=True)
class Listed:
    """One list of the page: its rows shown, where they stand, and the address of another page."""

    rows: list[Row]
    page: Page
    link: Callable[[int], str]


def page_params(params: Mapping[str, str]) -> dict[str, int]:
    """Each list's page asked for (1 when absent); refused unless a whole number."""
    out = {}
    for name in LISTS:
        key = f"{name}_page"
        value = params.get(key, "").strip()
        if value and not value.isdigit():
            raise InvalidArgument(
                f"{key} phải là số nguyên không âm, không phải {value!r}",
                f"{key} must be a whole number, not {value!r}",
            )
        out[name] = max(1, int(value) if value else 1)
    return out


@router.get("/agency")
def agency_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        agency = user.agency or request.query_params.get("agency") or ""
        wanted = page_params(request.query_params)
        known = catalog.agencies(ctx)
        if not agency and known:
            agency = known[0].code
        moment = ctx.now()
        today = clock.local_date(moment)
        engine = ctx.app.engine
        mine = BoardFilter(agency=agency)
        counts = count_tasks(engine, mine)
        received = count_tasks(engine, BoardFilter(recipient=agency)) if agency else TaskCounts()
        plans = {p.code: p for p in catalog.list_plans(ctx)}
        totals = {
            "open": counts.lead_open,
            "review": received.submitted,
            "cooperating": counts.cooperating,
            "done": counts.lead_done,
        }
        shown: dict[str, Listed] = {}
        for name in LISTS:
            start, page = page_of(totals[name], wanted[name], ROWS_PER_PAGE)
            if name == "review":
                reviewed = BoardFilter(recipient=agency)
                views = _page(ctx, moment, reviewed, start, state="submitted") if agency else []
            elif name == "cooperating":
                views = _page(ctx, moment, mine, start, cooperating=True)
            else:
                views = _page(ctx, moment, mine, start, cooperating=False, completed=name == "done")
            rows = [Row(v, _days_left(ctx, plans, today, v)) for v in views]
            shown[name] = Listed(rows, page, _linker(request.query_params, name))
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
        lists=shown,
        open_rows=shown["open"].rows,
        done_rows=shown["done"].rows,
        cooperating_rows=shown["cooperating"].rows,
        review_rows=[r.view for r in shown["review"].rows],
        received_count=received.total,
    )


def _page(
    ctx: WebContext,
    moment: datetime,
    filters: BoardFilter,
    start: int,
    *,
    state: str | None = None,
    cooperating: bool | None = None,
    completed: bool | None = None,
) -> list[TaskView]:
    return page_of_tasks(
        ctx.app.engine,
        moment,
        filters,
        limit=ROWS_PER_PAGE,
        offset=start,
        state=state,
        cooperating=cooperating,
        completed=completed,
    )


def _days_left(ctx: WebContext, plans: dict[str, PlanInfo], today: date, view: TaskView) -> int:
    """Working days from today to the task's deadline, on its plan's calendar (shown rows only)."""
    return catalog.calendar(ctx, plans.get(view.plan)).working_days_between(today, view.due)


def _linker(params: Mapping[str, str], name: str) -> Callable[[int], str]:
    """The page's address with list ``name`` at another page, the other lists' pages kept."""
    kept = {k: v for k, v in params.items() if k != f"{name}_page"}

    def link(number: int) -> str:
        wanted = {**kept, f"{name}_page": str(number)} if number > 1 else kept
        return "/agency?" + urlencode(wanted) if wanted else "/agency"

    return link
