"""Read a workflow file: YAML → pydantic models → consistency checks → a plan ready to expand.

Every problem found is reported with file, line and field; nothing is returned half-valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.domain.calendar import WorkingCalendar
from planflow.workflow.errors import Problem, WorkflowError
from planflow.workflow.formchecks import check_forms
from planflow.workflow.model import (
    MAX_TEXT,
    LadderRecipient,
    Workflow,
)
from planflow.workflow.roles import cached, check_overlaps, check_roles, rule_size
from planflow.workflow.schedules import check_schedule, period_count
from planflow.workflow.yamlsource import Loc, SourceDocument, read_yaml

M = TypeVar("M", bound=BaseModel)

MAX_TASKS = 100_000
"""Tasks one file may make (duties × assignees × periods): a file of a few kilobytes must not
become millions of events."""
MAX_OVERRIDE_DAYS = 1000
"""Entries in each list of a calendar overrides file."""


class DayEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date
    reason: str = Field(min_length=1, max_length=MAX_TEXT)


class CalendarOverrides(BaseModel):
    """Declared swaps the holidays package does not know yet."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    working_days: list[DayEntry] = Field(
        default_factory=list, max_length=MAX_OVERRIDE_DAYS, description="Weekend days worked"
    )
    days_off: list[DayEntry] = Field(
        default_factory=list, max_length=MAX_OVERRIDE_DAYS, description="Extra days off"
    )


@dataclass(frozen=True)
class LoadedPlan:
    workflow: Workflow
    calendar: WorkingCalendar
    path: Path
    sha256: str


def load_workflow(path: Path) -> LoadedPlan:
    source = read_yaml(path)
    workflow = _validate(source, Workflow)
    overrides, overrides_problems = _overrides(workflow, path, source)
    calendar = _calendar(workflow, overrides)
    problems = check_consistency(workflow, source)
    problems += check_schedules(workflow, calendar, source)
    if not problems:
        problems += check_size(workflow, source)
    if not problems:
        problems += check_overlaps(
            workflow, source, cached(lambda code: expand_group(workflow, code))
        )
    problems += overrides_problems
    if problems:
        raise WorkflowError(problems)
    digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    return LoadedPlan(workflow, calendar, path, digest)


def _validate(source: SourceDocument, model: type[M]) -> M:
    if not isinstance(source.data, dict):
        raise WorkflowError([source.problem((), _not_a_mapping(source.data))])
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        errors = _closest_union_members(exc.errors())
        problems = [source.problem(_clean_loc(err["loc"]), _message(err)) for err in errors]
        raise WorkflowError(problems) from None


def _not_a_mapping(data: object) -> str:
    if data is None:
        found = "tệp rỗng / the file is empty"
    elif isinstance(data, list):
        found = "tìm thấy một danh sách / found a list"
    else:
        found = f"tìm thấy một giá trị đơn / found a single {type(data).__name__} value"
    return f"tệp phải là một ánh xạ YAML / the file must be a YAML mapping: {found}"


# The Vietnamese half of pydantic's messages (which are English), by error type.
_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "string_too_long": "chuỗi quá dài",
    "string_too_short": "chuỗi rỗng",
    "too_long": "danh sách quá dài",
    "too_short": "danh sách quá ngắn",
    "string_pattern_mismatch": "không đúng mẫu",
    "string_type": "phải là một chuỗi",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "less_than_equal": "giá trị quá lớn",
    "greater_than_equal": "giá trị quá nhỏ",
    "list_type": "phải là một danh sách",
    "model_type": "phải là một ánh xạ",
    "dict_type": "phải là một ánh xạ",
    "model_attributes_type": "phải là một ánh xạ",
    "enum": "giá trị không được chấp nhận",
    "literal_error": "giá trị không được chấp nhận",
    "date_type": "ngày không hợp lệ",
    "date_parsing": "ngày không hợp lệ",
    "date_from_datetime_inexact": "ngày không hợp lệ",
    "date_from_datetime_parsing": "ngày không hợp lệ",
}


def _message(err: ErrorDetails) -> str:
    """Vietnamese, then pydantic's English message."""
    return f"{_VI.get(err['type'], 'giá trị không hợp lệ')} / {err['msg']}"


def _is_union_tag(part: int | str) -> bool:
    # pydantic adds the union member it tried to locations inside a union: a model's name
    # ("FixedSchedule") or a type's ("constrained-str", "str-enum[LadderRecipient]").
    return isinstance(part, str) and (part[:1].isupper() or not part.isidentifier())


def _union_member(loc: tuple[int | str, ...], level: int = 0) -> tuple[Loc, str] | None:
    """The union member an error lies in at nesting ``level`` (0: the outermost union)."""
    seen = 0
    for i, part in enumerate(loc):
        if _is_union_tag(part):
            if seen == level:
                return tuple(loc[:i]), str(part)
            seen += 1
    return None


_STRUCTURAL = ("extra_forbidden", "missing")


