"""The director's board in plain words (filters, counts that open the task list, XLSX export),
names instead of codes, the timeline told as sentences, and each account's inbox."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from openpyxl import load_workbook

from planflow.web.boardquery import paginate
from planflow.web.names import period_label, short_title
from planflow.workflow.loader import LoadedPlan
from test_web_pages import sign_in
from webkit import PDF, WebWorld, make_world, seed_database


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, mini_plan: LoadedPlan) -> Path:
    return seed_database(tmp_path_factory.mktemp("seed") / "seed.db", mini_plan)


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, template)


def _rows(html: str) -> list[tuple[str, str]]:
    """(agency code, status) of each row of the task list."""
    return re.findall(r'<tr data-task="[^"]+" data-agency="([^"]+)" data-status="([^"]+)"', html)


def test_periods_read_in_officials_words() -> None:
    assert period_label("vi", "2022-H1") == "6 tháng đầu năm 2022"
    assert period_label("vi", "2022-Y") == "Năm 2022"
    assert period_label("vi", "2022") == "Trong năm 2022"  # a one-off duty of the year
    assert period_label("vi", "2022-Q3") == "Quý 3 năm 2022"
    assert period_label("en", "2022-9M") == "Nine months of 2022"
    assert short_title("Xây dựng Kế hoạch thông tin, tuyên truyền kiểm soát") == (
        "Xây dựng Kế hoạch thông tin…"
    )


def test_the_board_shows_names_and_periods_not_codes(world: WebWorld) -> None:
    sign_in(world, "director")
    page = world.client.get("/board?period=2022-Q1").text
    assert "Quý 1 năm 2022" in page and ">2022-Q1<" not in page
    assert "Báo cáo định kỳ" in page and "Sở A" in page
    assert 'title="mục IV.1.a.2 — Báo cáo định kỳ"' in page
    assert ">·<" not in page  # no cell is a bare dot


def test_the_board_filtered_to_one_agency_and_status_links_its_counts_to_the_task_list(
    world: WebWorld,
) -> None:
    world.clock.set(datetime(2022, 4, 20, 2, tzinfo=UTC))  # Q1 report and D1 both overdue
    world.app.execute_activity(
        UUID(world.task_id("D1", "so-b")), actor="officer-b", at=world.clock(), note=""
    )
    sign_in(world, "director")
    page = world.client.get("/board?period=all&agency=so-a&status=open_overdue").text
    assert 'data-agency="so-a"' in page and 'data-agency="so-b"' not in page
    link = re.search(r'href="([^"]+)" data-testid="count-so-a-open_overdue"[^>]*>(\d+)<', page)
    assert link and link.group(2) == "2"
    listed = world.client.get(link.group(1).replace("&amp;", "&")).text
    assert _rows(listed) == [("so-a", "open_overdue")] * 2
    every = _rows(world.client.get("/board/tasks?period=all").text)
    assert ("so-b", "done_late") in every and len(every) == 10
    group = _rows(world.client.get("/board/tasks?period=all&agency=group:cac-so").text)
    assert sorted(group) == sorted(every)


def test_search_sorting_and_overdue_by_working_days(world: WebWorld) -> None:
    world.clock.set(datetime(2022, 4, 4, 2, tzinfo=UTC))  # D1 due Thu 31/3: 2 working days late
    sign_in(world, "director")
    found = _rows(world.client.get("/board/tasks?period=all&q=kế+hoạch").text)
    assert len(found) == 2  # D1 for each agency ("Xây dựng kế hoạch")
    # Q1 reports (due Wed 16/3) are 13 working days late; D1 two.
    assert len(_rows(world.client.get("/board/tasks?period=all&overdue_days=1").text)) == 4
    late = world.client.get("/board/tasks?period=all&overdue_days=2&sort=late").text
    late = late.split('data-testid="tasks"')[1]
    assert len(_rows(late)) == 2 and "Báo cáo định kỳ" in late and "Xây dựng" not in late
    by_agency = _rows(world.client.get("/board/tasks?period=all&sort=agency&q=sở+b").text)
    assert {a for a, _ in by_agency} == {"so-b"}
    bad = world.client.get("/board/tasks?overdue_days=many")
    assert bad.status_code == 422


def test_the_filtered_view_downloads_as_xlsx_with_vietnamese_headers(world: WebWorld) -> None:
    sign_in(world, "director")
    response = world.client.get("/board/export.xlsx?period=2022-Q1&agency=so-a")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Hạn", "Cơ quan", "Nhiệm vụ", "Mục", "Kỳ báo cáo", "Tình trạng")
    assert rows[1][1:6] == (
        "Sở A",
        "Báo cáo định kỳ",
        "D2",
        "Quý 1 năm 2022",
        "Đang thực hiện trong hạn",
    )
    assert len(rows) == 2


def test_pages_of_a_long_list() -> None:
    shown, page = paginate(list(range(479)), 5, 100)
    assert (shown[0], shown[-1], page.pages, page.first, page.last) == (400, 478, 5, 401, 479)
    _shown, past = paginate(list(range(3)), 9, 100)
    assert past.number == 1


def test_the_timeline_tells_events_as_sentences_and_files_by_name(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    csrf = sign_in(world, "officer-a")
    world.client.post(
        f"/tasks/{task}/report",
        data={"csrf_token": csrf, "note": "gửi"},
        files={"file": ("bao-cao-quy-1.pdf", PDF, "application/pdf")},
    )
    page = world.client.get(f"/tasks/{task}").text
    assert "Gửi báo cáo bao-cao-quy-1.pdf" in page
    assert f"({round(len(PDF) / 1024, 1)} KB)" in page and "SHA-256 <code>" in page
    assert "<details>" in page and "Cơ quan</dt><dd" in page and ">Sở A" in page
    assert "Giao nhiệm vụ cho Sở A, hạn 16/03/2022" in page
    world.client.cookies.clear()
    sign_in(world, "director")
    world.app.return_report(UUID(task), actor="director", at=world.clock(), reason="Thiếu số liệu")
    world.app.chase_up(UUID(task), actor="director", at=world.clock(), note="")
    page = world.client.get(f"/tasks/{task}").text
    assert "Văn phòng trả lại báo cáo: Thiếu số liệu" in page
    assert "Văn phòng đôn đốc Giám đốc Sở A" in page
    assert "<dt>Người nhận</dt><dd>Thủ trưởng cơ quan được giao</dd>" in page
    assert "assignee_head" not in page and "recipient_role" not in page


def test_the_officer_sees_a_chase_up_in_the_inbox_until_it_is_read(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    world.app.chase_up(UUID(task), actor="director", at=world.clock(), note="Khẩn trương")
    csrf = sign_in(world, "officer-a")
    page = world.client.get("/agency").text
    assert re.search(r'data-testid="inbox-count"[^>]*>1<', page)
    inbox = world.client.get("/inbox").text
    assert "Văn phòng đôn đốc Giám đốc Sở A: Khẩn trương" not in inbox  # the note is not indexed
    assert "Văn phòng đôn đốc Giám đốc Sở A" in inbox and 'data-type="ChaseUpSent"' in inbox
    key = re.search(r'name="item" value="([^"]+)"', inbox)
    assert key
    response = world.client.post(
        "/inbox/read", data={"csrf_token": csrf, "item": key.group(1)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert 'data-testid="inbox-empty"' in world.client.get("/inbox").text
    assert 'data-testid="inbox-count"' not in world.client.get("/agency").text
    assert 'data-type="ChaseUpSent"' in world.client.get("/inbox?show=all").text
    world.client.cookies.clear()
    sign_in(world, "officer-b")
    assert 'data-type="ChaseUpSent"' not in world.client.get("/inbox?show=all").text


def test_the_director_hears_of_reports_and_read_marks_survive_a_rebuild(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    world.app.submit_report(UUID(task), actor="officer-a", at=world.clock(), document="bc.pdf")
    world.app.raise_difficulty(UUID(task), actor="officer-a", at=world.clock(), text="Thiếu")
    csrf = sign_in(world, "director")
    inbox = world.client.get("/inbox").text
    assert "Gửi báo cáo" in inbox and "Nêu khó khăn" in inbox
    world.client.post("/inbox/read", data={"csrf_token": csrf, "all": "1"})
    assert 'data-testid="inbox-empty"' in world.client.get("/inbox").text
    world.app.rebuild_read_models()
    assert 'data-testid="inbox-empty"' in world.client.get("/inbox").text
    world.client.cookies.clear()
    csrf = sign_in(world, "officer-a")  # one's own acts are not news
    assert 'data-type="ReportSubmitted"' not in world.client.get("/inbox?show=all").text


def test_marking_read_without_the_csrf_token_is_refused(world: WebWorld) -> None:
    sign_in(world, "officer-a")
    response = world.client.post("/inbox/read", data={"all": "1"})
    assert response.status_code == 403
