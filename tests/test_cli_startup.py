"""The ``planflow`` command starts light: ``--help`` and a command that reads the board import
neither the document formats (DOCX, XLSX, PDF), the web app, the scheduler nor the document
reader. Checked in a fresh interpreter by the modules it holds afterwards — behaviour, not timing
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


def heavy_in(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_help_imports_no_document_web_scheduler_or_reader_module(tmp_path: Path) -> None:
    code, modules = modules_after(["--help"], tmp_path)
    assert code == 0
    assert heavy_in(modules) == []
    assert "sqlalchemy" not in modules  # --help opens no store


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
