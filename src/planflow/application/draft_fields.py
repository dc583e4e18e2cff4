"""A draft's fields for review: each value's path, its confidence and source lines, read once
from the comments ``planflow import-plan`` writes; and the edits of the review form applied to
the draft's data. Pure: no I/O.

Confidence: ``REVIEW`` → low (a person must restore or check it); ``confidence X`` (or a bare
``high``/``medium``/``low``) → X; ``CHOSEN`` → medium (the plan is silent, a rule chose). A field a
person has edited is *reviewed*. Paths are the validator's (``duties[3].assignees``), so a
problem found by ``planflow validate`` names the form field it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import yaml

from planflow.application.timeparse import TimeFormatError, parse_date

ORDER = {"low": 0, "medium": 1, "high": 2}
_KEY = re.compile(r"^([A-Za-z_][\w]*):(?:\s|$)")
_COMMENTED_KEY = re.compile(r"^#\s*([a-z_]+)(?: left out)?:")
_LINES = re.compile(r"\blines? (\d+)(?:-(\d+))?")
_LEVEL = re.compile(r"\b(high|medium|low)\b")


@dataclass
class FieldNote:
    path: str
    confidence: str  # low, medium, high
    note: str
    first_line: int = 0  # in the source text; 0 when not read from it
    last_line: int = 0
    reviewed: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any]) -> FieldNote:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _split_comment(line: str) -> tuple[str, str]:
    """The line's content and its comment (outside quotes)."""
    quote = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip(), line[i:]
        i += 1
    return line.rstrip(), ""


def _level(comment: str) -> str | None:
    if "REVIEW" in comment:
        return "low"
    found: list[str] = _LEVEL.findall(comment.split("(read:")[0])
    if found:
        return str(min(found, key=ORDER.__getitem__))
    if "CHOSEN" in comment:
        return "medium"
    return None


def _note(path: str, comments: list[str]) -> FieldNote | None:
    levels = [lv for c in comments if (lv := _level(c))]
    if not levels:
        return None
    text = " ".join(c.lstrip("# ").strip() for c in comments)
    lines = _LINES.search(text)
    first = int(lines.group(1)) if lines else 0
    last = int(lines.group(2) or first) if lines else 0
    return FieldNote(path, min(levels, key=ORDER.__getitem__), text, first, last)


def read_fields(text: str) -> list[FieldNote]:
    """The annotated fields of a draft written by ``import-plan``, in the file's order."""
    stack: list[tuple[int, str]] = []  # (indent, path)
    counters: dict[str, int] = {}
    pending: list[tuple[int, str]] = []
    notes: dict[str, FieldNote] = {}

    def parent(indent: int) -> str:
        while stack and stack[-1][0] >= indent:
            stack.pop()
        return stack[-1][1] if stack else ""

    def add(path: str, comments: list[str]) -> None:
        note = _note(path, comments)
        if note is None:
            return
        if path in notes:
            old = notes[path]
            note.confidence = min(old.confidence, note.confidence, key=ORDER.__getitem__)
            note.note = f"{old.note} {note.note}"
            note.first_line = old.first_line or note.first_line
            note.last_line = old.last_line or note.last_line
        notes[path] = note

    for raw in text.splitlines():
        content, comment = _split_comment(raw)
        indent = len(raw) - len(raw.lstrip(" "))
        if not content.strip():
            if comment:
                commented = _COMMENTED_KEY.match(comment)
                if commented and "REVIEW" in comment:
                    base = parent(indent)
                    add(f"{base}.{commented.group(1)}" if base else commented.group(1), [comment])
                else:
                    pending.append((indent, comment))
            continue
        body = content.strip()
        base = parent(indent)
        item = body == "-" or body.startswith("- ")
        if item:
            index = counters.get(base, 0)
            counters[base] = index + 1
            base = f"{base}[{index}]"
            stack.append((indent, base))
            body = body[1:].strip()
            indent += 2
        key = _KEY.match(body)
        path = f"{base}.{key.group(1)}" if key and base else key.group(1) if key else base
        around = [c for i, c in pending if i == indent or (item and i == indent - 2)]
        pending = []
        if item and around:
            add(base, around)
            around = []
        if key:
            stack.append((indent, path))
        add(path, [*around, comment] if comment else around)
    notes.pop("format", None)  # the draft's own header comment
    for note in notes.values():
        duty = re.match(r"duties\[\d+\]", note.path)
        title = notes.get(f"{duty.group(0)}.title_vi") if duty else None
        if not note.first_line and title is not None:
            note.first_line, note.last_line = title.first_line, title.last_line
    return sorted(notes.values(), key=lambda n: ORDER[n.confidence])


