"""Ticking in the background: one in-memory APScheduler job per process.

APScheduler keeps no job store here (several processes must not share one): the event store says
what has been recorded, so any number of processes may tick the same database (docs/scheduler.md).
The job asks ``clock`` for the time of each pass, so a process can run on a clock of its own — the
wall clock, or a rehearsal clock that started in the past (``planflow serve --clock-start``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from planflow.application.outage import is_outage

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


def clock_starting_at(
    start: datetime,
    real: Clock = wall_clock,
    *,
    rate: float = 1.0,
    anchor: datetime | None = None,
) -> Clock:
    """A clock that reads ``start`` at the real moment ``anchor`` (default: now) and runs
    forward ``rate`` times the real pace. Processes given the same start, anchor and rate read
    the same time (a rehearsal of several web and scheduler processes)."""
    origin = real() if anchor is None else anchor
    if rate == 1.0:
        offset: timedelta = start - origin
        return lambda: real() + offset
    return lambda: start + (real() - origin) * rate


class BackOff:
    """Runs ``job``, but while the database cannot be reached skips passes, more each time.

    The first failed pass is retried on the next one; then 1, 3, 7 … passes are skipped (at most
    ``max_skip``), with one log line per failure instead of a stack trace. The first pass that
    gets through resets it. Errors that are not an outage propagate as before.
    """

    def __init__(self, job: Callable[[datetime], None], max_skip: int = 7) -> None:
        self.job = job
        self.max_skip = max_skip
        self.failures = 0
        self.skip = 0

    def __call__(self, moment: datetime) -> bool:
        """True when the pass ran to the end."""
        if self.skip:
            self.skip -= 1
            return False
        try:
            self.job(moment)
        except Exception as exc:
            if not is_outage(exc):
                raise
            self.failures += 1
            self.skip = min(2 ** (self.failures - 1) - 1, self.max_skip)
            log.warning(
                "database unreachable (%s); the scheduler skips %d pass(es)",
                type(exc).__name__,
                self.skip,
            )
            return False
        if self.failures:
            log.warning("database reachable again after %d failed pass(es)", self.failures)
        self.failures = 0
        return True


def start_background(
    job: Callable[[datetime], None], clock: Clock, interval_seconds: float
) -> Callable[[], None]:
    """Run ``job(clock())`` now and every ``interval_seconds``, backing off while the database
    is out of reach; returns how to stop it (waiting for a pass in progress to finish)."""
    scheduler = BackgroundScheduler(timezone=UTC)
    guarded = BackOff(job)
    scheduler.add_job(
        lambda: guarded(clock()),
        IntervalTrigger(seconds=interval_seconds, timezone=UTC),
        id="planflow-tick",
        max_instances=1,
        coalesce=True,
        next_run_time=wall_clock(),  # APScheduler schedules in real time
    )
    scheduler.start()
    return lambda: scheduler.shutdown(wait=True)
