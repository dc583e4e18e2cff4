"""The ``planflow`` command starts light: ``--help`` and a command that reads the board import
neither the document formats (DOCX, XLSX, PDF), the web app, the scheduler nor the document
reader; ``--help`` imports no rich, pydantic or store either, and ``status`` on a store reads the
read models without the event store, the audit chain, the migrations or the calendar. Checked in
a fresh interpreter by the modules it holds afterwards — behaviour, not timing
(bench/bench_startup.py measures the time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI

HEAVY = (
    "docx",
    "openpyxl",
    "weasyprint",
    "pypdf",
    "fastapi",
    "starlette",
    "uvicorn",
    "apscheduler",
    "icalendar",
    "rapidfuzz",
    "planflow.ingest",
    "planflow.web",
    "planflow.scheduler",
    "planflow.notify",
    "planflow.reports",
)

# What a help screen does not need: rich's help formatter (rich, pygments, markdown-it) and the task
# commands' input models (pydantic), built only when a command runs or shows its own help.
NOT_FOR_HELP = (
    "rich",
    "pygments",
    "markdown_it",
    "pydantic",
    "planflow.application.command_inputs",
    "planflow.application.app",
)
# What reading the board does not need: the event store's application and recorder, the audit
# chain, the migrations, the working calendar, rich (the table is plain text); the table of a
# SQLite store not even SQLAlchemy.
NOT_FOR_READING = (
    "eventsourcing.application",
    "eventsourcing.persistence",
    "eventsourcing_sqlalchemy",
    "cryptography",
    "alembic",
    "holidays",
    "rich",
    "planflow.application.app",
    "planflow.bootstrap",
    "planflow.audit",
    "planflow.adapters.chained_store",  # the recorder (adapters/connections.py is plain SQLAlchemy)
)

PROBE = """
import json, sys
sys.argv = ["planflow", *json.loads(sys.argv[1])]
from planflow.cli.main import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def modules_after(args: list[str], cwd: Path) -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "PLANFLOW_DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], report["modules"]


def heavy_in(modules: list[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy)]


def test_help_imports_no_document_web_scheduler_or_reader_module(tmp_path: Path) -> None:
    code, modules = modules_after(["--help"], tmp_path)
    assert code == 0
    assert heavy_in(modules) == []
    assert "sqlalchemy" not in modules  # --help opens no store
    assert heavy_in(modules, NOT_FOR_HELP) == []


def test_a_task_command_is_built_with_its_options_when_its_own_help_is_asked(
    tmp_path: Path,
) -> None:
    code, modules = modules_after(["extend", "--help"], tmp_path)
    assert code == 0
    assert "planflow.application.command_inputs" in modules  # its options: the input model
    assert heavy_in(modules) == []


def test_the_help_lists_every_command_with_its_whole_label_in_order(tmp_path: Path) -> None:
    from planflow.application.commands import COMMANDS

    env = {k: v for k, v in os.environ.items() if k != "PLANFLOW_DATABASE_URL"}
    env["COLUMNS"] = "250"
    done = subprocess.run(
        [sys.executable, "-c", "from planflow.cli.main import main; main()", "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    entries: list[str] = []  # one per command: its name and its help, continuation lines joined
    for line in done.stdout.split("Commands:", 1)[1].splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            entries.append(line.strip())
        elif line.strip():
            entries[-1] += " " + line.strip()
    lines = [" ".join(entry.split()) for entry in entries]
    listed = [line.split(" ", 1)[0] for line in lines]
    names = [c.name.value for c in COMMANDS]
    at = listed.index(names[0])
    assert listed[at : at + len(names)] == names  # the task commands together, as declared
    assert listed.index("show") == at - 1 and listed.index("tick") == at + len(names)
    for command in COMMANDS:
        assert f"{command.name.value} {command.label}" in lines  # whole, never cut with "..."
    assert "status Bảng theo dõi / the status board, now or as of a past time." in lines
    assert "╭" not in done.stdout  # Click's plain help, not rich's panels


def test_reading_the_board_of_a_store_needs_no_event_store(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert modules_after(["--db", db, "status"], tmp_path)[0] == 0  # creates the store
    for command in (
        ["status"],
        ["status", "--as-of", "2022-06-25", "--status", "open_overdue"],
        ["status", "--limit", "0", "--include-cancelled"],
    ):
        code, modules = modules_after(["--db", db, *command], tmp_path)
        assert code == 0
        assert heavy_in(modules, NOT_FOR_READING) == []
        assert "sqlalchemy" not in modules  # a SQLite table is read through sqlite3
        assert "planflow.application.board_sqlite" in modules  # the probe sees what it reads with
    code, modules = modules_after(["--db", db, "status", "--format", "json"], tmp_path)
    assert code == 0
    assert heavy_in(modules, NOT_FOR_READING) == []


@pytest.mark.parametrize("command", [["status"], ["validate", str(MINI)]])
def test_a_simple_command_imports_no_document_web_scheduler_or_reader_module(
    tmp_path: Path, command: list[str]
) -> None:
    code, modules = modules_after(["--db", str(tmp_path / "s.db"), *command], tmp_path)
    assert code == 0
    assert heavy_in(modules) == []


def test_the_heavy_modules_are_still_there_when_a_command_needs_them(tmp_path: Path) -> None:
    """The probe can see an import: ``tick`` loads the scheduler."""
    code, modules = modules_after(["--db", str(tmp_path / "s.db"), "tick"], tmp_path)
    assert code == 0
    assert "planflow.scheduler.tick" in modules


def test_a_mistyped_command_is_answered_with_the_close_names_lazy_ones_included() -> None:
    from typer.testing import CliRunner

    from planflow.cli.main import app

    mistyped = CliRunner().invoke(app, ["exectue", "abcdef12", "--actor", "x"])
    assert mistyped.exit_code == 2
    assert "No such command 'exectue'. Did you mean 'execute', 'extend'?" in mistyped.output
    assert "Did you mean 'status'?" in CliRunner().invoke(app, ["statu"]).output
