"""Each step is recorded once: concurrent schedulers, repeated ticks, conflicts on one task."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest

from planflow.application.app import PlanflowApp
from planflow.application.errors import ConcurrencyConflict
from planflow.domain import clock
from planflow.domain.chase import Recipient
from planflow.domain.task import Task
from planflow.scheduler.tick import Ticker, TickReport
from test_scheduler_ladder import Q1_REPORT, days, morning


def chase_counts(app: PlanflowApp) -> Counter[tuple[str, str, int, date]]:
    counts: Counter[tuple[str, str, int, date]] = Counter()
    for notification in app.recorder.select_notifications(start=1, limit=1_000_000):
        event = app.mapper.to_domain_event(notification)
        if isinstance(event, Task.ReminderSent):
            counts[
                (str(event.originator_id), "reminder", event.working_days_before, event.due)
            ] += 1
        elif isinstance(event, Task.Escalated):
            counts[(str(event.originator_id), "escalation", event.level, event.due)] += 1
        elif isinstance(event, Task.MarkedOverdue):
            counts[(str(event.originator_id), "overdue", 0, event.due)] += 1
    return counts


def test_two_schedulers_ticking_together_record_each_step_once(kg_database_url: str) -> None:
    first, second = PlanflowApp(kg_database_url), PlanflowApp(kg_database_url)
    try:
        tickers = [Ticker(first), Ticker(second)]
        conflicts = 0
        for day in days(date(2022, 3, 14), date(2022, 3, 21)):
            reports: list[TickReport] = []
            barrier = threading.Barrier(2)

            def run(
                ticker: Ticker,
                day: date = day,
                barrier: threading.Barrier = barrier,
                reports: list[TickReport] = reports,
            ) -> None:
                barrier.wait()
                reports.append(ticker.tick(morning(day)))

            threads = [threading.Thread(target=run, args=(t,)) for t in tickers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            conflicts += sum(r.conflicts for r in reports)
            # Whatever a locked database made one of them skip, the next tick catches up.
            for ticker in tickers:
                ticker.tick(morning(day) + timedelta(minutes=30))
        counts = chase_counts(first)
        assert counts and max(counts.values()) == 1
        # 36 Q1 reports (due Wed 16 Mar): reminder 3 (the 7 is superseded on the 14th), reminder
        # 1, overdue, levels 1 and 2; the Office's Q1 report (due Mon 21): reminders 7, 3 and 1.
        assert len(counts) == 36 * 5 + 3
        assert (str(Q1_REPORT), "escalation", 2, date(2022, 3, 16)) in counts
    finally:
        first.close()
        second.close()


def test_a_scheduler_that_lost_the_race_gets_a_conflict_and_records_nothing(
    kg_any_app: PlanflowApp, kg_database_url: str
) -> None:
    other = PlanflowApp(kg_database_url)
    try:
        at = morning(date(2022, 3, 15))

        def the_other_wins() -> None:
            other.record_due(Q1_REPORT, actor="other", at=at)

        # The other scheduler records while this one holds its (older) copy of the task.
        task = kg_any_app.get_task(Q1_REPORT)
        the_other_wins()
        head = Recipient("assignee_head", "so-tu-phap", "Giám đốc Sở Tư pháp")
        with (
            pytest.raises(ConcurrencyConflict),
            clock.at(at),
            kg_any_app.transaction() as session,
        ):
            task.send_reminder(
                actor="me", working_days_before=1, fire_on=date(2022, 3, 15), recipient=head
            )
            kg_any_app._save(session, task)
        reminders = [
            e for e in kg_any_app.task_events(Q1_REPORT) if isinstance(e, Task.ReminderSent)
        ]
        assert [(e.actor, e.working_days_before) for e in reminders] == [("other", 1)]
        assert kg_any_app.record_due(Q1_REPORT, actor="me", at=at) == []
    finally:
        other.close()
