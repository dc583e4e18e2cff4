"""Dates and times as people type them: ISO (2022-03-10, 2022-03-10T14:30) or the Vietnamese way
(10/03/2022, 10/03/2022 14:30), the format the pages and letters themselves print. Naive times are
Vietnam time (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from planflow.domain.clock import LOCAL_TZ

OFFICE_OPENS = time(8, 0)

_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_VN_MOMENT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?")

DATE_FORMATS = "dd/mm/yyyy, e.g. 10/03/2022, or 2022-03-10"


class TimeFormatError(ValueError):
    pass


def _date_or_none(value: str) -> date | None:
    """The date ``value`` names, or None if it is not a date in either form."""
    value = value.strip()
    try:
        match = _VN_DATE.fullmatch(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        return None
    return None


def parse_date(value: str) -> date:
    """10/03/2022 or 2022-03-10."""
    found = _date_or_none(value)
    if found is None:
        raise TimeFormatError(
            f"ngày không hợp lệ {value!r} (dùng dd/mm/yyyy, ví dụ 10/03/2022, hoặc 2022-03-10) / "
            f"invalid date {value!r} (use {DATE_FORMATS})"
        )
    return found


def _vn_moment(value: str) -> datetime | None:
    match = _VN_MOMENT.fullmatch(value)
    if not match:
        return None
    day, month, year, hour, minute = (int(g) for g in match.groups()[:5])
    second = int(match.group(6) or 0)
    return datetime(year, month, day, hour, minute, second)


def parse_moment(value: str, *, bare_date: str) -> datetime:
    """A date or a date and time, ISO or dd/mm/yyyy [HH:MM]. A bare date means 08:00 that day
    (``bare_date="start"``, for the time of an action) or the end of that day
    (``bare_date="end"``, for "as it stood on")."""
    value = value.strip()
    try:
        day = _date_or_none(value)
        if day is not None:
            if bare_date == "end":
                moment = datetime.combine(day + timedelta(days=1), time(0)) - timedelta(
                    microseconds=1
                )
            else:
                moment = datetime.combine(day, OFFICE_OPENS)
            return moment.replace(tzinfo=LOCAL_TZ)
        found = _vn_moment(value)
        moment = found if found is not None else datetime.fromisoformat(value)
    except ValueError:
        raise TimeFormatError(
            f"thời điểm không hợp lệ {value!r} (dùng 16/03/2022 hoặc 16/03/2022 14:30, giờ Việt "
            f"Nam) / invalid time {value!r} (use 16/03/2022 or 16/03/2022 14:30, Vietnam time; "
            "or 2022-03-16T14:30+07:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)
