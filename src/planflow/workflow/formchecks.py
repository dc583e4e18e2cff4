"""Consistency checks for ongoing and event-relative duties, events and groups defined by a
condition (docs/workflow-format.md). Each problem names file, line and field."""

from __future__ import annotations

from planflow.workflow.errors import Problem
from planflow.workflow.model import Done, EventSchedule, OngoingSchedule, Workflow
from planflow.workflow.yamlsource import SourceDocument


def check_forms(workflow: Workflow, source: SourceDocument) -> list[Problem]:
    problems: list[Problem] = []
    events: set[str] = set()
    for i, event in enumerate(workflow.events):
        if event.code in events:
            problems.append(
                source.problem(
                    ("events", i, "code"),
                    f"mã sự kiện trùng lặp / duplicate event code {event.code!r}",
                )
            )
        events.add(event.code)
    for i, group in enumerate(workflow.groups):
        if group.condition_vi is None:
            if group.condition_en is not None:
                problems.append(
                    source.problem(
                        ("groups", i, "condition_en"),
                        "thiếu condition_vi / condition_en needs condition_vi",
                    )
                )
            continue
        for field in ("kinds", "members", "exclude"):
            if getattr(group, field):
                problems.append(
                    source.problem(
                        ("groups", i, field),
                        f"nhóm theo điều kiện không liệt kê {field}: người có thẩm quyền xác định "
                        f"thành viên / a group defined by a condition lists no {field}: a person "
                        "resolves its members (planflow group resolve)",
                    )
                )
    valid = ", ".join(sorted(events)) or "—"
    for i, duty in enumerate(workflow.duties):
        schedule = duty.schedule
        if isinstance(schedule, EventSchedule) and schedule.event not in events:
            problems.append(
                source.problem(
                    ("duties", i, "schedule", "event"),
                    f"sự kiện không tồn tại {schedule.event!r} (có: {valid}) / unknown event "
                    f"{schedule.event!r} (events: {valid})",
                )
            )
        if isinstance(schedule, OngoingSchedule) and duty.done_when is not Done.ACTIVITY:
            problems.append(
                source.problem(
                    ("duties", i, "done_when"),
                    "nhiệm vụ thường xuyên được theo dõi bằng cập nhật định kỳ: done_when phải là "
                    "activity / an ongoing duty is tracked by check-ins: done_when must be "
                    "'activity'",
                )
            )
    return problems
