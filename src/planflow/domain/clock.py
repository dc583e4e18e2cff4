"""The injected clock.

Every event's timestamp comes from here, never from the wall clock deep inside the domain. The
application sets the time for each command (``at``), so deadlines, reminders and escalations are
testable by moving a clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_now: ContextVar[datetime | None] = ContextVar("planflow_now", default=None)


class ClockNotSet(RuntimeError):
    """An event was created outside ``clock.at(...)``: a programming error."""


def now() -> datetime:
    """The injected current time (timezone-aware, UTC)."""
    value = _now.get()
    if value is None:
        raise ClockNotSet("no time was injected: wrap the command in clock.at(time)")
    return value


@contextmanager
def at(moment: datetime) -> Iterator[datetime]:
    """Run the enclosed commands as if it were ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("the injected time must be timezone-aware")
    token = _now.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _now.reset(token)


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam at ``moment`` (deadlines are Vietnamese dates)."""
    return moment.astimezone(LOCAL_TZ).date()