# --- the review form -------------------------------------------------------------------------

SCHEDULE_KINDS = ("quarter", "half_year", "nine_months", "year")


def _codes(value: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", value.strip()) if c]


def _date(value: str) -> Any:
    """dd/mm/yyyy (as the page shows dates) or ISO; anything else is left as typed, for the
    validator to name the field."""
    value = value.strip()
    try:
        return parse_date(value)
    except TimeFormatError:
        return value


def apply_form(data: dict[str, Any], form: dict[str, str]) -> list[str]:
    """Apply the review form's fields to the draft's data; returns the paths whose value changed.

    Fields: ``plan.<key>``; per duty ``duties[i].title_vi``, ``.assignees``, ``.cooperating``
    (codes separated by spaces or commas), ``.done_when``, ``.schedule.due`` or
    ``.schedule.every`` (comma-separated) and ``.schedule.submit_working_days_after_cutoff``
    (or one checkbox per kind, ``.schedule.every.quarter`` …) with ``.schedule.kind`` (``due`` or
    ``every``) saying which one holds.
    """
    changed: list[str] = []

    def put(target: dict[str, Any], key: str, value: Any, path: str) -> None:
        empty = value in ("", [], None)
        if target.get(key) == value or (empty and target.get(key) in ("", [], None)):
            return
        if empty:
            target.pop(key, None)
        else:
            target[key] = value
        changed.append(path)

    plan = data.get("plan") if isinstance(data.get("plan"), dict) else None
    for key in ("id", "number", "title_vi", "date"):
        name = f"plan.{key}"
        if plan is not None and name in form:
            value = form[name].strip()
            put(plan, key, _date(value) if key == "date" and value else value, name)
    duties = data.get("duties") if isinstance(data.get("duties"), list) else []
    for i, duty in enumerate(duties or []):
        if not isinstance(duty, dict):
            continue
        p = f"duties[{i}]"
        if f"{p}.title_vi" in form:
            put(duty, "title_vi", " ".join(form[f"{p}.title_vi"].split()), f"{p}.title_vi")
        for key in ("assignees", "cooperating"):
            if f"{p}.{key}" in form:
                put(duty, key, _codes(form[f"{p}.{key}"]), f"{p}.{key}")
        if f"{p}.done_when" in form:
            put(duty, "done_when", form[f"{p}.done_when"].strip(), f"{p}.done_when")
        kind = form.get(f"{p}.schedule.kind")
        if kind == "due":
            new: dict[str, Any] = {"due": _date(form.get(f"{p}.schedule.due", ""))}
        elif kind == "every":
            days = form.get(f"{p}.schedule.submit_working_days_after_cutoff", "").strip()
            every = (
                _codes(form[f"{p}.schedule.every"])
                if f"{p}.schedule.every" in form
                else [k for k in SCHEDULE_KINDS if form.get(f"{p}.schedule.every.{k}")]
            )
            new = {
                "every": every,
                "submit_working_days_after_cutoff": int(days) if days.isdigit() else days,
            }
        else:
            continue
        if duty.get("schedule") != new:
            duty["schedule"] = new
            changed.append(f"{p}.schedule")
    return changed


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def mark_reviewed(notes: list[FieldNote], changed: list[str]) -> None:
    for note in notes:
        if any(note.path == c or c.startswith(note.path + ".") for c in changed):
            note.reviewed = True
