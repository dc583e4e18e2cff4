"""The ``planflow`` command line on a real SQLite file.

Most commands run in this process through Typer's CliRunner (``run``), 250 columns wide; a few run
the installed console script as a real process (``run_process``): the entry point, exit codes and
the environment as a shell sees them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import KIEN_GIANG, MINI, ROOT
from planflow.application.app import PlanflowApp
from planflow.cli import common
from planflow.cli.main import app as cli
from planflow.domain.task import task_id
from planflow.workflow.model import Workflow

KG = "kien-giang-2022-tthc"
SO_TU_PHAP_Q1 = str(task_id(KG, "IV.1.a.2", "so-tu-phap", "2022-Q1"))
SO_TU_PHAP_PLAN = str(task_id(KG, "IV.1.a.1", "so-tu-phap", "2022"))
WIDTH = 250


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PLANFLOW_DATABASE_URL"}
    env["COLUMNS"] = str(WIDTH)
    env["NO_COLOR"] = "1"
    return env


@dataclass(frozen=True)
class Ran:
    """What a command left: its exit code and its two output streams."""

    returncode: int
    stdout: str
    stderr: str


Run = Callable[..., Ran]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """``planflow ARGS`` in this process, in tmp_path; each command's stores are closed after it."""
    monkeypatch.chdir(tmp_path)
    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", WIDTH)
    opened: list[PlanflowApp] = []
    bootstrap = common.bootstrap

    def tracked(url: str) -> PlanflowApp:
        application = bootstrap(url)
        opened.append(application)
        return application

    monkeypatch.setattr(common, "bootstrap", tracked)
    runner = CliRunner()

    def run_(*args: str, env: dict[str, str] | None = None) -> Ran:
        wanted = env or base_env()
        overlay: dict[str, str | None] = {k: None for k in os.environ if k not in wanted}
        overlay.update(wanted)
        try:
            result = runner.invoke(cli, list(args), env=overlay, prog_name="planflow")
        finally:
            while opened:
                opened.pop().close()
        stderr = result.stderr
        if result.exc_info and not isinstance(result.exception, SystemExit):
            stderr += "".join(traceback.format_exception(*result.exc_info))
        return Ran(result.exit_code, result.stdout, stderr)

    yield run_


