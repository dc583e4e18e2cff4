"""Real scheduler processes on one SQLite file: killed mid-tick, or racing each other.

A tick is made slow and observable by running the command line through tests/helpers/slow_tick.py:
before each task's transaction commits, the process prints ``tick-hook: <task id>`` on stderr and
sleeps. The hook lives in the test helper only; production code has no test seam.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from conftest import copy_sqlite
from planflow.application.app import PlanflowApp
from test_scheduler_exactly_once import chase_counts

CLI = [sys.executable, "-c", "from planflow.cli.main import main; main()"]
SLOW_TICK = Path(__file__).resolve().parent / "helpers" / "slow_tick.py"


def planflow(
    db: Path, *args: str, delay: float | None = None, quick: int = 0
) -> subprocess.Popen[str]:
    """``planflow --db DB ARGS`` in its own process; with ``delay``, each task's commit (after the
    first ``quick`` ones) waits that long."""
    env = dict(os.environ)
    env["COLUMNS"] = "200"
    command = (
        CLI if delay is None else [sys.executable, str(SLOW_TICK), str(delay), str(quick), "--"]
    )
    return subprocess.Popen(
        [*command, "--db", str(db), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def counts_in(db: Path) -> Counter[tuple[str, str, int, object]]:
    app = PlanflowApp(f"sqlite:///{db}")
    try:
        return chase_counts(app)
    finally:
        app.close()


def test_a_scheduler_killed_mid_tick_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, kg_sqlite_template: Path
) -> None:
    db = copy_sqlite(kg_sqlite_template, tmp_path / "planflow.db")
    # Thu 17 Mar: 36 late Q1 reports (overdue + level 1) and the Office's report (reminder 3).
    # The 4th task sleeps 3 s before its commit: ample time to kill the process while it is open.
    process = planflow(db, "tick", "--now", "2022-03-17T08:00", delay=3, quick=3)
    assert process.stderr is not None
    hooks = 0
    while hooks < 4:
        line = process.stderr.readline()
        assert line, "the tick ended before it could be killed"
        hooks += line.startswith("tick-hook:")
    # The 4th task's transaction is open (the hook sleeps before its commit): kill it there.
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()  # type: ignore[union-attr]
    process.stderr.close()
    partial = counts_in(db)
    assert len({key[0] for key in partial}) == 3  # three tasks committed, the fourth rolled back
    assert max(partial.values()) == 1

    again = planflow(db, "tick", "--now", "2022-03-17T08:05")
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    final = counts_in(db)
    assert max(final.values()) == 1
    assert len(final) == 36 * 2 + 1
    assert all(final[key] == 1 for key in partial)


def test_two_scheduler_processes_record_each_step_once(
    tmp_path: Path, kg_sqlite_template: Path
) -> None:
    db = copy_sqlite(kg_sqlite_template, tmp_path / "planflow.db")
    args = ("simulate", "--from", "2022-03-01", "--to", "2022-03-25", "--format", "json")
    first = planflow(db, *args, delay=0.002)
    second = planflow(db, *args, delay=0.002)
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    # Whatever a locked database or a lost race left for later, one more tick catches up.
    last = planflow(db, "tick", "--now", "2022-03-25T09:00")
    _, err = last.communicate(timeout=120)
    assert last.returncode == 0, err
    counts = counts_in(db)
    assert max(counts.values()) == 1
    per_task = Counter(key[0] for key in counts)
    # Every late Q1 report climbed the whole ladder, each step once.
    assert sum(1 for key in counts if key[1] == "escalation" and key[2] == 3) >= 36
    assert max(per_task.values()) <= 7
