"""Text out of a document: plain text, DOCX, a PDF with a text layer, or a scan (OCR, ``-l vie``).

The kind is read from the file's first bytes, never from its name. Size is checked before anything
is read. Scans are rendered with ``pdftoppm`` (poppler-utils) and read with Debian's ``tesseract``
and its Vietnamese model; nothing is downloaded.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from planflow.ingest.errors import (
    CorruptFile,
    EncryptedFile,
    FileTooLarge,
    NoReadableText,
    UnsupportedFile,
)

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 60
OCR_TIMEOUT_S = 120


@dataclass(frozen=True)
class Extracted:
    text: str
    kind: str  # text, docx, pdf, scan
    ocr_model: str | None = None  # 'vie' when we ran OCR ourselves


def extract(path: Path, *, max_bytes: int = MAX_BYTES) -> Extracted:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnsupportedFile(
            f"không đọc được tệp {path} ({exc.strerror})", f"cannot read {path} ({exc.strerror})"
        ) from None
    if not path.is_file():
        raise UnsupportedFile(f"{path} không phải là tệp", f"{path} is not a file")
    if size > max_bytes:
        raise FileTooLarge(
            f"tệp quá lớn ({size} byte, tối đa {max_bytes}); không đọc",
            f"file too large ({size} bytes, limit {max_bytes}); not read",
        )
    head = path.read_bytes()[:8] if size else b""
    if head.startswith(b"%PDF"):
        result = _pdf(path)
    elif head.startswith(b"PK\x03\x04"):
        result = Extracted(_docx(path), "docx")
    elif head[:4] in (b"\x89PNG", b"II*\x00", b"MM\x00*") or head[:3] == b"\xff\xd8\xff":
        result = Extracted(_ocr_image(path), "scan", "vie")
    else:
        result = Extracted(_plain(path), "text")
    text = unicodedata.normalize("NFC", result.text)
    if sum(c.isalpha() for c in text) < 40:
        raise NoReadableText(
            f"không tìm thấy chữ đọc được trong {path}", f"no readable text found in {path}"
        )
    return Extracted(text, result.kind, result.ocr_model)


def _plain(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise UnsupportedFile(
            f"{path}: định dạng không hỗ trợ (nhận: văn bản, DOCX, PDF, ảnh quét)",
            f"{path}: unsupported format (accepted: plain text, DOCX, PDF, scanned images)",
        )
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedFile(
        f"{path}: không phải văn bản UTF-8", f"{path}: not UTF-8 text (convert it first)"
    )


def _docx(path: Path) -> str:
    from docx.opc.exceptions import PackageNotFoundError

    from planflow.ingest.docx_text import docx_text

    try:
        return docx_text(path)
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise CorruptFile(
            f"{path}: tệp DOCX hỏng hoặc không phải DOCX ({exc})",
            f"{path}: corrupt or not a DOCX file ({exc})",
        ) from None


def _pdf(path: Path) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise EncryptedFile(
                f"{path}: PDF có mật khẩu; hãy gỡ mật khẩu rồi nhập lại",
                f"{path}: the PDF is password-protected; remove the password and import again",
            )
        if len(reader.pages) > MAX_PAGES:
            raise FileTooLarge(
                f"{path}: quá nhiều trang ({len(reader.pages)}, tối đa {MAX_PAGES})",
                f"{path}: too many pages ({len(reader.pages)}, limit {MAX_PAGES})",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorruptFile(
            f"{path}: tệp PDF hỏng ({exc})", f"{path}: corrupt PDF file ({exc})"
        ) from None
    text = "\n".join(pages)
    if sum(c.isalpha() for c in text) >= 40 * max(1, len(pages)):
        return Extracted(text, "pdf")
    return Extracted(_ocr_pdf(path), "scan", "vie")


def _need(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise UnsupportedFile(
            f"thiếu chương trình {tool} (gói Debian {package}) để đọc bản quét",
            f"{tool} is missing (Debian package {package}); cannot read a scan",
        )
    return found


def _ocr_pdf(path: Path) -> str:
    pdftoppm = _need("pdftoppm", "poppler-utils")
    with tempfile.TemporaryDirectory(prefix="planflow-ocr-") as tmp:
        prefix = Path(tmp) / "page"
        try:
            subprocess.run(
                [pdftoppm, "-r", "300", "-gray", "-png", str(path), str(prefix)],
                check=True,
                capture_output=True,
                timeout=OCR_TIMEOUT_S,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise CorruptFile(
                f"{path}: không dựng được trang PDF ({exc})", f"{path}: cannot render pages ({exc})"
            ) from None
        return "\n".join(_ocr_image(page) for page in sorted(Path(tmp).glob("page*.png")))


def _ocr_image(path: Path) -> str:
    tesseract = _need("tesseract", "tesseract-ocr, tesseract-ocr-vie")
    try:
        done = subprocess.run(
            [tesseract, str(path), "-", "-l", "vie", "--psm", "4"],
            check=True,
            capture_output=True,
            timeout=OCR_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as exc:
        raise CorruptFile(
            f"{path}: OCR thất bại ({exc.stderr.decode(errors='replace').strip()[:200]})",
            f"{path}: OCR failed ({exc.stderr.decode(errors='replace').strip()[:200]})",
        ) from None
    except subprocess.TimeoutExpired:
        raise CorruptFile(f"{path}: OCR quá lâu", f"{path}: OCR timed out") from None
    return done.stdout.decode("utf-8", errors="replace")
