"""``planflow db upgrade | current``: the read-model schema's migrations (docs/operations.md)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from planflow.cli.common import app, check_format, console, edge, open_app
from planflow.cli.group import PlanflowGroup

db_app = typer.Typer(
    cls=PlanflowGroup,
    no_args_is_help=True,
    help="Lược đồ cơ sở dữ liệu / the read-model schema and its migrations.",
)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    to: Annotated[str, typer.Option("--to", help="Target revision (default: head)")] = "head",
) -> None:
    """Nâng cấp lược đồ / upgrade the read-model tables, keeping their data."""
    with edge():
        application = open_app()
        try:
            from planflow.application import schema

            before, after = schema.upgrade(application.engine, to)
        finally:
            application.close()
        if before == after:
            console.print(f"Lược đồ đã ở {after} / schema already at {after}")
        else:
            was = before or "chưa có phiên bản / unversioned"
            console.print(f"[green]Đã nâng cấp / Upgraded[/] {was} → {after}")


@db_app.command("current")
def db_current(fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    """Phiên bản lược đồ / the store's schema revision and the code's head (exit 1 if behind)."""
    with edge():
        check_format(fmt)
        application = open_app()
        try:
            from planflow.application import schema

            found = schema.state(application.engine)
        finally:
            application.close()
        if fmt == "json":
            payload = {"current": found.current, "head": found.head, "is_current": found.is_current}
            sys.stdout.write(json.dumps(payload) + "\n")
        else:
            console.print(found.describe())
        if not found.is_current:
            raise typer.Exit(1)
