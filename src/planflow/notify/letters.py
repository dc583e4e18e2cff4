"""Chase-up letters (văn bản đôn đốc) laid out per Decree 30/2020/NĐ-CP, Appendix I.

``build_letter`` gathers what the letter says (pure, from data); ``render_html`` fills the Jinja2
template; ``planflow.notify.docx_letter`` writes the same letter as a Word document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from planflow.application.queries import TaskView
from planflow.domain import clock
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.periods import Period
from planflow.notify.templating import environment

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
REPLY_WORKING_DAYS = 5


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
) -> Letter:
    """The letter to ``agency`` about ``overdue`` (its late tasks); with ``chase_up``, about the
    tasks the Office chased by hand, late or not yet."""
    plan = document["plan"]
    agencies = {a["code"]: a for a in document.get("agencies", [])}
    duties = {d["id"]: d for d in document.get("duties", [])}
    target = agencies.get(agency, {"name_vi": agency, "head": {"title_vi": f"Thủ trưởng {agency}"}})
    today = clock.local_date(now)
    tasks = tuple(
        LetterTask(
            number=i,
            section=str(duties.get(v.duty, {}).get("section", v.duty)),
            period_label=_period_label(v.period),
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
    signer = plan["signer"]
    signs_as = str(signer.get("signs_as") or "KT. CHỦ TỊCH — PHÓ CHỦ TỊCH")
    issuer = str(plan["issuer"])
    return Letter(
        issuer_lines=issuer_lines(issuer),
        number="Số:        /UBND-VP",
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
            "Lưu: VT.",
        ),
        signs_as=tuple(
            part.strip() for part in signs_as.replace("—", "\n").splitlines() if part.strip()
        ),
        signer_name=str(signer.get("name") or ""),
        overdue_only=not chase_up,
        note=note.strip(),
    )


def _subject_of(title: str) -> str:
    """What the plan is about: its title without the leading "Kế hoạch"."""
    for prefix in ("Kế hoạch ", "kế hoạch "):
        if title.startswith(prefix):
            return title[len(prefix) :]
    return title[:1].lower() + title[1:]


def _period_label(code: str) -> str:
    try:
        return Period.parse(code).label_vi
    except ValueError:
        return code


def render_html(letter: Letter) -> str:
    return environment().get_template("letters/don-doc.html.j2").render(letter=letter)
