"""Duties in a table: 'Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành'.

The header row is found by its folded column names; each following row with a task and a lead
agency is a duty, numbered by its first column (STT) under the appendix (PL).
"""

from __future__ import annotations

from planflow.domain.calendar import WorkingCalendar
from planflow.ingest.duties import _PERSONAL, DutyDraft, _schedule
from planflow.ingest.fold import fold
from planflow.ingest.matching import Matcher
from planflow.ingest.schedule import fixed
from planflow.ingest.sections import Document

_COLUMNS = {
    "task": ("nhiem vu", "noi dung"),
    "lead": ("chu tri", "co quan thuc hien", "don vi thuc hien"),
    "with": ("phoi hop",),
    "when": ("thoi gian", "thoi han", "tien do"),
}


def _columns(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        folded = fold(cell)
        for key, words in _COLUMNS.items():
            if key not in found and any(w in folded for w in words):
                found[key] = i
                break
    return found


def table_duties(
    doc: Document, matcher: Matcher, year: int, calendar: WorkingCalendar
) -> list[DutyDraft]:
    duties: list[DutyDraft] = []
    for t_index, table in enumerate(doc.tables, start=1):
        columns: dict[str, int] = {}
        for number, cells in table:
            if not columns:
                found = _columns(cells)
                if "task" in found and "lead" in found:
                    columns = found
                continue
            task = cells[columns["task"]] if columns["task"] < len(cells) else ""
            lead_text = cells[columns["lead"]] if columns["lead"] < len(cells) else ""
            lead = matcher.mentions(lead_text)
            if not task.strip() or not lead:
                continue
            stt = cells[0].strip().rstrip(".") if columns["task"] != 0 else ""
            label = stt if stt and stt.replace(".", "").isalnum() else str(len(duties) + 1)
            prefix = "PL" if len(doc.tables) == 1 else f"PL{t_index}"
            coop = []
            if "with" in columns and columns["with"] < len(cells):
                coop = matcher.mentions(cells[columns["with"]])
            when = (
                cells[columns["when"]] if "when" in columns and columns["when"] < len(cells) else ""
            )
            duty = DutyDraft(
                id=f"{prefix}.{label}",
                section=f"{prefix}.{label}",
                text=task,
                lines=(number, number),
                assignees=lead,
                cooperating=coop,
                assignee_source="table",
                personal_responsibility=bool(_PERSONAL.search(fold(task))),
            )
            _schedule(duty, year, calendar)
            if when and duty.done_when != "report":
                stated = fixed("trước " + when if when[:1].isdigit() else when, year, calendar)
                if stated is not None:
                    duty.schedule = stated
            duties.append(duty)
    return duties