def _wrong_kind(error_type: str) -> bool:
    """An error saying the value is of another kind than the member takes (not a string, not one
    of the words): a member that takes the kind but not the value (13 for a month) is closer."""
    return error_type in ("literal_error", "enum") or error_type.endswith(("_type", "_parsing"))


def _closest_union_members(errors: list[ErrorDetails], level: int = 0) -> list[ErrorDetails]:
    """pydantic reports the errors of every member of a union that failed to match; keep only
    those of the member that came closest, so a wrong value in a recurring schedule is not also
    reported as the "extra fields" of a fixed one. Closest: the fewest fields missing or not
    allowed (the member whose shape the value has), then the fewest errors, then the first in
    the union's order, preferring a member that takes the value's kind (a number for a month
    number); a union inside a member counts only its own closest member."""
    groups: dict[tuple[Loc, str], list[ErrorDetails]] = {}
    for err in errors:
        member = _union_member(err["loc"], level)
        if member is not None:
            groups.setdefault(member, []).append(err)
    if not groups:
        return errors
    best: dict[Loc, tuple[tuple[int, int, int, int], list[ErrorDetails]]] = {}
    for order, (member, group) in enumerate(groups.items()):
        kept = _closest_union_members(group, level + 1)
        score = (
            sum(e["type"] in _STRUCTURAL for e in kept),
            sum(_wrong_kind(e["type"]) for e in kept),
            len(kept),
            order,
        )
        if member[0] not in best or score < best[member[0]][0]:
            best[member[0]] = (score, kept)
    chosen = {id(e) for _, kept in best.values() for e in kept}
    return [e for e in errors if _union_member(e["loc"], level) is None or id(e) in chosen]


def _clean_loc(loc: tuple[int | str, ...]) -> Loc:
    return tuple(p for p in loc if not _is_union_tag(p))


def check_consistency(workflow: Workflow, source: SourceDocument) -> list[Problem]:
    problems: list[Problem] = []
    agencies: dict[str, int] = {}
    for i, agency in enumerate(workflow.agencies):
        if agency.code in agencies:
            problems.append(
                source.problem(
                    ("agencies", i, "code"),
                    f"mã cơ quan trùng lặp / duplicate agency code {agency.code!r}",
                )
            )
        agencies[agency.code] = i
    for i, agency in enumerate(workflow.agencies):
        if agency.successor is not None and agency.successor not in agencies:
            problems.append(
                source.problem(
                    ("agencies", i, "successor"),
                    f"cơ quan kế thừa không tồn tại / unknown successor agency {agency.successor!r}",
                )
            )
    groups: dict[str, int] = {}
    for i, group in enumerate(workflow.groups):
        if group.code in groups or group.code in agencies:
            problems.append(
                source.problem(
                    ("groups", i, "code"),
                    f"mã nhóm trùng lặp / duplicate group code {group.code!r}",
                )
            )
        groups[group.code] = i
        for field in ("members", "exclude"):
            for j, code in enumerate(getattr(group, field)):
                if code not in agencies:
                    problems.append(
                        source.problem(
                            ("groups", i, field, j),
                            f"cơ quan không tồn tại / unknown agency {code!r}",
                        )
                    )
        if group.condition_vi is None and not expand_group(workflow, group.code):
            problems.append(
                source.problem(
                    ("groups", i),
                    f"nhóm {group.code!r} không có cơ quan nào / group expands to no agency",
                )
            )
    duty_ids: set[str] = set()
    for i, duty in enumerate(workflow.duties):
        if duty.id in duty_ids:
            problems.append(
                source.problem(
                    ("duties", i, "id"), f"mã nhiệm vụ trùng lặp / duplicate duty id {duty.id!r}"
                )
            )
        duty_ids.add(duty.id)
        for j, code in enumerate(duty.assignees):
            if code not in agencies and code not in groups:
                problems.append(
                    source.problem(
                        ("duties", i, "assignees", j),
                        f"cơ quan hoặc nhóm không tồn tại / unknown agency or group {code!r}",
                    )
                )
        for j, days in enumerate(duty.reminders_working_days_before or []):
            if days < 1:
                problems.append(
                    source.problem(
                        ("duties", i, "reminders_working_days_before", j),
                        "số ngày nhắc phải ≥ 1 / reminder days must be at least 1",
                    )
                )
    for i, step in enumerate(workflow.escalation.ladder):
        recipient = step.recipient
        if not isinstance(recipient, LadderRecipient) and recipient not in agencies:
            problems.append(
                source.problem(
                    ("escalation", "ladder", i, "recipient"),
                    f"cơ quan không tồn tại / unknown agency {recipient!r}",
                )
            )
    for j, days in enumerate(workflow.escalation.reminders_working_days_before):
        if days < 1:
            problems.append(
                source.problem(
                    ("escalation", "reminders_working_days_before", j),
                    "số ngày nhắc phải ≥ 1 / reminder days must be at least 1",
                )
            )
    problems.extend(check_roles(workflow, source))
    problems.extend(check_forms(workflow, source))
    return problems


