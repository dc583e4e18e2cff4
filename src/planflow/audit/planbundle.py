"""A per-plan bundle and its verifier. Standard library and ``cryptography`` only.

A whole-log bundle (``bundle.py``) hands an auditor every event of every plan. A plan's own
auditors — or a ministry asking about one plan — need that plan's events only, and proof that
they are the ones in the signed log. A per-plan bundle holds:

- ``events.jsonl``  one line per event of the plan (the plan's own stream and each of its tasks'
                    streams), in position order, as in a whole-log bundle, plus ``inclusion``: the
                    RFC 9162 audit path of its leaf in the checkpoint's tree;
- ``checkpoint.txt`` the signed checkpoint every path leads to;
- ``manifest.json`` the plan, the number of events and streams, the checkpoint's size and root,
                    each file's size and SHA-256; ``manifest.sig`` a signed note over it.

What it proves: every event in it is, byte for byte, the one at its position in the signed log
(its leaf recomputed from the stored bytes, its path leading to the signed root), and every task
in it is complete up to the checkpoint (versions 1…n without a gap, each stream hash following
from the one before). What it cannot prove: that no *whole task* of the plan was left out — only
a whole-log bundle shows that. The signed manifest states how many streams the exporter put in.
"""

from __future__ import annotations

import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import chain as core
from . import merkle
from .bundle import (
    CHECKPOINT,
    EVENTS,
    FILE_CHANGED,
    LINE,
    MANIFEST,
    SIGNATURE,
    BundleCheck,
    BundleError,
    Entry,
    decoded,
    event_line,
    line_entry,
)
from .note import Checkpoint, Verifier, open_checkpoint, open_note, unverified_text

FORMAT = "planflow-audit-plan-bundle/1"
NOT_IN_LOG = "not in the signed log"
core.KIND_VI.setdefault(NOT_IN_LOG, "không có trong nhật ký đã ký")


def plan_streams(entries: Iterable[tuple[str, int, bytes]], plan: str) -> set[str]:
    """The streams of ``plan``: its own (a state with ``code``) and its tasks' (``plan``), judged
    by each stream's first event. ``entries`` are (stream id, version, stored state bytes)."""
    streams: set[str] = set()
    for stream_id, version, state in entries:
        if version != 1:
            continue
        try:
            decoded = json.loads(state)
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(decoded, dict) and plan in (decoded.get("plan"), decoded.get("code")):
            streams.add(stream_id)
    return streams


