"""The board's filters, search, sorting and pagination, read from and written back to the URL, so
that every view of the board can be shared by its address."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from planflow.application.queries import AgencyRow, TaskView, per_agency
from planflow.domain.errors import InvalidArgument
from planflow.domain.status import TaskStatus
from planflow.web import board
from planflow.web.names import Names

GROUP_PREFIX = "group:"
AGENCY_SORTS = ("worst", "name", "total", "on_time")
TASK_SORTS = ("due", "agency", "status", "late")
PER_PAGE = 20
TASKS_PER_PAGE = 50


@dataclass(frozen=True)
class BoardQuery:
    plan: str | None = None
    period: str | None = None  # a code; "all" for every period
    agency: str = ""  # an agency code, or "group:<code>"
    duty: str = ""
    status: TaskStatus | None = None
    overdue_days: int | None = None  # open and late by more than this many working days
    q: str = ""
    sort: str = ""
    page: int = 1
    as_of: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> BoardQuery:
        return cls(
            plan=params.get("plan") or None,
            period=(
                "all" if params.get("period") == "all" else board.period_param(params.get("period"))
            ),
            agency=params.get("agency", "").strip(),
            duty=params.get("duty", "").strip(),
            status=board.status_param(params.get("status")),
            overdue_days=_whole(params.get("overdue_days"), "overdue_days"),
            q=params.get("q", "").strip()[:100],
            sort=params.get("sort", ""),
            page=max(1, _whole(params.get("page"), "page") or 1),
            as_of=params.get("as_of", ""),
        )

    def params(self, **changes: Any) -> dict[str, str]:
        # A plain dict, not ``replace``: a board page asks for a hundred addresses or more.
        q = self.__dict__
        if changes:
            unknown = changes.keys() - q.keys()
            if unknown:
                raise TypeError(f"unknown parameters: {sorted(unknown)}")
            q = {**q, **changes}
        status, overdue, page = q["status"], q["overdue_days"], q["page"]
        values = {
            "plan": q["plan"] or "",
            "period": q["period"] or "",
            "agency": q["agency"],
            "duty": q["duty"],
            "status": status.value if status else "",
            "overdue_days": "" if overdue is None else str(overdue),
            "q": q["q"],
            "sort": q["sort"],
            "page": "" if page == 1 else str(page),
            "as_of": q["as_of"],
        }
        return {k: v for k, v in values.items() if v}

    def url(self, path: str, **changes: Any) -> str:
        """This view's address, with some parameters changed (the page goes back to 1 unless
        given)."""
        changes.setdefault("page", 1)
        return f"{path}?{urlencode(self.params(**changes))}"

    @property
    def filtered(self) -> bool:
        return bool(self.agency or self.duty or self.status or self.q) or (
            self.overdue_days is not None
        )


def _whole(value: str | None, name: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    if not value.strip().isdigit():
        raise InvalidArgument(
            f"{name} phải là số nguyên không âm, không phải {value!r}",
            f"{name} must be a whole number, not {value!r}",
        )
    return int(value.strip())


def select(
    views: list[TaskView],
    query: BoardQuery,
    names: Names,
    late_days: Callable[[TaskView], int],
) -> list[TaskView]:
    """The tasks the filters and the search keep (the period is chosen by the caller)."""
    out = []
    phrase = " ".join(query.q.casefold().split())
    for v in views:
        if query.agency.startswith(GROUP_PREFIX):
            if not names.in_group(v.agency, query.agency.removeprefix(GROUP_PREFIX)):
                continue
        elif query.agency and v.agency != query.agency:
            continue
        if query.duty and v.duty != query.duty:
            continue
        if query.status is not None and v.status is not query.status:
            continue
        if query.overdue_days is not None and (
            v.status is not TaskStatus.OPEN_OVERDUE or late_days(v) <= query.overdue_days
        ):
            continue
        if phrase:
            text = " | ".join(
                (v.agency, names.agency(v.agency), v.duty, names.duty(v.plan, v.duty), v.title)
            )
            if phrase not in " ".join(text.casefold().split()):
                continue
        out.append(v)
    return out


def agency_rows(views: list[TaskView], sort: str, names: Names) -> list[AgencyRow]:
    """Counts per agency and status; worst first (most overdue, then most done late) unless the
    reader sorts by name, by number of tasks or by the share done on time."""
    return sort_agency_rows(per_agency(views), sort, names)


def sort_agency_rows(rows: list[AgencyRow], sort: str, names: Names) -> list[AgencyRow]:
    """``agency_rows``' order over counts already made (by the database)."""
    if sort == "name":
        return sorted(rows, key=lambda r: names.agency(r.agency).casefold())
    if sort == "total":
        return sorted(rows, key=lambda r: (-r.total, names.agency(r.agency)))
    if sort == "on_time":
        return sorted(rows, key=lambda r: (-_on_time_share(r), names.agency(r.agency)))
    return sorted(
        rows,
        key=lambda r: (
            -r.overdue,
            -r.counts.get(TaskStatus.DONE_LATE.value, 0),
            names.agency(r.agency),
        ),
    )


def _on_time_share(row: AgencyRow) -> float:
    return row.counts.get(TaskStatus.DONE_ON_TIME.value, 0) / row.total if row.total else 0.0


_STATUS_RANK = {s: i for i, s in enumerate(board.STATUS_ORDER)}


def sort_tasks(
    views: list[TaskView], sort: str, names: Names, late_days: Callable[[TaskView], int]
) -> list[TaskView]:
    if sort == "agency":
        return sorted(views, key=lambda v: (names.agency(v.agency), v.due, v.duty))
    if sort == "status":
        return sorted(views, key=lambda v: (_STATUS_RANK[v.status], v.due, v.agency))
    if sort == "late":
        return sorted(views, key=lambda v: (-late_days(v), v.due, v.agency))
    return sorted(views, key=lambda v: (v.due, names.agency(v.agency), v.duty))


@dataclass(frozen=True)
class Page:
    number: int
    pages: int
    total: int
    first: int  # 1-based index of the first item shown (0 if none)
    last: int


def paginate(items: list[Any], page: int, per_page: int) -> tuple[list[Any], Page]:
    pages = max(1, -(-len(items) // per_page))
    number = min(page, pages)
    start = (number - 1) * per_page
    shown = items[start : start + per_page]
    return shown, Page(number, pages, len(items), start + 1 if shown else 0, start + len(shown))
