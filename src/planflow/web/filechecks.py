"""Structural checks of the accepted upload types: cheap, nothing rendered or decompressed.

Each check raises Malformed saying what is wrong, or returns quietly. See web/uploads.py.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable

from planflow.web.errors import WebError


class Malformed(WebError):
    """The bytes are not the structure their extension names."""


PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
PDF_TAIL = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
PDF_XREF_AT = re.compile(rb"\s*(?:xref|\d+\s+\d+\s+obj)")
# Markup no PDF carries but an HTML page smuggled behind a PDF header does (5+ characters each,
# so compressed streams do not match by chance).
HTML_MARKERS = re.compile(rb"<(?:!doctype|html|head>|body|script|iframe|object|embed|meta\s)", re.I)
TAIL_WINDOW = 1024

ZIP_MAGIC = b"PK\x03\x04"
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_UNPACKED = 256 * 1024 * 1024
ODT_MIME = b"application/vnd.oasis.opendocument.text"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
JPEG_SOS = 0xDA
JPEG_EOI = b"\xff\xd9"


def check_pdf(data: bytes) -> None:
    if not PDF_HEADER.match(data):
        raise Malformed("thiếu phần đầu %PDF-x.y", "no %PDF-x.y header")
    if HTML_MARKERS.search(data):
        raise Malformed("tệp chứa mã HTML", "the file contains HTML")
    tails = list(PDF_TAIL.finditer(data, max(0, len(data) - TAIL_WINDOW)))
    if not tails:
        raise Malformed("thiếu startxref và %%EOF ở cuối tệp", "no startxref and %%EOF at the end")
    offset = int(tails[-1].group(1))
    if offset >= len(data) or not PDF_XREF_AT.match(data, offset):
        raise Malformed(
            "startxref không trỏ tới bảng tham chiếu", "startxref points at no cross-reference"
        )


def _zip(data: bytes, required: tuple[str, ...]) -> zipfile.ZipFile:
    if not data.startswith(ZIP_MAGIC):
        raise Malformed("không phải tệp ZIP", "not a ZIP archive")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise Malformed("tệp ZIP hỏng", "a damaged ZIP archive") from None
    members = archive.infolist()
    if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > ZIP_MAX_UNPACKED:
        raise Malformed("tệp ZIP quá lớn khi giải nén", "the ZIP archive unpacks too large")
    names = {m.filename for m in members}
    missing = [name for name in required if name not in names]
    if missing:
        raise Malformed(f"thiếu {', '.join(missing)}", f"{', '.join(missing)} missing")
    return archive


def check_docx(data: bytes) -> None:
    _zip(data, ("[Content_Types].xml", "word/document.xml"))


def check_xlsx(data: bytes) -> None:
    _zip(data, ("[Content_Types].xml", "xl/workbook.xml"))


def check_odt(data: bytes) -> None:
    archive = _zip(data, ("mimetype", "content.xml"))
    first = archive.infolist()[0]
    try:
        ok = first.filename == "mimetype" and first.file_size < 100
        ok = ok and archive.read(first).strip() == ODT_MIME
    except (zipfile.BadZipFile, ValueError, zlib.error, EOFError, NotImplementedError):
        ok = False
    if not ok:
        raise Malformed("mimetype không phải văn bản ODF", "the mimetype is not an ODF text")


def check_png(data: bytes) -> None:
    if not data.startswith(PNG_SIGNATURE):
        raise Malformed("thiếu chữ ký PNG", "no PNG signature")
    pos, seen = len(PNG_SIGNATURE), set[bytes]()
    while True:
        if pos + 12 > len(data):
            raise Malformed("thiếu khối IEND", "no IEND chunk")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data) or not kind.isalpha():
            raise Malformed("khối PNG hỏng", "a damaged PNG chunk")
        if not seen and (kind != b"IHDR" or length != 13):
            raise Malformed("khối đầu không phải IHDR", "the first chunk is not IHDR")
        crc = int.from_bytes(data[end - 4 : end], "big")
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            raise Malformed("sai mã CRC của khối PNG", "a PNG chunk's CRC is wrong")
        seen.add(kind)
        pos = end
        if kind == b"IEND":
            break
    if b"IDAT" not in seen or pos != len(data):
        raise Malformed(
            "thiếu dữ liệu ảnh hoặc thừa dữ liệu sau IEND", "no image data, or bytes after IEND"
        )


def check_jpeg(data: bytes) -> None:
    if not data.startswith(b"\xff\xd8"):
        raise Malformed("thiếu dấu SOI", "no SOI marker")
    pos, frame = 2, False
    while True:
        if pos + 4 > len(data) or data[pos] != 0xFF:
            raise Malformed("đoạn JPEG hỏng", "a damaged JPEG segment")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            raise Malformed("đoạn JPEG hỏng", "a damaged JPEG segment")
        frame = frame or marker in JPEG_FRAMES
        if marker == JPEG_SOS:
            break
        pos += 2 + length
    if not frame:
        raise Malformed("thiếu phần đầu khung ảnh", "no frame header")
    if not data.rstrip(b"\x00").endswith(JPEG_EOI):
        raise Malformed("thiếu dấu EOI ở cuối tệp", "no EOI marker at the end")


CHECKS: dict[str, Callable[[bytes], None]] = {
    "pdf": check_pdf,
    "docx": check_docx,
    "xlsx": check_xlsx,
    "odt": check_odt,
    "png": check_png,
    "jpg": check_jpeg,
    "jpeg": check_jpeg,
}
