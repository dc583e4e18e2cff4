"""The export bundle and its verifier. Standard library and ``cryptography`` only.

A bundle is a ZIP (or the folder it unpacks to) holding:

- ``events.jsonl``  one line per chain position: the exact stored state bytes (``state_b64``),
                    the decoded state, the event's stream, version and topic, and its leaf,
                    stream and chain hashes;
- ``checkpoint.txt`` the latest signed checkpoint (C2SP note);
- ``manifest.json`` the count, Merkle root and chain head, and each file's size and SHA-256;
- ``manifest.sig``  a signed note over the SHA-256 of ``manifest.json``;
- readable copies (``events.csv``, ``events.xlsx``), covered by the manifest's hashes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import chain as core
from .note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    open_checkpoint,
    open_note,
    unverified_text,
)

FORMAT = "planflow-audit-bundle/1"
EVENTS = "events.jsonl"
CHECKPOINT = "checkpoint.txt"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
REQUIRED = (EVENTS, CHECKPOINT, MANIFEST)
UNPROVEN = "not covered by a signature"
LINE = "bundle line"
FILE_CHANGED = "bundle file changed"


class BundleError(ValueError):
    """A bundle that cannot be read at all (missing files, not a ZIP, a bad signature)."""


@dataclass(frozen=True)
class Entry:
    row: core.ChainRow
    state: bytes
    topic: str


def event_line(row: core.ChainRow, event: core.EventRow, state: bytes) -> bytes:
    try:
        decoded: Any = json.loads(state)
    except (UnicodeDecodeError, ValueError):
        decoded = None
    line = {
        "position": row.position,
        "notification_id": row.notification_id,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "topic": event.topic,
        "recorded_at": row.recorded_at,
        "state_sha256": event.state_sha256,
        "leaf_hash": row.leaf_hash,
        "stream_hash": row.stream_hash,
        "chain_hash": row.chain_hash,
        "state_b64": base64.b64encode(state).decode("ascii"),
        "state": decoded,
    }
    return (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def write_bundle(
    path: Path,
    *,
    events_jsonl: bytes,
    checkpoint_note: str,
    summary: Mapping[str, Any],
    extra: Mapping[str, bytes],
    signer: Signer | None,
    kind: str = FORMAT,
) -> dict[str, Any]:
    """Without a signer the manifest is unsigned: the checkpoint alone then proves the events
    (so they must be exactly the ones it covers), and the readable sheets are not authenticated."""
    files = {EVENTS: events_jsonl, CHECKPOINT: checkpoint_note.encode(), **extra}
    manifest = {
        "format": kind,
        **summary,
        "files": {
            name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        },
    }
    manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        if signer is not None:
            archive.writestr(SIGNATURE, signer.sign(f"{kind}\nmanifest-sha256 {digest}\n"))
        for name, data in files.items():
            archive.writestr(name, data)
    tmp.replace(path)
    return manifest


def read_bundle(path: Path) -> dict[str, bytes]:
    """The files of a bundle: a ZIP, or a folder holding the same files."""
    try:
        if path.is_dir():
            files = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
        else:
            with zipfile.ZipFile(path) as archive:
                files = {name: archive.read(name) for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleError(
            f"không đọc được gói xuất {path} / cannot read the bundle {path}: {exc}"
        ) from None
    missing = [name for name in REQUIRED if name not in files]
    if missing:
        raise BundleError(
            f"gói xuất thiếu {', '.join(missing)} / the bundle lacks {', '.join(missing)}"
        )
    return files


@dataclass
class BundleCheck:
    report: core.Report
    manifest: dict[str, Any]
    entries: list[Entry]
    checkpoint: Checkpoint
    signed: bool


def verify_bundle(files: Mapping[str, bytes], verifiers: Sequence[Verifier]) -> BundleCheck:
    """Recompute everything in a bundle. Unreadable or wrongly signed bundles raise BundleError;
    what can be located (a line, a position) becomes a finding in the report."""
    manifest_bytes = files[MANIFEST]
    try:
        manifest = json.loads(manifest_bytes)
        signed_manifest = SIGNATURE in files
        if verifiers and signed_manifest:
            text = open_note(files[SIGNATURE].decode(), verifiers)
            if text != f"{FORMAT}\nmanifest-sha256 {hashlib.sha256(manifest_bytes).hexdigest()}\n":
                raise BundleError(
                    "manifest.json đã bị thay đổi sau khi ký / manifest.json was changed after signing"
                )
        if verifiers:
            checkpoint = open_checkpoint(files[CHECKPOINT].decode(), verifiers)
        else:
            checkpoint = Checkpoint.parse(unverified_text(files[CHECKPOINT].decode()))
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"gói xuất không hợp lệ / invalid bundle: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"không phải gói {FORMAT} / not a {FORMAT} bundle")
    entries, findings = parse_events(files[EVENTS])
    rows = sorted((e.row for e in entries), key=lambda r: r.position)
    events = [
        core.EventRow(
            e.row.notification_id,
            e.row.stream_id,
            e.row.stream_version,
            e.topic,
            core.state_sha256(e.state),
        )
        for e in entries
    ]
    report = core.verify_log(events, rows)
    # Line-level damage first, then the log's own findings; an edited decoded copy comes last
    # (when the stored bytes changed too, their leaf mismatch is the sharper finding).
    copies = [f for f in findings if f.kind == core.ALTERED]
    lines = [f for f in findings if f.kind != core.ALTERED]
    report.findings = lines + report.findings + copies
    report.findings += core.check_checkpoints(
        rows, [(checkpoint.size, checkpoint.root, "the bundle's checkpoint")]
    )
    if not signed_manifest and checkpoint.size < report.count:
        report.findings.append(
            core.Finding(
                UNPROVEN,
                checkpoint.size + 1,
                f"the manifest is not signed and the checkpoint covers only {checkpoint.size} of "
                f"{report.count} entries",
            )
        )
    for key, value in (("count", report.count), ("root", report.root), ("head", report.head)):
        if manifest.get(key) != value:
            report.findings.append(
                core.Finding(
                    FILE_CHANGED, None, f"manifest {key} {manifest.get(key)} ≠ recomputed {value}"
                )
            )
    for name, info in dict(manifest.get("files", {})).items():
        data = files.get(name)
        if data is None or hashlib.sha256(data).hexdigest() != info.get("sha256"):
            report.findings.append(
                core.Finding(FILE_CHANGED, None, f"{name} differs from the signed manifest")
            )
    return BundleCheck(report, manifest, entries, checkpoint, bool(verifiers))


def parse_events(data: bytes) -> tuple[list[Entry], list[core.Finding]]:
    findings: list[core.Finding] = []
    entries: list[Entry] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        findings.append(
            core.Finding(
                core.CUT_OFF,
                len(lines),
                f"events.jsonl is cut off mid-line: line {len(lines)} has no end",
            )
        )
    for number, raw in enumerate(lines, start=1):
        try:
            item = json.loads(raw)
            row, state = line_entry(item)
        except (ValueError, KeyError, TypeError, binascii.Error):
            if not (findings and findings[0].position == number):
                findings.append(
                    core.Finding(
                        LINE, number, f"line {number} of events.jsonl is not a valid entry"
                    )
                )
            continue
        if row.position != number:
            findings.append(
                core.Finding(
                    core.REORDERED,
                    min(number, row.position),
                    f"line {number} of events.jsonl holds position {row.position}",
                )
            )
        entry = Entry(row, state, str(item.get("topic", "")))
        if item.get("state") is not None and decoded(state) != item["state"]:
            findings.append(
                core.Finding(
                    core.ALTERED,
                    row.position,
                    "the decoded state differs from the stored bytes",
                )
            )
        entries.append(entry)
    return entries, findings


def line_entry(item: Any) -> tuple[core.ChainRow, bytes]:
    """The chain row and stored bytes of one parsed ``events.jsonl`` line (KeyError, TypeError,
    ValueError or binascii.Error when it is not one)."""
    row = core.ChainRow(
        int(item["position"]),
        int(item["notification_id"]),
        str(item["stream_id"]),
        int(item["stream_version"]),
        str(item["recorded_at"]),
        str(item["leaf_hash"]),
        str(item["stream_hash"]),
        str(item["chain_hash"]),
    )
    return row, base64.b64decode(item["state_b64"], validate=True)


def decoded(state: bytes) -> Any:
    try:
        return json.loads(state)
    except (UnicodeDecodeError, ValueError):
        return None


def zipped(files: Mapping[str, bytes]) -> bytes:
    """A ZIP of ``files`` (tests use it to build tampered bundles)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


__all__ = ["BundleError", "NoteError", "read_bundle", "verify_bundle", "write_bundle"]
