"""Benchmark: the director's board page and the auditor's page (HTML) against the raw SQL aggregate
over the same database, in the same run.

Not a test. Builds the SQLite stores of bench_board.py (synthetic duties for the 40 Kiên Giang
agencies over four quarters), signs in through the form, then times each page through FastAPI's
TestClient (session cookie, the database's counts and one page of rows, Jinja2) and records its
size in bytes; the baselines are the raw ``GROUP BY`` of the current board and the raw as-of window
``GROUP BY`` (bench_board.py) through plain ``sqlite3``, timed in turn with each page's requests
(raw, page, raw, …) so that both see the same load on a shared machine. For comparison, the full
Python path the pages used before (every task view fetched, filtered and sorted:
``pages.board.load`` + ``boardquery``) is timed without rendering (``--no-before`` skips it).

Run: ``python bench/bench_pages.py`` (10,000 and 100,000 tasks, several minutes, most of it building
the stores); ``--quick`` (2,000 tasks, 3 repeats); ``--postgres`` on a fresh PostgreSQL database
per size (PLANFLOW_TEST_POSTGRES_URL's server; the raw baselines through plain psycopg, after a
``VACUUM ANALYZE``). ``--keep NAME`` keeps each size's store (PostgreSQL database ``NAME_<size>``, or
SQLite file ``NAME_<size>.db`` in the temporary directory's place: the current directory) and reuses
it when it is there, upgrading its schema to this code's head: a 100k PostgreSQL store takes minutes
to build, so before/after runs of two code versions can share one. Results go in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import urlencode
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent))

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

from bench_board import AS_OF, BOARD_AT, DUES, LOADED_AT, RAW_AS_OF_SQL, RAW_SQL, build, timed
from bench_chain import postgres_database
from sqlalchemy import DateTime, false, func, literal, select
from starlette.requests import Request

from planflow.application import schema
from planflow.application.app import PlanflowApp, normalize_url
from planflow.application.queries.board_cache import BoardCache
from planflow.application.tables import board, plans, task_events
from planflow.domain import clock
from planflow.web.accounts import AccountStore, Role
from planflow.web.boardquery import TASKS_PER_PAGE, paginate, sort_tasks
from planflow.web.factory import create_app
from planflow.web.pages.board import load
from planflow.web.settings import WebSettings

PASSWORD = "bench-password-1"
AS_OF_PARAM = AS_OF.strftime("%Y-%m-%dT%H:%M")
PAGES = [
    ("/board", "current"),
    ("/board?period=all", "current"),
    ("/board/tasks?period=all&sort=late", "current"),
    ("/audit", "current"),
    (f"/audit?{urlencode({'as_of': AS_OF_PARAM})}", "as_of"),
    (f"/board?{urlencode({'as_of': AS_OF_PARAM, 'period': '2022-Q2'})}", "as_of"),
    # The agency's page as the director sees it first: the bench's plan names no agencies, so
    # its lists hold every task (each list one page of 100 rows, issue 14).
    ("/agency", "current"),
]


def _sign_in(client: TestClient) -> None:
    def csrf(html: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found, "no CSRF token"
        return found.group(1)

    token = csrf(client.get("/login").text)
    data = {"username": "director", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]


def register_plan(app: PlanflowApp) -> None:
    """bench_board.py saves the tasks without loading a plan file; a store in use always has its
    plans, and the board shows one plan (the first by default), as the raw query selects one."""
    row = {
        "id": str(uuid4()),
        "code": "bench",
        "sha256": "0" * 64,
        "source": "",
        "title_vi": "Kế hoạch thử tải",
        "document": {"plan": {"code": "bench", "year": 2022}},
        "version": 1,
        "updated_at": LOADED_AT.astimezone(UTC).replace(tzinfo=None),
    }
    with app.engine.begin() as connection:
        connection.execute(plans.insert().values(**row))


# The raw baselines on PostgreSQL: the same judgement and GROUP BY as bench_board.py's, written
# for PostgreSQL (local dates by adding 7 hours and casting), through plain psycopg.
RAW_PG_SQL = """
SELECT agency,
       CASE
         WHEN completed_at IS NOT NULL AND (completed_at + interval '7 hours')::date <= due
           THEN 'done_on_time'
         WHEN completed_at IS NOT NULL THEN 'done_late'
         WHEN review_pending_since IS NOT NULL
              AND (review_pending_since + interval '7 hours')::date <= due THEN 'open_in_time'
         WHEN %(today)s::date <= due THEN 'open_in_time'
         ELSE 'open_overdue'
       END AS status,
       count(*)
FROM planflow_board
WHERE plan = %(plan)s AND NOT cancelled
GROUP BY agency, status
"""

RAW_PG_AS_OF_SQL = """
SELECT t.agency,
       CASE
         WHEN t.completed_at IS NOT NULL AND (t.completed_at + interval '7 hours')::date <= t.due
           THEN 'done_on_time'
         WHEN t.completed_at IS NOT NULL THEN 'done_late'
         WHEN t.review_pending_since IS NOT NULL
              AND (t.review_pending_since + interval '7 hours')::date <= t.due THEN 'open_in_time'
         WHEN %(today)s::date <= t.due THEN 'open_in_time'
         ELSE 'open_overdue'
       END AS status,
       count(*)
