"""The words of the board's and the auditor's pages, computed once per page in Python instead of
once per cell by calls from the templates (each call from Jinja costs several times the
lookup it makes). The templates only place these strings; Jinja still escapes every one of them,
and escaping a joined string is escaping each of its parts, so the pages are byte for byte the
same as when the templates joined the parts themselves."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from planflow.application.queries import TaskView
from planflow.application.queries.pages import GridCell
from planflow.domain.status import TaskStatus
from planflow.web.names import Names
from planflow.web.pages.common import _vndate

SYMBOLS = {"done_on_time": "✓", "done_late": "◑", "open_in_time": "○", "open_overdue": "✕"}


@dataclass(frozen=True)
class Cell:
    """One task in the agencies × duties grid."""

    id: str
    status: str
    aria: str
    title: str
    text: str


@dataclass(frozen=True)
class Row:
    """One task in a list (the task list, the auditor's board)."""

    view: TaskView
    due: str
    agency: str
    duty: str  # the full title
    short: str  # the short title
    section: str
    period: str
    symbol: str
    status: str  # the status's words


def duty_options(names: Names, duties: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """The duty filter's choices: (value, title, text)."""
    return [
        (d, names.duty(p, d), f"{names.section(p, d)} — {names.duty_short(p, d)}")
        for p, d in duties
    ]


def agency_options(names: Names, agencies: Sequence[str]) -> list[tuple[str, str]]:
    """The agency filter's choices: (code, name)."""
    return [(a, names.agency(a)) for a in agencies]


def status_names(names: Names) -> dict[str, str]:
    return {s.value: names.status(s) for s in TaskStatus}


def chart_titles(
    names: Names, agencies: Sequence[str], periods: Sequence[str], labels: Sequence[Sequence[str]]
) -> list[list[str]]:
    """The trend's bar titles: "agency — period: share", per agency and period."""
    period_names = [names.period(code) for code in periods]
    return [
        [f"{names.agency(a)} — {p}: {label}" for p, label in zip(period_names, row, strict=False)]
        for a, row in zip(agencies, labels, strict=True)
    ]


def grid_cells(
    names: Names,
    agencies: Sequence[str],
    duties: Sequence[str],
    cells: Mapping[tuple[str, str], TaskView | GridCell],
    gettext: Callable[[str], str],
) -> list[list[Cell | None]]:
    """Each agency's row of cells, one per duty (``None``: not assigned)."""
    statuses = status_names(names)
    flagged = f" — {gettext('has an open difficulty')}"
    due_word = gettext("due")
    out = []
    for agency in agencies:
        row: list[Cell | None] = []
        for duty in duties:
            v = cells.get((agency, duty))
            if v is None:
                row.append(None)
                continue
            word = v.status.value
            flag = bool(v.open_difficulties)
            aria = (
                f"{names.agency(v.agency)} — {names.duty_short(v.plan, v.duty)} — {statuses[word]}"
            )
            title = f"{names.duty(v.plan, v.duty)} — {statuses[word]} — {due_word} {_vndate(v.due)}"
            text = SYMBOLS[word] + ("!" if flag else "")
            row.append(Cell(v.id, word, aria + (flagged if flag else ""), title, text))
        out.append(row)
    return out


def rows(names: Names, views: Sequence[TaskView]) -> list[Row]:
    """The words of a list's rows."""
    periods: dict[str, str] = {}
    statuses = status_names(names)
    out = []
    for v in views:
        if v.period not in periods:
            periods[v.period] = names.period(v.period)
        out.append(
            Row(
                v,
                _vndate(v.due),
                names.agency(v.agency),
                names.duty(v.plan, v.duty),
                names.duty_short(v.plan, v.duty),
                names.section(v.plan, v.duty),
                periods[v.period],
                SYMBOLS[v.status.value],
                statuses[v.status.value],
            )
        )
    return out
