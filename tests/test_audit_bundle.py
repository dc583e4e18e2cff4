"""Export bundles: verified without a database, imported into an empty one to the same chain, and
refused — with a clear message and nothing written — when cut off, edited, reordered or
signed by another key, or when the database is not empty."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.tables import board, task_events
from planflow.audit import bundle, store
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan
from test_audit_tamper import REPORT, invoke, keys
from test_year_kien_giang import LOADED, plan_the_year


def exported(url: str, tmp_path: Path, *extra: str) -> tuple[Path, Path, Path]:
    key, public = keys(tmp_path)
    target = tmp_path / "bundle.zip"
    result = invoke(url, "export", str(target), "--key", str(key), *extra)
    assert result.exit_code == 0, result.output
    return target, key, public


def verify_bundle(path: Path, public: Path) -> tuple[int, dict[str, Any], str]:
    result = invoke(
        "sqlite:////nonexistent/never-opened.db",
        "audit",
        "verify",
        "--bundle",
        str(path),
        "--public-key",
        str(public),
        "--format",
        "json",
    )
    payload = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, payload, result.output


def board_of(app: PlanflowApp) -> list[Any]:
    with app.engine.connect() as connection:
        return [
            sorted(tuple(r) for r in connection.execute(select(board))),
            sorted(tuple(r) for r in connection.execute(select(task_events))),
        ]


@pytest.fixture
def small(sqlite_url: str, mini_plan: LoadedPlan) -> str:
    app = PlanflowApp(sqlite_url)
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    app.submit_report(REPORT, actor="so-a", at=utc(2022, 3, 15, 3), document="bc.pdf")
    app.accept_report(REPORT, actor="vp", at=utc(2022, 3, 18, 3), note="đạt")
    app.close()
    return sqlite_url


def test_a_bundle_verifies_without_any_database_and_reads_as_csv_and_xlsx(
    small: str, tmp_path: Path
) -> None:
    path, _, public = exported(small, tmp_path, "--plan", "mini-2022")
    code, report, _ = verify_bundle(path, public)
    assert code == 0 and report["ok"] and report["signatures_checked"]
    with zipfile.ZipFile(path) as archive:
        raw_csv = archive.read("events.csv")
        manifest = json.loads(archive.read("manifest.json"))
        book = load_workbook(io.BytesIO(archive.read("events.xlsx")))
    assert raw_csv.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw_csv.decode("utf-8-sig"))))
    assert rows[0][0] == "Vị trí / position"
    accepted = [r for r in rows if r[10] == "ReportAccepted"]
    assert [(r[4], r[6], r[11], r[3]) for r in accepted] == [("mini-2022", "so-a", "vp", "yes")]
    assert manifest["count"] == report["count"] == len(rows) - 1
    sheet = book["events"]
    assert sheet.max_row == len(rows)


def tamper(path: Path, change: Any) -> Path:
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["events.jsonl"] = change(files["events.jsonl"])
    out = path.with_name("tampered.zip")
    out.write_bytes(bundle.zipped(files))
    return out


def cut_mid_line(data: bytes) -> bytes:
    return data[: len(data) - 40]


def swap_lines(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[2], lines[3] = lines[3], lines[2]
    return b"\n".join(lines)


def one_byte(data: bytes) -> bytes:
    lines = data.split(b"\n")
    item = json.loads(lines[4])
    state = bytearray(base64.b64decode(item["state_b64"]))
    state[-3] ^= 1
    item["state_b64"] = base64.b64encode(bytes(state)).decode()
    lines[4] = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
    return b"\n".join(lines)


@pytest.mark.parametrize(
    ("change", "kind", "position", "words"),
    [
        (cut_mid_line, "history cut off", None, "cut off mid-line"),
        (swap_lines, "reordered", 3, "line 3 of events.jsonl holds position 4"),
        (one_byte, "altered", 5, "no longer matches its leaf hash"),
    ],
)
def test_a_damaged_bundle_is_named_and_nothing_is_imported(
    small: str,
    tmp_path: Path,
    postgres_url: str,
    change: Any,
    kind: str,
    position: int | None,
    words: str,
) -> None:
    path, _, public = exported(small, tmp_path)
    damaged = tamper(path, change)
    code, report, _ = verify_bundle(damaged, public)
    assert code == 1
    assert report["first"]["kind"] == kind
    if position is not None:
        assert report["first"]["position"] == position
    assert words in report["first"]["detail"]
    result = invoke(postgres_url, "audit", "import", str(damaged), "--public-key", str(public))
    assert result.exit_code == 3
    assert "nothing imported" in result.output
    target = PlanflowApp(postgres_url)
    with target.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM planflow_events")).scalar() == 0
    target.close()


def test_a_bundle_signed_by_another_key_is_refused(small: str, tmp_path: Path) -> None:
    path, _, _ = exported(small, tmp_path)
    (tmp_path / "other").mkdir()
    _, stranger = keys(tmp_path / "other")
    code, _, output = verify_bundle(path, stranger)
    assert code == 2
    assert "no signature by the given key" in " ".join(output.split())


def test_import_into_a_database_that_is_not_empty_writes_nothing(
    small: str, tmp_path: Path, mini_plan: LoadedPlan
) -> None:
    path, _, public = exported(small, tmp_path)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    app = PlanflowApp(other)
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    before = board_of(app), len(store.chain_rows(app.engine))
    result = invoke(other, "audit", "import", str(path), "--public-key", str(public))
    assert result.exit_code == 3
    assert "the database is not empty" in " ".join(result.output.split())
    assert (board_of(app), len(store.chain_rows(app.engine))) == before
    app.close()


@pytest.mark.slow
def test_the_kien_giang_year_round_trips_from_sqlite_to_postgresql(
    sqlite_url: str, postgres_url: str, kien_giang: LoadedPlan, tmp_path: Path
) -> None:
    source = PlanflowApp(sqlite_url)
    specs = expand(kien_giang.workflow, kien_giang.calendar)
    order = {a.code: i for i, a in enumerate(kien_giang.workflow.agencies)}
    _, actions = plan_the_year(specs, order, kien_giang.calendar)
    source.load_plan(kien_giang, actor="loader", at=LOADED)
    for action in sorted(actions, key=lambda a: a.moment):
        action.run(source)
    path, _, public = exported(sqlite_url, tmp_path, "--plan", "kien-giang-2022-tthc")
    result = invoke(postgres_url, "audit", "import", str(path), "--public-key", str(public))
    assert result.exit_code == 0, result.output
    target = PlanflowApp(postgres_url)
    mine = store.verify_store(source.engine, store_events(source), [], [])
    theirs = store.verify_store(target.engine, store_events(target), [], [])
    assert mine.ok and theirs.ok
    assert (theirs.count, theirs.head, theirs.root) == (mine.count, mine.head, mine.root)
    assert mine.count > 1000
    moment = utc(2023, 1, 10)
    views = [
        [v.as_json() for v in list_tasks(a.engine, moment, BoardFilter(), as_of=False)]
        for a in (source, target)
    ]
    assert views[0] == views[1] and len(views[0]) == 515
    assert board_of(source) == board_of(target)
    # The imported store goes on: a new event chains after the imported head.
    [late, *_] = [v for v in views[1] if v["status"] == "open_overdue"]
    target.chase_up(UUID(late["id"]), actor="vp", at=moment)
    after = store.verify_store(target.engine, store_events(target), [], [])
    assert after.ok and after.count == mine.count + 1
    source.close()
    target.close()


def store_events(app: PlanflowApp) -> Any:
    return app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