FROM (SELECT e.*, row_number() OVER (PARTITION BY e.task_id ORDER BY e.version DESC) AS rn
      FROM planflow_task_events e WHERE e.timestamp <= %(cutoff)s) AS t
JOIN planflow_board b ON b.id = t.task_id
WHERE t.rn = 1 AND b.plan = %(plan)s AND NOT t.cancelled
GROUP BY t.agency, status
"""


def kept_postgres_database(name: str) -> str:
    """The URL of database ``name`` on PLANFLOW_TEST_POSTGRES_URL's server, created if missing."""
    import psycopg

    admin = os.environ["PLANFLOW_TEST_POSTGRES_URL"].replace(
        "postgresql+psycopg://", "postgresql://"
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if conn.execute(query, (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return normalize_url(f"{admin.rpartition('/')[0]}/{name}")


Raw = Callable[[], object]
# SQLite plans the raw query on (plan, agency, period), reading each row from the table; the same
# query on the pages' covering index is shown as a row of its own (its time against the raw's).
COVERING = "FROM planflow_board INDEXED BY ix_planflow_board_pages"


def _raw(url: str) -> tuple[Raw, Raw, Raw | None, Callable[[], None]]:
    """The raw current and as-of ``GROUP BY`` through the plain driver, the current one on the
    covering index (SQLite), and the driver's closing."""
    today = clock.local_date(BOARD_AT).isoformat()
    cutoff = AS_OF.astimezone(UTC).replace(tzinfo=None)
    then = {"today": clock.local_date(AS_OF).isoformat(), "plan": "bench"}
    if url.startswith("sqlite"):
        lite = sqlite3.connect(url.removeprefix("sqlite:///"))
        stamp = cutoff.isoformat(" ", "microseconds")
        now = {"today": today, "plan": "bench"}
        covering = RAW_SQL.replace("FROM planflow_board", COVERING)
        return (
            lambda: lite.execute(RAW_SQL, now).fetchall(),
            lambda: lite.execute(RAW_AS_OF_SQL, {**then, "cutoff": stamp}).fetchall(),
            lambda: lite.execute(covering, now).fetchall(),
            lite.close,
        )
    import psycopg

    pg = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    with pg.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a live store: index-only scans

    def run(sql: str, arguments: dict[str, object]) -> object:
        with pg.cursor() as cursor:
            return cursor.execute(sql, arguments).fetchall()

    return (
        lambda: run(RAW_PG_SQL, {"today": today, "plan": "bench"}),
        lambda: run(RAW_PG_AS_OF_SQL, {**then, "cutoff": cutoff}),
        None,
        pg.close,
    )


def interleaved(page: Callable[[], bytes], raw: Raw, repeat: int) -> tuple[float, float, bytes]:
    """The medians of ``repeat`` page times and of ``repeat + 1`` raw times, taken in turn (raw,
    page, raw, …, page, raw), and the page's body."""
    pages, raws = [], [timed(raw, 1)[0]]
    body = b""
    for _ in range(repeat):
        start = time.perf_counter()
        body = page()
        pages.append(time.perf_counter() - start)
        raws.append(timed(raw, 1)[0])
    return statistics.median(pages), statistics.median(raws), body


def add_overdue_marks(app: PlanflowApp) -> int:
    """The overdue marks a day's tick would have recorded by ``BOARD_AT``: for each open task past
    its deadline, a ``MarkedOverdue`` entry in the event index (the next day, 08:00), which the
    inboxes and every page's unread count read. Written to the index directly (the pages read
    nothing else of an event); the board's rows are left as they are."""
    b, e = board.c, task_events
    today = clock.local_date(BOARD_AT)
    with app.engine.begin() as connection:
        for due in DUES:
            if due >= today:
                continue
            at = datetime.combine(due + timedelta(days=1), clock_time(8), tzinfo=clock.LOCAL_TZ)
            state = [b[c.name] for c in e.columns if c.name in b and c.name != "version"]
            rows = select(
                b.id,
                (b.version + 1).label("version"),
                literal(at.astimezone(UTC).replace(tzinfo=None), DateTime).label("timestamp"),
                literal("MarkedOverdue").label("event_type"),
                literal("planflow-scheduler").label("actor"),
                *state,
            ).where(b.due == due, b.completed_at.is_(None), b.cancelled == false())
            names = ["task_id", "version", "timestamp", "event_type", "actor"]
            names += [c.name for c in state]
            connection.execute(e.insert().from_select(names, rows))
        marked = select(func.count()).where(e.c.event_type == "MarkedOverdue")
        added = int(connection.execute(marked).scalar_one())
    return added


def _built(app: PlanflowApp) -> bool:
    with app.engine.connect() as connection:
        return (
            connection.execute(select(plans.c.code).where(plans.c.code == "bench")).first()
            is not None
        )


def _store(size: int, url: str, reuse: bool, marks: bool = False) -> PlanflowApp:
    """The bench store: reused when ``reuse`` and it is there (its schema upgraded to this code's
    head), else built (with ``marks``, its overdue marks added)."""
    started = time.perf_counter()
    if reuse:
        app = PlanflowApp(url)
        if _built(app):
            schema.upgrade(app.engine)
            print(f"  {size:,} tasks reused", flush=True)
            return app
        app.close()
    app = build(Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else url, size)
    register_plan(app)
    AccountStore(app.engine).add("director", Role.OFFICE_DIRECTOR, PASSWORD, LOADED_AT)
    if marks:
        print(f"  {add_overdue_marks(app):,} overdue marks added", flush=True)
    print(f"  {size:,} tasks built in {time.perf_counter() - started:.1f} s", flush=True)
    return app


def measure(
    size: int,
    repeat: int,
    url: str,
    with_before: bool = True,
    reuse: bool = False,
    marks: bool = False,
) -> list[tuple[str, float, int, float]]:
    app = _store(size, url, reuse, marks)
    settings = WebSettings(database_url=url, secret_key="bench")
    web = create_app(settings, lambda: BOARD_AT, application=app)
    # The board cache (board_cache.py) would answer the board page's timed requests after the
    # first from memory: measure the page's own work, as before the cache.
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    web.state.ctx.cache["board-cache"] = BoardCache(app.engine, events, entries=0)
    raw, raw_as_of, raw_covering, close = _raw(url)
    baselines = {"current": timed(raw, repeat)[0], "as_of": timed(raw_as_of, repeat)[0]}
    out = []
    if raw_covering is not None:
        seconds = timed(raw_covering, repeat)[0]
        out.append(("raw GROUP BY on the covering index", seconds, 0, baselines["current"]))
    raws = {"current": raw, "as_of": raw_as_of}
    with TestClient(web) as client:
        _sign_in(client)
        for path, baseline in PAGES:
            response = client.get(path)  # warm up
            assert response.status_code == 200, (path, response.text[:300])
            # The raw query and the page alternate, so that both see the same load on a shared
            # machine: the baseline is the median of the raw times taken between the page's.
            seconds, raw_seconds, body = interleaved(
                lambda p=path: client.get(p).content,  # type: ignore[misc]
                raws[baseline],
                repeat,
            )
            out.append((path, seconds, len(body), raw_seconds))
        if not with_before:
            close()
            app.close()
            return out
        ctx = web.state.ctx

        def before() -> object:
            query = urlencode({"period": "all", "sort": "late"}).encode()
            request = Request({"type": "http", "query_string": query, "headers": []})
            loaded = load(ctx, request)
            ordered = sort_tasks(loaded.selected(), "late", loaded.names, loaded.late_days)
            return paginate(ordered, 1, TASKS_PER_PAGE)

        seconds = timed(before, repeat)[0]
        out.append(("before: every view + sort (tasks page)", seconds, 0, baselines["current"]))
    close()
    app.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2,000 tasks, 3 repeats")
    parser.add_argument(
        "--no-before", action="store_true", help="skip the old full Python path (seconds per run)"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="on PostgreSQL: a fresh database per size at PLANFLOW_TEST_POSTGRES_URL's server",
    )
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="keep each size's store as NAME_<size> (a PostgreSQL database, or a SQLite file in "
        "the current directory) and reuse it on the next run; drop it by hand when done",
    )
    parser.add_argument(
        "--overdue-marks",
        action="store_true",
        help="add the overdue marks a tick would have recorded (37,500 at 100k tasks), which "
        "every page's unread count and the inbox read; a kept store gets the suffix _marks",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = [2000], 3
    results = {}
    options = {"with_before": not args.no_before, "marks": args.overdue_marks}
    suffix = "_marks" if args.overdue_marks else ""
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            if args.postgres and args.keep:
                url = kept_postgres_database(f"{args.keep}_{size}{suffix}")
                results[size] = measure(size, args.repeat, url, reuse=True, **options)
            elif args.postgres:
                with postgres_database() as url:
                    results[size] = measure(size, args.repeat, url, **options)
            elif args.keep:
                lite = f"sqlite:///{Path.cwd()}/{args.keep}_{size}{suffix}.db"
                results[size] = measure(size, args.repeat, lite, reuse=True, **options)
            else:
                lite = f"sqlite:///{Path(tmp)}/pages-{size}.db"
                results[size] = measure(size, args.repeat, lite, **options)
    print()
    print("PostgreSQL" if args.postgres else "SQLite")
    print("| tasks | page | time | bytes | raw GROUP BY (interleaved) | page / raw |")
    print("|---:|---|---:|---:|---:|---:|")
    for size, rows in results.items():
        for path, seconds, size_bytes, base in rows:
            shown = f"{size_bytes / 1024:.0f} KB" if size_bytes else "—"
            print(
                f"| {size:,} | `{path}` | {seconds * 1000:.0f} ms | {shown} | "
                f"{base * 1000:.0f} ms | {seconds / base:.1f}× |"
            )


if __name__ == "__main__":
    main()
