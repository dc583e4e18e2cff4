"""The board's SQL aggregate judges statuses exactly as the domain does, on each database."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, counts_by_agency, list_tasks, per_agency


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


def test_the_inbox_lists_news_for_an_agency_and_keeps_read_marks_through_a_rebuild(
    loaded: PlanflowApp,
) -> None:
    from planflow.application.queries import AGENCY_EVENTS, Audience, inbox, mark_read
    from planflow.application.queries import unread_count as unread

    task = _ids(loaded, "D2", "2022-Q1")["so-a"]
    at = datetime(2022, 3, 10, tzinfo=UTC)
    loaded.chase_up(task, actor="director", at=at, note="Nhanh")
    officer = Audience("officer-a", "so-a", AGENCY_EVENTS)
    [item] = inbox(loaded.engine, officer, at, limit=10)
    assert (item.event_type, item.recipient_title, item.read) == (
        "ChaseUpSent",
        "Giám đốc Sở A",
        False,
    )
    assert inbox(loaded.engine, Audience("officer-b", "so-b", AGENCY_EVENTS), at, limit=10) == []
    assert mark_read(loaded.engine, officer, at, [(item.task_id, item.version)]) == 1
    assert mark_read(loaded.engine, officer, at, None) == 0  # nothing left, nothing twice
    loaded.rebuild_read_models()
    assert unread(loaded.engine, officer, at) == 0
    assert [i.read for i in inbox(loaded.engine, officer, at, limit=10)] == [True]


def test_the_unread_count_is_the_number_of_unread_items_the_inbox_lists(
    loaded: PlanflowApp,
) -> None:
    """The header's count reads only the event index and the read marks (no join to the board):
    it must still agree with the inbox's list, whatever is marked read and by whom."""
    from planflow.application.queries import (
        AGENCY_EVENTS,
        Audience,
        inbox,
        inbox_count,
        mark_read,
        unread_count,
    )

    at = datetime(2022, 3, 10, tzinfo=UTC)
    for duty in ("D1", "D2"):
        for ref in _ids(loaded, duty).values():
            loaded.chase_up(ref, actor="director", at=at, note="Nhanh")
    officer = Audience("officer-a", "so-a", AGENCY_EVENTS)
    colleague = Audience("officer-a2", "so-a", AGENCY_EVENTS)
    items = inbox(loaded.engine, officer, at, limit=100)
    assert len(items) == 2
    mark_read(loaded.engine, officer, at, [(items[0].task_id, items[0].version)])
    mark_read(loaded.engine, colleague, at, None)  # another account's marks do not count
    for who in (officer, colleague, Audience("officer-b", "so-b", AGENCY_EVENTS)):
        listed = inbox(loaded.engine, who, at, limit=100)
        assert unread_count(loaded.engine, who, at) == sum(not i.read for i in listed)
        assert inbox_count(loaded.engine, who, at) == len(listed)
    assert unread_count(loaded.engine, officer, at) == len(items) - 1
    assert unread_count(loaded.engine, colleague, at) == 0
    earlier = datetime(2022, 3, 9, tzinfo=UTC)
    assert unread_count(loaded.engine, officer, earlier) == 0
