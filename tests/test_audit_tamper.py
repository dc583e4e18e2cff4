"""Tampering with a real store, as someone with database access would, and what verify says.

Every scenario runs on a real SQLite file and on PostgreSQL. The store holds the mini plan and a
report submitted and accepted; a checkpoint signed after that is kept outside the database (a
file). Then one row is edited with plain SQL and ``planflow audit verify`` must name the first bad
position and what happened, exit 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.audit import chain as core
from planflow.audit import merkle, store
from planflow.audit.note import Signer
from planflow.cli.main import app as cli
from planflow.domain.task import task_id
from planflow.workflow.loader import LoadedPlan

PLAN = "mini-2022"
REPORT = task_id(PLAN, "D2", "so-a", "2022-Q1")
OTHER = task_id(PLAN, "D2", "so-b", "2022-Q1")


@dataclass
class Audited:
    url: str
    app: PlanflowApp
    key: Path
    public: Path
    checkpoint: Path
    count: int
    submitted: int
    accepted: int

    @property
    def engine(self) -> Engine:
        return self.app.engine

    def sql(self, statement: str, **params: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(statement), params)

    def position_of(self, ref: object, version: int) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT position FROM planflow_chain "
                        "WHERE stream_id = :s AND stream_version = :v"
                    ),
                    {"s": str(ref), "v": version},
                ).scalar_one()
            )

    def id_at(self, position: int) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT notification_id FROM planflow_chain WHERE position = :p"),
                    {"p": position},
                ).scalar_one()
            )


def keys(folder: Path) -> tuple[Path, Path]:
    signer = Signer.generate("test.planflow/audit")
    key, public = folder / "audit.key", folder / "audit.pub"
    key.write_text(signer.encode() + "\n")
    public.write_text(signer.verifier.encode() + "\n")
    return key, public


def invoke(url: str, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--db", url, *args], env={"COLUMNS": "200"})


def verify(audited: Audited, *extra: str) -> tuple[int, dict[str, Any]]:
    result = invoke(
        audited.url,
        "audit",
        "verify",
        "--public-key",
        str(audited.public),
        "--format",
        "json",
        *extra,
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def sign(url: str, key: Path, out: Path) -> Path:
    result = invoke(url, "audit", "checkpoint", "--key", str(key), "--out", str(out))
    assert result.exit_code == 0, result.output
    [path] = sorted(out.glob("checkpoint-*.txt"), key=lambda p: p.stat().st_mtime)[-1:]
    return path


@pytest.fixture
def audited(database_url: str, mini_plan: LoadedPlan, tmp_path: Path) -> Iterator[Audited]:
    app = PlanflowApp(database_url)
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    app.submit_report(REPORT, actor="so-a", at=utc(2022, 3, 15, 3), document="bc.pdf", sha256="ab")
    app.accept_report(REPORT, actor="vp", at=utc(2022, 3, 18, 3), note="đạt")
    app.submit_report(OTHER, actor="so-b", at=utc(2022, 3, 16, 3), document="b.pdf", sha256="cd")
    key, public = keys(tmp_path)
    checkpoint = sign(database_url, key, tmp_path / "outside")
    count = len(store.chain_rows(app.engine))
    a = Audited(database_url, app, key, public, checkpoint, count, 0, 0)
    a.submitted = a.position_of(REPORT, 2)
    a.accepted = a.position_of(REPORT, 3)
    yield a
    app.close()


def first(report: dict[str, Any]) -> tuple[str, int | None]:
    assert report["first"] is not None, report
    return report["first"]["kind"], report["first"]["position"]


def test_an_untouched_store_verifies_against_its_checkpoint(audited: Audited) -> None:
    code, report = verify(audited, "--against", str(audited.checkpoint))
    assert code == 0
    assert report["ok"] and report["count"] == audited.count
    assert report["signatures_checked"] is True


def test_an_edited_payload_is_named_altered_at_its_position(audited: Audited) -> None:
    nid = audited.id_at(audited.accepted)
    with audited.engine.connect() as connection:
        state = connection.execute(
            text("SELECT state FROM planflow_events WHERE id = :i"), {"i": nid}
        ).scalar_one()
    forged = bytes(state).replace(b'"vp"', b'"so-b"')
    assert forged != bytes(state)
    audited.sql("UPDATE planflow_events SET state = :s WHERE id = :i", s=forged, i=nid)
    code, report = verify(audited)
    assert code == 1
    assert first(report) == (core.ALTERED, audited.accepted)


def test_a_deleted_event_is_named_deleted(audited: Audited) -> None:
    audited.sql("DELETE FROM planflow_events WHERE id = :i", i=audited.id_at(audited.submitted))
    code, report = verify(audited)
    assert (code, first(report)) == (1, (core.DELETED, audited.submitted))


def test_an_event_deleted_with_its_chain_row_is_named_so(audited: Audited) -> None:
    nid = audited.id_at(audited.submitted)
    audited.sql("DELETE FROM planflow_events WHERE id = :i", i=nid)
    audited.sql("DELETE FROM planflow_chain WHERE position = :p", p=audited.submitted)
    code, report = verify(audited)
    assert (code, first(report)) == (1, (core.DELETED_WITH_CHAIN, audited.submitted))


def test_a_forged_row_after_the_acceptance_is_named_inserted(audited: Audited) -> None:
    nid = audited.id_at(audited.accepted)
    audited.sql(
        "INSERT INTO planflow_events (id, originator_id, originator_version, topic, state) "
        "SELECT :new, originator_id, 4, "
        "'planflow.domain.task:Task.ReportReturned', state FROM planflow_events WHERE id = :i",
        new=nid + 1000,
        i=nid,
    )
    code, report = verify(audited)
    assert (code, first(report)) == (1, (core.INSERTED, audited.count + 1))


def test_two_swapped_events_are_named_reordered_at_the_first(audited: Audited) -> None:
    a, b = audited.id_at(audited.submitted), audited.id_at(audited.accepted)
    audited.sql("UPDATE planflow_events SET id = :t WHERE id = :a", t=-1, a=a)
    audited.sql("UPDATE planflow_events SET id = :a WHERE id = :b", a=a, b=b)
    audited.sql("UPDATE planflow_events SET id = :b WHERE id = :t", b=b, t=-1)
    code, report = verify(audited)
    assert (code, first(report)) == (1, (core.REORDERED, audited.submitted))


@pytest.mark.parametrize("column", ["leaf_hash", "chain_hash", "stream_hash"])
def test_an_altered_chain_row_is_named_so(audited: Audited, column: str) -> None:
    audited.sql(
        f"UPDATE planflow_chain SET {column} = :h WHERE position = :p",
        h="ab" * 32,
        p=audited.submitted,
    )
    code, report = verify(audited)
    assert (code, first(report)) == (1, (core.CHAIN_ALTERED, audited.submitted))


def recompute_chain(engine: Engine, events: Any) -> None:
    """What an insider would do after an edit: recompute every leaf and link, consistently."""
    rows = store.chain_rows(engine)
    by_id = {e.notification_id: e for e in store.event_rows(engine, events)}
    previous = core.ZERO.hex()
    streams: dict[str, str] = {}
    with engine.begin() as connection:
        for row in rows:
            leaf = core.leaf_of(row, by_id[row.notification_id])
            previous = core.link(previous, leaf)
            streams[row.stream_id] = core.link(streams.get(row.stream_id, core.ZERO.hex()), leaf)
            connection.execute(
                text(
                    "UPDATE planflow_chain SET leaf_hash = :l, chain_hash = :c, stream_hash = :s "
                    "WHERE position = :p"
                ),
                {"l": leaf, "c": previous, "s": streams[row.stream_id], "p": row.position},
            )


def test_a_recomputed_chain_passes_alone_but_the_checkpoint_catches_it(
    audited: Audited, tmp_path: Path
) -> None:
    nid = audited.id_at(audited.accepted)
    audited.sql("UPDATE planflow_events SET state = :s WHERE id = :i", s=b'{"forged": true}', i=nid)
    # The database's own checkpoints go with the rewrite; the file outside stays.
    audited.sql("DELETE FROM planflow_checkpoints")
    recompute_chain(audited.engine, audited.app.recorder.events_record_cls.__table__)  # type: ignore[attr-defined]
    code, _ = verify(audited)
    assert code == 0  # the chain alone cannot tell: this is what checkpoints are for
    code, report = verify(audited, "--against", str(audited.checkpoint))
    kind, position = first(report)
    assert (code, kind, position) == (1, core.REWRITTEN, 1)
    assert f"between positions 1 and {audited.count}" in report["first"]["detail"]


def test_an_earlier_checkpoint_narrows_where_the_rewrite_began(
    database_url: str, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    app = PlanflowApp(database_url)
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    key, public = keys(tmp_path)
    early = sign(database_url, key, tmp_path / "early")
    size = len(store.chain_rows(app.engine))
    app.submit_report(REPORT, actor="so-a", at=utc(2022, 3, 15, 3), document="bc.pdf")
    late = sign(database_url, key, tmp_path / "late")
    audited = Audited(database_url, app, key, public, late, size + 1, size + 1, 0)
    audited.sql(
        "UPDATE planflow_events SET state = :s WHERE id = :i",
        s=b'{"forged": true}',
        i=audited.id_at(size + 1),
    )
    audited.sql("DELETE FROM planflow_checkpoints")
    recompute_chain(app.engine, app.recorder.events_record_cls.__table__)  # type: ignore[attr-defined]
    code, report = verify(audited, "--against", str(early), "--against", str(late))
    assert (code, first(report)) == (1, (core.REWRITTEN, size + 1))
    app.close()


def test_a_cut_off_tail_is_caught_by_the_checkpoint(audited: Audited) -> None:
    for position in (audited.count, audited.count - 1):
        audited.sql("DELETE FROM planflow_events WHERE id = :i", i=audited.id_at(position))
        audited.sql("DELETE FROM planflow_chain WHERE position = :p", p=position)
    audited.sql("DELETE FROM planflow_checkpoints")
    code, report = verify(audited, "--against", str(audited.checkpoint))
    assert (code, first(report)) == (1, (core.CUT_OFF, audited.count - 1))


def test_a_forged_append_after_the_last_checkpoint_is_the_documented_limit(
    audited: Audited,
) -> None:
    """An insider who appends an event and computes its chain row correctly, after the last
    checkpoint, is not detectable by the chain: only the next checkpoint, signed by the key
    holder, would fix the log's content (docs/audit.md, "Limits")."""
    from planflow.audit import writer

    events = audited.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    with audited.app.transaction() as session:
        session.execute(
            text(
                "INSERT INTO planflow_events (id, originator_id, originator_version, topic, state) "
                "SELECT :new, originator_id, 4, topic, state FROM planflow_events WHERE id = :i"
            ),
            {"new": 10_000, "i": audited.id_at(audited.accepted)},
        )
        writer.append(
            session,
            events,
            writer.unchained_events(session, events),
            "2022-03-20T00:00:00.000000+00:00",
        )
    code, report = verify(audited, "--against", str(audited.checkpoint))
    assert code == 0 and report["count"] == audited.count + 1


