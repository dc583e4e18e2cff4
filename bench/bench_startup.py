"""Benchmark: how long ``planflow`` takes to start, against ``python -c pass`` in the same run.

Not a test (tests/test_cli_startup.py checks which modules a start imports). Each row starts a
fresh interpreter N times, alternating the rows so the machine's load falls on all of them alike,
and reports the fastest and the median wall time:

- ``python -c pass``: the interpreter alone (with this environment's site-packages);
- ``import planflow.cli.main``: every command registered, nothing run;
- ``planflow --help``: the help screen (Click's plain formatter; the task commands listed by name
  and label, their input models not built);
- ``planflow status``: a simple command on an empty SQLite store (the store is created by the
  warm-up start; then ``status`` reads the read models through sqlite3: no event store, no
  SQLAlchemy).

With ``--baseline-src DIR`` every planflow row also runs on another code base, in the same run
(e.g. main before this change: ``git archive main src | tar -x -C /tmp/cli-base`` and
``--baseline-src /tmp/cli-base/src``).

Run: ``python bench/bench_startup.py`` (about 30 s; a minute with a baseline); ``--quick`` for 3
starts per row.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = "from planflow.cli.main import main; main()"


def planflow_rows(store: Path, src: str, suffix: str = "") -> list[tuple[str, list[str], str]]:
    return [
        (f"import planflow.cli.main{suffix}", ["-c", "import planflow.cli.main"], src),
        (f"planflow --help{suffix}", ["-c", CLI, "--help"], src),
        (f"planflow status (empty store){suffix}", ["-c", CLI, "--db", str(store), "status"], src),
    ]


def rows(store: Path, baseline: str | None) -> list[tuple[str, list[str], str | None]]:
    here = str(ROOT / "src")
    found: list[tuple[str, list[str], str | None]] = [("python -c pass", ["-c", "pass"], here)]
    found += planflow_rows(store, here)
    if baseline:  # its own store: the schema may differ
        found += planflow_rows(store.with_name("empty-baseline.db"), baseline, " (baseline)")
    return found


def start(args: list[str], src: str | None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one start."""
    env = dict(os.environ)
    env.pop("PLANFLOW_DATABASE_URL", None)
    if src:
        env["PYTHONPATH"] = src
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="3 starts per row")
    parser.add_argument("--baseline-src", help="another code base's src, for every planflow row")
    options = parser.parse_args()
    repeat = 3 if options.quick else options.repeat
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "empty.db"
        table = rows(store, options.baseline_src)
        times: dict[str, list[float]] = {name: [] for name, _, _ in table}
        cpus: dict[str, list[float]] = {name: [] for name, _, _ in table}
        for _name, args, src in table:  # warm the file cache once
            start(args, src)
        for _ in range(repeat):
            for name, args, src in table:
                wall, cpu = start(args, src)
                times[name].append(wall)
                cpus[name].append(cpu)
    base = min(times["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"])
    print(f"{repeat} starts per row, load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'what':<40} {'wall min':>9} {'wall med':>9} {'CPU med':>8} {'min - pass':>11} "
        f"{'CPU - pass':>11}"
    )
    for name, _, _ in table:
        low, mid, cpu = (
            min(times[name]),
            statistics.median(times[name]),
            statistics.median(cpus[name]),
        )
        print(
            f"{name:<40} {low:9.3f} {mid:9.3f} {cpu:8.3f} {low - base:11.3f} {cpu - base_cpu:11.3f}"
        )


if __name__ == "__main__":
    main()
