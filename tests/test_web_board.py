"""The board's SQL aggregate judges statuses exactly as the domain does, on each database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, counts_by_agency, list_tasks, per_agency
from planflow.workflow.loader import LoadedPlan


@pytest.fixture
def loaded(database_url: str, mini_plan: LoadedPlan) -> Iterator[PlanflowApp]:
    app = PlanflowApp(database_url)
    app.load_plan(mini_plan, actor="loader", at=datetime(2022, 2, 20, tzinfo=UTC))
    yield app
    app.close()


def _ids(app: PlanflowApp, duty: str, period: str | None = None) -> dict[str, UUID]:
    views = list_tasks(
        app.engine,
        datetime(2022, 3, 1, tzinfo=UTC),
        BoardFilter(duty=duty, period=period),
        as_of=False,
    )
    return {v.agency: UUID(v.id) for v in views}


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2022, 3, 1, tzinfo=UTC),
        datetime(2022, 3, 31, 16, 59, tzinfo=UTC),  # 23:59 on 31/3 in Vietnam
        datetime(2022, 3, 31, 17, 1, tzinfo=UTC),  # 00:01 on 1/4 in Vietnam
        datetime(2022, 7, 25, tzinfo=UTC),
        datetime(2022, 12, 31, tzinfo=UTC),
    ],
)
def test_sql_counts_match_the_domain_at_the_day_boundary(
    loaded: PlanflowApp, moment: datetime
) -> None:
    d1 = _ids(loaded, "D1")
    # so-a finishes one minute before local midnight of its due day, so-b one minute after.
    loaded.execute_activity(d1["so-a"], actor="a", at=datetime(2022, 3, 31, 16, 59, tzinfo=UTC))
    loaded.execute_activity(d1["so-b"], actor="b", at=datetime(2022, 3, 31, 17, 1, tzinfo=UTC))
    q1 = _ids(loaded, "D2", "2022-Q1")
    loaded.submit_report(q1["so-a"], actor="a", at=datetime(2022, 3, 10, tzinfo=UTC), document="x")
    loaded.accept_report(q1["so-a"], actor="o", at=datetime(2022, 3, 20, tzinfo=UTC))
    q2 = _ids(loaded, "D2", "2022-Q2")  # so-a sends on time and waits; so-b sends late and waits
    loaded.submit_report(q2["so-a"], actor="a", at=datetime(2022, 6, 1, tzinfo=UTC), document="x")
    loaded.submit_report(q2["so-b"], actor="b", at=datetime(2022, 7, 20, tzinfo=UTC), document="x")
    loaded.cancel(
        _ids(loaded, "D2", "2022-Q4")["so-b"],
        actor="o",
        at=datetime(2022, 4, 1, tzinfo=UTC),
        reason="x",
    )
    expected = per_agency(list_tasks(loaded.engine, moment, BoardFilter(), as_of=False))
    got = counts_by_agency(loaded.engine, moment)
    assert [r.as_json() for r in got] == [r.as_json() for r in expected]
    by_period = counts_by_agency(loaded.engine, moment, plan="mini-2022", period="2022-Q1")
    assert sum(r.total for r in by_period) == 2
