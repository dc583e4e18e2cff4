"""The input models of the task commands (application/commands.py): the fields each command takes
besides actor, time and expected version, with their limits and their form widgets.

Kept apart from the declarations so that listing the commands (``planflow --help``) needs no
pydantic: ``TaskCommand.input`` imports this module when a command is run, validated or shown.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

MAX_TEXT = 4000


def _widget(kind: str, label_vi: str, label_en: str, **extra: Any) -> dict[str, Any]:
    return {"widget": kind, "label_vi": label_vi, "label_en": label_en, **extra}


Note = Annotated[
    str,
    Field(max_length=MAX_TEXT, json_schema_extra=_widget("textarea", "Ghi chú", "Note")),
]
Reason = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=r"\S",
        json_schema_extra=_widget("textarea", "Lý do", "Reason"),
    ),
]
NewDue = Annotated[date, Field(json_schema_extra=_widget("date", "Hạn mới", "New deadline"))]


class CommandInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ExecuteInput(CommandInput):
    note: Note = ""
    evidence: Annotated[
        str,
        Field(
            max_length=2000,
            description="A link (http:// or https://) or a file name as evidence",
            json_schema_extra=_widget(
                "evidence", "Minh chứng (đường dẫn hoặc tệp)", "Evidence (link or file)"
            ),
        ),
    ] = ""


class ReportInput(CommandInput):
    document: Annotated[
        str,
        Field(
            min_length=1,
            max_length=500,
            pattern=r"\S",
            description="The report file's name (or its reference number)",
            json_schema_extra=_widget("file", "Tệp báo cáo", "Report file"),
        ),
    ]
    sha256: Annotated[str, Field(max_length=64, pattern=r"^[0-9a-fA-F]*$")] = ""
    note: Note = ""


class NoteInput(CommandInput):
    note: Note = ""


class ReasonInput(CommandInput):
    reason: Reason


class RaiseInput(CommandInput):
    text: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_TEXT,
            pattern=r"\S",
            json_schema_extra=_widget("textarea", "Nội dung khó khăn", "Difficulty"),
        ),
    ]


class AnswerInput(CommandInput):
    number: Annotated[
        int,
        Field(ge=1, json_schema_extra=_widget("open-difficulty", "Khó khăn số", "Difficulty no.")),
    ]
    answer: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_TEXT,
            pattern=r"\S",
            json_schema_extra=_widget("textarea", "Câu trả lời", "Answer"),
        ),
    ]


class ExtendInput(CommandInput):
    new_due: NewDue
    reason: Reason
    answers: Annotated[
        int | None,
        Field(
            None,
            ge=1,
            description="Also answer this extension request (a difficulty number)",
            json_schema_extra=_widget(
                "open-difficulty-optional",
                "Trả lời đề nghị gia hạn số",
                "Answers the extension request no.",
            ),
        ),
    ] = None


class RequestExtensionInput(CommandInput):
    new_due: NewDue
    reason: Reason


class ReassignInput(CommandInput):
    new_agency: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            pattern=r"^[a-z0-9][a-z0-9-]*$",
            json_schema_extra=_widget("agency", "Cơ quan mới", "New agency"),
        ),
    ]
    reason: Reason


class CheckInInput(CommandInput):
    note: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_TEXT,
            pattern=r"\S",
            json_schema_extra=_widget("textarea", "Kết quả thực hiện trong kỳ", "Progress"),
        ),
    ]
    evidence: Annotated[
        str,
        Field(
            max_length=2000,
            description="A link (http:// or https://) or a file name as evidence",
            json_schema_extra=_widget(
                "evidence", "Minh chứng (đường dẫn hoặc tệp)", "Evidence (link or file)"
            ),
        ),
    ] = ""
