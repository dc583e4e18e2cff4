"""The agencies' and the Office's actions on a task, one CLI command per declared task command
(application/commands.py). Options are the command's input fields; ``--actor`` and ``--at`` are
every command's. The CLI acts for the Office's own operators: it has no access check.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from uuid import UUID

import typer
import typer.main
from typer import _click

from planflow.application.commands import COMMANDS, TaskCommand, form_fields
from planflow.application.timeparse import parse_date
from planflow.cli.choices import task_ref
from planflow.cli.common import (
    ActorOption,
    AtOption,
    app,
    console,
    edge,
    moment_of,
    open_app,
    wall_now,
)
from planflow.cli.group import lazy_command
from planflow.domain.errors import InvalidArgument

if TYPE_CHECKING:
    from planflow.application.app import PlanflowApp

T = TypeVar("T")


def act(
    task: str,
    at: str | None,
    action: Callable[[PlanflowApp, UUID, datetime | Callable[[], datetime]], T],
    done_vi: str,
    done_en: str,
) -> T:
    """Run a command on a task. Without ``--at`` the wall clock itself is passed, read by the
    application once the task's write lock is held (never a time taken before waiting)."""
    with edge():
        moment: datetime | Callable[[], datetime] = moment_of(at) if at else wall_now
        application = open_app()
        ref = task_ref(application.engine, task)
        result = action(application, ref, moment)
        console.print(f"[green]{done_vi} / {done_en}[/]: {ref}")
        return result


def cli_fields(spec: TaskCommand) -> list[tuple[str, str, str, bool]]:
    """(field, option, widget, required) for each input field a person types in."""
    return [
        (
            f.name,
            spec.cli_options.get(f.name, "--" + f.name.replace("_", "-")),
            f.widget,
            f.required,
        )
        for f in form_fields(spec)
    ]


def _data(spec: TaskCommand, values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, _option, widget, _required in cli_fields(spec):
        value = values.get(name)
        if value is None:
            continue
        if widget == "date":
            data[name] = parse_date(value)
        elif widget == "file":
            path = Path(value)
            if not path.is_file():
                raise InvalidArgument(
                    f"Không có tệp {value!r}: hãy đưa đường dẫn tới tệp báo cáo",
                    f"no file {value!r}: give the path of the report file",
                )
            import hashlib

            data[name] = value
            data["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            data[name] = value
    return data


def _function(spec: TaskCommand) -> Callable[..., None]:
    """The command's Typer function: its options are the input model's fields."""

    def command(task: str, actor: str, at: str | None = None, **values: Any) -> None:
        outcome = act(
            task,
            at,
            lambda a, r, m: a.run_command(spec.name, r, _data(spec, values), actor=actor, at=m),
            spec.done_vi,
            spec.done_en,
        )
        if outcome.number is not None:
            console.print(f"Số / Number: {outcome.number}")
        if outcome.named:
            console.print(f"Người nhận / Recipient: {outcome.named}", markup=False)

    params = [
        inspect.Parameter("task", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
        inspect.Parameter("actor", inspect.Parameter.KEYWORD_ONLY, annotation=ActorOption),
    ]
    for name, option, widget, required in cli_fields(spec):
        f = next(f for f in form_fields(spec) if f.name == name)
        help_text = f"{f.label_vi} / {f.label_en}"
        if widget == "date":
            help_text += " (dd/mm/yyyy or YYYY-MM-DD)"
        elif widget == "file":
            help_text += " (an existing file)"
        kind: Any = str if required else str | None
        annotation = Annotated[kind, typer.Option(option, help=help_text)]
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=annotation,
                default=inspect.Parameter.empty if required else None,
            )
        )
    params.append(
        inspect.Parameter("at", inspect.Parameter.KEYWORD_ONLY, annotation=AtOption, default=None)
    )
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    command.__name__ = spec.name.value.replace("-", "_")
    command.__doc__ = spec.label
    return command


def _build(spec: TaskCommand) -> _click.Command:
    """The command as Click runs it, made when it is first used (``--help`` lists it by name and
    label only, so listing the commands needs neither pydantic nor the input models)."""
    single = typer.Typer(add_completion=False, rich_markup_mode=None)
    single.command(name=spec.name.value, help=spec.label)(_function(spec))
    return typer.main.get_command(single)


for _spec in COMMANDS:
    lazy_command(
        len(app.registered_commands), _spec.name.value, _spec.label, partial(_build, _spec)
    )
