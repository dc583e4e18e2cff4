"""Benchmark: one task command's throughput (get → command → save with read models), one writer.

Not a test. In the same run, each in its own process (the two code bases are both ``planflow``):

- ``before``: an earlier code base, extracted beside this one (``git archive <commit> src | tar
  -x -C /tmp/pf-base``; pass its ``src`` with ``--baseline-src``);
- ``after``: this tree's code (``PlanflowApp.run_command``: BEGIN IMMEDIATE / advisory lock, one
  load, the read models and the audit chain written in the same transaction);
- ``native``: eventsourcing's own application with a trivial aggregate, get → trigger → save —
  the floor of what the library costs: ``eventsourcing.sqlite`` on SQLite,
  ``eventsourcing.postgres`` (needs psycopg-pool) on PostgreSQL.

Each run loads the mini plan (10 tasks) and raises N difficulties, round robin over the tasks, at
increasing times; the native run does the same over 10 trivial aggregates. PostgreSQL runs too
when PLANFLOW_TEST_POSTGRES_URL is set (a fresh database per run, dropped afterwards).

Run: ``python bench/bench_command.py --baseline-src /tmp/pf-base/src`` (about a minute);
``--quick`` for a look (a few seconds per run); ``--rounds 3 [--backend postgres]`` alternates
the three variants on one backend and prints each round's ratio to native and the medians. Results go in docs/performance.md,
section "The command path".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"
LOADED_AT = datetime(2022, 2, 15, 1, tzinfo=UTC)
WARMUP = 20


def planflow_worker(url: str, count: int) -> dict[str, Any]:
    """In a process whose PYTHONPATH picks the code base: load, warm up, time ``count``."""
    from planflow.application.app import PlanflowApp
    from planflow.workflow.loader import load_workflow

    if os.environ.get("BENCH_NO_KEPT"):  # --no-kept: every command replays its task
        from planflow.application import loading

        loading.KEPT_TASKS = 0
    app = PlanflowApp(url)
    app.load_plan(load_workflow(MINI), actor="bench", at=LOADED_AT)
    refs = _task_ids(app)
    moment = LOADED_AT + timedelta(days=1)

    def run(n: int) -> None:
        nonlocal moment
        for i in range(n):
            moment += timedelta(seconds=1)
            app.raise_difficulty(refs[i % len(refs)], actor="bench", at=moment, text=f"khó {i}")

    run(WARMUP)
    result = timed(run, count)
    app.close()
    return result


def timed(run: Any, count: int) -> dict[str, Any]:
    """Wall-clock and CPU time of ``run(count)``: on a shared machine the CPU rate is steadier."""
    started, cpu = time.perf_counter(), time.process_time()
    run(count)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return {
        "commands": count,
        "seconds": seconds,
        "per_second": count / seconds,
        "per_cpu_second": count / cpu_seconds,
    }


def _task_ids(app: Any) -> list[uuid.UUID]:
    from sqlalchemy import text

    with app.engine.connect() as connection:
        rows = connection.execute(text("select id from planflow_board order by id"))
        return [uuid.UUID(str(r[0])) for r in rows]


def native_worker(target: str, count: int) -> dict[str, Any]:
    """eventsourcing's own application and a trivial aggregate: SQLite (``target`` a file) or
    PostgreSQL (``target`` a URL; ``eventsourcing.postgres``, which needs psycopg-pool)."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Counter(Aggregate):
        def __init__(self) -> None:
            self.notes: list[str] = []

        @event("Noted")
        def note(self, text: str) -> None:
            self.notes.append(text)

    if target.startswith("postgresql"):
        from urllib.parse import urlsplit

        url = urlsplit(target)
        os.environ.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": url.path.lstrip("/"),
                "POSTGRES_HOST": url.hostname or "localhost",
                "POSTGRES_PORT": str(url.port or 5432),
                "POSTGRES_USER": url.username or "postgres",
                "POSTGRES_PASSWORD": url.password or "",
            }
        )
    else:
        os.environ.update({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": target})
    app: Application[uuid.UUID] = Application()
    ids = []
    for _ in range(10):
        counter = Counter()
        app.save(counter)
        ids.append(counter.id)

    def run(n: int) -> None:
        for i in range(n):
            counter = app.repository.get(ids[i % len(ids)])
            counter.note(f"khó {i}")
            app.save(counter)

    run(WARMUP)
    return timed(run, count)


# --- the driver ---------------------------------------------------------------------------------


def spawn(kind: str, target: str, count: int, src: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    args = [sys.executable, __file__, "--worker", kind, "--target", target, "--count", str(count)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


class PostgresDatabase:
    """A fresh database on the server at PLANFLOW_TEST_POSTGRES_URL, dropped on exit."""

    def __init__(self, admin: str) -> None:
        self.admin = admin.replace("postgresql+psycopg://", "postgresql://")
        self.name = f"planflow_bench_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> str:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        base = self.admin.rpartition("/")[0].replace("postgresql://", "postgresql+psycopg://")
        return f"{base}/{self.name}"

    def __exit__(self, *_: object) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 commands per run, not 300")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--baseline-src", type=Path, default=Path("/tmp/pf-base/src"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="N rounds of native, before and after, alternating, on one backend; medians",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--no-kept",
        action="store_true",
        help="keep no committed task between commands (each command replays its task)",
    )
    parser.add_argument("--worker", choices=["planflow", "native"], help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    options = parser.parse_args()
    count = options.count or (60 if options.quick else 300)
    if options.no_kept:
        os.environ["BENCH_NO_KEPT"] = "1"

    if options.worker:
        work = planflow_worker if options.worker == "planflow" else native_worker
        print(json.dumps(work(options.target, count)))
        return

    here = ROOT / "src"
    base = options.baseline_src if (options.baseline_src / "planflow").is_dir() else None
    if base is None:
        print(f"no baseline at {options.baseline_src}: run git worktree add --detach "
              "/tmp/pf-base 0513f41", file=sys.stderr)  # fmt: skip
    if options.rounds:
        rounds(options.rounds, count, here, base, options.backend)
        return
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        runs: list[tuple[str, str, str, Path | None]] = [
            ("native sqlite", "native", str(Path(folder) / "native.db"), None),
            ("after sqlite", "planflow", f"sqlite:///{folder}/after.db", here),
        ]
        if base is not None:
            runs.insert(1, ("before sqlite", "planflow", f"sqlite:///{folder}/before.db", base))
        for label, kind, target, src in runs:
            results[label] = spawn(kind, target, count, src)
            show(label, results[label])
    admin = os.environ.get("PLANFLOW_TEST_POSTGRES_URL")
    if admin and not options.no_postgres:
        pg_runs = [("native postgres", "native", None), ("before postgres", "planflow", base)]
        for label, kind, src in [*pg_runs, ("after postgres", "planflow", here)]:
            if kind == "planflow" and src is None:
                continue
            with PostgresDatabase(admin) as url:
                results[label] = spawn(kind, url, count, src)
            show(label, results[label])
    print()
    for key, unit in (("per_second", "/s"), ("per_cpu_second", "/CPU-s")):
        for label, result in results.items():
            rate = result[key]
            native = results.get("native " + label.split()[-1], results["native sqlite"])[key]
            line = f"{label:<16} {rate:8.1f}{unit:<7} {rate / native:6.1%} of native"
            before = results.get(label.replace("after", "before"))
            if label.startswith("after") and before:
                line += f"  {rate / before[key]:5.2f}× before"
            print(line)


def rounds(n: int, count: int, here: Path, base: Path | None, backend: str) -> None:
    """Alternate the variants ``n`` times on one backend and print each one's median rates: on
    a shared machine one run's spread is larger than the differences sought."""
    import statistics

    admin = os.environ.get("PLANFLOW_TEST_POSTGRES_URL")
    if backend == "postgres" and not admin:
        raise SystemExit("--backend postgres needs PLANFLOW_TEST_POSTGRES_URL")
    runs: dict[str, list[dict[str, Any]]] = {"native": [], "before": [], "after": []}

    def run(label: str, kind: str, name: str, src: Path | None) -> None:
        if backend == "postgres":
            assert admin is not None
            with PostgresDatabase(admin) as url:
                runs[label].append(spawn(kind, url, count, src))
        elif kind == "native":
            runs[label].append(spawn(kind, f"{folder}/{name}.db", count, src))
        else:
            runs[label].append(spawn(kind, f"sqlite:///{folder}/{name}.db", count, src))

    with tempfile.TemporaryDirectory() as folder:
        for i in range(n):
            run("native", "native", f"n{i}", None)
            if base is not None:
                run("before", "planflow", f"b{i}", base)
            run("after", "planflow", f"a{i}", here)
    for i, (native, after) in enumerate(zip(runs["native"], runs["after"], strict=True)):
        print(
            f"{backend} round {i + 1}: after / native "
            f"{after['per_cpu_second'] / native['per_cpu_second']:.2f}× (CPU), "
            f"{after['per_second'] / native['per_second']:.2f}× (wall)"
        )
    medians: dict[str, tuple[float, float]] = {}
    for label, results in runs.items():
        if not results:
            continue
        cpu = [r["per_cpu_second"] for r in results]
        wall = [r["per_second"] for r in results]
        medians[label] = (statistics.median(cpu), statistics.median(wall))
        print(
            f"{backend} {label:<7} per CPU-second median {statistics.median(cpu):7.1f} "
            f"({min(cpu):.0f}–{max(cpu):.0f}); wall median {statistics.median(wall):7.1f}/s "
            f"({min(wall):.0f}–{max(wall):.0f})"
        )
    for other in ("native", "before"):
        if other in medians:
            cpu, wall = (medians["after"][i] / medians[other][i] for i in (0, 1))
            print(f"after / {other}: {cpu:.2f}× (CPU), {wall:.2f}× (wall)")


def show(label: str, result: dict[str, Any]) -> None:
    print(
        f"{label:<16} {result['per_second']:8.1f} commands/s "
        f"({result['per_cpu_second']:.1f} per CPU-second)",
        flush=True,
    )


if __name__ == "__main__":
    main()
