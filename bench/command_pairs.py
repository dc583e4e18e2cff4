"""Benchmark: one command's CPU time, two code bases side by side in short alternating blocks.

Not a test. ``bench_command.py --rounds`` runs each variant in its own process, one after the
other, a few seconds each; on a shared machine the load moves between them by more than a 10%
change. Here two worker processes (``--baseline-src`` and this tree) stay up, each with its own
fresh store and the mini plan loaded, and run blocks of ``--block`` ``raise`` commands (round
robin over the 10 tasks, no task kept: every command replays its task) in turn, A B B A …, so
both see the same minutes. Reported: the median CPU and wall milliseconds per command of each,
and the median of the per-pair ratios.

Run: ``python bench/command_pairs.py --baseline-src /tmp/pf-main/src [--postgres] [--pairs 12]``
(PostgreSQL: PLANFLOW_TEST_POSTGRES_URL, a fresh database per worker, dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"
LOADED_AT = datetime(2022, 2, 15, 1, tzinfo=UTC)


def worker(url: str) -> None:
    """Load, warm up, then for each line on stdin run that many commands and print the times."""
    from sqlalchemy import text

    from planflow.application import loading
    from planflow.application.app import PlanflowApp
    from planflow.workflow.loader import load_workflow

    loading.KEPT_TASKS = 0
    app = PlanflowApp(url)
    app.load_plan(load_workflow(MINI), actor="bench", at=LOADED_AT)
    with app.engine.connect() as connection:
        rows = connection.execute(text("select id from planflow_board order by id"))
        refs = [uuid.UUID(str(r[0])) for r in rows]
    moment = LOADED_AT + timedelta(days=1)
    done = 0

    def run(n: int) -> None:
        nonlocal moment, done
        for _ in range(n):
            moment += timedelta(seconds=1)
            ref = refs[done % len(refs)]
            app.raise_difficulty(ref, actor="bench", at=moment, text=f"khó {done}")
            done += 1

    run(20)
    print("ready", flush=True)
    for line in sys.stdin:
        n = int(line)
        if n == 0:
            break
        started, cpu = time.perf_counter(), time.process_time()
        run(n)
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        print(json.dumps({"cpu_ms": used / n * 1000, "wall_ms": wall / n * 1000}), flush=True)
    app.close()


def _start(src: Path, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    process = subprocess.Popen(
        [sys.executable, __file__, "--worker", url],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _block(process: subprocess.Popen[str], n: int) -> dict[str, float]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{n}\n")
    process.stdin.flush()
    result: dict[str, float] = json.loads(process.stdout.readline())
    return result


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", type=Path, required=True)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--pairs", type=int, default=12)
    parser.add_argument("--block", type=int, default=40)
    args = parser.parse_args()
    databases: list[str] = []
    urls: list[str] = []
    tmp = tempfile.TemporaryDirectory()
    if args.postgres:
        import psycopg

        base = os.environ["PLANFLOW_TEST_POSTGRES_URL"]
        with psycopg.connect(base, autocommit=True) as c:
            for _ in range(2):
                name = "planflow_pairs_" + uuid.uuid4().hex[:10]
                c.execute(f"CREATE DATABASE {name}")
                databases.append(name)
                urls.append(base.rsplit("/", 1)[0] + "/" + name)
    else:
        urls = [f"sqlite:///{tmp.name}/before.db", f"sqlite:///{tmp.name}/after.db"]
    workers: dict[str, subprocess.Popen[str]] = {}
    try:
        workers["before"] = _start(args.baseline_src, urls[0])
        workers["after"] = _start(ROOT / "src", urls[1])
        times: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for pair in range(args.pairs):
            order = ("before", "after") if pair % 2 == 0 else ("after", "before")
            for name in order:
                times[name].append(_block(workers[name], args.block))
        for name, runs in times.items():
            cpu = statistics.median(r["cpu_ms"] for r in runs)
            wall = statistics.median(r["wall_ms"] for r in runs)
            print(f"{name:6}  CPU {cpu:.3f} ms per command, wall {wall:.3f} ms (medians)")
        ratios = [
            b["cpu_ms"] / a["cpu_ms"] for a, b in zip(times["after"], times["before"], strict=True)
        ]
        walls = [
            b["wall_ms"] / a["wall_ms"]
            for a, b in zip(times["after"], times["before"], strict=True)
        ]
        print(
            f"after / before speed, median of {args.pairs} pairs: CPU "
            f"{statistics.median(ratios):.2f}× (pairs {min(ratios):.2f}–{max(ratios):.2f}), "
            f"wall {statistics.median(walls):.2f}×; load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        for process in workers.values():
            if process.stdin is not None:
                process.stdin.write("0\n")
                process.stdin.flush()
            process.wait(timeout=60)
        if databases:
            import psycopg

            with psycopg.connect(os.environ["PLANFLOW_TEST_POSTGRES_URL"], autocommit=True) as c:
                for name in databases:
                    c.execute(f"DROP DATABASE {name} WITH (FORCE)")
        tmp.cleanup()


if __name__ == "__main__":
    main()
