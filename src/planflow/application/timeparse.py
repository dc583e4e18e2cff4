"""Times typed on the command line. Naive times are Vietnam time (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from planflow.domain.clock import LOCAL_TZ

OFFICE_OPENS = time(8, 0)


class TimeFormatError(ValueError):
    pass


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise TimeFormatError(
            f"ngày không hợp lệ {value!r} (dùng YYYY-MM-DD) / invalid date {value!r} (use YYYY-MM-DD)"
        ) from None


def parse_moment(value: str, *, bare_date: str) -> datetime:
    """An ISO date or date-time. A bare date means 08:00 that day (``bare_date="start"``, for the
    time of an action) or the end of that day (``bare_date="end"``, for "as it stood on")."""
    value = value.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            if bare_date == "end":
                moment = datetime.combine(day + timedelta(days=1), time(0)) - timedelta(
                    microseconds=1
                )
            else:
                moment = datetime.combine(day, OFFICE_OPENS)
            return moment.replace(tzinfo=LOCAL_TZ)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise TimeFormatError(
            f"thời điểm không hợp lệ {value!r} / invalid time {value!r} "
            "(use 2022-03-16 or 2022-03-16T14:30 or 2022-03-16T14:30+07:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)
