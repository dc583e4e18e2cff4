"""Turning what a caller sent into a declared command's input, or a clear refusal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from planflow.application.commands import BY_NAME, CommandInput, TaskCommand
from planflow.domain.errors import InvalidArgument


class UnknownCommand(InvalidArgument):
    def __init__(self, name: str) -> None:
        valid = ", ".join(BY_NAME)
        super().__init__(
            f"Không có lệnh {name!r}; các lệnh hợp lệ: {valid}",
            f"no command {name!r}; valid commands: {valid}",
        )


def command_named(name: str) -> TaskCommand:
    try:
        return BY_NAME[str(name)]
    except KeyError:
        raise UnknownCommand(str(name)) from None


def parse_input(spec: TaskCommand, data: Mapping[str, Any]) -> CommandInput:
    """Validate ``data`` against the command's input model; a refusal names every bad field."""
    try:
        return spec.input.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ())) or "?"
            problems.append(f"{where}: {error.get('msg', '')}")
        detail = "; ".join(problems)
        raise InvalidArgument(
            f"Dữ liệu của lệnh {spec.name.value} không hợp lệ — {detail}",
            f"invalid input for {spec.name.value} — {detail}",
        ) from None