def plan_lines(
    rows: Sequence[core.ChainRow],
    events: Mapping[int, tuple[core.EventRow, bytes]],
    wanted: set[str],
) -> bytes:
    """The ``events.jsonl`` of a plan bundle: the chosen streams' entries among ``rows`` (the log
    up to the checkpoint, in position order), each with its audit path."""
    leaves = [core.as_hash(r.leaf_hash) for r in rows]
    chosen = [r for r in rows if r.stream_id in wanted]
    proofs = merkle.inclusion_proofs([r.position - 1 for r in chosen], leaves)
    out = bytearray()
    for row in chosen:
        event, state = events[row.notification_id]
        line = json.loads(event_line(row, event, state))
        line["inclusion"] = [p.hex() for p in proofs[row.position - 1]]
        out += (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    return bytes(out)


@dataclass(frozen=True)
class _Line:
    entry: Entry
    proof: list[bytes]
    decoded: Any


def is_plan_bundle(files: Mapping[str, bytes]) -> bool:
    try:
        manifest = json.loads(files[MANIFEST])
    except (KeyError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT


def verify_plan_bundle(files: Mapping[str, bytes], verifiers: Sequence[Verifier]) -> BundleCheck:
    """Recompute a per-plan bundle: each leaf from its stored bytes, each audit path to the
    signed root, each task's stream from version 1 on, and the manifest's hashes."""
    manifest_bytes = files[MANIFEST]
    try:
        manifest = json.loads(manifest_bytes)
        if verifiers and SIGNATURE in files:
            text = open_note(files[SIGNATURE].decode(), verifiers)
            if text != f"{FORMAT}\nmanifest-sha256 {hashlib.sha256(manifest_bytes).hexdigest()}\n":
                raise BundleError(
                    "manifest.json đã bị thay đổi sau khi ký / manifest.json was changed after signing"
                )
        checkpoint = (
            open_checkpoint(files[CHECKPOINT].decode(), verifiers)
            if verifiers
            else Checkpoint.parse(unverified_text(files[CHECKPOINT].decode()))
        )
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"gói xuất không hợp lệ / invalid bundle: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"không phải gói {FORMAT} / not a {FORMAT} bundle")
    lines, findings = _parse(files[EVENTS])
    findings += _check_entries(lines, checkpoint)
    findings += _check_streams(lines)
    streams = len({line.entry.row.stream_id for line in lines})
    for key, value in (("count", len(lines)), ("streams", streams), ("plan", manifest.get("plan"))):
        if manifest.get(key) != value:
            findings.append(
                core.Finding(FILE_CHANGED, None, f"manifest {key} {manifest.get(key)} ≠ {value}")
            )
    if manifest.get("checkpoint_size") != checkpoint.size:
        findings.append(
            core.Finding(FILE_CHANGED, None, "the manifest names another checkpoint than the note")
        )
    for name, info in dict(manifest.get("files", {})).items():
        data = files.get(name)
        if data is None or hashlib.sha256(data).hexdigest() != info.get("sha256"):
            findings.append(core.Finding(FILE_CHANGED, None, f"{name} differs from the manifest"))
    head = lines[-1].entry.row.chain_hash if lines else core.ZERO.hex()
    report = core.Report(len(lines), head, checkpoint.root.hex(), findings)
    return BundleCheck(
        report, manifest, [line.entry for line in lines], checkpoint, bool(verifiers)
    )


def _parse(data: bytes) -> tuple[list[_Line], list[core.Finding]]:
    findings: list[core.Finding] = []
    lines: list[_Line] = []
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    elif raw_lines:
        findings.append(
            core.Finding(core.CUT_OFF, None, f"events.jsonl is cut off at line {len(raw_lines)}")
        )
    for number, raw in enumerate(raw_lines, start=1):
        try:
            item = json.loads(raw)
            row, state = line_entry(item)
            proof = [bytes.fromhex(p) for p in item["inclusion"]]
        except (ValueError, KeyError, TypeError, binascii.Error):
            findings.append(
                core.Finding(LINE, None, f"line {number} of events.jsonl is not a valid entry")
            )
            continue
        if lines and row.position <= lines[-1].entry.row.position:
            findings.append(
                core.Finding(
                    core.REORDERED, row.position, f"line {number} is out of position order"
                )
            )
        lines.append(_Line(Entry(row, state, str(item.get("topic", ""))), proof, item.get("state")))
    return lines, findings


def _check_entries(lines: Sequence[_Line], checkpoint: Checkpoint) -> list[core.Finding]:
    findings: list[core.Finding] = []
    for line in lines:
        row = line.entry.row
        event = core.EventRow(
            row.notification_id,
            row.stream_id,
            row.stream_version,
            line.entry.topic,
            core.state_sha256(line.entry.state),
        )
        leaf = core.leaf_of(row, event)
        if leaf != row.leaf_hash:
            findings.append(
                core.Finding(core.ALTERED, row.position, "the stored bytes do not give its leaf")
            )
            continue
        if line.decoded is not None and decoded(line.entry.state) != line.decoded:
            findings.append(
                core.Finding(
                    core.ALTERED, row.position, "the decoded state differs from the stored bytes"
                )
            )
        try:
            merkle.verify_inclusion(
                row.position - 1, checkpoint.size, bytes.fromhex(leaf), line.proof, checkpoint.root
            )
        except merkle.ProofError as exc:
            findings.append(core.Finding(NOT_IN_LOG, row.position, str(exc)))
    return findings


def _check_streams(lines: Sequence[_Line]) -> list[core.Finding]:
    findings: list[core.Finding] = []
    streams: dict[str, tuple[int, str]] = {}
    for line in lines:
        row = line.entry.row
        version, previous = streams.get(row.stream_id, (0, core.ZERO.hex()))
        if row.stream_version != version + 1:
            findings.append(
                core.Finding(
                    core.DELETED,
                    row.position,
                    f"stream {row.stream_id} jumps from version {version} to {row.stream_version}",
                )
            )
        elif core.link(previous, row.leaf_hash) != row.stream_hash:
            findings.append(
                core.Finding(
                    core.CHAIN_ALTERED, row.position, "stream hash does not follow from the leaf"
                )
            )
        streams[row.stream_id] = (row.stream_version, row.stream_hash)
    return findings


def verify_any(files: Mapping[str, bytes], verifiers: Sequence[Verifier]) -> BundleCheck:
    """A whole-log or a per-plan bundle, whichever ``files`` is."""
    if is_plan_bundle(files):
        return verify_plan_bundle(files, verifiers)
    from .bundle import verify_bundle

    return verify_bundle(files, verifiers)
