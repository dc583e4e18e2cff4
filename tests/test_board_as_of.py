"""The board as of a past time is computed by the database from the task-event index
(``queries.counts_by_agency(as_of=True)``, ``queries.list_tasks(as_of=True)``); it must say what a
replay of every task's own events says, on the Kiên Giang plan played through 2022
(summary_year.py), at several instants, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from uuid import UUID

import pytest
from sqlalchemy import select

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, counts_by_agency, list_tasks
from planflow.application.queries.tasks import as_of_rows
from planflow.application.tables import board
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import COOPERATING
from planflow.workflow.loader import LoadedPlan
from summary_year import PLAN, played_year

INSTANTS = [
    datetime(2022, 2, 15, 7, 59, tzinfo=LOCAL_TZ),  # before the plan was loaded: an empty board
    datetime(2022, 3, 31, 17, 0, tzinfo=LOCAL_TZ),
    datetime(2022, 7, 1, 8, 0, tzinfo=LOCAL_TZ),
    datetime(2022, 10, 3, 9, 0, tzinfo=LOCAL_TZ),
    datetime(2022, 12, 31, 23, 59, tzinfo=LOCAL_TZ),
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kien_giang: LoadedPlan
) -> Iterator[PlanflowApp]:
    with played_year(request.param, tmp_path_factory.mktemp("as-of"), kien_giang) as app:
        yield app


def replayed(app: PlanflowApp, moment: datetime) -> dict[str, tuple[str, str, str, bool, int]]:
    """Each task's (agency, status, role, cancelled, version) at ``moment``, from its own events."""
    with app.engine.connect() as connection:
        ids = list(connection.execute(select(board.c.id)).scalars())
    found = {}
    for ref in ids:
        versions = [
            e.originator_version for e in app.task_events(UUID(ref)) if e.timestamp <= moment
        ]
        if not versions:
            continue
        task = app.get_task(UUID(ref), version=max(versions))
        found[ref] = (
            task.agency,
            task.status(moment).value,
            task.role,
            task.cancelled,
            task.version,
        )
    return found


@pytest.mark.parametrize("moment", INSTANTS, ids=lambda m: f"{m:%Y-%m-%d}")
def test_the_database_as_of_board_counts_what_a_replay_of_every_task_counts(
    year: PlanflowApp, moment: datetime
) -> None:
    tasks = replayed(year, moment)
    expected: Counter[tuple[str, str]] = Counter()
    cooperating: Counter[str] = Counter()
    for agency, status, role, cancelled, _version in tasks.values():
        if cancelled:
            continue
        if role == COOPERATING:
            cooperating[agency] += 1
        else:
            expected[agency, status] += 1
    rows = counts_by_agency(year.engine, moment, plan=PLAN, as_of=True)
    counted = Counter({(r.agency, s): n for r in rows for s, n in r.counts.items() if n})
    assert counted == expected
    assert {r.agency: r.cooperating for r in rows if r.cooperating} == dict(cooperating)
    if moment == INSTANTS[0]:
        assert rows == []
    else:
        assert sum(expected.values()) > 400


@pytest.mark.parametrize("moment", INSTANTS[1:], ids=lambda m: f"{m:%Y-%m-%d}")
def test_every_as_of_task_row_is_the_task_as_its_events_left_it_then(
    year: PlanflowApp, moment: datetime
) -> None:
    tasks = replayed(year, moment)
    views = list_tasks(year.engine, moment, BoardFilter(include_cancelled=True), as_of=True)
    assert {v.id: (v.agency, v.status.value, v.role, v.cancelled, v.version) for v in views} == (
        tasks
    )


def test_the_as_of_board_differs_from_the_current_one_where_the_year_moved_on(
    year: PlanflowApp,
) -> None:
    """Guards the comparison above against an as-of query that returns the current board."""
    then = counts_by_agency(year.engine, INSTANTS[1], plan=PLAN, as_of=True)
    now = counts_by_agency(year.engine, INSTANTS[1], plan=PLAN)
    assert then != now


@pytest.mark.parametrize("year", ["postgres"], indirect=True)  # DISTINCT ON is PostgreSQL's
@pytest.mark.parametrize("moment", INSTANTS, ids=lambda m: f"{m:%Y-%m-%d}")
def test_the_distinct_on_form_and_the_per_row_lookup_return_the_same_rows(
    year: PlanflowApp, moment: datetime
) -> None:
    """PostgreSQL reads the as-of rows with DISTINCT ON; callers without the dialect (and SQLite)
    get the lookup per board row. Every column of every row must agree."""
    assert year.engine.dialect.name == "postgresql"
    with year.engine.connect() as connection:
        distinct_on = set(connection.execute(as_of_rows(moment, "postgresql")))
        per_row = set(connection.execute(as_of_rows(moment)))
    assert distinct_on == per_row
    assert (moment == INSTANTS[0]) == (not distinct_on)
