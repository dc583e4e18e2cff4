"""Bad documents get a clear message, exit code 2, and no draft is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

ROOT = Path(__file__).parent.parent


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "planflow", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def blank_pdf(path: Path, password: str | None = None) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    with path.open("wb") as f:
        writer.write(f)
    return path


def make(kind: str, tmp: Path) -> Path:
    if kind == "binary":
        path = tmp / "plan.bin"
        path.write_bytes(b"\x00\x01\x02" * 200)
    elif kind == "corrupt pdf":
        path = tmp / "plan.pdf"
        path.write_bytes(b"%PDF-1.7\n" + b"garbage " * 100)
    elif kind == "password pdf":
        path = blank_pdf(tmp / "locked.pdf", "secret")
    elif kind == "corrupt docx":
        path = tmp / "plan.docx"
        path.write_bytes(b"PK\x03\x04" + b"broken" * 50)
    elif kind == "not a plan":
        path = tmp / "letter.txt"
        path.write_text("Kính gửi anh chị, đây là thư mời dự tiệc cuối năm của công ty. " * 3)
    elif kind == "blank scan":
        path = tmp / "scan.png"
        Image.new("L", (800, 1000), 255).save(path)
    else:  # huge
        path = tmp / "huge.txt"
        with path.open("wb") as f:
            f.seek(21 * 1024 * 1024)
            f.write(b"x")
    return path


MESSAGES = {
    "binary": "unsupported format",
    "corrupt pdf": "corrupt PDF",
    "password pdf": "password-protected",
    "corrupt docx": "corrupt or not a DOCX",
    "not a plan": "not a plan",
    "blank scan": "no readable text",
    "huge": "file too large",
}


@pytest.mark.parametrize("kind", list(MESSAGES))
def test_a_bad_document_is_refused_with_a_clear_message_and_writes_nothing(
    kind: str, tmp_path: Path
) -> None:
    source = make(kind, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    done = run(["import-plan", str(source), "-o", str(out / "draft.yaml")], out)
    assert done.returncode == 2, done.stderr
    assert MESSAGES[kind] in " ".join(done.stderr.split()), done.stderr
    assert "Lỗi" in done.stderr
    assert list(out.iterdir()) == []


def test_the_seed_imports_to_a_draft_that_validates(tmp_path: Path) -> None:
    seed = ROOT / "tests" / "corpus" / "kien-giang-2022-seed.txt"
    done = run(["import-plan", str(seed)], tmp_path)
    assert done.returncode == 0, done.stderr
    draft = tmp_path / "kien-giang-2022-seed.draft.yaml"
    checked = run(["validate", str(draft)], tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "515" in checked.stdout


def test_the_kien_giang_csv_loads_into_the_agency_register_as_is(tmp_path: Path) -> None:
    csv = ROOT / "src" / "planflow" / "data" / "registers" / "kien-giang-2022.csv"
    db = tmp_path / "p.db"
    done = run(["--db", str(db), "agencies", "import", str(csv), "--register", "kg"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "40" in done.stdout
    listed = run(["--db", str(db), "agencies", "list", "--register", "kg"], tmp_path)
    assert "so-noi-vu" in listed.stdout and "2025-06-30" in listed.stdout


def test_a_malformed_register_is_refused_with_its_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name_vi,kind\nso-a,Sở A,department\nso-a,Sở A bis,department\n")
    db = tmp_path / "p.db"
    done = run(["--db", str(db), "agencies", "import", str(bad)], tmp_path)
    assert done.returncode == 2
    assert "bad.csv:3" in " ".join(done.stderr.split())
    listed = run(["--db", str(db), "agencies", "list"], tmp_path)
    assert "so-a" not in listed.stdout


def test_the_bundled_an_giang_register_imports_with_its_special_zones(tmp_path: Path) -> None:
    csv = ROOT / "src" / "planflow" / "data" / "registers" / "an-giang-2025.csv"
    db = tmp_path / "p.db"
    assert run(["--db", str(db), "agencies", "import", str(csv)], tmp_path).returncode == 0
    listed = run(["--db", str(db), "agencies", "list"], tmp_path).stdout
    for code in ("dk-phu-quoc", "dk-kien-hai", "dk-tho-chau", "ag-ubnd-tinh"):
        assert code in listed
