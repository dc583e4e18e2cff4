"""Benchmark: the director's board against the raw SQL aggregate over the same database.

Not a test. Builds SQLite stores of 10,000 and 100,000 tasks (synthetic duties for the 40
Kiên Giang agencies over four quarters; a third done on time, a sixth done late, the rest open,
some of them overdue), then times, in the same run and on the same file:

- ``GET /api/v1/board`` through FastAPI's TestClient (token check, the SQL aggregate
  ``board.counts_by_agency``, JSON);
- the Python path the pages and as-of views use (``queries.list_tasks`` + ``board.per_agency``:
  every row fetched, each status judged by ``status.classify``);
- the raw aggregate: one ``SELECT agency, <status CASE>, count(*) … GROUP BY agency, status`` with
  plain ``sqlite3``.

The same three as of 25/06/2022 09:00 (``?as_of=``; ``list_tasks(as_of=True)``; a hand-written
window query over the event index as the raw baseline), and ``planflow status --as-of`` as a
process (start-up, the as-of rows, a table of at most 1,000 rows) against the raw as-of query in a
Python process, alternated, fastest wall time and median CPU time of at least 5 runs each
(``--cli-baseline-src DIR``: the same row on another code base, in the same run).

It checks the three agree, and prints a Markdown table (median of --repeat runs) with the ratio
endpoint / raw SQL. Run: ``python bench/bench_board.py`` (about 1 minute);
``--quick`` (2,000 tasks, 3 repeats) for a quick look. Results go in docs/performance.md, section "Board".
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 in its TestClient; httpx still works (see pyproject).
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.queries.board_cache import BoardCache
from planflow.domain import clock
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import Completion, Task
from planflow.web import board
from planflow.web.accounts import AccountStore, Role
from planflow.web.auth import Signer
from planflow.web.factory import create_app
from planflow.web.settings import WebSettings
from planflow.workflow.loader import load_workflow

ROOT = Path(__file__).resolve().parent.parent
AGENCIES = [
    a.code for a in load_workflow(ROOT / "workflows" / "kien-giang-2022.yaml").workflow.agencies
]
PERIODS = ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
DUES = [date(2022, 3, 21), date(2022, 6, 21), date(2022, 9, 21), date(2022, 12, 21)]
LOADED_AT = datetime(2022, 2, 15, 8, tzinfo=LOCAL_TZ)
BOARD_AT = datetime(2022, 10, 3, 9, tzinfo=LOCAL_TZ)  # Q1–Q3 judged, Q4 still open in time

RAW_SQL = """
SELECT agency,
       CASE
         WHEN completed_at IS NOT NULL AND date(completed_at, '+7 hours') <= due
           THEN 'done_on_time'
         WHEN completed_at IS NOT NULL THEN 'done_late'
         WHEN review_pending_since IS NOT NULL
              AND date(review_pending_since, '+7 hours') <= due THEN 'open_in_time'
         WHEN :today <= due THEN 'open_in_time'
         ELSE 'open_overdue'
       END AS status,
       count(*)
FROM planflow_board
WHERE plan = :plan AND cancelled = 0
GROUP BY agency, status
"""


AS_OF = datetime(2022, 6, 25, 9, tzinfo=LOCAL_TZ)  # before Q2's completions late in June

# The as-of baseline: each task's last event by then, the four-way judgement, GROUP BY — written
# by hand as a window query over the event index (independent of planflow's query).
RAW_AS_OF_SQL = """
SELECT t.agency,
       CASE
         WHEN t.completed_at IS NOT NULL AND date(t.completed_at, '+7 hours') <= t.due
           THEN 'done_on_time'
         WHEN t.completed_at IS NOT NULL THEN 'done_late'
         WHEN t.review_pending_since IS NOT NULL
              AND date(t.review_pending_since, '+7 hours') <= t.due THEN 'open_in_time'
         WHEN :today <= t.due THEN 'open_in_time'
         ELSE 'open_overdue'
       END AS status,
       count(*)
FROM (SELECT e.*, row_number() OVER (PARTITION BY e.task_id ORDER BY e.version DESC) AS rn
      FROM planflow_task_events e WHERE e.timestamp <= :cutoff) AS t