def test_a_checkpoint_signed_with_another_key_is_rejected(audited: Audited, tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other_key, _ = keys(tmp_path / "other")
    forged = sign(audited.url, other_key, tmp_path / "forged")
    code, report = verify(audited, "--against", str(forged))
    assert code == 1
    [problem] = [f for f in report["findings"] if f["kind"] == "checkpoint rejected"][:1]
    assert "no signature by the given key" in problem["detail"]


def test_proofs_for_one_event_and_between_two_sizes_verify(audited: Audited) -> None:
    result = invoke(audited.url, "audit", "prove", "--position", str(audited.accepted))
    assert result.exit_code == 0, result.output
    proof = json.loads(result.stdout)
    merkle.verify_inclusion(
        audited.accepted - 1,
        proof["size"],
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(proof["root"]),
    )
    result = invoke(audited.url, "audit", "prove", "--old-size", "3")
    consistency = json.loads(result.stdout)
    assert consistency["size"] == audited.count and consistency["path"]


def test_garbage_in_a_chain_row_is_named_not_a_traceback(audited: Audited) -> None:
    audited.sql(
        "UPDATE planflow_chain SET chain_hash = 'not hex', leaf_hash = 'zz' WHERE position = :p",
        p=audited.submitted,
    )
    code, report = verify(audited)
    assert (code, first(report)) == (1, (core.CHAIN_ALTERED, audited.submitted))


def test_a_file_that_is_not_a_database_gets_a_clear_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a SQLite database" * 100)
    result = invoke(f"sqlite:///{broken}", "audit", "verify")
    assert result.exit_code == 2
    assert "cannot read the store" in " ".join(result.output.split())


def test_an_emptied_chain_is_not_rechained_over_by_the_next_write(audited: Audited) -> None:
    audited.sql("DELETE FROM planflow_chain")
    audited.app.execute_activity(
        task_id(PLAN, "D1", "so-a", "2022"), actor="so-a", at=utc(2022, 3, 20, 3)
    )
    code, report = verify(audited, "--against", str(audited.checkpoint))
    assert code == 1
    assert first(report) == (core.DELETED_WITH_CHAIN, 1)
    assert {f["kind"] for f in report["findings"]} >= {core.INSERTED, core.CUT_OFF}
    assert len(store.chain_rows(audited.engine)) == 1


def test_an_edit_with_the_databases_own_text_functions_is_named_altered(audited: Audited) -> None:
    """sqlite3's replace() on a BLOB stores TEXT; the verifier reads it as it is."""
    nid = audited.id_at(audited.accepted)
    if audited.engine.dialect.name == "sqlite":
        edit = (
            "UPDATE planflow_events SET state = replace(state, '\"vp\"', '\"so-b\"') WHERE id = :i"
        )
    else:
        edit = (
            "UPDATE planflow_events SET state = convert_to(replace(convert_from(state, 'UTF8'), "
            "'\"vp\"', '\"so-b\"'), 'UTF8') WHERE id = :i"
        )
    audited.sql(edit, i=nid)
    code, report = verify(audited)
    assert (code, first(report)) == (1, (core.ALTERED, audited.accepted))
