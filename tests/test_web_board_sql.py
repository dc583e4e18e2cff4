"""The board's and the auditor's pages count in the database and fetch one page of rows
(``web/boardsql.py``, ``queries/pages.py``); what they show must equal the full computation
(every task view filtered, sorted and sliced in Python: ``boardquery``), on the Kiên Giang plan
played through 2022 (summary_year.py), now and as of several instants, with filters, a search,
working days overdue and each sort. And a page's size stays bounded as the tasks grow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from planflow.application.app import PlanflowApp
from planflow.application.queries import TaskView
from planflow.application.queries import pages as sql_pages
from planflow.application.queries.pages import GridCell
from planflow.domain import clock
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.status import TaskStatus
from planflow.domain.task import Completion, Task
from planflow.web import board, boardsql, catalog
from planflow.web.accounts import AccountStore
from planflow.web.boardquery import (
    PER_PAGE,
    TASKS_PER_PAGE,
    BoardQuery,
    agency_rows,
    paginate,
    select,
    sort_agency_rows,
    sort_tasks,
)
from planflow.web.context import WebContext
from planflow.web.names import Names
from planflow.web.pages.board import _sql_grid, load
from planflow.web.settings import WebSettings
from planflow.workflow.loader import LoadedPlan
from summary_year import played_year
from test_web_pages import sign_in
from webkit import WebWorld

NOW = datetime(2022, 10, 3, 9, 0, tzinfo=LOCAL_TZ)
VIEWS = [
    {},
    {"as_of": "2022-03-31T17:00"},
    {"as_of": "2022-07-01T08:00", "period": "all", "sort": "name"},
    {"period": "all", "sort": "on_time"},
    {"status": "open_overdue", "sort": "late"},
    {"overdue_days": "3", "period": "all", "sort": "late"},
    {"q": "sở", "sort": "agency"},
    {"q": "tài chính", "period": "all", "sort": "total"},
    {"q": "| s", "period": "all"},
    {"agency": "group:so", "sort": "status", "as_of": "2022-12-31T23:59"},
    {"status": "done_late", "period": "all", "sort": "status", "page": "2"},
    {"period": "all", "page": "3"},
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kien_giang: LoadedPlan
) -> Iterator[WebContext]:
    with played_year(request.param, tmp_path_factory.mktemp("board-sql"), kien_giang) as app:
        url = app.engine.url.render_as_string(hide_password=False)
        settings = WebSettings(database_url=url, secret_key="test")
        yield WebContext(app, AccountStore(app.engine), settings, lambda: NOW)


def _request(params: dict[str, str]) -> Request:
    query = urlencode(params).encode()
    return Request({"type": "http", "query_string": query, "headers": [], "method": "GET"})


@pytest.mark.parametrize("params", VIEWS, ids=lambda p: urlencode(p) or "default")
def test_the_database_pages_show_what_filtering_every_task_in_python_shows(
    year: WebContext, params: dict[str, str]
) -> None:
    full = load(year, _request(params))
    plans = catalog.list_plans(year)
    names = Names.of("vi", plans)
    with boardsql.scope(year, BoardQuery.parse(params), names, plans) as sc:
        assert (sc.plan, sc.period, sc.periods) == (full.plan, full.period, full.periods)
        assert sc.agencies == sorted({v.agency for v in full.every}, key=names.agency)
        # The duties found one seek at a time are the distinct duties of the plan's lead tasks.
        lead = sql_pages.Selection(plan=sc.plan, role="lead")
        every_duty = sql_pages.distinct(sc.reader, lead, ("plan", "duty"))
        assert sorted(sc.duties) == sorted((str(p), str(d)) for p, d in every_duty)
        assert len(sc.duties) > 5
        selected = full.selected()
        assert sc.totals() == board.totals(selected)
        assert sum(sc.totals().values()) == sc.count(sc.in_period)
        # The overview: agencies counted, sorted and paged.
        rows = agency_rows(selected, full.query.sort, names)
        by_sql = boardsql.agency_rows(sc.period_counts())
        assert [r.__dict__ for r in sort_agency_rows(by_sql, sc.query.sort, names)] == [
            r.__dict__ for r in rows
        ]
        # The task list: one page in the list's order, and its working days overdue.
        ordered = sort_tasks(selected, full.query.sort, names, full.late_days)
        shown, page = paginate(ordered, full.query.page, TASKS_PER_PAGE)
        start, sql_page = boardsql.page_of(len(ordered), sc.query.page, TASKS_PER_PAGE)
        ranks = {a: i for i, a in enumerate(sorted(sc.agencies, key=names.agency))}
        fetched = sc.rows(
            sc.in_period,
            sort=sc.query.sort,
            agency_rank=ranks,
            late=sc.late,
            limit=TASKS_PER_PAGE,
            offset=start,
        )
        assert sql_page == page
        assert fetched == shown
        assert sc.late_of(fetched) == {v.id: full.late[v.id] for v in shown if v.id in full.late}
        # The trend across periods, from the counts.
        across = select(full.every, full.query, names, full.late_days)
        assert boardsql.on_time_rates(sc.counts) == board.on_time_rates(across)
        # The grid of the agencies on the overview's page.
        shown_rows = rows[:PER_PAGE]
        if full.period != "all":
            on_page = {r.agency for r in shown_rows}
            whole = board.grid([v for v in selected if v.agency in on_page])
            grid, left_out = _sql_grid(sc, shown_rows)
            # Each cell as the grid shows it (a narrow row, not a task view).
            cells = {k: _shown(v) for k, v in grid.cells.items()}
            assert (grid.duties, cells, left_out) == (
                whole.duties,
                {k: _shown(v) for k, v in whole.cells.items()},
                0,
            )
        # The awaiting list's first rows.
        awaiting = [v for v in selected if v.state == "submitted"]
        submitted = replace(sc.in_period, state="submitted")
        assert sc.rows(submitted, sort="base", limit=boardsql.LISTED) == awaiting[: boardsql.LISTED]
        assert sc.count(submitted) == len(awaiting)
        flagged = sql_pages.count_where(sc.reader, sc.in_period, submitted=True, difficulties=True)
        with_difficulties = [v for v in selected if v.open_difficulties]
        assert flagged == {"submitted": len(awaiting), "difficulties": len(with_difficulties)}


def test_some_views_hold_tasks_of_every_kind(year: WebContext) -> None:
    """The comparisons above compare something: the year has overdue, late, awaiting tasks."""
    full = load(year, _request({"period": "all"}))
    statuses = {v.status.value for v in full.every}
    assert statuses == {"open_overdue", "done_late", "open_in_time", "done_on_time"}
    assert len(full.every) > PER_PAGE * 10


@pytest.mark.parametrize("as_of", ["", "2022-07-01T08:00"], ids=["now", "as-of"])
def test_a_page_read_from_the_tally_s_cells_is_the_page_the_full_sort_returns(
    year: WebContext, as_of: str
) -> None:
    """``pagewindow``: each sort's pages at several offsets, read from only the cells that hold
    them, equal the same pages from the full ``ORDER BY … LIMIT`` (no tally on the reader)."""
    plans = catalog.list_plans(year)
    names = Names.of("vi", plans)
    params = {"period": "all", **({"as_of": as_of} if as_of else {})}
    with boardsql.scope(year, BoardQuery.parse(params), names, plans) as sc:
        untallied = replace(sc.reader, tallies={})
        ranks = {a: i for i, a in enumerate(sorted(sc.agencies, key=names.agency))}
        every = sc.count(sc.in_period)
        overdue = replace(sc.in_period, status=TaskStatus.OPEN_OVERDUE)
        read = narrowed = 0
        for s in (sc.in_period, overdue, replace(sc.in_period, role=None)):
            for sort in ("", "due", "agency", "status", "late", "base"):
                for offset in (0, 7, 50, 333, every - 20, every + 5):
                    options = {
                        "sort": sort,
                        "agency_rank": ranks,
                        "late": sc.late,
                        "limit": TASKS_PER_PAGE,
                        "offset": max(0, offset),
                    }
                    page = sql_pages.rows(sc.reader, s, **options)  # type: ignore[arg-type]
                    assert page == sql_pages.rows(untallied, s, **options), (sort, offset)  # type: ignore[arg-type]
                    read += len(page)
                    cells = sql_pages._window(sc.reader, s, sort, ranks, sc.late, 50, offset)
                    narrowed += cells is not None
        assert read > 1000
        assert narrowed > 40  # most pages were read from the cells


def _assign(app: PlanflowApp, count: int, start: int) -> None:
    """Tasks of 20 agencies × 25 duties per quarter, from Q4 backwards: 500 fill one quarter."""
    loaded = datetime(2022, 2, 15, 8, tzinfo=LOCAL_TZ)
    quarters = ["2022-Q4", "2022-Q3", "2022-Q2", "2022-Q1"]
    with app.transaction() as session, clock.at(loaded):
        tasks = []
        for n in range(start, start + count):
            quarter = n // 500
            tasks.append(
                Task.assign(
                    plan="mini-2022",
                    duty=f"Z{(n % 500) // 20}",
                    agency=f"AG{n % 20:02d}",
                    period=quarters[quarter],
                    due=date(2022, 12 - 3 * quarter, 21) - timedelta(days=n % 30),
                    completion=Completion.ACTIVITY,
                    title="Nhiệm vụ thử tải / load task",
                    actor="test",
                )
            )
        app._save(session, *tasks)


def _size(world: WebWorld, path: str) -> int:
    response = world.client.get(path)
    assert response.status_code == 200, response.text[:300]
    return len(response.content)


def test_a_page_stays_the_same_size_as_the_tasks_grow(world: WebWorld) -> None:
    sign_in(world, "director")
    paths = [
        "/board?period=2022-Q4",
        "/board?period=all",
        "/board/tasks?period=all",
        "/audit",
        "/audit?as_of=2022-12-01",
    ]
    _assign(world.app, 500, 0)
    small = {p: _size(world, p) for p in paths}
    _assign(world.app, 1500, 500)
    big = {p: _size(world, p) for p in paths}
    for path in paths:
        assert big[path] <= small[path] + 12_000, (path, small[path], big[path])
    tasks_page = world.client.get("/board/tasks?period=all").text
    assert len(re.findall(r'<tr data-task="', tasks_page)) == TASKS_PER_PAGE


def _shown(v: TaskView | GridCell) -> tuple[object, ...]:
    return (v.id, v.plan, v.duty, v.agency, v.due, v.status, v.open_difficulties)
