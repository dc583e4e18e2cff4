"""Chase-up letters (văn bản đôn đốc) laid out per Decree 30/2020/NĐ-CP, Appendix I.

``build_letter`` gathers what the letter says (pure, from data); ``render_html`` fills the Jinja2
template and ``render_pdf`` prints that HTML with WeasyPrint; ``planflow.notify.docx_letter`` writes
the same letter as a Word document. Who signs follows the escalation ladder (``signature_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from planflow.application.queries import TaskView
from planflow.domain import clock
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.periods import Period, PeriodKind
from planflow.notify.templating import environment

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
REPLY_WORKING_DAYS = 5
# The unit that drafts the letter (Decree 30/2020, Appendix I: its abbreviation follows the issuer's in
# the symbol, "Số: …/UBND-VP", and the archive line, "Lưu: VT, VP."): the Office follows plans up.
DRAFTING_UNIT = "VP"
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class LetterTask:
    number: int
    section: str
    period_label: str
    title: str
    due: date
    working_days_late: int
    personal_responsibility: bool = False  # the head bears personal responsibility for it


@dataclass(frozen=True)
class Letter:
    issuer_lines: tuple[str, ...]
    number: str
    place: str
    dated: str
    subject: str
    addressee: str
    agency_name: str
    head_title: str
    plan_number: str
    plan_title: str
    plan_subject: str
    as_of: str
    tasks: tuple[LetterTask, ...]
    reply_by: str
    recipients: tuple[str, ...]
    signs_as: tuple[str, ...]
    signer_name: str
    plan_citation: str = ""  # the plan in full at its first mention: number, date, issuer
    level: int = 0  # the escalation level the letter is written at; it decides who signs
    overdue_only: bool = True  # False: a chase-up of named tasks, late or not yet
    note: str = ""  # the Office's words, for a chase-up

    @property
    def intro_tail(self) -> str:
        """How the body's first sentence ends, before the table."""
        if self.overdue_only:
            return f"chưa hoàn thành {len(self.tasks)} nhiệm vụ đã quá hạn sau đây:"
        return "chưa hoàn thành nhiệm vụ sau đây:"

    @property
    def tasks_named(self) -> str:
        """How the closing paragraph names the tasks listed."""
        if self.overdue_only or len(self.tasks) != 1:
            return "các nhiệm vụ nêu trên"
        return "nhiệm vụ nêu trên"

    @property
    def personal_responsibility_line(self) -> str:
        """Said when the plan makes the head personally responsible for a task listed ("" if
        none)."""
        marked = [t.section for t in self.tasks if t.personal_responsibility]
        if not marked:
            return ""
        return (
            f"Theo Kế hoạch, {self.head_title} trực tiếp chỉ đạo và chịu trách nhiệm cá nhân về "
            f"nhiệm vụ {', '.join(dict.fromkeys(marked))}."
        )

    @property
    def delay(self) -> str:
        return "tiếp tục chậm trễ" if self.overdue_only else "chậm trễ"


