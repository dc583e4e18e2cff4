"""``planflow export``: the signed bundle of the log, with a readable CSV and XLSX beside it.

The JSON Lines carry the whole log — the chain and the Merkle tree cover every event, so only the
whole log reproduces the head and root. ``--plan`` narrows the readable sheets to one plan.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine, Table

from planflow.audit import bundle, planbundle, store
from planflow.audit import chain as core
from planflow.audit.note import Checkpoint, Signer, unverified_text

BACKDATED_AFTER = timedelta(minutes=10)

COLUMNS = (
    "position",
    "recorded_at",
    "event_time",
    "backdated",
    "plan",
    "duty",
    "agency",
    "period",
    "task",
    "version",
    "event",
    "actor",
    "detail",
    "notification_id",
    "leaf_hash",
    "chain_hash",
)
HEADERS_VI = (
    "Vị trí",
    "Ghi lúc",
    "Thời điểm sự kiện",
    "Ghi lùi ngày",
    "Kế hoạch",
    "Nhiệm vụ",
    "Cơ quan",
    "Kỳ",
    "Mã nhiệm vụ",
    "Phiên bản",
    "Sự kiện",
    "Người thực hiện",
    "Nội dung",
    "Số thông báo",
    "Băm lá",
    "Băm chuỗi",
)
DETAIL_FIELDS = ("reason", "note", "document", "text", "answer", "new_agency", "new_due", "title")


def _plain(value: Any) -> Any:
    """A transcoded value ({"_type_": …, "_data_": …}) as its plain data."""
    if isinstance(value, dict) and "_data_" in value:
        return _plain(value["_data_"])
    return value


def event_time(state: dict[str, Any]) -> datetime | None:
    raw = _plain(state.get("timestamp"))
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def is_backdated(state: dict[str, Any], recorded_at: str) -> bool:
    moment = event_time(state)
    return moment is not None and moment < datetime.fromisoformat(recorded_at) - BACKDATED_AFTER


def readable_rows(entries: Iterable[bundle.Entry], plan: str | None) -> list[dict[str, Any]]:
    tasks: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for entry in entries:
        decoded = bundle.decoded(entry.state)
        state: dict[str, Any] = decoded if isinstance(decoded, dict) else {}
        row = entry.row
        if row.stream_version == 1:
            tasks[row.stream_id] = {
                k: _plain(state.get(k, "")) for k in ("plan", "duty", "agency", "period")
            }
            if "code" in state:  # a plan's own stream
                tasks[row.stream_id]["plan"] = _plain(state["code"])
        known = tasks.get(row.stream_id, {})
        if plan is not None and known.get("plan") != plan:
            continue
        moment = event_time(state)
        details = [f"{k}={_plain(state[k])}" for k in DETAIL_FIELDS if state.get(k)]
        rows.append(
            {
                "position": row.position,
                "recorded_at": row.recorded_at,
                "event_time": moment.isoformat() if moment else "",
                "backdated": "yes" if is_backdated(state, row.recorded_at) else "",
                **{k: known.get(k, "") for k in ("plan", "duty", "agency", "period")},
                "task": row.stream_id,
                "version": row.stream_version,
                "event": entry.topic.rpartition(".")[2] or entry.topic,
                "actor": _plain(state.get("actor", "")),
                "detail": "; ".join(details),
                "notification_id": row.notification_id,
                "leaf_hash": row.leaf_hash,
                "chain_hash": row.chain_hash,
            }
        )
    return rows


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow([f"{vi} / {en}" for vi, en in zip(HEADERS_VI, COLUMNS, strict=True)])
    for row in rows:
        out.writerow([row[c] for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "events"
    sheet.append([f"{vi} / {en}" for vi, en in zip(HEADERS_VI, COLUMNS, strict=True)])
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export(
    engine: Engine,
    events: Table,
    path: Path,
    *,
    signer: Signer | None,
    plan: str | None,
    created_at: datetime,
) -> dict[str, Any]:
    """Write the bundle. The store must verify first: a bundle of a broken log is refused.

    With a signer: the whole log, under the latest checkpoint (which must cover it) and a signed
    manifest. Without one (the web page, which holds no key): the log up to the latest checkpoint,
    whose signature is then the proof.
    """
    count, notes = _verified(engine, events, signer)
    covered = _size_of(notes[-1]) if notes else 0
    if not notes or (signer is not None and covered != count):
        raise bundle.BundleError(
            "chưa có điểm kiểm mới nhất: chạy planflow audit checkpoint trước / "
            "no checkpoint of the current log: run planflow audit checkpoint first"
        )
    rows = store.chain_rows(engine)[:covered]
    by_id = {e.notification_id: e for e in store.stored_events(engine, events)}
    lines = io.BytesIO()
    entries = []
    for row in rows:
        stored = by_id[row.notification_id]
        sha = core.state_sha256(stored.state)
        event = core.EventRow(
            stored.notification_id, stored.stream_id, stored.stream_version, stored.topic, sha
        )
        lines.write(bundle.event_line(row, event, stored.state))
        entries.append(bundle.Entry(row, stored.state, stored.topic))
    readable = readable_rows(entries, plan)
    summary = {
        "origin": _origin_of(notes[-1]),
        "plan": plan,
        "created_at": created_at.isoformat(),
        "count": len(rows),
        "root": core.merkle_root(rows),
        "head": rows[-1].chain_hash if rows else core.ZERO.hex(),
        "readable_rows": len(readable),
    }
    return bundle.write_bundle(
        path,
        events_jsonl=lines.getvalue(),
        checkpoint_note=notes[-1],
        summary=summary,
        extra={"events.csv": to_csv(readable), "events.xlsx": to_xlsx(readable)},
        signer=signer,
    )


def export_plan(
    engine: Engine,
    events: Table,
    path: Path,
    *,
    signer: Signer | None,
    plan: str,
    created_at: datetime,
) -> dict[str, Any]:
    """Write a per-plan bundle (``planbundle.py``): the plan's events up to the latest
    checkpoint, each with its audit path. The store must verify first, as for ``export``."""
    _, notes = _verified(engine, events, signer)
    if not notes:
        raise bundle.BundleError(
            "chưa có điểm kiểm: chạy planflow audit checkpoint trước / "
            "no checkpoint yet: run planflow audit checkpoint first"
        )
    checkpoint = Checkpoint.parse(unverified_text(notes[-1]))
    rows = store.chain_rows(engine)[: checkpoint.size]
    stored = {e.notification_id: e for e in store.stored_events(engine, events)}
    wanted = planbundle.plan_streams(
        ((e.stream_id, e.stream_version, e.state) for e in stored.values()), plan
    )
    if not wanted:
        raise bundle.BundleError(
            f"không có kế hoạch {plan} trong nhật ký / no plan {plan!r} in the log"
        )
    by_id = {
        n: (
            core.EventRow(n, e.stream_id, e.stream_version, e.topic, core.state_sha256(e.state)),
            e.state,
        )
        for n, e in stored.items()
    }
    lines = planbundle.plan_lines(rows, by_id, wanted)
    entries = [
        bundle.Entry(r, by_id[r.notification_id][1], by_id[r.notification_id][0].topic)
        for r in rows
        if r.stream_id in wanted
    ]
    readable = readable_rows(entries, plan)
    summary = {
        "origin": checkpoint.origin,
        "plan": plan,
        "created_at": created_at.isoformat(),
        "count": len(entries),
        "streams": len({e.row.stream_id for e in entries}),
        "checkpoint_size": checkpoint.size,
        "checkpoint_root": checkpoint.root.hex(),
        "readable_rows": len(readable),
    }
    return bundle.write_bundle(
        path,
        events_jsonl=lines,
        checkpoint_note=notes[-1],
        summary=summary,
        extra={"events.csv": to_csv(readable), "events.xlsx": to_xlsx(readable)},
        signer=signer,
        kind=planbundle.FORMAT,
    )


def _verified(engine: Engine, events: Table, signer: Signer | None) -> tuple[int, list[str]]:
    """The log's size and its checkpoints' notes, once the store verifies (else nothing is
    exported)."""
    verifiers = [] if signer is None else [signer.verifier]
    report = store.verify_store(engine, events, [], verifiers)
    if not report.ok:
        raise bundle.BundleError(
            f"kho không toàn vẹn, không xuất / the store does not verify, nothing exported: "
            f"{report.first}"
        )
    return report.count, store.stored_notes(engine)


def _size_of(note: str) -> int:
    return Checkpoint.parse(unverified_text(note)).size


def _origin_of(note: str) -> str:
    return Checkpoint.parse(unverified_text(note)).origin


def dumps(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2)
