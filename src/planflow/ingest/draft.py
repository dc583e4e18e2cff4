"""Write the draft workflow file: every value with a comment naming its source lines and a
confidence; ``# CHOSEN:`` where the plan is silent and a rule picked the value; ``# REVIEW:`` where a
person must restore or check something. Values the format cannot hold go into comments.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from planflow.domain.calendar import WorkingCalendar
from planflow.ingest.duties import FINANCE_SAME_LEVEL, DutyDraft
from planflow.ingest.fold import fold, strip_marks
from planflow.ingest.header import Field, Header
from planflow.ingest.register import Register, RegisteredAgency
from planflow.ingest.schedule import last_working_day

GROUPS = {
    "department": (
        "so-ban-nganh",
        "Các sở, ban, ngành thuộc Ủy ban nhân dân tỉnh",
        ("department", "board"),
    ),
    "board": (
        "so-ban-nganh",
        "Các sở, ban, ngành thuộc Ủy ban nhân dân tỉnh",
        ("department", "board"),
    ),
    "district": ("ubnd-cap-huyen", "Ủy ban nhân dân các huyện, thị xã, thành phố", ("district",)),
    "commune": ("ubnd-cap-xa", "Ủy ban nhân dân các xã, phường, đặc khu", ("commune",)),
    "press": ("co-quan-bao-chi", "Các cơ quan báo chí", ("press",)),
}
FORMAT_KIND = {"commune": "district"}  # planflow/v1 has no commune kind yet


@dataclass
class Draft:
    text: str
    reviews: list[str] = field(default_factory=list)
    chosen: int = 0


def q(value: str) -> str:
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def where(lines: tuple[int, ...]) -> str:
    if not lines:
        return "not in the plan"
    lo, hi = min(lines), max(lines)
    return f"line {lo}" if lo == hi else f"lines {lo}-{hi}"


def looks_folded(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    marked = sum(1 for c in letters if strip_marks(c) != c)
    return bool(letters) and marked / len(letters) < 0.12


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", strip_marks(text).lower()).strip("-")


class Writer:
    def __init__(self, register: Register, calendar: WorkingCalendar, folded: bool) -> None:
        self.register = register
        self.calendar = calendar
        self.folded = folded
        self.out: list[str] = []
        self.reviews: list[str] = []
        self.chosen = 0

    def line(self, text: str = "") -> None:
        self.out.append(text)

    def review(self, what: str) -> str:
        self.reviews.append(what)
        return f"REVIEW: {what}"

    def text_note(self, f: Field | None, what: str) -> str:
        if f is None:
            return ""
        note = f"{where(f.lines)}, confidence {f.confidence}"
        if self.folded and looks_folded(f.value):
            note += "; " + self.review(f"{what}: OCR text without diacritics; restore it")
        return note


def write_draft(
    source: str,
    header: Header,
    duties: list[DutyDraft],
    register: Register,
    calendar: WorkingCalendar,
    body_text: str,
    responsibility: list[tuple[str, tuple[int, int], str]] | None = None,
) -> Draft:
    year = header.year or dt.date.today().year  # never reached: import checks the year first
    w = Writer(register, calendar, looks_folded(body_text))
    province = register.province
    w.line("# Draft made by `planflow import-plan` from " + source + ".")
    w.line("# Each value says where it was read (lines of the extracted text) and how sure it is.")
    w.line("# CHOSEN: the plan is silent and the stated rule picked the value.")
    w.line("# REVIEW: a person must restore or check the value before loading.")
    w.line(f"# Agency register: {register.name}.")
    w.line("format: planflow/v1")
    w.line()
    w.line("plan:")
    number = header.number.value if header.number else "…/KH-UBND"
    plan_id = f"{_slug(province) or 'plan'}-{year}-kh" + (
        f"-{number.split('/')[0]}" if number[0].isdigit() else ""
    )
    w.chosen += 1
    w.line(f"  id: {plan_id}  # CHOSEN: province, year and number; rename freely before loading")
    committee = next((a for a in register.agencies if a.kind == "committee"), None)
    issuer = committee.name_vi if committee else "Ủy ban nhân dân tỉnh"
    w.line(f"  issuer: {q(issuer)}  # from the register's committee, confidence medium")
    if header.number is None:
        w.line(f"  number: {q(number)}  # " + w.review("number not found"))
    else:
        note = f"{where(header.number.lines)}, confidence {header.number.confidence}"
        if header.number.note:
            note += "; " + w.review(header.number.note)
        w.line(f"  number: {q(number)}  # {note}")
    if header.date is not None and header.date_field is not None:
        w.line(f"  date: {header.date.isoformat()}  # {where(header.date_field.lines)}, high")
    elif header.date_field is not None:
        w.line("  # date left out: " + w.review(header.date_field.note))
    w.line(f"  year: {year}  # {where(header.year_lines)}, confidence high")
    title = header.title.value if header.title else "Kế hoạch"
    tnote = w.text_note(header.title, "title") if header.title else w.review("title not found")
    w.line(f"  title_vi: {q(title)}  # {tnote}")
    if header.legal_bases:
        w.line("  legal_bases:")
        for ref, date, n in header.legal_bases:
            w.line(f"    - ref: {ref}  # line {n}, confidence high")
            if date:
                w.line(f"      date: {date.isoformat()}  # line {n}, confidence high")
    w.line("  signer:")
    signs = header.signs_as
    vice = signs is not None and signs.value.startswith("KT")
    title_vi = (
        "Phó Chủ tịch" if vice else "Chủ tịch"
    ) + f" Ủy ban nhân dân tỉnh {province}".rstrip()
    w.line(f"    title_vi: {q(title_vi)}  # from the signature formula, confidence medium")
    if header.signer_name:
        w.line(
            f"    name: {q(header.signer_name.value)}  # {w.text_note(header.signer_name, 'signer name')}"
        )
    else:
        w.line("    # name: " + w.review("signer's name not found"))
    if signs:
        w.line(
            f"    signs_as: {q(signs.value)}  # {where(signs.lines)}, confidence {signs.confidence}"
        )
    w.line()
    w.line("calendar:")
    w.line("  country: VN")
    w.line()
    _agencies(w, year)
    used = _groups(w, duties, year)
    _duties(w, duties, used, year, responsibility or [])
    _escalation(w, duties)
    return Draft("\n".join(w.out) + "\n", w.reviews, w.chosen)


def _agencies(w: Writer, year: int) -> None:
    valid = w.register.valid_on(dt.date(year, 12, 31)) or list(w.register.agencies)
    w.line(f"# The agencies of the register valid in {year}; codes and names from the register.")
    w.line("agencies:")
    codes = {a.code for a in valid}
    for agency in valid:
        _agency(w, agency, codes)


def _agency(w: Writer, agency: RegisteredAgency, codes: set[str]) -> None:
    w.line(f"  - code: {agency.code}")
    w.line(f"    name_vi: {q(agency.name_vi)}")
    if agency.name_en:
        w.line(f"    name_en: {q(agency.name_en)}")
    kind = FORMAT_KIND.get(agency.kind, agency.kind)
    note = (
        ""
        if kind == agency.kind
        else f"  # the register says {agency.kind}: planflow/v1 has no such kind"
    )
    w.line(f"    kind: {kind}{note}")
    w.line("    head:")
    w.line(f"      title_vi: {q(agency.head_title_vi or 'Thủ trưởng ' + agency.name_vi)}")
    if agency.head_name:
        w.line(f"      name: {q(agency.head_name)}")
    if agency.valid_from:
        w.line(f"    valid_from: {agency.valid_from.isoformat()}")
    if agency.valid_until:
        w.line(f"    valid_until: {agency.valid_until.isoformat()}")
    if agency.successor and agency.successor in codes:
        w.line(f"    successor: {agency.successor}")


def _group_codes(w: Writer, kinds: tuple[str, ...], year: int) -> list[str]:
    present = {a.kind for a in w.register.valid_on(dt.date(year, 12, 31))}
    codes: list[str] = []
    for kind in kinds:
        if kind in present and GROUPS[kind][0] not in codes:
            codes.append(GROUPS[kind][0])
    return codes


def _groups(w: Writer, duties: list[DutyDraft], year: int) -> dict[str, tuple[str, ...]]:
    used: dict[str, tuple[str, ...]] = {}
    for duty in duties:
        for m in duty.assignees + duty.cooperating:
            for code in _group_codes(w, m.kinds, year):
                used[code] = next(g[2] for g in GROUPS.values() if g[0] == code)
    if not used:
        return used
    w.line()
    w.line("# Group phrases found in the plan; each stands for every agency of its kinds.")
    w.line("groups:")
    for code, kinds in used.items():
        name = next(g[1] for g in GROUPS.values() if g[0] == code)
        kinds_out = sorted({FORMAT_KIND.get(k, k) for k in kinds})
        w.line(f"  - code: {code}")
        w.line(f"    name_vi: {q(name)}")
        w.line(f"    kinds: [{', '.join(kinds_out)}]")
    return used


def _codes(w: Writer, mentions: list, year: int) -> list[str]:  # type: ignore[type-arg]
    out: list[str] = []
    for m in mentions:
        for code in [m.code] if m.code else _group_codes(w, m.kinds, year):
            if code not in out:
                out.append(code)
    return out


def _duties(
    w: Writer,
    duties: list[DutyDraft],
    used: dict[str, tuple[str, ...]],
    year: int,
    responsibility: list[tuple[str, tuple[int, int], str]],
) -> None:
    aggregators = {m.code for d in duties for m in d.recipients if m.code}
    w.line()
    rule = _finance_rule(w, duties, year)
    _sections(w, responsibility)
    w.line("duties:")
    for duty in duties:
        assignees = _codes(w, duty.assignees, year)
        conf = min((m.confidence for m in duty.assignees), key=["low", "medium", "high"].index)
        w.line(f"  # {duty.section}, {where(duty.lines)}.")
        w.line(f"  - id: {duty.id}")
        w.line(f"    section: {duty.section}")
        note = w.text_note(Field(duty.text, duty.lines, "high"), f"duty {duty.id} title")
        w.line(f"    title_vi: {q(duty.text)}  # {note}")
        src = {
            "own": "the duty's subject",
            "heading": "its heading",
            "clause": "the first clause",
            "table": "the table's lead column",
        }[duty.assignee_source]
        phrases = "; ".join(m.text or m.phrase for m in duty.assignees)
        w.line(f"    # assignees from {src} ({phrases}), confidence {conf}")
        w.line(f"    assignees: [{', '.join(assignees)}]")
        coop = [c for c in _cooperating(w, duty, year) if c not in assignees]
        if coop:
            cphrases = "; ".join(m.text or m.phrase for m in duty.cooperating)
            cconf = min(
                (m.confidence for m in duty.cooperating), key=["low", "medium", "high"].index
            )
            w.line(
                f"    cooperating: [{', '.join(coop)}]  # 'phối hợp với' ({cphrases}), "
                f"{where(duty.lines)}, confidence {cconf}"
            )
        kind_note = "a report is asked" if duty.done_when == "report" else "no report asked"
        w.line(f"    done_when: {duty.done_when}  # {kind_note}, confidence medium")
        if duty.done_when == "report":
            _report_to(w, duty, assignees, rule)
        if duty.personal_responsibility:
            w.line(
                "    personal_responsibility: true  # 'chịu trách nhiệm cá nhân' in the duty, "
                f"{where(duty.lines)}, confidence high"
            )
        elif duty.pr_sentence:
            w.line("    # personal responsibility: see `sections` above")
        _schedule(w, duty, aggregators, year)


def _cooperating(w: Writer, duty: DutyDraft, year: int) -> list[str]:
    """Cooperating codes; a group that holds a lead agency ('Sở Tư pháp chủ trì, phối hợp với
    các sở, ban, ngành') is written as its other members: no agency may be both."""
    leads = {m.code for m in duty.assignees if m.code}
    valid = w.register.valid_on(dt.date(year, 12, 31))
    out: list[str] = []
    for m in duty.cooperating:
        members = [a.code for a in valid if a.kind in m.kinds] if m.code is None else []
        if members and leads & set(members):
            out += [c for c in members if c not in leads and c not in out]
        else:
            out += [c for c in _codes(w, [m], year) if c not in out]
    return out


def _report_to(w: Writer, duty: DutyDraft, assignees: list[str], rule: str | None) -> None:
    if rule and FINANCE_SAME_LEVEL.search(fold(duty.text)):
        w.line(
            f"    report_to: {rule}  # 'gửi cơ quan tài chính cùng cấp', {where(duty.lines)}, "
            "confidence medium"
        )
        return
    named = [m for m in duty.recipients if m.code and m.code not in assignees]
    if named:
        m = named[0]
        w.line(
            f"    report_to: {m.code}  # 'gửi/về {m.text or m.phrase}', {where(duty.lines)}, "
            f"confidence {m.confidence}"
        )


def _finance_rule(w: Writer, duties: list[DutyDraft], year: int) -> str | None:
    """'Cơ quan tài chính cùng cấp': departments send to Sở Tài chính; a district or commune to
    its own finance division when the register has one (else the Office reviews: REVIEW)."""
    senders = [
        d for d in duties if d.done_when == "report" and FINANCE_SAME_LEVEL.search(fold(d.text))
    ]
    if not senders:
        return None
    valid = w.register.valid_on(dt.date(year, 12, 31))
    finance = next((a for a in valid if fold(a.name_vi) == "so tai chinh"), None)
    groups_named = any("department" in m.kinds for d in senders for m in d.assignees)
    if finance is None or not groups_named:
        return None
    code = "co-quan-tai-chinh-cung-cap"
    w.line(
        "# 'Gửi cơ quan tài chính cùng cấp' (the finance agency at the same level): who receives"
    )
    w.line("# depends on the sender. CHOSEN: departments and boards → Sở Tài chính; a local")
    w.line("# committee → its own finance division when the register has one.")
    w.chosen += 1
    w.line("recipient_rules:")
    w.line(f"  - code: {code}")
    w.line('    name_vi: "Cơ quan tài chính cùng cấp"')
    w.line("    resolve:")
    w.line(f"      - {{assignees: [so-ban-nganh], recipient: {finance.code}}}")
    locals_ = [a for a in valid if a.kind in ("district", "commune")]
    divisions = [a for a in valid if a.kind == "division" and "tai chinh" in fold(a.name_vi)]
    missing = 0
    for local in locals_:
        place = fold(local.name_vi).split(" ", 5)[-1]
        division = next((d for d in divisions if fold(d.name_vi).endswith(place)), None)
        if division:
            w.line(f"      - {{assignees: [{local.code}], recipient: {division.code}}}")
        else:
            missing += 1
    if missing:
        w.line(
            "    # "
            + w.review(
                f"{missing} local committees have no finance division in the register: add "
                "one entry each, or the Office reviews their reports"
            )
        )
    w.line()
    return code


def _sections(w: Writer, responsibility: list[tuple[str, tuple[int, int], str]]) -> None:
    covered: dict[str, tuple[tuple[int, int], str]] = {}
    for section, lines, text in responsibility:
        covered.setdefault(section, (lines, text))
    if not covered:
        return
    w.line(
        "# Personal responsibility (chịu trách nhiệm cá nhân) on the heads of a section's agencies."
    )
    w.line("sections:")
    for section, (lines, text) in covered.items():
        w.line(f"  # {where(lines)}: {' '.join(text.split())[:160]}")
        w.line(f"  - id: {section}")
        w.line(f"    personal_responsibility: true  # {where(lines)}, confidence medium")
    w.line()


def _schedule(w: Writer, duty: DutyDraft, aggregators: set[str], year: int) -> None:
    s = duty.schedule
    if s.every:
        if s.chosen:
            w.chosen += 1
            w.line(f"    # CHOSEN: {s.rule} (read: {s.phrase!r})")
        else:
            w.line(f"    # periods read from {s.phrase!r}, confidence {s.confidence}")
        if s.monthly:
            w.line("    # " + w.review("monthly reports: planflow/v1 has no monthly period"))
        w.line("    schedule:")
        w.line(f"      every: [{', '.join(s.every)}]")
        if s.submit_days:
            w.line(f"      submit_working_days_after_cutoff: {s.submit_days}  # the stated day")
        else:
            aggregates = any(m.code in aggregators for m in duty.assignees)
            days = 5 if aggregates else 2
            why = (
                "it aggregates other agencies' reports: 3 working days after theirs"
                if aggregates
                else "2 working days after the Decree 09/2019 cut-off"
            )
            w.chosen += 1
            w.line(f"      submit_working_days_after_cutoff: {days}  # CHOSEN: {why}")
        return
    due = s.due or last_working_day(w.calendar, dt.date(year, 12, 31))
    if due.year != year:
        note = w.review(f"the plan says {due.isoformat()}, outside {year}; set to the year's end")
        due = last_working_day(w.calendar, dt.date(year, 12, 31))
    elif s.chosen:
        w.chosen += 1
        note = f"CHOSEN: {s.rule}"
    else:
        note = f"read from {s.phrase!r}" + (f" ({s.rule})" if s.rule else "") + ", confidence high"
    w.line(f"    schedule: {{due: {due.isoformat()}}}  # {note}")


def _escalation(w: Writer, duties: list[DutyDraft]) -> None:
    office = next((a.code for a in w.register.agencies if a.kind == "office"), None)
    counts: dict[str, int] = {}
    for duty in duties:
        for m in duty.recipients:
            if m.code:
                counts[m.code] = counts.get(m.code, 0) + 1
    monitor = max(counts, key=lambda c: counts[c]) if counts else office
    if monitor and w.register.by_code(monitor) and w.register.by_code(monitor).kind == "committee":  # type: ignore[union-attr]
        monitor = office
    w.chosen += 1
    w.line()
    w.line("# CHOSEN: reminders 7, 3 and 1 working days before; late tasks go to the assignee's")
    w.line("# head on the due day, then to the body that follows the plan up, then to the signer.")
    w.line("escalation:")
    w.line("  reminders_working_days_before: [7, 3, 1]")
    w.line("  ladder:")
    w.line("    - {level: 1, recipient: assignee_head, working_days_after_due: 0}")
    level = 2
    if monitor:
        w.line(f"    - {{level: 2, recipient: {monitor}, working_days_after_due: 3}}")
        level = 3
    w.line(f"    - {{level: {level}, recipient: signer, working_days_after_due: 7}}")


def plan_fold(text: str) -> str:
    return fold(text)
