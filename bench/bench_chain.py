"""Benchmark: write throughput with the hash chain against the library's plain recorder.

Not a test. In the same run and on the same kind of database, alternating the two so that the
machine's noise falls on both:

- chained: ``PlanflowApp`` as shipped (``planflow.adapters.chained_store``: each transaction also
  writes one chain row per event);
- unchained: the same application on ``eventsourcing_sqlalchemy``'s own factory.

Each round loads the Kiên Giang plan (480 events in one transaction), then records ``--commands``
chase-ups, one transaction each (one event each, as an agency's or the Office's command is). It
prints a Markdown table: events per second for the load and for single commands, and the ratio
chained / unchained. SQLite always; PostgreSQL too when PLANFLOW_TEST_POSTGRES_URL is set. Run:
``python bench/bench_chain.py`` (well under a minute). Results go in docs/performance.md, section
"Audit chain".
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment
from sqlalchemy import select

from planflow.application.app import PlanflowApp, normalize_url
from planflow.application.tables import board
from planflow.workflow.loader import load_workflow

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_workflow(ROOT / "workflows" / "kien-giang-2022.yaml")


class Unchained(PlanflowApp):
    """The same application on the library's plain recorder."""

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        plain = Environment(env.name, {**env, "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy"})
        return InfrastructureFactory.construct(plain)


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    admin = os.environ["PLANFLOW_TEST_POSTGRES_URL"].replace(
        "postgresql+psycopg://", "postgresql://"
    )
    name = f"planflow_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield normalize_url(f"{admin.rpartition('/')[0]}/{name}")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def one_round(kind: type[PlanflowApp], url: str, commands: int) -> tuple[float, float]:
    """(events/s of the plan load, events/s of single-event commands)."""
    app = kind(url)
    try:
        start = time.perf_counter()
        app.load_plan(PLAN, actor="loader", at=datetime(2022, 2, 15, 1, tzinfo=UTC))
        load = 480 / (time.perf_counter() - start)
        with app.engine.connect() as connection:
            ids = [UUID(r.id) for r in connection.execute(select(board.c.id).order_by(board.c.id))]
        start = time.perf_counter()
        for ref in ids[:commands]:
            app.chase_up(ref, actor="bench", at=datetime(2022, 3, 1, 3, tzinfo=UTC))
        single = commands / (time.perf_counter() - start)
        return load, single
    finally:
        app.close()


def measure(
    backend: str, fresh: Callable[[], AbstractContextManager[str]], rounds: int, commands: int
) -> list[str]:
    results: dict[str, list[tuple[float, float]]] = {"chained": [], "unchained": []}
    for _ in range(rounds):
        for label, kind in (("unchained", Unchained), ("chained", PlanflowApp)):
            with fresh() as url:
                results[label].append(one_round(kind, url, commands))
    med = {
        label: (
            statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs),
        )
        for label, runs in results.items()
    }
    (cl, cs), (ul, us) = med["chained"], med["unchained"]
    return [
        f"| {backend} | plan load (480 events, 1 tx) | {ul:,.0f} | {cl:,.0f} | {cl / ul:.2f} |",
        f"| {backend} | single-event commands ({commands}) | {us:,.0f} | {cs:,.0f} | {cs / us:.2f} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--commands", type=int, default=100)
    args = parser.parse_args()

    @contextmanager
    def sqlite_file() -> Iterator[str]:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"

    lines = [
        "| database | what | unchained (events/s) | chained (events/s) | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    lines += measure("SQLite", sqlite_file, args.rounds, args.commands)
    if os.environ.get("PLANFLOW_TEST_POSTGRES_URL"):
        lines += measure("PostgreSQL", postgres_database, args.rounds, args.commands)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
