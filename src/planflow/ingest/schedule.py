"""A duty's schedule read from its words: fixed dates in their many phrasings, recurring reports.

When the plan states nothing, a default is chosen by a stated rule (``chosen``), so a person can see
what was assumed. Dates are on the plan year's working-day calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from planflow.domain.calendar import WorkingCalendar
from planflow.domain.periods import Period, PeriodKind
from planflow.ingest.fold import fold, loose_re, strip_marks

ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class ScheduleDraft:
    due: dt.date | None = None
    every: tuple[str, ...] = ()
    submit_days: int | None = None
    monthly: bool = False
    phrase: str = ""  # the words it was read from
    rule: str = ""  # the rule used when chosen
    chosen: bool = False
    confidence: str = "high"


_TRIGGER = re.compile(
    r"\bd\w{0,2}nh k[iy]\b|\bh\w{0,2}ng (?:q\w?y|th\w{0,2}ng|n\w?m)\b|\b(?:moi|tung) q\w?y\b"
)
_REPORT = re.compile(r"\bb[a-z]{0,2}o c[a-z]{0,2}o\b")
_QUARTER = re.compile(r"\bq\w?y\b")
_HALF = re.compile(r"\b(6|sau) th\w{1,3}ng\b")
_NINE = re.compile(r"\b(9|chin) th\w{1,3}ng\b")
_YEAR = re.compile(r"\bn[a-z]m\b")
_MONTH = re.compile(r"\bh\w{1,3}ng th\w{1,3}ng\b")
_STATED_DAY = re.compile(
    r"\bngay (\d{1,2}) (?:cua )?th\w{1,3}ng cu\w{1,3}i (?:q\w{1,3}|k\w{1,2})\b"
)

_DMY = re.compile(
    r"\b(?:truoc|cham nhat|han|den|trong|hoan thanh|xong)\s+(?:(?:ngay|ngay)\s+)?"
    r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?"
)
_DAY_MONTH = re.compile(
    r"\b(?:truoc|cham nhat|han|den)\s+(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?"
)
_IN_MONTH = re.compile(r"\btrong thang (\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?")
# An OCR model reads the roman I as l, 1 or |: 'quý l' is 'quý I'.
_IN_QUARTER = re.compile(
    r"\b(?:trong|truoc het|het|cuoi) quy ([ivl1|]{1,3}|[2-4])(?![\w/])(?:\s*(?:/|nam)\s*(\d{4}))?"
)
_FIRST_HALF = re.compile(r"\b(?:trong )?6 thang dau nam\b")
_IN_YEAR = re.compile(r"\b(?:trong|hoan thanh trong) nam (\d{4})\b")


def last_working_day(calendar: WorkingCalendar, day: dt.date) -> dt.date:
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _plain(text: str) -> str:
    return " ".join(strip_marks(text).lower().split())


def recurring(text: str, year: int, calendar: WorkingCalendar) -> ScheduleDraft | None:
    """Periodic reports: 'định kỳ hằng quý, 6 tháng, năm', 'hằng tháng', with a stated day."""
    folded = fold(text)
    report = _REPORT.search(folded)
    if report is None:
        return None
    for trigger in _TRIGGER.finditer(folded):
        before = folded[: trigger.start()].split()
        gap_after = len(folded[report.end() : trigger.start()].split())
        gap_before = len(folded[trigger.end() : report.start()].split())
        if not (
            (trigger.start() < report.start() and gap_before <= 14)
            or (trigger.start() > report.start() and gap_after <= 4)
        ):
            continue
        end = report.start() if report.start() > trigger.start() else len(folded)
        window = " ".join(folded[trigger.start() : end].split()[:9])
        every: list[str] = []
        if _QUARTER.search(window):
            every.append("quarter")
        if _HALF.search(window):
            every.append("half_year")
        if _NINE.search(window):
            every.append("nine_months")
        if _YEAR.search(window):
            every.append("year")
        monthly = bool(_MONTH.search(window))
        phrase = " ".join(folded[trigger.start() :].split()[:8])
        del before
        if not every and not monthly:
            return ScheduleDraft(
                every=("quarter", "half_year", "year"),
                phrase=phrase,
                rule="'định kỳ' without periods: quarter, six months and year (Decree 09/2019)",
                chosen=True,
                confidence="medium",
            )
        stated = _STATED_DAY.search(_plain(text))
        submit = None
        if stated and every:
            day = int(stated.group(1))
            cutoff = Period(year, PeriodKind.QUARTER, 1).cutoff()[1]
            try:
                submit = max(1, calendar.working_days_between(cutoff, dt.date(year, 3, day)))
            except ValueError:
                submit = None
        return ScheduleDraft(
            every=tuple(every) or ("quarter",),
            submit_days=submit,
            monthly=monthly,
            phrase=phrase,
            confidence="high" if every else "low",
        )
    return None


def fixed(text: str, year: int, calendar: WorkingCalendar) -> ScheduleDraft | None:
    """A stated deadline: 'trước ngày 30/6/2023', 'chậm nhất ngày 15 tháng 11', 'trong quý III'."""
    plain = _plain(text.replace("&", "e"))
    for pattern in (_DMY, _DAY_MONTH):
        if m := pattern.search(plain):
            day, month = int(m.group(1)), int(m.group(2))
            stated_year = int(m.group(3)) if m.group(3) else year
            try:
                due = dt.date(stated_year, month, day)
            except ValueError:
                continue
            return ScheduleDraft(due=due, phrase=m.group(0))
    if m := _IN_MONTH.search(plain):
        month = int(m.group(1))
        if 1 <= month <= 12:
            stated_year = int(m.group(2)) if m.group(2) else year
            due = last_working_day(calendar, _month_end(stated_year, month))
            return ScheduleDraft(due=due, phrase=m.group(0), rule="last working day of the month")
    if m := _IN_QUARTER.search(plain):
        token = m.group(1)
        quarter = int(token) if token in "234" else ROMAN_Q.get(re.sub(r"[l1|]", "i", token), 0)
        if not quarter:
            return None
        stated_year = int(m.group(2)) if m.group(2) else year
        due = last_working_day(calendar, _month_end(stated_year, quarter * 3))
        return ScheduleDraft(due=due, phrase=m.group(0), rule="last working day of the quarter")
    if m := _FIRST_HALF.search(plain):
        due = last_working_day(calendar, dt.date(year, 6, 30))
        return ScheduleDraft(due=due, phrase=m.group(0), rule="last working day of June")
    return None


_YEARLY = loose_re("hang nam")
_MIDYEAR = loose_re("thiet lap", "quy che")
_SETUP = loose_re(
    "xay dung ke hoach", "lap du toan", "bo tri", "danh muc", "thanh lap", "kien toan", "phan cong"
)


def default_due(text: str, year: int, calendar: WorkingCalendar) -> ScheduleDraft:
    """The plan names no day: choose one by what kind of work it is (docs/ingestion.md)."""
    folded = fold(text)
    if _YEARLY.search(folded):
        rule, day = "yearly work, judged at the year's end: last working day of the year", (12, 31)
    elif _MIDYEAR.search(folded[:400]):
        rule, day = "setting up a channel or a regulation: last working day of June", (6, 30)
    elif _SETUP.search(" ".join(folded.split()[:40])):
        rule, day = (
            "set-up work (a plan, a list, an estimate, staff): last working day of March",
            (
                3,
                31,
            ),
        )
    else:
        rule, day = (
            "continuing work, judged at the year's end: last working day of the year",
            (
                12,
                31,
            ),
        )
    due = last_working_day(calendar, dt.date(year, *day))
    return ScheduleDraft(due=due, rule=rule, chosen=True, confidence="medium")
