"""The consolidated report from its entry points: ``planflow summary``, ``GET /api/v1/summary`` and
the board's download links, on the small test plan (two departments, one Q1 set-up duty and a
quarterly report)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import docx
import openpyxl
import pypdf
import pytest

from planflow.application.queries import BoardFilter, list_tasks
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import task_id
from planflow.workflow.loader import LoadedPlan
from webkit import PASSWORD, WebWorld, make_world, seed_database

PLAN = "mini-2022"
AS_OF = datetime(2022, 4, 20, 23, 59, 59, tzinfo=LOCAL_TZ)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, mini_plan: LoadedPlan) -> Path:
    """Sở A sends its Q1 report on time, the Office returns it once and accepts the second one
    late; Sở A builds its plan late and raises a difficulty; Sở B does nothing."""
    path = seed_database(tmp_path_factory.mktemp("seed") / "seed.db", mini_plan)
    from planflow.application.app import PlanflowApp

    app = PlanflowApp(f"sqlite:///{path}")
    try:
        report = UUID(str(task_id(PLAN, "D2", "so-a", "2022-Q1")))
        setup = UUID(str(task_id(PLAN, "D1", "so-a", "2022")))
        due = app.get_task(report).due
        app.submit_report(report, actor="so-a", at=at(due, 9), document="v1.pdf")
        app.return_report(report, actor="vp", at=at(due, 15), reason="thiếu số liệu")
        app.raise_difficulty(
            setup, actor="so-a", at=at(date(2022, 3, 25), 9), text="Thiếu kinh phí"
        )
        app.submit_report(report, actor="so-a", at=at(date(2022, 3, 28), 9), document="v2.pdf")
        app.accept_report(report, actor="vp", at=at(date(2022, 3, 29), 9))
        app.execute_activity(setup, actor="so-a", at=at(date(2022, 4, 5), 9))
    finally:
        app.close()
    return path


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, template)


def q1_counts(world: WebWorld) -> dict[str, Counter[str]]:
    """The board as of AS_OF, for the tasks the Q1 report covers, counted per agency."""
    views = list_tasks(world.app.engine, AS_OF, BoardFilter(plan=PLAN), as_of=True)
    out: dict[str, Counter[str]] = {}
    for v in views:
        if v.period == "2022-Q1" or (v.period == "2022" and v.due <= date(2022, 3, 31)):
            out.setdefault(v.agency, Counter())[v.status.value] += 1
    return out


def test_the_api_serves_each_format_with_the_boards_figures(world: WebWorld) -> None:
    headers = world.token("auditor")
    query = {"plan": PLAN, "period": "2022-Q1", "as_of": "2022-04-20"}
    got = world.client.get("/api/v1/summary", params={**query, "format": "xlsx"}, headers=headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "bao-cao-tong-hop-mini-2022-2022-Q1.xlsx" in got.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(got.content))["Tình hình"]
    rows = {r[1]: r[2:7] for r in sheet.iter_rows(min_row=3, values_only=True)}
    counts = q1_counts(world)
    words = ("done_on_time", "done_late", "open_in_time", "open_overdue")
    for code, name in (("so-a", "Sở A"), ("so-b", "Sở B")):
        assert rows[name] == (sum(counts[code].values()), *(counts[code][w] for w in words))
    # Sở A: both tasks done late; Sở B: both overdue and its report named as missing.
    assert rows["Sở A"] == (2, 0, 2, 0, 0) and rows["Sở B"] == (2, 0, 0, 0, 2)
    reports = openpyxl.load_workbook(io.BytesIO(got.content))["Báo cáo"]
    by_name = {r[1]: r for r in reports.iter_rows(min_row=3, values_only=True)}
    assert by_name["Sở A"][2:8] == (
        1,
        1,
        1,
        0,
        0,
        1,
    )  # due, accepted, returned, review, awaited, difficulty

    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("html", b"<")):
        got = world.client.get("/api/v1/summary", params={**query, "format": fmt}, headers=headers)
        assert got.status_code == 200 and got.content.lstrip().startswith(magic), fmt


def test_the_api_refuses_strangers_and_bad_requests_in_both_languages(world: WebWorld) -> None:
    assert (
        world.client.get("/api/v1/summary", params={"plan": PLAN, "period": "2022-Q1"}).status_code
        == 401
    )
    headers = world.token("director")
    for params, status in (
        ({"plan": PLAN, "period": "2022-Q5"}, 422),
        ({"plan": PLAN, "period": "2022-Q1", "format": "odt"}, 422),
        ({"plan": "no-such-plan", "period": "2022-Q1"}, 404),
    ):
        got = world.client.get("/api/v1/summary", params=params, headers=headers)
        assert got.status_code == status, (params, got.text)
        detail = got.json()["detail"]
        assert re.search(r"[ạảãáàăâđêôơư]", detail) and re.search(r"[a-z]{4}", detail)


def test_the_director_downloads_the_period_shown_on_the_board(world: WebWorld) -> None:
    world.clock.set(AS_OF)
    anonymous = world.client.get(
        f"/board/summary?plan={PLAN}&period=2022-Q1&format=pdf", follow_redirects=False
    )
    assert anonymous.status_code == 303
    page = world.client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    world.client.post(
        "/login", data={"username": "director", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    board = world.client.get(f"/board?plan={PLAN}&period=2022-Q1").text
    links = re.findall(r'href="(/board/summary\?[^"]+)"', board)
    assert len(links) == 4 and all("period=2022-Q1" in link for link in links)
    docx_link = next(link for link in links if "format=docx" in link).replace("&amp;", "&")
    got = world.client.get(docx_link)
    assert got.status_code == 200
    document = docx.Document(io.BytesIO(got.content))
    paragraphs = " ".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in paragraphs and "quý 1 năm 2022" in paragraphs
    assert "chưa gửi báo cáo đã đến hạn: Sở B." in paragraphs
    pdf_link = next(link for link in links if "format=pdf" in link).replace("&amp;", "&")
    pdf = pypdf.PdfReader(io.BytesIO(world.client.get(pdf_link).content))
    assert "Trong kỳ có 4 nhiệm vụ" in re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in pdf.pages)
    )


def run_cli(db: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PLANFLOW_DATABASE_URL"}
    env["COLUMNS"] = "250"
    return subprocess.run(
        [sys.executable, "-m", "planflow", "--db", str(db), "summary", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_writes_the_file_and_refuses_bad_options_writing_nothing(
    template: Path, tmp_path: Path
) -> None:
    out = tmp_path / "q1.xlsx"
    ok = run_cli(
        template,
        "--plan",
        PLAN,
        "--period",
        "2022-Q1",
        "--format",
        "xlsx",
        "-o",
        str(out),
        "--as-of",
        "2022-04-20",
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert "q1.xlsx" in ok.stdout
    sheet = openpyxl.load_workbook(out)["Tình hình"]
    assert [c.value for c in sheet[3]][1:3] == ["Sở A", 2]
    for args in (("--period", "2022-Q9"), ("--period", "2022-Q1", "--format", "odt")):
        bad = run_cli(template, "--plan", PLAN, *args, "-o", str(tmp_path / "bad"), cwd=tmp_path)
        assert bad.returncode == 2, bad.stdout + bad.stderr
        assert "Lỗi / Error" in bad.stderr
        assert not (tmp_path / "bad").exists()
    # Without --as-of, the default moment is the end of the day the Office's own Q1 report falls
    # due; the small plan gives the Office none, so it is the end of the quarter.
    default = run_cli(
        template,
        "--plan",
        PLAN,
        "--period",
        "2022-Q1",
        "-o",
        str(tmp_path / "q1.html"),
        cwd=tmp_path,
    )
    assert default.returncode == 0, default.stderr
    assert "31/03/2022 23:59 (giờ Việt Nam)" in default.stdout
