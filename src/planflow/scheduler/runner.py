"""Ticking in the background: one in-memory APScheduler job per process.

APScheduler keeps no job store here (several processes must not share one): the event store says
what has been recorded, so any number of processes may tick the same database (docs/scheduler.md).
The job asks ``clock`` for the time of each pass, so a process can run on a clock of its own — the
wall clock, or a rehearsal clock that started in the past (``planflow serve --clock-start``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


def clock_starting_at(start: datetime, real: Clock = wall_clock) -> Clock:
    """A clock that reads ``start`` now and then runs forward at the real pace."""
    offset: timedelta = start - real()
    return lambda: real() + offset


def start_background(
    job: Callable[[datetime], None], clock: Clock, interval_seconds: float
) -> Callable[[], None]:
    """Run ``job(clock())`` now and every ``interval_seconds``; returns how to stop it (waiting
    for a pass in progress to finish)."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        lambda: job(clock()),
        IntervalTrigger(seconds=interval_seconds, timezone=UTC),
        id="planflow-tick",
        max_instances=1,
        coalesce=True,
        next_run_time=wall_clock(),  # APScheduler schedules in real time
    )
    scheduler.start()
    return lambda: scheduler.shutdown(wait=True)
