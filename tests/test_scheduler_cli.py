"""``planflow tick | simulate | ledger | run | notify`` from the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from conftest import MINI
from planflow.cli.main import app as cli

runner = CliRunner()


def invoke(db: Path, *args: str) -> str:
    result = runner.invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_tick_records_what_is_due_and_a_second_tick_nothing(kg_cli_db: Path) -> None:
    db = kg_cli_db
    first = json.loads(invoke(db, "tick", "--now", "2022-03-07T08:00", "--format", "json"))
    assert len(first["fired"]) == 36
    assert {(f["kind"], f["step"], f["due"]) for f in first["fired"]} == {
        ("reminder", 7, "2022-03-16")
    }
    again = json.loads(invoke(db, "tick", "--now", "2022-03-07T09:00", "--format", "json"))
    assert again["fired"] == []
    assert "Đã ghi 0 bước" in invoke(db, "tick", "--now", "2022-03-07T10:00")


def test_simulate_plays_the_plan_day_by_day(kg_cli_db: Path) -> None:
    db = kg_cli_db
    out = json.loads(
        invoke(db, "simulate", "--from", "2022-03-01", "--to", "2022-03-25", "--format", "json")
    )
    by_day = {d["date"]: {(f["kind"], f["step"]) for f in d["fired"]} for d in out["days"]}
    assert by_day["2022-03-17"] >= {("overdue", 0), ("escalation", 1)}
    assert ("escalation", 3) in by_day["2022-03-25"]
    assert "2022-03-19" not in by_day  # a Saturday: nothing falls due
    text = invoke(db, "simulate", "--from", "2022-03-26", "--to", "2022-04-12")
    assert "Thứ Ba 12/04/2022" in text and "Báo cáo cấp trên / escalation 3" in text


def test_the_ledger_names_each_head_with_the_outcome(kg_cli_db: Path, tmp_path: Path) -> None:
    db = kg_cli_db
    invoke(db, "simulate", "--from", "2022-03-01", "--to", "2022-03-21")
    task = "f1be1298"  # IV.1.a.2 / so-tu-phap / 2022-Q1
    report = tmp_path / "BC-15.pdf"
    report.write_bytes(b"%PDF")
    invoke(
        db, "report", task, "--actor", "so-tu-phap", "--document", str(report), "--at", "2022-03-22"
    )
    invoke(db, "accept", task, "--actor", "vp-ubnd", "--at", "2022-03-23")
    data = json.loads(invoke(db, "ledger", "--agency", "so-tu-phap", "--format", "json"))
    [head] = data["heads"]
    assert head["title"] == "Giám đốc Sở Tư pháp"
    assert head["reminders"] == 3 and head["escalations"] == 1
    assert {e["outcome"] for e in head["entries"]} == {"done_late"}
    office = json.loads(invoke(db, "ledger", "--agency", "vp-ubnd", "--format", "json"))
    director = next(h for h in office["heads"] if h["title"] == "Chánh Văn phòng")
    assert director["escalations"] == 36  # level 2 of every late Q1 report
    table = runner.invoke(
        cli, ["--db", str(db), "ledger", "--agency", "so-tu-phap"], env={"COLUMNS": "160"}
    )
    assert "Hoàn thành quá hạn" in table.output


def test_notify_without_a_channel_says_how_to_configure_one(kg_cli_db: Path) -> None:
    db = kg_cli_db
    for name in list(os.environ):
        assert not name.startswith("PLANFLOW_SMTP"), "test environment must not configure SMTP"
    assert "PLANFLOW_SMTP_HOST" in invoke(db, "notify", "--now", "2022-03-08")


def test_run_ticks_until_sigterm_and_stops_cleanly(tmp_path: Path) -> None:
    # The small plan: its first tick at today's date records every step at once, quickly.
    db = tmp_path / "planflow.db"
    invoke(db, "load", str(MINI), "--at", "2022-02-15")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANFLOW_")}
    env["COLUMNS"] = "200"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from planflow.cli.main import main; main()",
            "--db",
            str(db),
            "run",
            "--interval",
            "0.5",
            "--no-notify",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    with process:  # pipes closed and the process reaped (killed first if it hung) whatever fails
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Đã ghi" in line:
                break
        process.send_signal(signal.SIGTERM)
        try:
            out, err = process.communicate(timeout=30)
        finally:
            process.kill()
    assert process.returncode == 0, err
    assert any("Đã ghi" in line for line in lines)
    assert "Đã dừng / Stopped." in out
