"""The ``planflow`` command group: plain help text and commands built when they are used.

``--help`` is Click's plain formatter (no rich, pygments or markdown-it at start-up), except that a
command's line in the list is its help's whole first paragraph, wrapped, never cut with "...".

A lazy command (the declared task commands, cli/tasks.py) is listed by name and help without
being built: its options come from the command's input model (pydantic), built only when that
command runs or shows its own help.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches

from typer import _click
from typer.core import TyperGroup

Build = Callable[[], _click.Command]


@dataclass
class Lazy:
    """A command known by name and help, built on first use."""

    name: str
    help: str
    position: int  # the commands registered before it: its place in ``--help``
    build: Build
    built: list[_click.Command] = field(default_factory=list)

    def command(self) -> _click.Command:
        if not self.built:
            self.built.append(self.build())
        return self.built[0]


LAZY: dict[str, Lazy] = {}


def first_paragraph(text: str | None) -> str:
    """The first paragraph of a help text, on one line."""
    if not text:
        return ""
    paragraph = text.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines() if line.strip() != "\b")


class PlanflowGroup(TyperGroup):
    """A Typer group whose command list shows each command's complete first paragraph."""

    def lazy(self) -> dict[str, Lazy]:
        return {}

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        rows: list[tuple[str, str]] = []
        lazy = self.lazy()
        for name in self.list_commands(ctx):
            if name in lazy and not lazy[name].built:
                rows.append((name, first_paragraph(lazy[name].help)))
                continue
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.short_help or first_paragraph(command.help)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class RootGroup(PlanflowGroup):
    """The top-level group: its commands plus the lazy ones (``LAZY``) in their places."""

    def lazy(self) -> dict[str, Lazy]:
        return LAZY

    def list_commands(self, ctx: _click.Context) -> list[str]:
        names = super().list_commands(ctx)
        placed = 0  # lazy commands already placed, each before the later ones
        for entry in sorted(LAZY.values(), key=lambda entry: entry.position):
            if entry.name not in names:
                names.insert(min(entry.position + placed, len(names)), entry.name)
                placed += 1
        return names

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in LAZY:
            found = LAZY[cmd_name].command()
        return found

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        """As Typer's, with the lazy commands among the suggestions for a mistyped name."""
        try:
            return super().resolve_command(ctx, args)
        except _click.exceptions.UsageError as exc:
            if args and exc.message.startswith("No such command"):
                said = exc.message.split(". Did you mean", 1)[0].rstrip(".")
                matches = get_close_matches(args[0], self.list_commands(ctx))
                suggestions = ", ".join(repr(m) for m in matches)
                exc.message = f"{said}. Did you mean {suggestions}?" if matches else f"{said}."
            raise


def lazy_command(position: int, name: str, help: str, build: Build) -> None:
    """Register ``name`` on the top-level group; ``build`` makes its Click command when used."""
    LAZY[name] = Lazy(name, help, position, build)
