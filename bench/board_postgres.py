"""bench_board.py's PostgreSQL rows (``python bench/bench_board.py --postgres``).

The same store as bench_board's ``build`` in a fresh PostgreSQL database (PLANFLOW_TEST_POSTGRES_URL;
dropped afterwards; ``ANALYZE`` after the build), then, in the same run, with the board cache off: ``GET /api/v1/board`` and ``GET /api/v1/board?as_of=``
through FastAPI's TestClient, against the same two raw aggregates written for PostgreSQL and run
with plain psycopg. The script checks the endpoint and the raw query agree.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

from bench_board import AS_OF, BOARD_AT, LOADED_AT, build
from bench_chain import postgres_database
from fastapi.testclient import TestClient

from planflow.application.queries.board_cache import BoardCache
from planflow.domain import clock
from planflow.web.accounts import AccountStore, Role
from planflow.web.auth import Signer
from planflow.web.factory import create_app
from planflow.web.settings import WebSettings

STATUS = """
       CASE
         WHEN {p}completed_at IS NOT NULL AND ({p}completed_at + interval '7 hours')::date <= {p}due
           THEN 'done_on_time'
         WHEN {p}completed_at IS NOT NULL THEN 'done_late'
         WHEN {p}review_pending_since IS NOT NULL
              AND ({p}review_pending_since + interval '7 hours')::date <= {p}due
           THEN 'open_in_time'
         WHEN %(today)s <= {p}due THEN 'open_in_time'
         ELSE 'open_overdue'
       END"""

RAW_SQL = f"""
SELECT agency, {STATUS.format(p="")} AS status, count(*)
FROM planflow_board
WHERE plan = %(plan)s AND NOT cancelled
GROUP BY agency, status
"""

RAW_AS_OF_SQL = f"""
SELECT t.agency, {STATUS.format(p="t.")} AS status, count(*)
FROM (SELECT e.*, row_number() OVER (PARTITION BY e.task_id ORDER BY e.version DESC) AS rn
      FROM planflow_task_events e WHERE e.timestamp <= %(cutoff)s) AS t
JOIN planflow_board b ON b.id = t.task_id
WHERE t.rn = 1 AND b.plan = %(plan)s AND NOT t.cancelled
GROUP BY t.agency, status
"""


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def measure_postgres(size: int, repeat: int) -> dict[str, float]:
    import psycopg

    with postgres_database() as url:
        started = time.perf_counter()
        app = build(url, size)
        built = time.perf_counter() - started
        settings = WebSettings(database_url=url, secret_key="bench")
        accounts = AccountStore(app.engine)
        user = accounts.add("director", Role.OFFICE_DIRECTOR, "bench-password", LOADED_AT)
        session = accounts.open_session(user.username, "token", LOADED_AT, settings.token_max_age)
        headers = {"Authorization": f"Bearer {Signer(settings).token(user, session)}"}
        web = create_app(settings, lambda: BOARD_AT, application=app)
        # The board cache (board_cache.py) would answer every timed request after the first from
        # memory: measure the aggregate itself, as before the cache.
        events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        web.state.ctx.cache["board-cache"] = BoardCache(app.engine, events, entries=0)
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            # Fresh statistics, as autovacuum would gather after the bulk build: without them
            # PostgreSQL takes the board for a couple of rows and picks nested loops.
            connection.execute("ANALYZE")
        with TestClient(web) as client, psycopg.connect(plain) as connection:

            def endpoint(query: str = "") -> dict[tuple[str, str], int]:
                path = f"/api/v1/board?plan=bench{query}".replace("+", "%2B")
                body = client.get(path, headers=headers).json()
                return {
                    (row["agency"], status): n
                    for row in body["agencies"]
                    for status, n in row["counts"].items()
                    if n
                }

            def raw(sql: str, moment: Any) -> dict[tuple[str, str], int]:
                cutoff = moment.astimezone(UTC).replace(tzinfo=None)
                arguments = {"today": clock.local_date(moment), "plan": "bench", "cutoff": cutoff}
                rows = connection.execute(sql, arguments).fetchall()
                return {(agency, status): n for agency, status, n in rows}

            endpoint()
            t_endpoint, by_endpoint = timed(endpoint, repeat)
            t_raw, by_raw = timed(lambda: raw(RAW_SQL, BOARD_AT), repeat)
            as_of = f"&as_of={AS_OF.isoformat()}"
            endpoint(as_of)
            t_endpoint_as_of, by_endpoint_as_of = timed(lambda: endpoint(as_of), repeat)
            t_raw_as_of, by_raw_as_of = timed(lambda: raw(RAW_AS_OF_SQL, AS_OF), repeat)
            # The window query's estimated cost crosses jit_above_cost: with the server's
            # default (jit = on) its compile time dominates at small sizes. The baseline is the
            # faster of the two settings; planflow's own statements run with the default.
            connection.execute("SET jit = off")
            t_raw_no_jit, _ = timed(lambda: raw(RAW_SQL, BOARD_AT), repeat)
            t_raw_as_of_no_jit, _ = timed(lambda: raw(RAW_AS_OF_SQL, AS_OF), repeat)
        app.close()
    assert by_endpoint == by_raw, "the board and the raw aggregate disagree (PostgreSQL)"
    assert by_endpoint_as_of == by_raw_as_of, "the as-of boards disagree (PostgreSQL)"
    print(f"  PostgreSQL: {size:,} tasks built in {built:.1f} s")
    return {
        "endpoint": t_endpoint,
        "raw": min(t_raw, t_raw_no_jit),
        "endpoint_as_of": t_endpoint_as_of,
        "raw_as_of": min(t_raw_as_of, t_raw_as_of_no_jit),
        "raw_jit": t_raw,
        "raw_as_of_jit": t_raw_as_of,
    }


def report(results: dict[int, dict[str, float]]) -> None:
    print()
    print(
        "PostgreSQL: | tasks | GET /api/v1/board | raw GROUP BY | ratio "
        "| GET /api/v1/board?as_of= | raw as-of window GROUP BY | ratio "
        "| raw with jit = on (current, as of) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, r in results.items():
        print(
            f"| {size:,} | {r['endpoint'] * 1000:.0f} ms | {r['raw'] * 1000:.1f} ms | "
            f"{r['endpoint'] / r['raw']:.1f}× | {r['endpoint_as_of'] * 1000:.0f} ms | "
            f"{r['raw_as_of'] * 1000:.1f} ms | {r['endpoint_as_of'] / r['raw_as_of']:.1f}× | "
            f"{r['raw_jit'] * 1000:.1f} ms, {r['raw_as_of_jit'] * 1000:.1f} ms |"
        )
