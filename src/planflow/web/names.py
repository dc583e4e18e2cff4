"""Names instead of codes, in the reader's language: agencies, periods (in officials' words),
duties (a short title, the full one and the section code), statuses and event kinds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from planflow.application.queries import PlanInfo
from planflow.domain.labels import window_words
from planflow.domain.periods import Period, PeriodKind
from planflow.domain.status import TaskStatus
from planflow.web.i18n import pick

_PERIOD_EN = {
    PeriodKind.QUARTER: "Quarter {n} of {y}",
    PeriodKind.HALF_YEAR: "First six months of {y}",
    PeriodKind.NINE_MONTHS: "Nine months of {y}",
    PeriodKind.YEAR: "Year {y}",
    PeriodKind.ONCE: "During {y}",
    PeriodKind.MONTH: "Month {n} of {y}",
    PeriodKind.WEEK: "Week {n} of {y}",
}


def period_label(lang: str, code: str) -> str:
    """'Quý 1 năm 2022', '6 tháng đầu năm 2022', 'Năm 2022' (or English); a bad code as it is."""
    try:
        p = Period.parse(code)
    except ValueError:
        return code
    vi = f"Trong năm {p.year}" if p.kind is PeriodKind.ONCE else p.label_vi
    return pick(lang, vi, _PERIOD_EN[p.kind].format(n=p.number, y=p.year))


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_short(lang: str, code: str) -> str:
    """A column heading: 'Quý I/2022', '6 tháng/2022', '9 tháng/2022', 'Năm 2022'."""
    try:
        p = Period.parse(code)
    except ValueError:
        return code
    if p.kind is PeriodKind.QUARTER:
        return pick(lang, f"Quý {_ROMAN[p.number]}/{p.year}", f"Q{p.number} {p.year}")
    if p.kind is PeriodKind.HALF_YEAR:
        return pick(lang, f"6 tháng/{p.year}", f"H1 {p.year}")
    if p.kind is PeriodKind.NINE_MONTHS:
        return pick(lang, f"9 tháng/{p.year}", f"9M {p.year}")
    if p.kind is PeriodKind.MONTH:
        return pick(lang, f"Tháng {p.number}/{p.year}", f"M{p.number:02d} {p.year}")
    if p.kind is PeriodKind.WEEK:
        return pick(lang, f"Tuần {p.number}/{p.year}", f"W{p.number:02d} {p.year}")
    if p.kind is PeriodKind.ONCE:
        return pick(lang, f"Trong năm {p.year}", f"During {p.year}")
    return pick(lang, f"Năm {p.year}", f"Year {p.year}")


def short_title(title: str, limit: int = 48) -> str:
    """The start of a duty's title: its first clause, or more when that clause is too short to
    tell duties apart, cut at a word before ``limit`` characters."""
    text = " ".join(title.split())
    head = re.split(r"[,;:(]", text, maxsplit=1)[0].strip()
    if len(head) < 24:
        head = text
    if len(head) <= limit:
        return head if head == text else head + "…"
    return head[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass
class Names:
    """What the pages show for codes, built once per request from the stored plans."""

    lang: str
    agencies: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # agency → its group (kind)
    heads: dict[str, str] = field(default_factory=dict)  # agency → its head's title
    duties: dict[tuple[str, str], str] = field(default_factory=dict)  # (plan, duty) → title
    sections: dict[tuple[str, str], str] = field(default_factory=dict)  # (plan, duty) → section
    groups: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)  # → name, kinds
    plans: dict[str, str] = field(default_factory=dict)  # plan code → title

    @classmethod
    def of(cls, lang: str, plans: list[PlanInfo]) -> Names:
        names = cls(lang)
        for plan in plans:
            names.plans[plan.code] = (
                plan.title_en if lang == "en" and plan.title_en else plan.title_vi
            )
            for a in plan.document.get("agencies", []):
                if a["code"] in names.agencies:
                    continue
                en = a.get("name_en")
                names.agencies[a["code"]] = en if lang == "en" and en else a["name_vi"]
                names.kinds[a["code"]] = a.get("kind", "")
                head = a.get("head") or {}
                head_en = head.get("title_en")
                names.heads[a["code"]] = (
                    head_en if lang == "en" and head_en else head.get("title_vi", "")
                )
            for g in plan.document.get("groups", []):
                en = g.get("name_en")
                name = en if lang == "en" and en else g.get("name_vi", g["code"])
                names.groups.setdefault(g["code"], (name, frozenset(g.get("kinds", []))))
            for d in plan.document.get("duties", []):
                en = d.get("title_en")
                title = en if lang == "en" and en else d.get("title_vi", d["id"])
                names.duties[(plan.code, d["id"])] = " ".join(str(title).split())
                names.sections[(plan.code, d["id"])] = str(d.get("section") or d["id"])
        return names

    def agency(self, code: str) -> str:
        return self.agencies.get(code, code)

    def in_group(self, agency: str, group: str) -> bool:
        kinds = self.groups.get(group, ("", frozenset()))[1]
        return self.kinds.get(agency, "") in kinds

    def period(self, code: str, window_start: object = None, window_end: object = None) -> str:
        """The period's name; a task done within a window reads as the plan words it ("Trong
        quý III năm 2026", with its first and last day)."""
        if isinstance(window_start, date) and isinstance(window_end, date):
            vi, en = window_words(window_start, window_end)
            span = f" ({window_start:%d/%m/%Y} – {window_end:%d/%m/%Y})"
            return pick(self.lang, vi[:1].upper() + vi[1:], en[:1].upper() + en[1:]) + span
        return period_label(self.lang, code)

    def period_short(self, code: str) -> str:
        return period_short(self.lang, code)

    def plan(self, code: str) -> str:
        return self.plans.get(code, code)

    def duty(self, plan: str, duty: str) -> str:
        return self.duties.get((plan, duty), duty)

    def section(self, plan: str, duty: str) -> str:
        return self.sections.get((plan, duty), duty)

    def duty_short(self, plan: str, duty: str) -> str:
        title = self.duties.get((plan, duty))
        return short_title(title) if title else duty

    def status(self, status: TaskStatus | str) -> str:
        s = TaskStatus(status)
        return pick(self.lang, s.label_vi, s.label_en)
