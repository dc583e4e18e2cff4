"""Every task command, declared once.

A declaration names the command, the domain method it calls (``run``), its input model, who may
call it (``audience``), its labels in Vietnamese and English, the fields of its form and when the
form is offered. The CLI command (cli/tasks.py), the API route (web/api/commands.py), the page
form (web/pages/tasks.py and task.html) and the command table in docs/cli.md are all derived from
``COMMANDS``. Adding a command means a domain method on ``Task`` and a declaration here.

Every command runs through ``PlanflowApp.run_command``: one load, the access check, the expected
version, the domain method, one save.

The input models (pydantic) live in command_inputs.py and a declaration names its model: listing
the commands (``planflow --help``) imports neither pydantic nor the models; ``TaskCommand.input``
imports them when a command is run, validated or shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # annotations only: the CLI lists the commands without loading the aggregate
    from planflow.application.command_inputs import CommandInput as CommandInput
    from planflow.application.command_inputs import (
        NoteInput,
        ReassignInput,
        ReportInput,
    )
    from planflow.domain.chase import Recipient
    from planflow.domain.task import Task

INPUTS_MODULE = "planflow.application.command_inputs"


def __getattr__(name: str) -> Any:
    """``CommandInput`` and the input models, imported from command_inputs on first use."""
    if name == "CommandInput" or name.endswith("Input"):
        return getattr(importlib.import_module(INPUTS_MODULE), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class CommandName(StrEnum):
    EXECUTE = "execute"
    REPORT = "report"
    ACCEPT = "accept"
    RETURN = "return"
    RAISE = "raise"
    ANSWER = "answer"
    EXTEND = "extend"
    REQUEST_EXTENSION = "request-extension"
    REASSIGN = "reassign"
    CANCEL = "cancel"
    CHASE = "chase"
    CHECK_IN = "check-in"


class Audience(StrEnum):
    """Who may call a command. Roles (web/access.py) map onto these."""

    AGENCY = "agency"  # the task's own agency: its officers and its head
    OFFICE = "office"  # the Office (staff and director): review and chase
    DIRECTOR = "director"  # the Office director only


# --- what a command may consult besides the task ----------------------------------------------


class CommandServices(Protocol):
    """What the application lends a command: the plan's heads and agencies."""

    def recipient(self, task: Task) -> Recipient: ...

    def check_agency_known(self, plan: str, agency: str) -> None: ...


Run = Callable[["Task", Any, str, CommandServices], int | None]
Offered = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class TaskCommand:
    """One task command. ``run(task, input, actor, services)`` calls the domain method and may
    return a number (a difficulty's); ``offered(task_state)`` says when its form is shown."""

    name: CommandName
    input_model: str  # the class's name in command_inputs, imported when needed
    audience: Audience
    label_vi: str
    label_en: str
    done_vi: str
    done_en: str
    run: Run
    offered: Offered = lambda state: True
    cli_options: Mapping[str, str] = field(default_factory=dict)
    danger: bool = False
    submit_vi: str = "Gửi"
    submit_en: str = "Send"

    @property
    def input(self) -> type[CommandInput]:
        """The command's input model (pydantic, imported on first use)."""
        model: type[CommandInput] = getattr(
            importlib.import_module(INPUTS_MODULE), self.input_model
        )
        return model

    @property
    def label(self) -> str:
        return f"{self.label_vi} / {self.label_en}"


def _open(state: Mapping[str, Any]) -> bool:
    return not state.get("completed_at")


def _has_open_difficulty(state: Mapping[str, Any]) -> bool:
    return any(d.get("answer") is None for d in state.get("difficulties", []))


def _report(task: Task, i: ReportInput, actor: str, _s: CommandServices) -> None:
    task.submit_report(actor=actor, document=i.document, sha256=i.sha256, note=i.note)


def _reassign(task: Task, i: ReassignInput, actor: str, s: CommandServices) -> None:
    s.check_agency_known(task.plan, i.new_agency)
    task.reassign(actor=actor, new_agency=i.new_agency, reason=i.reason)


def _chase(task: Task, i: NoteInput, actor: str, s: CommandServices) -> None:
    task.chase_up(actor=actor, recipient=s.recipient(task), note=i.note)


