"""``planflow status`` reads its table from the database (``queries.status_table``): the status
word of each row judged by the SQL ``CASE``, the counts per word by ``GROUP BY``, the rows sorted
and cut by the database. It must say what the Python judgement of every row says
(``list_tasks`` + ``status.classify``), now and as of past instants of the Kiên Giang year, with
and without filters, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from planflow.application import board_sqlite
from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.queries.status_table import (
    board_periods,
    plans_that_may_wait,
    status_table,
)
from planflow.application.reading import read_engine
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.status import TaskStatus
from planflow.workflow.loader import LoadedPlan
from summary_year import PLAN, played_year

INSTANTS = [
    datetime(2022, 2, 15, 7, 59, tzinfo=LOCAL_TZ),  # before the plan was loaded: an empty board
    datetime(2022, 3, 31, 17, 0, tzinfo=LOCAL_TZ),
    datetime(2022, 7, 1, 8, 0, tzinfo=LOCAL_TZ),
    datetime(2022, 10, 3, 9, 0, tzinfo=LOCAL_TZ),
    datetime(2022, 12, 31, 23, 59, tzinfo=LOCAL_TZ),
]
FILTERS = [
    BoardFilter(),
    BoardFilter(include_cancelled=True),
    BoardFilter(plan=PLAN, status=TaskStatus.OPEN_OVERDUE),
    BoardFilter(agency="so-tu-phap", period="2022-Q1"),
    BoardFilter(status=TaskStatus.DONE_ON_TIME, include_cancelled=True),
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kien_giang: LoadedPlan
) -> Iterator[PlanflowApp]:
    with played_year(request.param, tmp_path_factory.mktemp("status"), kien_giang) as app:
        yield app


def key(view: object) -> tuple[object, ...]:
    return tuple(getattr(view, f) for f in ("due", "plan", "duty", "agency", "period"))


@pytest.mark.parametrize("as_of", [True, False], ids=["as-of", "now"])
@pytest.mark.parametrize("moment", INSTANTS, ids=lambda m: f"{m:%m-%d}")
def test_the_counts_and_rows_equal_the_python_judgement_of_every_row(
    year: PlanflowApp, moment: datetime, as_of: bool
) -> None:
    for filters in FILTERS:
        judged = list_tasks(year.engine, moment, filters, as_of=as_of)
        everything = status_table(year.engine, moment, filters, as_of=as_of, limit=None)
        assert everything.counts == {s: Counter(v.status for v in judged)[s] for s in TaskStatus}
        assert everything.total == len(judged)
        assert sorted(everything.rows, key=lambda v: v.id) == sorted(judged, key=lambda v: v.id)
        assert [key(v) for v in everything.rows] == [key(v) for v in judged]
        first = status_table(year.engine, moment, filters, as_of=as_of, limit=7)
        assert first.counts == everything.counts
        assert [key(v) for v in first.rows] == [key(v) for v in judged[:7]]
        assert set(first.rows) <= set(judged)
    shown = status_table(year.engine, moment, BoardFilter(), as_of=as_of, limit=None).total
    assert (shown > 400) is (moment > INSTANTS[0] or not as_of)  # as of before the load: nothing


def test_the_periods_and_the_plans_that_may_wait_come_from_the_read_models(
    year: PlanflowApp,
) -> None:
    views = list_tasks(year.engine, INSTANTS[-1], BoardFilter(include_cancelled=True), as_of=False)
    assert board_periods(year.engine, PLAN) == sorted({v.period for v in views})
    assert board_periods(year.engine, "no-such-plan") == []
    assert plans_that_may_wait(year.engine, None) == []  # Kiên Giang 2022 waits for nothing


def test_a_reader_opens_only_a_store_that_has_the_read_models(
    year: PlanflowApp, tmp_path: Path
) -> None:
    engine = read_engine(str(year.engine.url.render_as_string(hide_password=False)))
    assert engine is not None
    assert status_table(engine, INSTANTS[-1], BoardFilter(), as_of=True, limit=3).total > 400
    engine.dispose()
    assert read_engine(f"sqlite:///{tmp_path / 'none.db'}") is None
    assert not (tmp_path / "none.db").exists()  # nothing was created
    (tmp_path / "empty.db").touch()
    assert read_engine(f"sqlite:///{tmp_path / 'empty.db'}") is None


QUICK_FILTERS = [
    {},
    {"include_cancelled": True},
    {"plan": PLAN, "status": TaskStatus.OPEN_OVERDUE},
    {"plan": "no-such-plan"},
    {"status": TaskStatus.DONE_LATE, "include_cancelled": True},
]


@pytest.mark.parametrize("as_of", [True, False], ids=["as-of", "now"])
def test_the_sqlite_reader_gives_the_same_table_as_the_sqlalchemy_query(
    year: PlanflowApp, as_of: bool
) -> None:
    """The hand-written SQLite path (``board_sqlite``) and ``status_table``: the same counts, rows
    and order, for every instant and filter."""
    connection = board_sqlite.connect(year.engine.url.render_as_string(hide_password=False))
    if year.engine.dialect.name != "sqlite":
        assert connection is None  # another database: the CLI takes the SQLAlchemy path
        return
    assert connection is not None
    with closing(connection):
        for moment in INSTANTS:
            for options in QUICK_FILTERS:
                for limit in (None, 5):
                    quick = board_sqlite.status_lines(
                        connection, moment, as_of=as_of, limit=limit, **options
                    )
                    table = status_table(
                        year.engine, moment, BoardFilter(**options), as_of=as_of, limit=limit
                    )
                    assert quick.counts == table.counts
                    assert quick.lines == [
                        (v.id, v.duty, v.agency, v.period, v.due.isoformat(), v.status, v.state)
                        for v in table.rows
                    ]
        assert board_sqlite.plan_codes(connection) == [PLAN]
        assert board_sqlite.plans_that_may_wait(connection, None) == []


def test_the_sqlite_reader_opens_only_a_sqlite_store_with_the_read_models(tmp_path: Path) -> None:
    assert board_sqlite.connect("postgresql://somewhere/planflow") is None
    assert board_sqlite.connect(f"sqlite:///{tmp_path / 'none.db'}") is None
    assert not (tmp_path / "none.db").exists()
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    assert board_sqlite.connect(f"sqlite:///{tmp_path / 'other.db'}") is None


def test_a_plan_may_wait_only_with_a_conditional_group_or_an_event() -> None:
    assert not board_sqlite.may_wait({"groups": [{"code": "g", "kinds": ["department"]}]})
    assert board_sqlite.may_wait({"groups": [{"code": "g", "condition_vi": "các sở …"}]})
    assert board_sqlite.may_wait({"events": [{"code": "e", "name_vi": "Ký"}]})
    assert board_sqlite.may_wait("not a document")