JOIN planflow_board b ON b.id = t.task_id
WHERE t.rn = 1 AND b.plan = :plan AND t.cancelled = 0
GROUP BY t.agency, status
"""


def build(db: Path | str, size: int) -> PlanflowApp:
    """``size`` tasks, saved 1,000 aggregates per batch in one transaction (``db``: a SQLite
    file, or a database URL)."""
    app = PlanflowApp(db if isinstance(db, str) else f"sqlite:///{db}")
    per_duty = len(AGENCIES) * len(PERIODS)
    with app.transaction() as session:
        batch: list[Task] = []
        for i in range(size):
            agency = AGENCIES[i % len(AGENCIES)]
            q = (i // len(AGENCIES)) % len(PERIODS)
            with clock.at(LOADED_AT):
                task = Task.assign(
                    plan="bench",
                    duty=f"B{i // per_duty}",
                    agency=agency,
                    period=PERIODS[q],
                    due=DUES[q],
                    completion=Completion.ACTIVITY,
                    title="Nhiệm vụ thử tải / benchmark task",
                    actor="bench",
                )
            kind = i % 6
            if kind <= 2:  # half done: a third on time, a sixth late
                days = -3 if kind in (0, 1) else 4
                done_at = datetime.combine(DUES[q] + timedelta(days=days), datetime.min.time())
                with clock.at(done_at.replace(hour=9, tzinfo=LOCAL_TZ)):
                    task.execute_activity(actor="bench", note="")
            batch.append(task)
            if len(batch) == 1000:
                app._save(session, *batch)
                batch = []
        if batch:
            app._save(session, *batch)
    return app


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    results = []
    value: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        results.append(time.perf_counter() - start)
    return statistics.median(results), value


RAW_PROCESS = """
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(sys.argv[2], dict(zip(("today", "plan", "cutoff"),
    sys.argv[3:]))).fetchall()
for row in rows:
    print(*row)
"""


def timed_process(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def raw_as_of_process(db: Path) -> tuple[float, float]:
    """The issue's baseline: the raw as-of GROUP BY in a Python process (start-up included)."""
    today = clock.local_date(AS_OF).isoformat()
    cutoff = AS_OF.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    command = [sys.executable, "-c", RAW_PROCESS, str(db), RAW_AS_OF_SQL, today, "bench", cutoff]
    return timed_process(command)


def cli_status_as_of(db: Path, src: str | None = None) -> tuple[float, float]:
    """``planflow status --as-of`` (the table, its default row limit) as a process: wall and CPU;
    ``src``: another code base (``--cli-baseline-src``)."""
    local = AS_OF.strftime("%Y-%m-%dT%H:%M")
    args = ["--db", str(db), "status", "--as-of", local]  # every task is the bench plan's
    command = [sys.executable, "-c", "from planflow.cli.main import main; main()", *args]
    env = {**os.environ, "COLUMNS": "200"}
    if src:
        env["PYTHONPATH"] = src
    return timed_process(command, env)


def processes(db: Path, repeat: int, baseline: str | None) -> dict[str, tuple[float, float]]:
    """The status row's processes, alternated so that the machine's load falls on each alike:
    the fastest wall time and the median CPU time of each."""
    runs: dict[str, list[tuple[float, float]]] = {"raw": [], "cli": [], "cli_baseline": []}
    for _ in range(repeat):
        runs["raw"].append(raw_as_of_process(db))
        runs["cli"].append(cli_status_as_of(db))
        if baseline:
            runs["cli_baseline"].append(cli_status_as_of(db, baseline))
    return {
        name: (min(w for w, _ in found), statistics.median(c for _, c in found))
        for name, found in runs.items()
        if found
    }


