"""Check: the same task commands store the same bytes with two code bases.

Not a test: a check to run when a command's write path changes. Each code base (this tree's
``src`` and ``--baseline-src``, e.g. ``git archive main src | tar -x -C /tmp/pf-main``) runs in
its own process on a fresh store: the mini plan loaded, then a fixed sequence of commands of
every kind (raise, answer, report, return, accept, execute, extend, reassign, chase, overdue,
cancel, the scheduler's due steps, a stale save that must conflict), at fixed times and with the
chain's clock fixed. Every table of the store is then read row by row as the driver returns it
(bytes as hex, each value with its type) and the two dumps must be equal.

Run: ``python bench/compare_command_rows.py --baseline-src /tmp/pf-main/src`` (SQLite and, when
PLANFLOW_TEST_POSTGRES_URL is set, PostgreSQL, each in a fresh database dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"
LOADED_AT = datetime(2022, 2, 15, 1, tzinfo=UTC)


def worker(url: str, out: str) -> None:
    """In a process whose PYTHONPATH picks the code base: the commands, then the dump."""
    from sqlalchemy import MetaData, text

    from planflow.application.app import PlanflowApp
    from planflow.workflow.loader import load_workflow

    app = PlanflowApp(url)
    app.recorder.clock = lambda: datetime(2026, 11, 28, 1, 2, 3, 456789, tzinfo=UTC)  # type: ignore[attr-defined]
    app.load_plan(load_workflow(MINI), actor="bench", at=LOADED_AT)
    with app.engine.connect() as connection:
        refs = [
            uuid.UUID(str(r[0]))
            for r in connection.execute(text("select id from planflow_board order by id"))
        ]
    outcomes: list[str] = []
    moment = LOADED_AT

    def step(name: str, call: Any) -> None:
        nonlocal moment
        moment += timedelta(hours=7)
        try:
            call(moment)
            outcomes.append(f"{name}: ok")
        except Exception as error:  # a refusal must be the same on both, and write nothing
            outcomes.append(f"{name}: {type(error).__name__}")

    for i, ref in enumerate(refs):
        if i % 4 == 0:
            step(
                "extend",
                lambda at, r=ref: app.extend_deadline(
                    r, actor="vp", at=at, new_due=date(2023, 1, 31), reason="Gia hạn"
                ),
            )
        if i % 4 == 1:
            heir = "so-a" if app.get_task(ref).agency != "so-a" else "so-b"
            step(
                "reassign",
                lambda at, r=ref, h=heir: app.reassign(
                    r, actor="vp", at=at, new_agency=h, reason="Chuyển"
                ),
            )
        step(
            "raise",
            lambda at, r=ref, n=i: app.raise_difficulty(r, actor="a", at=at, text=f"khó {n}"),
        )
        step(
            "answer",
            lambda at, r=ref: app.answer_difficulty(r, actor="vp", at=at, number=1, answer="Đáp"),
        )
        step("chase", lambda at, r=ref: app.chase_up(r, actor="vp", at=at, note="Đôn đốc"))
        step(
            "report",
            lambda at, r=ref, n=i: app.submit_report(r, actor="a", at=at, document=f"bc-{n}.pdf"),
        )
        if i % 3 == 0:
            step("return", lambda at, r=ref: app.return_report(r, actor="vp", at=at, reason="Sửa"))
        if i % 3 == 1:
            step("accept", lambda at, r=ref: app.accept_report(r, actor="vp", at=at, note="Đạt"))
        step("execute", lambda at, r=ref: app.execute_activity(r, actor="a", at=at, note="Làm"))
        if i % 5 == 2:
            step("cancel", lambda at, r=ref: app.cancel(r, actor="vp", at=at, reason="Huỷ"))
    for n in range(50):  # a snapshot is taken on the way (every 50 events)
        step("raise", lambda at, n=n: app.raise_difficulty(refs[3], actor="a", at=at, text=f"{n}"))
    with app.engine.connect() as connection:
        due_before = sorted(
            json.dumps([_plain(v) for v in row])
            for row in connection.exec_driver_sql("SELECT * FROM planflow_due").all()
        )
    late = datetime(2023, 3, 1, 1, tzinfo=UTC)
    for ref in refs:
        step("overdue", lambda _at, r=ref: app.mark_overdue(r, actor="sched", at=late))
        step("due", lambda _at, r=ref: app.record_due(r, actor="sched", at=late))
    stale = app.get_task(refs[1])
    app.raise_difficulty(refs[1], actor="a", at=late, text="mới")
    try:
        from planflow.domain import clock

        with clock.at(late + timedelta(hours=1)), app.transaction() as session:
            stale.raise_difficulty(actor="a", text="cũ")
            app._save(session, stale)
        outcomes.append("stale: saved")
    except Exception as error:
        outcomes.append(f"stale: {type(error).__name__}")
    dump: dict[str, Any] = {"outcomes": outcomes, "due before the tick": due_before}
    meta = MetaData()
    meta.reflect(app.engine)
    with app.engine.connect() as connection:
        for name in sorted(meta.tables):
            rows = connection.exec_driver_sql(
                f'SELECT * FROM "{name}"'
            ).all()  # as the driver reads
            dump[name] = sorted(json.dumps([_plain(v) for v in row]) for row in rows)
    app.close()
    Path(out).write_text(json.dumps(dump, indent=0, sort_keys=True))


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return ["bytes", bytes(value).hex()]
    if isinstance(value, int | float | str | bool) or value is None:
        return [type(value).__name__, value]
    return [type(value).__name__, str(value)]


def run(src: Path, url_or_file: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run(
        [sys.executable, __file__, "--worker", url_or_file, out], env=env, check=True, cwd=ROOT
    )
    result: dict[str, Any] = json.loads(Path(out).read_text())
    Path(out).unlink()
    return result


def compare(baseline: Path, backend: str) -> bool:
    dumps = []
    for src in (baseline, ROOT / "src"):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                dumps.append(run(src, f"sqlite:///{tmp}/store.db"))
        else:
            dumps.append(_on_postgres(src))
    before, after = dumps
    ok = before == after
    rows = sum(len(v) for k, v in after.items() if k != "outcomes")
    done = sum(1 for o in after["outcomes"] if o.endswith(": ok"))
    print(f"{backend}: {rows} rows; {done} of {len(after['outcomes'])} steps ran, the rest refused")
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            print(f"  differs: {name}")
    print(f"{backend}: {'identical' if ok else 'DIFFERENT'}")
    return ok


def _on_postgres(src: Path) -> dict[str, Any]:
    import psycopg

    base = os.environ["PLANFLOW_TEST_POSTGRES_URL"]
    name = "planflow_cmp_" + uuid.uuid4().hex[:10]
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    try:
        return run(src, base.rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f"DROP DATABASE {name} WITH (FORCE)")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", type=Path, required=True)
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgres"] if os.environ.get("PLANFLOW_TEST_POSTGRES_URL") else [])
    results = [compare(args.baseline_src, b) for b in backends]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