def decree30_date(day: date) -> str:
    """ "ngày 07 tháng 02 năm 2022": days below 10 and months 1 and 2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def issuer_lines(issuer: str) -> tuple[str, ...]:
    prefix = "ủy ban nhân dân "
    if issuer.lower().startswith(prefix):
        return ("ỦY BAN NHÂN DÂN", issuer[len(prefix) :].upper())
    return (issuer.upper(),)


def place_of(issuer: str) -> str:
    """ "Ủy ban nhân dân tỉnh Kiên Giang" → "Kiên Giang"."""
    for marker in ("tỉnh ", "thành phố "):
        index = issuer.lower().rfind(marker)
        if index >= 0:
            return issuer[index + len(marker) :].strip()
    return issuer


def build_letter(
    document: dict[str, Any],
    agency: str,
    overdue: list[TaskView],
    calendar: WorkingCalendar,
    now: datetime,
    *,
    chase_up: bool = False,
    note: str = "",
    level: int | None = None,
    min_level: int = 0,
    drafting_unit: str = DRAFTING_UNIT,
) -> Letter:
    """The letter to ``agency`` about ``overdue`` (its late tasks); with ``chase_up``, about the
    tasks the Office chased by hand, late or not yet. ``level`` is the escalation step the letter
    is written at (who signs follows it); by default, the step its longest-late task has reached,
    and at least ``min_level`` (the step that asked for the letter)."""
    plan = document["plan"]
    agencies = {a["code"]: a for a in document.get("agencies", [])}
    duties = {d["id"]: d for d in document.get("duties", [])}
    target = agencies.get(agency, {"name_vi": agency, "head": {"title_vi": f"Thủ trưởng {agency}"}})
    today = clock.local_date(now)
    tasks = tuple(
        LetterTask(
            number=i,
            section=str(duties.get(v.duty, {}).get("section", v.duty)),
            period_label=period_label(v.period),
            title=v.title,
            due=v.due,
            working_days_late=max(calendar.working_days_between(v.due, today), 0),
            personal_responsibility=v.personal_responsibility,
        )
        for i, v in enumerate(
            sorted(
                (v for v in overdue if not v.is_cooperating),  # a cooperating task is not chased
                key=lambda v: (v.due, v.duty, v.period),
            ),
            start=1,
        )
    )
    if level is None:
        reached = level_reached(document, max((t.working_days_late for t in tasks), default=0))
        level = max(reached, min_level)
    signs_as, signer_name = signature_for(document, level)
    issuer = str(plan["issuer"])
    return Letter(
        issuer_lines=issuer_lines(issuer),
        number=f"Số:        /UBND-{drafting_unit}",
        place=place_of(issuer),
        dated=decree30_date(today),
        subject=(
            f"V/v đôn đốc thực hiện nhiệm vụ theo Kế hoạch số {plan['number']}"
            if chase_up
            else f"V/v đôn đốc thực hiện nhiệm vụ quá hạn theo Kế hoạch số {plan['number']}"
        ),
        addressee=str(target["name_vi"]),
        agency_name=str(target["name_vi"]),
        head_title=str(target["head"]["title_vi"]),
        plan_number=str(plan["number"]),
        plan_title=str(plan["title_vi"]),
        plan_subject=_subject_of(str(plan["title_vi"])),
        as_of=f"{today:%d/%m/%Y}",
        tasks=tasks,
        reply_by=f"{calendar.add_working_days(today, REPLY_WORKING_DAYS):%d/%m/%Y}",
        recipients=(
            "Như trên;",
            "CT, các PCT UBND tỉnh;",
            "Văn phòng UBND tỉnh;",
            f"Lưu: VT, {drafting_unit}.",
        ),
        signs_as=signs_as,
        signer_name=signer_name,
        plan_citation=plan_citation(plan),
        level=level,
        overdue_only=not chase_up,
        note=note.strip(),
    )


def plan_citation(plan: dict[str, Any]) -> str:
    """The plan as a document is cited at its first mention: number, date and issuer ("Kế hoạch
    số 35/KH-UBND ngày 18/02/2022 của Ủy ban nhân dân tỉnh Kiên Giang"). An unknown date is left
    as dots in its year, for the Office to fill in, as an unknown number is."""
    issued = plan.get("date")
    if isinstance(issued, str):
        issued = date.fromisoformat(issued)
    day = f"{issued:%d/%m/%Y}" if isinstance(issued, date) else f"…/…/{plan['year']}"
    return f"Kế hoạch số {plan['number']} ngày {day} của {plan['issuer']}"


def level_reached(document: dict[str, Any], working_days_late: int) -> int:
    """The highest ladder level whose step falls due ``working_days_late`` working days after the
    deadline (0 when none has)."""
    steps = document.get("escalation", {}).get("ladder", [])
    reached = [
        int(s["level"]) for s in steps if int(s["working_days_after_due"]) <= working_days_late
    ]
    return max(reached, default=0)


def signature_for(document: dict[str, Any], level: int) -> tuple[tuple[str, ...], str]:
    """Who signs a letter written at escalation ``level``, and how (Decree 30/2020, Appendix I).

    From the ladder step whose recipient is the plan's signer (the Vice-Chairman) upwards, the
    signer signs for the Chairman, on the Committee's behalf: "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH /
    PHÓ CHỦ TỊCH". Below it (the late head's own step, the Office director's step), the Office's
    chief signs by the Chairman's leave: "TL. CHỦ TỊCH / CHÁNH VĂN PHÒNG"."""
    plan = document["plan"]
    steps = sorted(document.get("escalation", {}).get("ladder", []), key=lambda s: s["level"])
    reached = [s for s in steps if int(s["level"]) <= level]
    if reached and any(s["recipient"] == "signer" for s in reached):
        signer = plan["signer"]
        formula = str(signer.get("signs_as") or "KT. CHỦ TỊCH — PHÓ CHỦ TỊCH")
        lines = [p.strip() for p in formula.replace("—", "\n").splitlines() if p.strip()]
        if lines[0].startswith("KT.") and str(plan["issuer"]).lower().startswith("ủy ban"):
            lines.insert(0, "TM. ỦY BAN NHÂN DÂN")
        return tuple(lines), str(signer.get("name") or "")
    office = _office(document, [str(s["recipient"]) for s in reversed(reached)])
    head = office.get("head", {}) if office else {}
    title = str(head.get("title_vi") or "Chánh Văn phòng")
    return ("TL. CHỦ TỊCH", title.upper()), str(head.get("name") or "")


def _office(document: dict[str, Any], preferred: list[str]) -> dict[str, Any] | None:
    """The Office (the agency of kind ``office``), the ladder's own recipient first."""
    offices = [a for a in document.get("agencies", []) if a.get("kind") == "office"]
    for code in preferred:
        for agency in offices:
            if agency["code"] == code:
                return dict(agency)
    return dict(offices[0]) if offices else None


def _subject_of(title: str) -> str:
    """What the plan is about: its title without the leading "Kế hoạch"."""
    for prefix in ("Kế hoạch ", "kế hoạch "):
        if title.startswith(prefix):
            return title[len(prefix) :]
    return title[:1].lower() + title[1:]


def period_label(code: str) -> str:
    """A period as an administrative document writes it: "Quý I năm 2022" (quarters in Roman
    numerals), "6 tháng đầu năm 2022", "9 tháng năm 2022", "năm 2022"."""
    try:
        period = Period.parse(code)
    except ValueError:
        return code
    if period.kind is PeriodKind.QUARTER:
        return f"Quý {_ROMAN[period.number]} năm {period.year}"
    if period.kind in (PeriodKind.YEAR, PeriodKind.ONCE):
        return f"năm {period.year}"
    return period.label_vi


def render_html(letter: Letter) -> str:
    return environment().get_template("letters/don-doc.html.j2").render(letter=letter)


def render_pdf(letter: Letter) -> bytes:
    """The letter's HTML printed by WeasyPrint (its CSS carries the A4 page and margins)."""
    from weasyprint import HTML  # imported here: it loads Pango, which the other formats skip

    pdf = HTML(string=render_html(letter)).write_pdf()
    assert pdf is not None
    return bytes(pdf)