def measure(
    size: int, repeat: int, folder: Path, cli_baseline: str | None = None
) -> dict[str, float]:
    db = folder / f"board-{size}.db"
    started = time.perf_counter()
    app = build(db, size)
    built = time.perf_counter() - started
    settings = WebSettings(database_url=f"sqlite:///{db}", secret_key="bench")
    accounts = AccountStore(app.engine)
    user = accounts.add("director", Role.OFFICE_DIRECTOR, "bench-password", LOADED_AT)
    session_id = accounts.open_session(user.username, "token", LOADED_AT, settings.token_max_age)
    headers = {"Authorization": f"Bearer {Signer(settings).token(user, session_id)}"}
    web = create_app(settings, lambda: BOARD_AT, application=app)
    # The board cache (board_cache.py) would answer every timed request after the first from
    # memory: measure the aggregate itself.
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    web.state.ctx.cache["board-cache"] = BoardCache(app.engine, events, entries=0)
    with TestClient(web) as client:

        def endpoint() -> dict[tuple[str, str], int]:
            body = client.get("/api/v1/board?plan=bench", headers=headers).json()
            return {
                (row["agency"], status): n
                for row in body["agencies"]
                for status, n in row["counts"].items()
                if n
            }

        def function() -> dict[tuple[str, str], int]:
            views = list_tasks(app.engine, BOARD_AT, BoardFilter(plan="bench"), as_of=False)
            rows = board.per_agency(views)
            return {(r.agency, s): n for r in rows for s, n in r.counts.items() if n}

        connection = sqlite3.connect(db)

        def raw() -> dict[tuple[str, str], int]:
            today = clock.local_date(BOARD_AT).isoformat()
            rows = connection.execute(RAW_SQL, {"today": today, "plan": "bench"}).fetchall()
            return {(agency, status): n for agency, status, n in rows}

        as_of = AS_OF.isoformat()

        def endpoint_as_of() -> dict[tuple[str, str], int]:
            url = f"/api/v1/board?plan=bench&as_of={as_of}"
            body = client.get(url.replace("+", "%2B"), headers=headers).json()
            return {
                (row["agency"], status): n
                for row in body["agencies"]
                for status, n in row["counts"].items()
                if n
            }

        def function_as_of() -> dict[tuple[str, str], int]:
            views = list_tasks(app.engine, AS_OF, BoardFilter(plan="bench"), as_of=True)
            rows = board.per_agency(views)
            return {(r.agency, s): n for r in rows for s, n in r.counts.items() if n}

        def raw_as_of() -> dict[tuple[str, str], int]:
            today = clock.local_date(AS_OF).isoformat()
            cutoff = AS_OF.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            arguments = {"today": today, "plan": "bench", "cutoff": cutoff}
            rows = connection.execute(RAW_AS_OF_SQL, arguments).fetchall()
            return {(agency, status): n for agency, status, n in rows}

        endpoint()  # warm up: first request, page cache
        t_endpoint, by_endpoint = timed(endpoint, repeat)
        t_function, by_function = timed(function, repeat)
        t_raw, by_raw = timed(raw, repeat)
        endpoint_as_of()
        t_endpoint_as_of, by_endpoint_as_of = timed(endpoint_as_of, repeat)
        t_function_as_of, by_function_as_of = timed(function_as_of, repeat)
        t_raw_as_of, by_raw_as_of = timed(raw_as_of, repeat)
        by_process = processes(db, max(repeat, 5), cli_baseline)
        connection.close()
    app.close()
    assert by_endpoint == by_function == by_raw, "the board and the raw aggregate disagree"
    assert by_endpoint_as_of == by_function_as_of == by_raw_as_of, "the as-of boards disagree"
    assert by_raw_as_of != by_raw
    assert isinstance(by_raw, dict)
    statuses = Counter[str]()
    for (_agency, status), n in by_raw.items():
        statuses[status] += n
    print(f"  {size:,} tasks built in {built:.1f} s; statuses {dict(statuses)}")
    return {
        "endpoint": t_endpoint,
        "function": t_function,
        "raw": t_raw,
        "endpoint_as_of": t_endpoint_as_of,
        "function_as_of": t_function_as_of,
        "raw_as_of": t_raw_as_of,
        "cli_as_of": by_process["cli"][0],
        "cli_as_of_cpu": by_process["cli"][1],
        "raw_process": by_process["raw"][0],
        "raw_process_cpu": by_process["raw"][1],
        "cli_baseline": by_process.get("cli_baseline", (0.0, 0.0))[0],
        "cli_baseline_cpu": by_process.get("cli_baseline", (0.0, 0.0))[1],
        "built": built,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2,000 tasks, 3 repeats")
    parser.add_argument(
        "--cli-baseline-src", help="another code base's src for the status row (same run)"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="PostgreSQL rows only (board_postgres.py)"
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = [2000], 3
    if args.postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from board_postgres import measure_postgres, report

        report({size: measure_postgres(size, args.repeat) for size in args.sizes})
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            results[size] = measure(size, args.repeat, Path(tmp), args.cli_baseline_src)
    print()
    print(
        "| tasks | GET /api/v1/board | list_tasks + per_agency | raw SQL GROUP BY "
        "| endpoint / raw | list_tasks / raw |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for size, r in results.items():
        print(
            f"| {size:,} | {r['endpoint'] * 1000:.0f} ms | {r['function'] * 1000:.0f} ms | "
            f"{r['raw'] * 1000:.1f} ms | {r['endpoint'] / r['raw']:.1f}× | "
            f"{r['function'] / r['raw']:.0f}× |"
        )
    print()
    print(
        f"As of {AS_OF:%d/%m/%Y %H:%M} (Vietnam): | tasks | GET /api/v1/board?as_of= "
        "| list_tasks(as_of) + per_agency | raw window GROUP BY | endpoint / raw | list_tasks / raw |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for size, r in results.items():
        print(
            f"| {size:,} | {r['endpoint_as_of'] * 1000:.0f} ms | "
            f"{r['function_as_of'] * 1000:.0f} ms | {r['raw_as_of'] * 1000:.1f} ms | "
            f"{r['endpoint_as_of'] / r['raw_as_of']:.1f}× | "
            f"{r['function_as_of'] / r['raw_as_of']:.1f}× |"
        )
    print()
    print(
        "| tasks | planflow status --as-of (process): wall, CPU | raw as-of GROUP BY (process): "
        "wall, CPU | ratio wall | ratio CPU | baseline code: wall, CPU |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for size, r in results.items():
        baseline = (
            f"{r['cli_baseline']:.2f} s, {r['cli_baseline_cpu']:.2f} s"
            if r["cli_baseline"]
            else "—"
        )
        print(
            f"| {size:,} | {r['cli_as_of']:.2f} s, {r['cli_as_of_cpu']:.2f} s | "
            f"{r['raw_process']:.2f} s, {r['raw_process_cpu']:.2f} s | "
            f"{r['cli_as_of'] / r['raw_process']:.1f}× | "
            f"{r['cli_as_of_cpu'] / r['raw_process_cpu']:.1f}× | {baseline} |"
        )


if __name__ == "__main__":
    main()
