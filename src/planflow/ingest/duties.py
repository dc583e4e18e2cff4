"""Which parts of a plan are duties, and for each: assignees, lead and cooperating agencies, the
schedule, activity or report, report recipients and personal responsibility.

Rules (docs/ingestion.md): in an implementation section ('Tổ chức thực hiện', 'Nhiệm vụ', 'Phân
công') every leaf item with a subject — its own or its heading's — is a duty; elsewhere only items
whose subject is a named agency are. An item splits into clauses at ';' and before 'định kỳ'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from planflow.domain.calendar import WorkingCalendar
from planflow.ingest.fold import STOPWORDS, fold, loose_re, strip_marks, tokens
from planflow.ingest.matching import Matcher, Mention
from planflow.ingest.schedule import ScheduleDraft, default_due, fixed, recurring
from planflow.ingest.sections import Node

_DUTY_SECTION = loose_re("to chuc thuc hien", "nhiem vu", "phan cong", "trach nhiem")
_NOT_DUTY_SECTION = loose_re("muc dich", "muc tieu", "yeu cau", "noi dung")
_LEAD = loose_re("chu tri")
_WITH = loose_re("phoi hop voi", "phoi hop cung")
_PERSONAL = loose_re("chiu trach nhiem ca nhan")
_ADVERBIAL = loose_re("can cu", "tren co so", "theo chuc nang")
_HEAD_TITLE = loose_re("thu truong", "giam doc", "chu tich", "nguoi dung dau")
# 'gửi cơ quan tài chính cùng cấp để tổng hợp': something is sent to be aggregated, a report.
_SEND_FOR_AGGREGATION = re.compile(
    loose_re("gui").pattern + r"\b.{0,80}?" + loose_re("de tong hop").pattern
)
FINANCE_SAME_LEVEL = loose_re("co quan tai chinh cung cap")
_SPLIT = re.compile(r";|,\s*(?=(?:đ|Đ|d|D|P|p)\S{0,3}nh\s+k\S{0,2}\b)")


@dataclass
class DutyDraft:
    id: str
    section: str
    text: str
    lines: tuple[int, int]
    assignees: list[Mention]
    cooperating: list[Mention] = field(default_factory=list)
    assignee_source: str = "own"  # own, heading, clause, table
    done_when: str = "activity"
    schedule: ScheduleDraft = field(default_factory=ScheduleDraft)
    recipients: list[Mention] = field(default_factory=list)
    personal_responsibility: bool = False
    pr_sentence: str = ""  # the clause's sentence stating personal responsibility, if any


def _ascii_id(section: str) -> str:
    return strip_marks(section).replace("đ", "dd")


def is_duty_section(node: Node) -> bool:
    top = node
    while top.parent is not None and top.parent.kind != "root":
        top = top.parent
    folded = fold(top.text)
    return bool(_DUTY_SECTION.search(folded)) and not _NOT_DUTY_SECTION.match(folded)


def subject(matcher: Matcher, text: str) -> tuple[list[Mention], list[Mention], list[Mention]]:
    """(subject, cooperating, recipients) of a clause."""
    mentions = matcher.mentions(text)
    words = [t.word for t in tokens(text) if t.word not in STOPWORDS]
    skip = 0
    if _ADVERBIAL.match(" ".join(words[:3])) and "," in text[:160]:
        comma = text.index(",")
        skip = sum(1 for t in tokens(text[:comma]) if t.word not in STOPWORDS)
    run: list[Mention] = []
    for m in mentions:
        expected = run[-1].last + 1 if run else skip
        if expected <= m.first <= expected + (0 if run else 2):
            run.append(m)
        elif run or m.first > skip + 2:
            break
    cooperating: list[Mention] = []
    if not run and _LEAD.match(" ".join(words[skip : skip + 3])):
        # 'Chủ trì, phối hợp với Y …' under a heading that names the lead.
        with_at = _WITH.search(" ".join(words[skip : skip + 8]))
        if with_at:
            offset = skip + len(" ".join(words[skip:])[: with_at.end()].split())
            for m in mentions:
                if m.first >= offset and (not cooperating or m.first <= cooperating[-1].last + 1):
                    if not cooperating and m.first > offset + 1:
                        break
                    cooperating.append(m)
    recipients = [
        m
        for m in mentions
        if m.code and m.first > 0 and words[m.first - 1] in ("ve", "gui", "cho", "trinh", "cao")
    ]
    if run:
        after = " ".join(words[run[-1].last + 1 : run[-1].last + 8])
        rest = [m for m in mentions if m.first > run[-1].last and m not in recipients]
        lead = _LEAD.search(after)
        joint = _WITH.search(" ".join(words[run[-1].last + 1 : run[-1].last + 5]))
        if lead or joint:
            start = run[-1].last + 1
            tail = [w for w in words[start:]]
            with_at = _WITH.search(" ".join(tail))
            if with_at:
                offset = start + len(" ".join(tail)[: with_at.end()].split())
                follow: list[Mention] = []
                for m in rest:
                    if m.first >= offset and (not follow or m.first <= follow[-1].last + 1):
                        if not follow and m.first > offset + 1:
                            break
                        follow.append(m)
                # 'X chủ trì, phối hợp với Y' and 'X phối hợp với Y': X answers for the duty, Y
                # helps. 'phối hợp với Y hoặc …' offers Y as one means among others: no party.
                after = (
                    words[follow[-1].last + 1]
                    if follow and follow[-1].last + 1 < len(words)
                    else ""
                )
                if not follow or fuzz.ratio(after, "hoac") < 60:  # OCR: 'hogic'
                    cooperating = follow
    return run, cooperating, recipients


def _clauses(text: str) -> list[str]:
    parts = [p.strip(" .;,") for p in _SPLIT.split(text)]
    out: list[str] = []
    for part in parts:
        if out and len(part.split()) < 5:
            out[-1] += "; " + part
        elif part:
            out.append(part)
    return out


def _heading_subject(matcher: Matcher, node: Node) -> list[Mention]:
    parent = node.parent
    while parent is not None and parent.kind != "root":
        run, _, _ = subject(matcher, parent.text)
        if run:
            return run
        parent = parent.parent
    return []


def _responsibility_sentence(clause: str) -> str:
    """The sentence of ``clause`` that puts personal responsibility on heads ('Giám đốc các sở, …
    chịu trách nhiệm cá nhân …'), when it is not the clause's first sentence."""
    sentences = re.split(r"(?<=[.])\s+(?=[A-ZĐÀ-Ỹ])", clause)
    for sentence in sentences[1:]:
        folded = fold(sentence)
        if _HEAD_TITLE.match(folded) and _PERSONAL.search(folded):
            return sentence
    return ""


def find_duties(
    root: Node,
    matcher: Matcher,
    year: int,
    calendar: WorkingCalendar,
    responsibility: list[tuple[str, tuple[int, int], str]] | None = None,
) -> list[DutyDraft]:
    """The duties under ``root``. Personal-responsibility clauses on heads go to ``responsibility``
    as (section covered, lines, text): the heading's section when the heads are those its heading
    names, else the item's parent section."""
    duties: list[DutyDraft] = []
    for node in root.walk():
        if node.children:
            continue
        in_duty_section = is_duty_section(node)
        heading = _heading_subject(matcher, node)
        parent = node.parent
        covered = parent.section if parent is not None and parent.kind != "root" else node.section
        clauses = _clauses(node.text)
        found: list[DutyDraft] = []
        first_subject: list[Mention] = []
        for index, clause in enumerate(clauses):
            run, cooperating, recipients = subject(matcher, clause)
            source = "own"
            if index == 0:
                first_subject = run
            if not run and index > 0 and first_subject:
                run, source = first_subject, "clause"
            if not run and heading:
                run, source = heading, "heading"
            if not run:
                continue
            folded = fold(clause)
            if _HEAD_TITLE.match(folded) and _PERSONAL.search(folded):
                # A personal-responsibility clause on heads, not a duty (docs/ingestion.md).
                if responsibility is not None:
                    responsibility.append((covered, (node.first_line, node.last_line), clause))
                continue
            sentence = _responsibility_sentence(clause)
            own_pr = bool(_PERSONAL.search(folded)) and not sentence
            if sentence and responsibility is not None:
                # Heads of the agencies the heading names: the heading's whole section.
                where = covered if source == "heading" else node.section
                responsibility.append((where, (node.first_line, node.last_line), sentence))
            found.append(
                DutyDraft(
                    id="",
                    section=node.section,
                    text=clause,
                    lines=(node.first_line, node.last_line),
                    assignees=run,
                    cooperating=cooperating,
                    assignee_source=source,
                    recipients=recipients,
                    personal_responsibility=own_pr,
                    pr_sentence=sentence,
                )
            )
        if not in_duty_section and not any(m.code for d in found for m in d.assignees):
            # Outside the implementation section an item is a duty only when it names an
            # agency; its other clauses (a group's share of the same work) come with it.
            continue
        for index, duty in enumerate(found, start=1):
            duty.id = _ascii_id(node.section + (f".{index}" if len(found) > 1 else ""))
            _schedule(duty, year, calendar)
        duties.extend(found)
    return duties


def _schedule(duty: DutyDraft, year: int, calendar: WorkingCalendar) -> None:
    rec = recurring(duty.text, year, calendar)
    if rec is not None:
        duty.done_when, duty.schedule = "report", rec
        return
    stated = fixed(duty.text, year, calendar)
    duty.schedule = stated or default_due(duty.text, year, calendar)
    if fold(duty.text).startswith(("bao cao", "gui bao cao")) or _SEND_FOR_AGGREGATION.search(
        fold(duty.text)
    ):
        duty.done_when = "report"