def check_schedules(
    workflow: Workflow, calendar: WorkingCalendar, source: SourceDocument
) -> list[Problem]:
    """Every duty's schedule (workflow.schedules): its periods, deadlines, window and start."""
    problems: list[Problem] = []
    for i, duty in enumerate(workflow.duties):
        problems += check_schedule(duty, ("duties", i), workflow.plan.year, calendar, source)
    return problems


def expand_group(workflow: Workflow, code: str) -> list[str]:
    """The agency codes a group stands for, in the file's agency order."""
    group = next((g for g in workflow.groups if g.code == code), None)
    if group is None:
        return [code] if any(a.code == code for a in workflow.agencies) else []
    chosen = {a.code for a in workflow.agencies if a.kind in group.kinds} | set(group.members)
    chosen -= set(group.exclude)
    return [a.code for a in workflow.agencies if a.code in chosen]


def _overrides(
    workflow: Workflow, path: Path, source: SourceDocument
) -> tuple[CalendarOverrides | None, list[Problem]]:
    """The calendar overrides the file names, if any; checked before any calendar is built."""
    if workflow.calendar.overrides is None:
        return None, []
    line = source.line_of(("calendar", "overrides"))
    overrides_path, refusal = confined_overrides(path, workflow.calendar.overrides)
    if refusal:
        return None, [Problem(path, line, "calendar.overrides", refusal)]
    try:
        return load_overrides(overrides_path), []
    except WorkflowError as exc:
        return None, [
            Problem(
                path, line, "calendar.overrides", "tệp điều chỉnh lịch lỗi / bad overrides file"
            ),
            *exc.problems,
        ]


def _calendar(workflow: Workflow, overrides: CalendarOverrides | None) -> WorkingCalendar:
    year = workflow.plan.year
    calendar = vietnam_calendar(range(year - 1, year + 2))
    return calendar if overrides is None else apply_overrides(calendar, overrides)


def confined_overrides(path: Path, overrides: str) -> tuple[Path, str | None]:
    """The overrides file named in the workflow file at ``path``, resolved (symlinks too), or why
    it is refused: it must be a relative path that stays inside the workflow file's folder."""
    folder = path.parent.resolve()
    shown = overrides if len(overrides) <= 80 else overrides[:80] + "…"
    if Path(overrides).is_absolute():
        return folder, (
            f"đường dẫn tuyệt đối không được phép: {shown!r}; hãy ghi đường dẫn tương đối trong "
            f"thư mục của tệp kế hoạch / an absolute path is not allowed: {shown!r}; give a path "
            "relative to the workflow file, inside its folder"
        )
    resolved = (path.parent / overrides).resolve()
    if not resolved.is_relative_to(folder):
        return folder, (
            f"tệp điều chỉnh lịch nằm ngoài thư mục của tệp kế hoạch: {shown!r} / the overrides "
            f"file is outside the workflow file's folder: {shown!r} (resolves to {resolved})"
        )
    return resolved, None


def check_size(workflow: Workflow, source: SourceDocument) -> list[Problem]:
    """Refuse a file that would make more than ``MAX_TASKS`` tasks. The count is an upper bound
    (an agency reached twice in one duty is counted twice, agencies' validity is ignored), cheap
    whatever the file: one pass over the duties' assignees."""
    sizes: dict[str, int] = {}
    total = 0
    for duty in workflow.duties:
        for code in [*duty.assignees, *duty.cooperating]:
            if code not in sizes:
                sizes[code] = len(expand_group(workflow, code))
        assignees = min(len(workflow.agencies), sum(sizes[code] for code in set(duty.assignees)))
        assignees += min(len(workflow.agencies), sum(sizes[c] for c in set(duty.cooperating)))
        total += assignees * period_count(duty.schedule)
    expand = cached(lambda code: expand_group(workflow, code))
    rules = rule_size(workflow, lambda code: len(expand(code)))
    if rules > MAX_TASKS:
        return [
            source.problem(
                ("recipient_rules",),
                f"quy tắc nơi nhận quá lớn: tới {rules} cơ quan, tối đa {MAX_TASKS} / the "
                f"recipient rules reach too many agencies: up to {rules}, at most {MAX_TASKS}",
            )
        ]
    if total <= MAX_TASKS:
        return []
    return [
        source.problem(
            ("duties",),
            f"tệp tạo quá nhiều nhiệm vụ: tới {total}, tối đa {MAX_TASKS} / the file makes too "
            f"many tasks: up to {total}, at most {MAX_TASKS}",
        )
    ]


def load_overrides(path: Path) -> CalendarOverrides:
    source = read_yaml(path)
    if source.data is None:
        return CalendarOverrides()
    return _validate(source, CalendarOverrides)


def apply_overrides(calendar: WorkingCalendar, overrides: CalendarOverrides) -> WorkingCalendar:
    names = {e.date: e.reason for e in (*overrides.working_days, *overrides.days_off)}
    return calendar.with_overrides(
        working_days=[e.date for e in overrides.working_days],
        days_off=[e.date for e in overrides.days_off],
        names=names,
    )
