"""The background runner: a rehearsal clock, and a job that ticks on the clock it is given."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from planflow.scheduler.runner import clock_starting_at, start_background


def test_a_clock_started_in_the_past_moves_at_the_real_pace() -> None:
    real_now = [datetime(2026, 11, 27, 5, 0, tzinfo=UTC)]
    clock = clock_starting_at(datetime(2022, 3, 20, 1, 0, tzinfo=UTC), real=lambda: real_now[0])
    assert clock() == datetime(2022, 3, 20, 1, 0, tzinfo=UTC)
    real_now[0] += timedelta(minutes=90)
    assert clock() == datetime(2022, 3, 20, 2, 30, tzinfo=UTC)


def test_the_background_job_runs_at_once_on_the_given_clock_and_stops() -> None:
    seen: list[datetime] = []
    ran = threading.Event()
    rehearsal = datetime(2022, 3, 20, 1, 0, tzinfo=UTC)

    def job(moment: datetime) -> None:
        seen.append(moment)
        ran.set()

    stop = start_background(job, lambda: rehearsal, interval_seconds=3600)
    try:
        assert ran.wait(10), "the first pass did not run"
    finally:
        stop()
    assert seen == [rehearsal]