@pytest.fixture
def run_process(tmp_path: Path) -> Run:
    """``planflow ARGS`` as a real process of the installed console script, in tmp_path."""

    def run_(*args: str, env: dict[str, str] | None = None) -> Ran:
        planflow = shutil.which("planflow")
        assert planflow, "the planflow console script is not installed"
        done = subprocess.run(
            [planflow, *args],
            cwd=tmp_path,
            env=env or base_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Ran(done.returncode, done.stdout, done.stderr)

    return run_


@pytest.fixture
def kg(kg_cli_db: Path) -> Path:
    """tmp_path/planflow.db with the Kiên Giang plan loaded on 15 Feb 2022 by ``planflow load``."""
    return kg_cli_db


def count_rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def events_in(db: Path) -> int:
    return count_rows(db, "planflow_events")


def json_out(result: Ran) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def status_of(run: Run, *args: str) -> dict[str, dict[str, Any]]:
    payload = json_out(run("status", "--format", "json", *args))
    return {t["id"]: t for t in payload["tasks"]}


# --- plans -------------------------------------------------------------------------------


def test_the_console_script_validates_reporting_the_task_count_and_writing_nothing(
    run_process: Run, tmp_path: Path
) -> None:
    result = run_process("validate", str(KIEN_GIANG))
    assert result.returncode == 0, result.stderr
    assert "515" in result.stdout and KG in result.stdout
    assert not (tmp_path / "planflow.db").exists()


def test_load_prints_515_and_loading_again_changes_nothing(run: Run, tmp_path: Path) -> None:
    first = run("load", str(KIEN_GIANG), "--at", "2022-02-15")
    assert first.returncode == 0, first.stderr
    assert "515" in first.stdout and "Loaded" in first.stdout
    db = tmp_path / "planflow.db"
    assert events_in(db) == 516
    second = run("load", str(KIEN_GIANG), "--at", "2022-02-16")
    assert second.returncode == 0, second.stderr
    assert "No change" in second.stdout
    assert events_in(db) == 516


def test_a_bad_workflow_file_exits_2_names_file_line_field_and_writes_nothing(
    run_process: Run, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINI.read_text(encoding="utf-8").replace("recipient: vp,", "recipient: zz,"),
        encoding="utf-8",
    )
    for command in ("validate", "load"):
        result = run_process(command, str(bad))
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert f"{bad}:47: escalation.ladder[1].recipient:" in result.stderr
        assert "Nothing was written" in result.stderr
    assert not (tmp_path / "planflow.db").exists()


def test_an_impossible_date_exits_2_instead_of_crashing(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad-date.yaml"
    bad.write_text(
        MINI.read_text(encoding="utf-8").replace("{due: 2022-03-31}", "{due: 2022-13-31}"),
        encoding="utf-8",
    )
    result = run("load", str(bad))
    assert result.returncode == 2, result.stderr
    assert f"{bad}:35: duties[0].schedule.due:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "planflow.db").exists()


def test_a_bad_revision_of_a_loaded_plan_writes_no_rows(run: Run, tmp_path: Path) -> None:
    good = tmp_path / "mini.yaml"
    good.write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("load", str(good), "--at", "2022-02-15").returncode == 0
    db = tmp_path / "planflow.db"
    before = (
        events_in(db),
        count_rows(db, "planflow_board"),
        count_rows(db, "planflow_task_events"),
    )
    good.write_text(
        MINI.read_text(encoding="utf-8").replace("  - id: D2\n", "  - id: D1\n"), encoding="utf-8"
    )
    broken = run("load", str(good), "--at", "2022-03-01")
    assert broken.returncode == 2
    assert f"{good}:36: duties[1].id:" in broken.stderr
    good.write_text(
        MINI.read_text(encoding="utf-8").replace("{due: 2022-03-31}", "{due: 2022-03-30}"),
        encoding="utf-8",
    )
    earlier = run("load", str(good), "--at", "2022-03-01")
    assert earlier.returncode == 2
    assert "deadlines only move later" in earlier.stderr
    after = (
        events_in(db),
        count_rows(db, "planflow_board"),
        count_rows(db, "planflow_task_events"),
    )
    assert after == before


def test_schema_prints_the_shipped_schema_which_is_the_models_schema(run: Run) -> None:
    shipped = (ROOT / "src" / "planflow" / "schema" / "workflow.schema.json").read_text(
        encoding="utf-8"
    )
    result = run("schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == shipped
    assert json.loads(shipped) == Workflow.model_json_schema()


def test_schema_can_write_a_file(run: Run, tmp_path: Path) -> None:
    assert run("schema", "--output", "out.json").returncode == 0
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == (
        Workflow.model_json_schema()
    )


# --- the database -------------------------------------------------------------------------


def test_the_database_is_chosen_by_db_then_the_environment_then_the_default(
    run: Run, tmp_path: Path
) -> None:
    mini = str(MINI)
    assert run("--db", "chosen.db", "load", mini, "--at", "2022-02-15").returncode == 0
    assert (tmp_path / "chosen.db").exists()
    assert not (tmp_path / "planflow.db").exists()
    env = base_env()
    env["PLANFLOW_DATABASE_URL"] = f"sqlite:///{tmp_path / 'chosen.db'}"
    from_env = json_out(run("status", "--format", "json", env=env))
    assert from_env["count"] == 10
    # --db wins over the environment.
    env["PLANFLOW_DATABASE_URL"] = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    assert json_out(run("--db", "chosen.db", "status", "--format", "json", env=env))["count"] == 10
    assert json_out(run("status", "--format", "json", env=env))["count"] == 0
    # Without either, planflow.db in the working folder.
    assert json_out(run("status", "--format", "json"))["count"] == 0
    assert (tmp_path / "planflow.db").exists()


# --- reading -----------------------------------------------------------------------------


def test_status_json_has_the_documented_schema(run: Run, kg: Path) -> None:
    payload = json_out(run("status", "--format", "json", "--as-of", "2022-03-01"))
    assert payload["count"] == 515 == len(payload["tasks"])
    required = {"id", "plan", "duty", "agency", "period", "due", "status"}
    for task in payload["tasks"]:
        assert required <= set(task)
    task = next(t for t in payload["tasks"] if t["id"] == SO_TU_PHAP_Q1)
    assert {k: task[k] for k in required} == {
        "id": SO_TU_PHAP_Q1,
        "plan": KG,
        "duty": "IV.1.a.2",
        "agency": "so-tu-phap",
        "period": "2022-Q1",
        "due": "2022-03-16",
        "status": "open_in_time",
    }


def test_status_filters(run: Run, kg: Path) -> None:
    by_agency = status_of(run, "--agency", "so-tu-phap", "--as-of", "2022-03-01")
    assert len(by_agency) == 14  # 13 of IV.1.a and IV.2.b, and III.4's second clause
    assert {t["agency"] for t in by_agency.values()} == {"so-tu-phap"}
    q1 = status_of(run, "--period", "2022-Q1", "--as-of", "2022-03-01")
    assert len(q1) == 37  # 36 agencies + the Office's own report
    both = status_of(run, "--agency", "so-tu-phap", "--period", "2022-Q1", "--as-of", "2022-03-01")
    assert list(both) == [SO_TU_PHAP_Q1]
    duty = status_of(run, "--duty", "III.4", "--as-of", "2022-03-01")
    assert len(duty) == 3
    overdue = status_of(run, "--status", "open_overdue", "--as-of", "2022-03-17")
    assert {t["due"] for t in overdue.values()} == {"2022-03-16"}
    assert len(overdue) == 36
    before_load = json_out(run("status", "--format", "json", "--as-of", "2022-02-14"))
    assert before_load["count"] == 0


def test_status_table_shows_the_status_words(run: Run, kg: Path) -> None:
    result = run("status", "--agency", "so-tu-phap", "--period", "2022-Q1", "--as-of", "2022-03-17")
    assert result.returncode == 0, result.stderr
    assert "Quá hạn chưa hoàn thành" in result.stdout
    assert SO_TU_PHAP_Q1[:8] in result.stdout


def test_bad_options_exit_2(run: Run, kg: Path) -> None:
    assert run("status", "--status", "late").returncode == 2
    assert run("status", "--format", "xml").returncode == 2
    bad_time = run("status", "--as-of", "yesterday")
    assert bad_time.returncode == 2 and "invalid time" in bad_time.stderr


# --- acting ------------------------------------------------------------------------------


def test_a_report_submitted_and_accepted_at_given_times(run: Run, kg: Path, tmp_path: Path) -> None:
    document = tmp_path / "bao-cao-q1.pdf"
    document.write_bytes(b"%PDF report")
    submitted = run(
        "report",
        SO_TU_PHAP_Q1[:8],
        "--actor",
        "so-tu-phap",
        "--document",
        "bao-cao-q1.pdf",
        "--at",
        "2022-03-16T23:30",
    )
    assert submitted.returncode == 0, submitted.stderr
    accepted = run("accept", SO_TU_PHAP_Q1, "--actor", "vp-ubnd", "--at", "2022-03-18")
    assert accepted.returncode == 0, accepted.stderr
    [task] = status_of(run, "--agency", "so-tu-phap", "--period", "2022-Q1").values()
    assert task["status"] == "done_on_time"
    events = json_out(run("history", SO_TU_PHAP_Q1, "--format", "json"))
    assert events["task"] == SO_TU_PHAP_Q1
    rows = [(e["type"], e["actor"], e["timestamp"]) for e in events["events"]]
    assert rows == [
        ("Assigned", "planflow-loader", "2022-02-15T01:00:00+00:00"),
        ("ReportSubmitted", "so-tu-phap", "2022-03-16T16:30:00+00:00"),
        ("ReportAccepted", "vp-ubnd", "2022-03-18T01:00:00+00:00"),
    ]
    details = events["events"][1]["details"]
    assert details["sha256"] == hashlib.sha256(b"%PDF report").hexdigest()
    assert details["document"] == "bao-cao-q1.pdf"


def test_every_action_command(run: Run, kg: Path) -> None:
    ref = SO_TU_PHAP_Q1
    (kg.parent / "123-BC-STP.pdf").write_bytes(b"%PDF report")
    steps = [
        ("raise", ref, "--actor", "so-tu-phap", "--text", "thiếu số liệu", "--at", "2022-03-01"),
        (
            "answer",
            ref,
            "--actor",
            "vp-ubnd",
            "--number",
            "1",
            "--text",
            "gửi bổ sung",
            "--at",
            "2022-03-02",
        ),
        (
            "report",
            ref,
            "--actor",
            "so-tu-phap",
            "--document",
            "123-BC-STP.pdf",
            "--at",
            "2022-03-10",
        ),
        ("return", ref, "--actor", "vp-ubnd", "--reason", "thiếu biểu mẫu", "--at", "2022-03-11"),
        (
            "extend",
            ref,
            "--actor",
            "vp-ubnd",
            "--to",
            "2022-03-25",
            "--reason",
            "bổ sung",
            "--at",
            "2022-03-12",
        ),
        (
            "reassign",
            ref,
            "--actor",
            "vp-ubnd",
            "--to",
            "so-noi-vu",
            "--reason",
            "điều chuyển",
            "--at",
            "2022-03-13",
        ),
        (
            "execute",
            SO_TU_PHAP_PLAN,
            "--actor",
            "so-tu-phap",
            "--note",
            "KH 12",
            "--at",
            "2022-03-14",
        ),
        (
            "cancel",
            str(task_id(KG, "IV.1.a.3", "so-tu-phap", "2022")),
            "--actor",
            "vp-ubnd",
            "--reason",
            "gộp",
            "--at",
            "2022-03-15",
        ),
    ]
    for step in steps:
        result = run(*step)
        assert result.returncode == 0, (step, result.stderr)
    raised = run("raise", ref, "--actor", "so-noi-vu", "--text", "lần hai", "--at", "2022-03-16")
    assert "Number: 2" in raised.stdout
    history = json_out(run("history", ref, "--format", "json"))["events"]
    assert [e["type"] for e in history] == [
        "Assigned",
        "DifficultyRaised",
        "DifficultyAnswered",
        "ReportSubmitted",
        "ReportReturned",
        "DeadlineExtended",
        "Reassigned",
        "DifficultyRaised",
    ]
    assert history[5]["details"]["new_due"] == "2022-03-25"
    shown = json_out(run("show", ref, "--format", "json"))
    assert (shown["agency"], shown["due"], shown["report_state"]) == (
        "so-noi-vu",
        "2022-03-25",
        "returned",
    )
    assert [d["answer"] for d in shown["difficulties"]] == ["gửi bổ sung", None]
    plan_task = json_out(run("show", SO_TU_PHAP_PLAN, "--format", "json"))
    assert plan_task["completed_at"] == "2022-03-14T01:00:00+00:00"
    cancelled = status_of(
        run, "--agency", "so-tu-phap", "--duty", "IV.1.a.3", "--include-cancelled"
    )
    assert [t["cancelled"] for t in cancelled.values()] == [True]
    assert status_of(run, "--agency", "so-tu-phap", "--duty", "IV.1.a.3") == {}


def test_show_as_of_shows_the_task_as_it_stood(run: Run, kg: Path) -> None:
    ref = SO_TU_PHAP_Q1
    assert (
        run(
            "extend",
            ref,
            "--actor",
            "vp",
            "--to",
            "2022-04-01",
            "--reason",
            "r",
            "--at",
            "2022-03-10",
        ).returncode
        == 0
    )
    then = json_out(run("show", ref, "--as-of", "2022-03-09", "--format", "json"))
    assert (then["due"], then["version"], then["status"]) == ("2022-03-16", 1, "open_in_time")
    later = json_out(run("show", ref, "--as-of", "2022-03-20", "--format", "json"))
    assert (later["due"], later["version"], later["status"]) == ("2022-04-01", 2, "open_in_time")
    as_of_17 = json_out(
        run(
            "status",
            "--format",
            "json",
            "--as-of",
            "2022-03-17",
            "--period",
            "2022-Q1",
            "--agency",
            "so-tu-phap",
        )
    )
    assert [t["status"] for t in as_of_17["tasks"]] == ["open_in_time"]
    before = run("show", ref, "--as-of", "2022-01-01")
    assert before.returncode == 4
    table = run("show", ref)
    assert table.returncode == 0 and "Hạn / Due: 01/04/2022" in table.stdout
    assert "Tình trạng / Status: " in table.stdout and "\nstatus:" not in table.stdout


def test_a_command_in_the_wrong_state_exits_3_and_changes_nothing(run: Run, kg: Path) -> None:
    before = events_in(kg)
    result = run("accept", SO_TU_PHAP_Q1, "--actor", "vp-ubnd", "--at", "2022-03-18")
    assert result.returncode == 3
    assert "nothing changed" in result.stderr
    assert "no report was submitted" in result.stderr
    (kg.parent / "d.pdf").write_bytes(b"%PDF")
    on_activity = run(
        "report", SO_TU_PHAP_PLAN, "--actor", "x", "--document", "d.pdf", "--at", "2022-03-18"
    )
    assert on_activity.returncode == 3
    backwards = run("execute", SO_TU_PHAP_PLAN, "--actor", "x", "--at", "2022-01-01")
    assert backwards.returncode == 3
    assert events_in(kg) == before


def test_bad_arguments_to_an_action_exit_2(run: Run, kg: Path) -> None:
    before = events_in(kg)
    assert run("execute", SO_TU_PHAP_PLAN, "--actor", " ", "--at", "2022-03-01").returncode == 2
    assert (
        run(
            "extend", SO_TU_PHAP_Q1, "--actor", "vp", "--to", "31/13/2022", "--reason", "r"
        ).returncode
        == 2
    )
    assert run("execute", SO_TU_PHAP_PLAN, "--actor", "x", "--at", "not-a-time").returncode == 2
    short = run("accept", "zz", "--actor", "x")  # not an id: bad input, not "no such task"
    assert short.returncode == 2 and "at least its first 6 characters" in short.stderr
    assert events_in(kg) == before


def test_an_unknown_task_exits_4(run: Run, kg: Path) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    for args in (
        ("execute", unknown, "--actor", "x", "--at", "2022-03-01"),
        ("history", unknown),
        ("show", "abcdef12"),
    ):
        result = run(*args)
        assert result.returncode == 4, (args, result.stderr)
        assert "no task" in result.stderr


def test_rebuild_reports_the_events_replayed(run: Run, kg: Path) -> None:
    before = count_rows(kg, "planflow_task_events")
    result = run("rebuild")
    assert result.returncode == 0, result.stderr
    assert "516" in result.stdout
    assert count_rows(kg, "planflow_task_events") == before == 515
