"""The hash chain over planflow's event log, and the verifier that recomputes it.

Standard library only (with ``merkle`` beside it): an auditor can read this file and run it on an
export without planflow, SQLAlchemy or a cipher key.

Each stored event gets one chain entry at a **position** (1, 2, 3 … in commit order). Its
canonical entry is the compact, key-sorted UTF-8 JSON of::

    {"v": 1, "position", "notification_id", "stream_id", "stream_version", "topic",
     "state_sha256" (hex SHA-256 of the exact stored state bytes), "recorded_at"}

- leaf hash    = SHA-256(0x00 || canonical entry)                      (RFC 9162 leaf)
- chain hash   = SHA-256(0x01 || previous chain hash || leaf hash)     (32 zero bytes before 1)
- stream hash  = SHA-256(0x01 || the stream's previous stream hash || leaf hash)

The Merkle tree (RFC 9162) is built over the leaf hashes in position order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import merkle

ZERO = bytes(32)
REORDER_SEARCH_LIMIT = 200

# Finding kinds, in the words an auditor reads.
ALTERED = "altered"
DELETED = "deleted"
DELETED_WITH_CHAIN = "deleted with its chain row"
INSERTED = "inserted"
REORDERED = "reordered"
CHAIN_ALTERED = "chain row altered"
CUT_OFF = "history cut off"
REWRITTEN = "history rewritten since a checkpoint"
UNCHAINED = "not chained yet"

KIND_VI = {
    ALTERED: "bị sửa",
    DELETED: "bị xóa",
    DELETED_WITH_CHAIN: "bị xóa cùng dòng chuỗi",
    INSERTED: "bị chèn thêm",
    REORDERED: "bị đổi thứ tự",
    CHAIN_ALTERED: "dòng chuỗi bị sửa",
    CUT_OFF: "lịch sử bị cắt cụt",
    REWRITTEN: "lịch sử bị viết lại sau điểm kiểm",
    UNCHAINED: "chưa vào chuỗi",
}


@dataclass(frozen=True)
class EventRow:
    """One row of the events table, as stored (the state reduced to its SHA-256)."""

    notification_id: int
    stream_id: str
    stream_version: int
    topic: str
    state_sha256: str


@dataclass(frozen=True)
class ChainRow:
    position: int
    notification_id: int
    stream_id: str
    stream_version: int
    recorded_at: str
    leaf_hash: str
    stream_hash: str
    chain_hash: str


@dataclass(frozen=True)
class Finding:
    kind: str
    position: int | None
    detail: str

    def __str__(self) -> str:
        where = f"vị trí / position {self.position}: " if self.position is not None else ""
        return f"{where}{KIND_VI.get(self.kind, self.kind)} / {self.kind} — {self.detail}"


@dataclass
class Report:
    count: int
    head: str
    root: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        # A rewrite found by a checkpoint only bounds where it began: a located finding is sharper.
        ordered = sorted(
            self.findings,
            key=lambda f: (f.kind == REWRITTEN, f.position is None, f.position or 0),
        )
        return ordered[0] if ordered else None


def entry_bytes(
    *,
    position: int,
    notification_id: int,
    stream_id: str,
    stream_version: int,
    topic: str,
    state_sha256: str,
    recorded_at: str,
) -> bytes:
    entry = {
        "v": 1,
        "position": position,
        "notification_id": notification_id,
        "stream_id": stream_id,
        "stream_version": stream_version,
        "topic": topic,
        "state_sha256": state_sha256,
        "recorded_at": recorded_at,
    }
    return _ENTRY_JSON.encode(entry).encode()


# json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False), with the encoder
# built once (json.dumps builds one per call when given options; a plan load chains thousands).
_ENTRY_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def leaf_of(row: ChainRow, event: EventRow, *, content_only: bool = False) -> str:
    """The leaf hash for ``event`` at ``row``'s place. ``content_only``: take the stream and
    version from the chain row, only the topic and state from the event (to find moved content)."""
    stream_id = row.stream_id if content_only else event.stream_id
    version = row.stream_version if content_only else event.stream_version
    data = entry_bytes(
        position=row.position,
        notification_id=row.notification_id,
        stream_id=stream_id,
        stream_version=version,
        topic=event.topic,
        state_sha256=event.state_sha256,
        recorded_at=row.recorded_at,
    )
    return merkle.leaf_hash(data).hex()


def as_hash(value: str) -> bytes:
    """A stored hex hash as bytes; a corrupted value (not 64 hex digits) as the SHA-256 of its
    text — it then fits nothing, and the mismatch is reported instead of crashing the verifier."""
    try:
        raw = bytes.fromhex(value)
    except (ValueError, TypeError):
        raw = b""
    return raw if len(raw) == merkle.HASH_SIZE else hashlib.sha256(str(value).encode()).digest()


def link(previous: str | bytes, leaf: str) -> str:
    prev = as_hash(previous) if isinstance(previous, str) else previous
    return merkle.node_hash(prev, as_hash(leaf)).hex()


def state_sha256(state: bytes) -> str:
    return hashlib.sha256(state).hexdigest()


def merkle_root(chain: Sequence[ChainRow], size: int | None = None) -> str:
    rows = chain if size is None else chain[:size]
    return merkle.root([as_hash(r.leaf_hash) for r in rows]).hex()


def verify_log(events: Iterable[EventRow], chain: Sequence[ChainRow]) -> Report:
    """Recompute every leaf, link and stream link; name what does not fit, where."""
    findings: list[Finding] = []
    findings += _check_links(chain)
    by_id: dict[int, EventRow] = {e.notification_id: e for e in events}
    if by_id and not chain:
        detail = f"{len(by_id)} events and no chain: a store from before the chain (audit init)"
        return Report(0, ZERO.hex(), merkle.root([]).hex(), [Finding(UNCHAINED, 1, detail)])
    used: set[int] = set()
    mismatched: list[tuple[ChainRow, EventRow]] = []
    for row in chain:
        event = by_id.get(row.notification_id)
        if event is None:
            findings.append(
                Finding(DELETED, row.position, f"event #{row.notification_id} is missing")
            )
            continue
        used.add(row.notification_id)
        if leaf_of(row, event) != row.leaf_hash:
            mismatched.append((row, event))
    findings += _classify(mismatched)
    findings += _inserted(sorted(set(by_id) - used), chain)
    head = chain[-1].chain_hash if chain else ZERO.hex()
    return Report(len(chain), head, merkle_root(chain), findings)


def _check_links(chain: Sequence[ChainRow]) -> list[Finding]:
    findings: list[Finding] = []
    accepted: set[str] = {ZERO.hex()}
    streams: dict[str, tuple[int, set[str]]] = {}
    expected = 1
    for row in chain:
        if row.position != expected:
            if row.position > expected:
                missing = (
                    f"position {expected}"
                    if row.position == expected + 1
                    else f"positions {expected}–{row.position - 1}"
                )
                findings.append(
                    Finding(DELETED_WITH_CHAIN, expected, f"{missing} missing from the chain")
                )
                accepted = {row.chain_hash}
            else:
                findings.append(Finding(CHAIN_ALTERED, row.position, "position out of sequence"))
            expected = row.position
        computed = {link(prev, row.leaf_hash) for prev in accepted}
        gap = (
            bool(findings)
            and findings[-1].position == expected
            and findings[-1].kind in (DELETED_WITH_CHAIN,)
        )
        if row.chain_hash not in computed and not gap:
            findings.append(
                Finding(CHAIN_ALTERED, row.position, "chain hash does not follow from the leaf")
            )
        accepted = {row.chain_hash, *computed}
        version, previous = streams.get(row.stream_id, (0, {ZERO.hex()}))
        stream_links = {link(prev, row.leaf_hash) for prev in previous}
        if row.stream_version != version + 1:
            if not any(f.position == row.position for f in findings) and not gap:
                findings.append(
                    Finding(
                        DELETED_WITH_CHAIN,
                        row.position,
                        f"stream {row.stream_id} jumps from version {version} to "
                        f"{row.stream_version}",
                    )
                )
        elif row.stream_hash not in stream_links and not any(
            f.position == row.position for f in findings
        ):
            findings.append(
                Finding(CHAIN_ALTERED, row.position, "stream hash does not follow from the leaf")
            )
        streams[row.stream_id] = (row.stream_version, {row.stream_hash, *stream_links})
        expected += 1
    return findings


def _classify(mismatched: list[tuple[ChainRow, EventRow]]) -> list[Finding]:
    """An event whose content belongs at another mismatched position was moved; else altered."""
    findings: list[Finding] = []
    rows = [row for row, _ in mismatched]
    searchable = len(mismatched) <= REORDER_SEARCH_LIMIT
    for row, event in mismatched:
        home = None
        if searchable:
            for other in rows:
                if other is not row and other.leaf_hash in (
                    leaf_of(other, event),
                    leaf_of(other, event, content_only=True),
                ):
                    home = other.position
                    break
        if home is not None:
            findings.append(
                Finding(
                    REORDERED,
                    min(row.position, home),
                    f"the event found at position {row.position} belongs at position {home}",
                )
            )
        else:
            findings.append(
                Finding(
                    ALTERED,
                    row.position,
                    f"event #{row.notification_id} ({event.stream_id} v{event.stream_version}) "
                    "no longer matches its leaf hash",
                )
            )
    return findings


def _inserted(ids: list[int], chain: Sequence[ChainRow]) -> list[Finding]:
    findings = []
    chained = sorted((r.notification_id, r.position) for r in chain)
    for nid in ids:
        before = [p for n, p in chained if n < nid]
        position = (max(before) if before else 0) + 1
        findings.append(
            Finding(
                INSERTED,
                position,
                f"event #{nid} has no chain entry (it sits before chain position {position})",
            )
        )
    return findings


def check_checkpoints(
    chain: Sequence[ChainRow], checkpoints: Sequence[tuple[int, bytes, str]]
) -> list[Finding]:
    """Each (size, root, label) must be a prefix of the log: not longer, and the same root."""
    findings = []
    good = 0
    rewritten = False
    for size, expected, label in sorted(checkpoints, key=lambda c: c[0]):
        if size > len(chain):
            findings.append(
                Finding(
                    CUT_OFF,
                    len(chain) + 1,
                    f"{label} covers {size} entries but the log has only {len(chain)}",
                )
            )
        elif merkle_root(chain, size) == expected.hex():
            if not rewritten:
                good = size
        elif not rewritten:
            rewritten = True
            findings.append(
                Finding(
                    REWRITTEN,
                    good + 1,
                    f"the first {size} entries no longer hash to the root of {label}: an entry "
                    f"between positions {good + 1} and {size} was changed and the chain recomputed",
                )
            )
    return findings
