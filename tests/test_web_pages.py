"""The server-rendered pages: sign-in with CSRF, the three role pages, forms, language, export."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from planflow.web.i18n import LOCALE_DIR, compile_catalogue, translations
from webkit import PASSWORD, PDF, WebWorld

TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "planflow" / "web" / "templates"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(world: WebWorld, username: str) -> str:
    """Sign in through the form; returns the CSRF token for later forms."""
    page = world.client.get("/login")
    response = world.client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _csrf(world.client.get(response.headers["location"]).text)


def test_anonymous_pages_redirect_to_the_sign_in_form(world: WebWorld) -> None:
    for path in ("/board", "/agency", "/audit", "/audit/export.csv"):
        response = world.client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_each_role_lands_on_its_own_page(world: WebWorld) -> None:
    for username, page in (("director", "/board"), ("officer-a", "/agency"), ("auditor", "/audit")):
        world.client.cookies.clear()
        sign_in(world, username)
        assert world.client.get("/", follow_redirects=False).headers["location"] == page


def test_a_wrong_password_shows_the_form_again_with_a_message(world: WebWorld) -> None:
    page = world.client.get("/login")
    response = world.client.post(
        "/login", data={"username": "director", "password": "nope", "csrf_token": _csrf(page.text)}
    )
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text


def test_sign_in_without_the_csrf_token_is_refused(world: WebWorld) -> None:
    world.client.get("/login")
    response = world.client.post("/login", data={"username": "director", "password": PASSWORD})
    assert response.status_code == 403


def test_a_form_without_the_csrf_token_records_nothing(world: WebWorld) -> None:
    sign_in(world, "officer-a")
    task = world.task_id("D1", "so-a")
    before = world.event_count()
    response = world.client.post(f"/tasks/{task}/execute", data={"note": "x"})
    assert response.status_code == 403
    assert "hết hạn" in response.text
    assert world.event_count() == before


def test_an_anonymous_form_post_is_401(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    before = world.event_count()
    response = world.client.post(f"/tasks/{task}/execute", data={"note": "x", "csrf_token": "x"})
    assert response.status_code == 401
    assert world.event_count() == before


@pytest.mark.parametrize("target", ["https://evil.invalid/", "//evil.invalid/", "/\\evil.invalid"])
def test_sign_in_only_redirects_to_local_pages(world: WebWorld, target: str) -> None:
    page = world.client.get("/login")
    response = world.client.post(
        "/login",
        data={
            "username": "director",
            "password": PASSWORD,
            "csrf_token": _csrf(page.text),
            "next": target,
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/board"


def test_the_board_colours_cells_and_turns_them_red_after_the_deadline(world: WebWorld) -> None:
    sign_in(world, "director")
    task = world.task_id("D2", "so-a", "2022-Q1")
    page = world.client.get("/board?period=2022-Q1").text
    assert f'data-task="{task}" data-status="open_in_time"' in page
    assert "<svg" in page and "Bảng theo dõi của Chánh Văn phòng" in page
    world.clock.set(datetime(2022, 3, 17, 2, tzinfo=UTC))
    page = world.client.get("/board?period=2022-Q1").text
    assert f'data-task="{task}" data-status="open_overdue"' in page


def test_the_agency_page_lists_my_tasks_with_working_days_left(world: WebWorld) -> None:
    sign_in(world, "officer-a")
    world.clock.set(datetime(2022, 3, 14, 2, tzinfo=UTC))  # Monday; Q1 report due Wed 16/3
    page = world.client.get("/agency").text
    assert "Sở A" in page and "Số ngày làm việc còn lại" in page
    row = re.search(r"16/03/2022</td>\s*<td class=\"num\"[^>]*>(\d+)</td>", page)
    assert row and row.group(1) == "2"
    assert "Sở B" not in page.split("<h1>")[1].split("</h1>")[0]


def test_an_officer_submits_a_report_by_form_and_the_director_accepts_it(
    world: WebWorld,
) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    csrf = sign_in(world, "officer-a")
    response = world.client.post(
        f"/tasks/{task}/report",
        data={"csrf_token": csrf, "note": "gửi"},
        files={"file": ("bao-cao.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    world.client.cookies.clear()
    csrf = sign_in(world, "director")
    board = world.client.get("/board?period=2022-Q1").text
    assert f'data-testid="accept-{task}"' in board
    response = world.client.post(
        f"/tasks/{task}/accept",
        data={"csrf_token": csrf, "back": "/board?period=2022-Q1"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/board?period=2022-Q1&ok=accept"
    board = world.client.get("/board?period=2022-Q1").text
    assert f'data-task="{task}" data-status="done_on_time"' in board
    history = world.client.get(f"/api/v1/tasks/{task}/history", headers=world.token("auditor"))
    assert [e["actor"] for e in history.json()["events"]][-2:] == ["officer-a", "director"]
    page = world.client.get(f"/tasks/{task}").text
    assert 'data-testid="cancel"' not in page  # a completed task cannot be cancelled
    refused = world.client.post(
        f"/tasks/{task}/cancel", data={"csrf_token": csrf, "reason": "nhầm"}
    )
    assert refused.status_code == 409 and "không thể hủy" in refused.text


def test_mark_done_with_an_evidence_file(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "officer-a")
    response = world.client.post(
        f"/tasks/{task}/execute",
        data={"csrf_token": csrf, "note": "Đã tổ chức", "evidence": "https://example.invalid/x"},
        files={"file": ("anh.pdf", PDF)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = world.client.get(f"/tasks/{task}").text
    assert "ActivityExecuted" in page and "https://example.invalid/x anh.pdf (sha256:" in page


def test_a_bad_form_answers_with_a_vietnamese_then_english_message(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "officer-a")
    before = world.event_count()
    response = world.client.post(
        f"/tasks/{task}/request-extension", data={"csrf_token": csrf, "new_due": "31/13/2022"}
    )
    assert response.status_code == 422
    assert "Ngày không hợp lệ" in response.text and "invalid date" in response.text
    report = world.task_id("D2", "so-a", "2022-Q1")
    response = world.client.post(
        f"/tasks/{report}/report", data={"csrf_token": csrf}, files={"file": ("x.exe", b"MZ")}
    )
    assert response.status_code == 415
    assert "Loại tệp .exe không được chấp nhận" in response.text
    response = world.client.post(f"/tasks/{report}/report", data={"csrf_token": csrf})
    assert response.status_code == 422 and "Hãy chọn tệp báo cáo" in response.text
    assert world.event_count() == before


def test_an_officer_acting_on_another_agencys_task_by_form_gets_403(world: WebWorld) -> None:
    task = world.task_id("D1", "so-b")
    csrf = sign_in(world, "officer-a")
    before = world.event_count()
    response = world.client.post(f"/tasks/{task}/raise", data={"csrf_token": csrf, "text": "x"})
    assert response.status_code == 403
    assert "không phải cơ quan của bạn" in response.text
    assert world.event_count() == before


def test_request_and_approve_an_extension_through_the_pages(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "officer-a")
    world.client.post(
        f"/tasks/{task}/request-extension",
        data={"csrf_token": csrf, "new_due": "2022-04-15", "reason": "Chờ hướng dẫn"},
    )
    world.client.cookies.clear()
    csrf = sign_in(world, "director")
    page = world.client.get(f"/tasks/{task}").text
    assert "Đề nghị gia hạn / Extension requested: 2022-04-15" in page
    response = world.client.post(
        f"/tasks/{task}/extend",
        data={"csrf_token": csrf, "new_due": "2022-04-15", "reason": "Đồng ý", "answers": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 200 and "Đề nghị gia hạn số 1 được coi là đã trả lời" in (
        response.text
    )  # a confirmation first (tests/test_web_guarded.py)
    response = world.client.post(
        f"/tasks/{task}/extend",
        data={
            "csrf_token": csrf,
            "new_due": "2022-04-15",
            "reason": "Đồng ý",
            "answers": "1",
            "confirmed": "1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = world.client.get(f"/tasks/{task}").text
    assert "15/04/2022" in page and "extension approved" in page


def test_the_director_sends_a_chase_up_from_the_task_page(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    csrf = sign_in(world, "director")
    page = world.client.get(f"/tasks/{task}")
    assert 'data-testid="chase"' in page.text and "Gửi văn bản đôn đốc ngay" in page.text
    response = world.client.post(
        f"/tasks/{task}/chase",
        data={"csrf_token": csrf, "note": "Khẩn trương hoàn thành"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/tasks/{task}?ok=chase"
    [event] = [e for e in world.app.task_events(UUID(task)) if type(e).__name__ == "ChaseUpSent"]
    assert (event.actor, event.note, event.recipient_agency) == (
        "director",
        "Khẩn trương hoàn thành",
        "so-a",
    )
    timeline = world.client.get(f"/tasks/{task}").text
    assert "Đôn đốc" in timeline
    world.client.cookies.clear()
    sign_in(world, "officer-a")
    assert 'data-testid="chase"' not in world.client.get(f"/tasks/{task}").text


def test_the_auditor_sees_a_task_and_the_board_as_they_stood(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    world.clock.set(datetime(2022, 3, 10, 2, tzinfo=UTC))
    world.app.execute_activity(UUID(task), actor="officer-a", at=world.clock(), note="")
    sign_in(world, "auditor")
    now = world.client.get("/audit").text
    assert f'data-task="{task}" data-status="done_on_time"' in now
    earlier = world.client.get("/audit?as_of=2022-03-01").text
    assert f'data-task="{task}" data-status="open_in_time"' in earlier
    page = world.client.get(f"/tasks/{task}?as_of=2022-03-01").text
    assert "Tình trạng tại thời điểm" in page and "ActivityExecuted" not in page
    assert '<form method="post" action="/tasks/' not in page  # read-only


def test_the_auditor_has_no_write_forms(world: WebWorld) -> None:
    sign_in(world, "auditor")
    page = world.client.get(f"/tasks/{world.task_id('D2', 'so-a', '2022-Q1')}").text
    assert 'method="post" action="/tasks/' not in page


def test_export_as_csv_and_json(world: WebWorld) -> None:
    sign_in(world, "auditor")
    response = world.client.get("/audit/export.csv?agency=so-a")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 5 and {r["Mã cơ quan"] for r in rows} == {"so-a"}
    assert {r["Cơ quan"] for r in rows} == {"Sở A"}
    data = json.loads(world.client.get("/audit/export.json?as_of=2022-02-19").text)
    assert data["count"] == 0 and data["as_of"] is True


def test_the_pages_switch_to_english(world: WebWorld) -> None:
    sign_in(world, "director")
    world.client.get("/lang/en?next=/board")
    page = world.client.get("/board").text
    assert "Reports awaiting review" in page and "Open, overdue" in page
    assert '<html lang="en">' in page


def test_every_message_in_the_templates_has_a_vietnamese_translation() -> None:
    vi = translations("vi")
    missing = []
    for path in TEMPLATES.glob("*.html"):
        for match in re.finditer(r"""_\((?:"([^"]*)"|'([^']*)')\)""", path.read_text()):
            message = match.group(1) if match.group(1) is not None else match.group(2)
            if vi.gettext(message) == message:
                missing.append(f"{path.name}: {message}")
    assert missing == []


def test_the_committed_mo_file_matches_the_po_file() -> None:
    mo = LOCALE_DIR / "vi" / "LC_MESSAGES" / "messages.mo"
    assert mo.read_bytes() == compile_catalogue("vi"), "run: python -m planflow.web.i18n"


def test_a_form_date_typed_dd_mm_yyyy_is_accepted_like_iso(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "officer-a")
    response = world.client.post(
        f"/tasks/{task}/request-extension",
        data={"csrf_token": csrf, "new_due": "15/04/2022", "reason": "Chờ hướng dẫn"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Extension requested: 2022-04-15" in world.client.get(f"/tasks/{task}").text


def test_an_unknown_page_gets_the_sites_own_404_page_and_the_api_its_json(
    world: WebWorld,
) -> None:
    sign_in(world, "director")
    page = world.client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'data-testid="error"' in page.text and "/no-such-page" in page.text
    api = world.client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/")
