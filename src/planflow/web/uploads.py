"""Uploaded files (a report, evidence): size-limited, checked by structure, stored under their SHA-256.

The first bytes prove little (``%PDF-`` followed by an HTML page is no PDF), so each accepted type
is checked by its structure, cheaply and without rendering it (web/filechecks.py):

- pdf: a ``%PDF-x.y`` header, no HTML in the file, ``startxref`` pointing at a cross-reference
  table or stream, and ``%%EOF`` at the end;
- docx, xlsx, odt: a ZIP archive that opens, from its first byte, with the members the format
  requires (and a sane number and declared size of members: no ZIP bombs);
- png: the signature, then CRC-checked chunks from IHDR to IEND and nothing after;
- jpg: SOI, well-formed segments with a frame header before the scan, and EOI at the end.

Anything else is refused with 415 (UploadRejected) and nothing is kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from planflow.web.errors import WebError
from planflow.web.filechecks import CHECKS, Malformed


class UploadRejected(WebError):
    """The file is too large, of a type not accepted, or not what its name says."""


class UploadTooLarge(UploadRejected):
    pass


@dataclass(frozen=True)
class StoredFile:
    name: str  # the file name as the user gave it (cleaned)
    path: str  # relative to the upload directory
    sha256: str
    size: int


def clean_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    return cleaned[:120] or "file"


def check_file(name: str, data: bytes, max_bytes: int) -> str:
    """The accepted extension, or UploadRejected saying why not."""
    if len(data) > max_bytes:
        raise UploadTooLarge(
            f"Tệp quá lớn ({len(data)} byte); tối đa {max_bytes} byte",
            f"the file is too large ({len(data)} bytes); the limit is {max_bytes} bytes",
        )
    if not data:
        raise UploadRejected("Tệp rỗng", "the file is empty")
    ext = Path(name).suffix.lower().lstrip(".")
    accepted = ", ".join(sorted(k for k in CHECKS if k != "jpeg"))
    if ext not in CHECKS:
        raise UploadRejected(
            f"Loại tệp .{ext} không được chấp nhận; chỉ nhận: {accepted}",
            f"files of type .{ext} are not accepted; accepted: {accepted}",
        )
    try:
        CHECKS[ext](data)
    except Malformed as exc:
        raise UploadRejected(
            f"Nội dung tệp không phải là tệp .{ext} như tên của nó ({exc.vi})",
            f"the file's content is not a .{ext} file, as its name says ({exc.en})",
        ) from None
    return ext


def store(upload_dir: Path, folder: str, name: str, data: bytes, max_bytes: int) -> StoredFile:
    return store_new(upload_dir, folder, name, data, max_bytes)[0]


def store_new(
    upload_dir: Path, folder: str, name: str, data: bytes, max_bytes: int
) -> tuple[StoredFile, bool]:
    """Store the file under its digest; also say whether it was written now (not already kept),
    so a refused command can remove what it stored."""
    ext = check_file(name, data, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(folder) / f"{digest}.{ext}"
    target = upload_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    created = not target.exists()
    if created:
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    return StoredFile(clean_name(name), relative.as_posix(), digest, len(data)), created


def discard(upload_dir: Path, stored: StoredFile) -> None:
    """Remove a file stored for a command that was then refused."""
    (upload_dir / stored.path).unlink(missing_ok=True)
