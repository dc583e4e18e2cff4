"""The chain stays whole under concurrent writers: several real processes on one store.

Each process opens its own application and chases up its share of the Kiên Giang tasks, one
transaction per command. Afterwards every event has exactly one chain position, the positions run
1…N without a gap, and ``verify`` recomputes the same head.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.audit import store
from planflow.audit.tables import chain
from planflow.workflow.loader import LoadedPlan

WORKERS = 4
EACH = 25

SCRIPT = """
import sys, time
from datetime import UTC, datetime
from sqlalchemy import select
from planflow.application.app import PlanflowApp
from planflow.application.tables import board
url, worker, workers, each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
app = PlanflowApp(url)
with app.engine.connect() as c:
    ids = sorted(r.id for r in c.execute(select(board.c.id)))
mine = [i for n, i in enumerate(ids) if n % workers == worker][:each]
from uuid import UUID
done = 0
for ref in mine:
    for attempt in range(50):
        try:
            app.chase_up(UUID(ref), actor=f"w{worker}", at=datetime(2022, 3, 1, 3, tzinfo=UTC))
            done += 1
            break
        except Exception as exc:  # a busy SQLite file: try again
            if "locked" not in str(exc) and "busy" not in str(exc).lower():
                raise
            time.sleep(0.05)
app.close()
print(done)
"""


def test_concurrent_writer_processes_leave_one_unbroken_chain(
    database_url: str, kien_giang: LoadedPlan, tmp_path: Path
) -> None:
    app = PlanflowApp(database_url)
    app.load_plan(kien_giang, actor="loader", at=utc(2022, 2, 15))
    before = len(store.chain_rows(app.engine))
    url = database_url
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, url, str(k), str(WORKERS), str(EACH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(WORKERS)
    ]
    done = 0
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
        done += int(out.strip())
    assert done == WORKERS * EACH
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    report = store.verify_store(app.engine, events, [], [])
    assert report.ok, report.first
    assert report.count == before + WORKERS * EACH
    with app.engine.connect() as connection:
        positions = connection.execute(
            select(func.min(chain.c.position), func.max(chain.c.position), func.count())
        ).one()
        stored = connection.execute(select(func.count()).select_from(events)).scalar()
    assert tuple(positions) == (1, report.count, report.count) and stored == report.count
    recorders = {r.recorded_at for r in store.chain_rows(app.engine)[before:]}
    assert len(recorders) > 1  # separate transactions, each stamped when it was recorded
    app.close()
