"""The director's board, shaped for the pages and the API from task views: the agencies × duties
grid, totals, on-time rates by period; and the parsing of the board's query parameters. The
counts per agency come from ``planflow.application.queries``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from planflow.application.queries import AgencyRow, TaskView, per_agency
from planflow.application.queries.pages import GridCell
from planflow.application.timeparse import TimeFormatError, parse_moment
from planflow.domain.errors import InvalidArgument
from planflow.domain.periods import Period
from planflow.domain.status import TaskStatus, parse_status

__all__ = [
    "STATUS_ORDER",
    "AgencyRow",
    "Grid",
    "grid",
    "moment_param",
    "on_time_rates",
    "per_agency",
    "period_param",
    "periods",
    "status_param",
    "totals",
]

STATUS_ORDER = (
    TaskStatus.OPEN_OVERDUE,
    TaskStatus.DONE_LATE,
    TaskStatus.OPEN_IN_TIME,
    TaskStatus.DONE_ON_TIME,
)


def moment_param(value: str | None, *, end_of_day: bool = True) -> datetime | None:
    if not value:
        return None
    try:
        return parse_moment(value, bare_date="end" if end_of_day else "start")
    except TimeFormatError:
        raise InvalidArgument(
            f"Thời điểm không hợp lệ {value!r} (dùng 2022-03-16 hoặc 2022-03-16T14:30)",
            f"invalid time {value!r} (use 2022-03-16 or 2022-03-16T14:30)",
        ) from None


def status_param(value: str | None) -> TaskStatus | None:
    return parse_status(value) if value else None


def period_param(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return Period.parse(value).code
    except ValueError:
        raise InvalidArgument(
            f"Kỳ báo cáo không hợp lệ {value!r} (ví dụ 2022-Q1, 2022-H1, 2022-Y, 2022)",
            f"invalid period {value!r} (e.g. 2022-Q1, 2022-H1, 2022-Y, 2022)",
        ) from None


def totals(views: list[TaskView]) -> dict[str, int]:
    counts = Counter(v.status.value for v in views)
    return {s.value: counts.get(s.value, 0) for s in TaskStatus}


@dataclass(frozen=True)
class Grid:
    agencies: list[AgencyRow]
    duties: list[str]
    cells: Mapping[tuple[str, str], TaskView | GridCell]


def grid(views: list[TaskView]) -> Grid:
    duties = sorted({v.duty for v in views}, key=_duty_key)
    cells = {(v.agency, v.duty): v for v in views}
    return Grid(per_agency(views), duties, cells)


def _duty_key(duty: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in duty.replace("-", ".").split(".")]


def periods(views: list[TaskView]) -> list[str]:
    return sorted({v.period for v in views}, key=_period_key)


def _period_key(code: str) -> tuple[int, int, str]:
    try:
        p = Period.parse(code)
    except ValueError:
        return (0, 0, code)
    cutoff_end = p.cutoff()[1]
    return (cutoff_end.year, cutoff_end.toordinal(), code)


def on_time_rates(views: list[TaskView]) -> tuple[list[str], dict[str, dict[str, float | None]]]:
    """Per agency and period: the share of tasks done on time, among those already due or done."""
    judged: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for v in views:
        if v.status is TaskStatus.OPEN_IN_TIME:
            continue  # not yet judgeable
        cell = judged[(v.agency, v.period)]
        cell[1] += 1
        if v.status is TaskStatus.DONE_ON_TIME:
            cell[0] += 1
    codes = periods(views)
    out: dict[str, dict[str, float | None]] = {}
    for agency in sorted({v.agency for v in views}):
        out[agency] = {}
        for period in codes:
            ok, total = judged.get((agency, period), (0, 0))
            out[agency][period] = ok / total if total else None
    return codes, out