COMMANDS: tuple[TaskCommand, ...] = (
    TaskCommand(
        CommandName.EXECUTE,
        "ExecuteInput",
        Audience.AGENCY,
        "Đánh dấu đã thực hiện",
        "Mark the activity done",
        "Đã ghi nhận thực hiện",
        "activity recorded",
        lambda t, i, a, s: t.execute_activity(actor=a, note=i.note, evidence=i.evidence),
        offered=lambda st: st.get("completion") == "activity",
        submit_vi="Đã thực hiện",
        submit_en="Mark done",
    ),
    TaskCommand(
        CommandName.REPORT,
        "ReportInput",
        Audience.AGENCY,
        "Gửi báo cáo",
        "Submit the report",
        "Đã gửi báo cáo",
        "report submitted",
        _report,
        offered=lambda st: st.get("completion") == "report",
    ),
    TaskCommand(
        CommandName.ACCEPT,
        "NoteInput",
        Audience.OFFICE,
        "Chấp nhận báo cáo",
        "Accept the report",
        "Đã chấp nhận báo cáo",
        "report accepted",
        lambda t, i, a, s: t.accept_report(actor=a, note=i.note),
        offered=lambda st: st.get("report_state") == "submitted",
        submit_vi="Chấp nhận",
        submit_en="Accept",
    ),
    TaskCommand(
        CommandName.RETURN,
        "ReasonInput",
        Audience.OFFICE,
        "Trả lại báo cáo",
        "Return the report",
        "Đã trả lại báo cáo",
        "report returned",
        lambda t, i, a, s: t.return_report(actor=a, reason=i.reason),
        offered=lambda st: st.get("report_state") == "submitted",
        submit_vi="Trả lại",
        submit_en="Return",
    ),
    TaskCommand(
        CommandName.RAISE,
        "RaiseInput",
        Audience.AGENCY,
        "Nêu khó khăn, vướng mắc",
        "Raise a difficulty",
        "Đã ghi nhận khó khăn",
        "difficulty raised",
        lambda t, i, a, s: t.raise_difficulty(actor=a, text=i.text),
    ),
    TaskCommand(
        CommandName.ANSWER,
        "AnswerInput",
        Audience.OFFICE,
        "Trả lời khó khăn",
        "Answer a difficulty",
        "Đã trả lời khó khăn",
        "difficulty answered",
        lambda t, i, a, s: t.answer_difficulty(actor=a, number=i.number, answer=i.answer),
        offered=_has_open_difficulty,
        cli_options={"answer": "--text"},
        submit_vi="Trả lời",
        submit_en="Answer",
    ),
    TaskCommand(
        CommandName.EXTEND,
        "ExtendInput",
        Audience.DIRECTOR,
        "Gia hạn (chấp thuận đề nghị gia hạn)",
        "Extend the deadline (approve an extension)",
        "Đã gia hạn",
        "deadline extended",
        lambda t, i, a, s: t.extend_deadline(
            actor=a, new_due=i.new_due, reason=i.reason, answers=i.answers
        ),
        offered=_open,
        cli_options={"new_due": "--to"},
        submit_vi="Gia hạn",
        submit_en="Extend",
    ),
    TaskCommand(
        CommandName.REQUEST_EXTENSION,
        "RequestExtensionInput",
        Audience.AGENCY,
        "Đề nghị gia hạn",
        "Ask for an extension",
        "Đã gửi đề nghị gia hạn",
        "extension requested",
        lambda t, i, a, s: t.request_extension(actor=a, new_due=i.new_due, reason=i.reason),
        offered=_open,
        cli_options={"new_due": "--to"},
    ),
    TaskCommand(
        CommandName.REASSIGN,
        "ReassignInput",
        Audience.DIRECTOR,
        "Giao lại cho cơ quan khác",
        "Reassign to another agency",
        "Đã giao lại",
        "reassigned",
        _reassign,
        offered=_open,
        cli_options={"new_agency": "--to"},
        submit_vi="Giao lại",
        submit_en="Reassign",
    ),
    TaskCommand(
        CommandName.CANCEL,
        "ReasonInput",
        Audience.DIRECTOR,
        "Hủy nhiệm vụ",
        "Cancel the task",
        "Đã hủy",
        "cancelled",
        lambda t, i, a, s: t.cancel(actor=a, reason=i.reason),
        offered=_open,
        danger=True,
        submit_vi="Hủy nhiệm vụ",
        submit_en="Cancel the task",
    ),
    TaskCommand(
        CommandName.CHASE,
        "NoteInput",
        Audience.OFFICE,
        "Gửi văn bản đôn đốc ngay",
        "Send a chase-up now",
        "Đã đôn đốc",
        "chase-up recorded",
        _chase,
        offered=lambda st: _open(st) and st.get("report_state") != "submitted",
    ),
    TaskCommand(
        CommandName.CHECK_IN,
        "CheckInInput",
        Audience.AGENCY,
        "Cập nhật tiến độ (nhiệm vụ thường xuyên)",
        "Record a check-in (ongoing duty)",
        "Đã cập nhật tiến độ",
        "check-in recorded",
        lambda t, i, a, s: t.check_in(actor=a, note=i.note, evidence=i.evidence),
        offered=lambda st: bool(st.get("ongoing")) and _open(st),
        submit_vi="Cập nhật",
        submit_en="Check in",
    ),
)

BY_NAME: dict[str, TaskCommand] = {c.name.value: c for c in COMMANDS}


@dataclass(frozen=True)
class FormField:
    """One field of a command's form (or CLI options): name, widget, labels, required."""

    name: str
    widget: str
    label_vi: str
    label_en: str
    required: bool


def form_fields(spec: TaskCommand) -> list[FormField]:
    """The fields a person fills in, in declaration order (program-filled fields left out)."""
    fields = []
    for name, info in spec.input.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if "widget" in extra:
            fields.append(
                FormField(
                    name,
                    str(extra["widget"]),
                    str(extra["label_vi"]),
                    str(extra["label_en"]),
                    info.is_required(),
                )
            )
    return fields


def command_table() -> str:
    """The Markdown table of task commands in docs/cli.md (a test keeps the two the same)."""
    who = {
        Audience.AGENCY: "the task's agency (officer, head)",
        Audience.OFFICE: "the Office (staff, director)",
        Audience.DIRECTOR: "the Office director",
    }
    lines = [
        "| command | what it does | who may (web/API) | fields |",
        "|---|---|---|---|",
    ]
    for c in COMMANDS:
        fields = ", ".join(
            f"`{c.cli_options.get(f.name, '--' + f.name.replace('_', '-'))}`"
            + ("" if f.required else "?")
            for f in form_fields(c)
        )
        lines.append(f"| `{c.name.value}` | {c.label} | {who[c.audience]} | {fields} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(command_table(), end="")
