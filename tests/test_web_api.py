"""The JSON API, end to end through FastAPI's TestClient on a real SQLite file."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from webkit import JPG, PASSWORD, PDF, PNG, Clock, WebWorld, make_world

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == status
    return body


def _events(world: WebWorld, task: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = world.client.get(f"/api/v1/tasks/{task}/history", headers=headers)
    assert response.status_code == 200
    events: list[dict[str, Any]] = response.json()["events"]
    return events


# --- signing in ------------------------------------------------------------------------------


def test_a_correct_password_gets_a_token_that_the_api_accepts(world: WebWorld) -> None:
    response = world.client.post(
        "/api/v1/token", data={"username": "director", "password": PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "office_director"


def test_a_wrong_password_is_refused_with_a_bilingual_problem(world: WebWorld) -> None:
    response = world.client.post("/api/v1/token", data={"username": "director", "password": "x"})
    body = _problem(response, 401)
    assert "Sai tên đăng nhập" in body["detail"] and "wrong username" in body["detail"]


def test_a_forged_token_is_refused(world: WebWorld) -> None:
    response = world.client.get("/api/v1/me", headers={"Authorization": "Bearer forged.token"})
    _problem(response, 401)


def test_anonymous_reads_and_writes_get_401_and_nothing_is_recorded(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    before = world.event_count()
    _problem(world.client.get("/api/v1/tasks"), 401)
    response = world.client.post(f"/api/v1/tasks/{task}/execute", json={"note": "x"})
    assert _problem(response, 401)["type"].endswith("unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"
    assert world.event_count() == before


# --- plans and agencies ----------------------------------------------------------------------


def test_plans_and_their_agencies_come_from_the_stored_plan(world: WebWorld) -> None:
    h = world.token("auditor")
    plans = world.client.get("/api/v1/plans", headers=h).json()
    assert [p["code"] for p in plans["plans"]] == ["mini-2022"]
    one = world.client.get("/api/v1/plans/mini-2022", headers=h).json()
    assert one["document"]["plan"]["number"] == "1/KH-UBND"
    agencies = world.client.get("/api/v1/agencies?plan=mini-2022", headers=h).json()
    assert [a["code"] for a in agencies["agencies"]] == ["vp", "so-a", "so-b"]
    assert agencies["agencies"][1]["head_title_vi"] == "Giám đốc Sở A"


def test_an_unknown_plan_is_404(world: WebWorld) -> None:
    h = world.token("auditor")
    _problem(world.client.get("/api/v1/plans/nope", headers=h), 404)
    _problem(world.client.get("/api/v1/agencies?plan=nope", headers=h), 404)


# --- tasks -----------------------------------------------------------------------------------


def test_tasks_filter_by_agency_and_period_and_paginate(world: WebWorld) -> None:
    h = world.token("staff")
    everything = world.client.get("/api/v1/tasks", headers=h).json()
    assert everything["total"] == 10
    mine = world.client.get("/api/v1/tasks?agency=so-a&period=2022-Q1", headers=h).json()
    assert mine["total"] == 1 and mine["tasks"][0]["duty"] == "D2"
    page = world.client.get("/api/v1/tasks?per_page=3&page=4", headers=h).json()
    assert (page["pages"], len(page["tasks"])) == (4, 1)


def test_tasks_filter_by_status_and_overdue_as_the_clock_moves(world: WebWorld) -> None:
    h = world.token("staff")
    assert world.client.get("/api/v1/tasks?overdue=true", headers=h).json()["total"] == 0
    world.clock.set(datetime(2022, 4, 1, 3, 0, tzinfo=UTC))  # after D1 (31/3) and Q1 (16/3)
    overdue = world.client.get("/api/v1/tasks?overdue=true", headers=h).json()
    assert overdue["total"] == 4
    assert {t["status"] for t in overdue["tasks"]} == {"open_overdue"}
    in_time = world.client.get("/api/v1/tasks?status=open_in_time", headers=h).json()
    assert in_time["total"] == 6
    not_overdue = world.client.get("/api/v1/tasks?overdue=false", headers=h).json()
    assert not_overdue["total"] == 6


@pytest.mark.parametrize(
    "query", ["status=late", "period=2022-Q9", "as_of=yesterday", "per_page=0", "page=0"]
)
def test_a_malformed_filter_is_422(world: WebWorld, query: str) -> None:
    body = _problem(world.client.get(f"/api/v1/tasks?{query}", headers=world.token("staff")), 422)
    assert body["type"].endswith("invalid-input")


def test_one_task_now_and_as_of_an_earlier_time(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    world.clock.set(datetime(2022, 3, 10, 2, 0, tzinfo=UTC))
    world.client.post(
        f"/api/v1/tasks/{task}/execute", json={"note": "xong"}, headers=world.token("officer-a")
    )
    h = world.token("auditor")
    now = world.client.get(f"/api/v1/tasks/{task}", headers=h).json()
    assert now["status"] == "done_on_time" and now["version"] == 2
    before = world.client.get(f"/api/v1/tasks/{task}?as_of=2022-03-01", headers=h).json()
    assert before["status"] == "open_in_time" and before["version"] == 1 and before["as_of"]
    _problem(world.client.get(f"/api/v1/tasks/{task}?as_of=2022-01-01", headers=h), 404)


def test_a_task_is_found_by_a_prefix_of_its_id_and_404_otherwise(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    h = world.token("auditor")
    assert world.client.get(f"/api/v1/tasks/{task[:8]}", headers=h).json()["id"] == task
    body = _problem(world.client.get("/api/v1/tasks/ffffffffff", headers=h), 404)
    assert "Không tìm thấy" in body["detail_vi"]


def test_the_board_counts_per_agency_with_the_most_overdue_first(world: WebWorld) -> None:
    world.clock.set(datetime(2022, 3, 20, 3, 0, tzinfo=UTC))
    world.client.post(
        f"/api/v1/tasks/{world.task_id('D2', 'so-a', '2022-Q1')}/report",
        files={"file": ("bc.pdf", PDF, "application/pdf")},
        headers=world.token("officer-a"),
    )
    board = world.client.get("/api/v1/board?period=2022-Q1", headers=world.token("director"))
    body = board.json()
    assert body["totals"]["open_overdue"] == 2  # a submitted report is not yet done
    world.client.post(
        f"/api/v1/tasks/{world.task_id('D2', 'so-a', '2022-Q1')}/accept",
        json={},
        headers=world.token("director"),
    )
    body = world.client.get("/api/v1/board?period=2022-Q1", headers=world.token("director")).json()
    assert [a["agency"] for a in body["agencies"]] == ["so-b", "so-a"]
    assert body["agencies"][1]["counts"]["done_late"] == 1


# --- commands --------------------------------------------------------------------------------


def test_execute_records_the_signed_in_account_as_the_actor(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    h = world.token("officer-a")
    response = world.client.post(
        f"/api/v1/tasks/{task}/execute",
        json={"note": "Đã tổ chức hội nghị", "evidence": "https://example.invalid/a"},
        headers=h,
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    last = _events(world, task, h)[-1]
    assert (last["type"], last["actor"]) == ("ActivityExecuted", "officer-a")
    assert last["details"]["evidence"] == "https://example.invalid/a"


def test_a_client_cannot_choose_the_actor(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    response = world.client.post(
        f"/api/v1/tasks/{task}/execute",
        json={"actor": "director"},
        headers=world.token("officer-a"),
    )
    _problem(response, 422)


def test_an_evidence_link_must_be_http(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    response = world.client.post(
        f"/api/v1/tasks/{task}/execute",
        json={"evidence": "javascript:alert(1)"},
        headers=world.token("officer-a"),
    )
    assert "http://" in _problem(response, 422)["detail"]


def test_a_report_upload_is_stored_with_its_sha256_in_the_event(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    h = world.token("officer-a")
    response = world.client.post(
        f"/api/v1/tasks/{task}/report",
        files={"file": ("Báo cáo quý 1.pdf", PDF, "application/pdf")},
        data={"note": "gửi đúng hạn"},
        headers=h,
    )
    assert response.status_code == 200, response.text
    digest = hashlib.sha256(PDF).hexdigest()
    assert response.json()["sha256"] == digest
    details = _events(world, task, h)[-1]["details"]
    assert details["sha256"] == digest and details["document"] == "Báo cáo quý 1.pdf"
    assert (world.settings.upload_dir / task / f"{digest}.pdf").read_bytes() == PDF
    download = world.client.get(f"/api/v1/tasks/{task}/files/{digest}", headers=h)
    assert download.content == PDF
    _problem(world.client.get(f"/api/v1/tasks/{task}/files/{'0' * 64}", headers=h), 404)


def test_the_office_accepts_a_report_and_the_task_is_done(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    world.client.post(
        f"/api/v1/tasks/{task}/report",
        files={"file": ("bc.png", PNG, "image/png")},
        headers=world.token("officer-a"),
    )
    response = world.client.post(
        f"/api/v1/tasks/{task}/accept", json={"note": "Đạt"}, headers=world.token("staff")
    )
    assert response.status_code == 200
    state = world.client.get(f"/api/v1/tasks/{task}", headers=world.token("staff")).json()
    assert (state["status"], state["report_state"]) == ("done_on_time", "accepted")


def test_accepting_twice_is_refused_with_409_and_the_domain_message(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    world.client.post(
        f"/api/v1/tasks/{task}/report",
        files={"file": ("bc.pdf", PDF)},
        headers=world.token("officer-a"),
    )
    h = world.token("director")
    world.client.post(f"/api/v1/tasks/{task}/accept", json={}, headers=h)
    body = _problem(world.client.post(f"/api/v1/tasks/{task}/accept", json={}, headers=h), 409)
    assert body["detail_vi"].startswith("Không thể chấp nhận báo cáo")
    assert body["detail_en"].startswith("cannot accept the report")


def test_return_then_resubmit(world: WebWorld) -> None:
    task = world.task_id("D2", "so-b", "2022-Q2")
    officer, staff = world.token("officer-b"), world.token("staff")
    world.client.post(
        f"/api/v1/tasks/{task}/report", files={"file": ("a.pdf", PDF)}, headers=officer
    )
    response = world.client.post(
        f"/api/v1/tasks/{task}/return", json={"reason": "Thiếu số liệu"}, headers=staff
    )
    assert response.status_code == 200
    _problem(
        world.client.post(f"/api/v1/tasks/{task}/return", json={"reason": " "}, headers=staff), 422
    )
    again = world.client.post(
        f"/api/v1/tasks/{task}/report", files={"file": ("b.pdf", PDF + b"v2")}, headers=officer
    )
    assert again.status_code == 200
    types = [e["type"] for e in _events(world, task, staff)]
    assert types == ["Assigned", "ReportSubmitted", "ReportReturned", "ReportSubmitted"]


def test_raise_and_answer_a_difficulty(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    raised = world.client.post(
        f"/api/v1/tasks/{task}/raise",
        json={"text": "Thiếu kinh phí"},
        headers=world.token("head-a"),
    )
    assert raised.json()["number"] == 1
    h = world.token("director")
    _problem(
        world.client.post(
            f"/api/v1/tasks/{task}/answer", json={"number": 2, "answer": "x"}, headers=h
        ),
        422,
    )
    answered = world.client.post(
        f"/api/v1/tasks/{task}/answer", json={"number": 1, "answer": "Đã bố trí"}, headers=h
    )
    assert answered.status_code == 200
    difficulty = world.client.get(f"/api/v1/tasks/{task}", headers=h).json()["difficulties"][0]
    assert (difficulty["answer"], difficulty["answered_by"]) == ("Đã bố trí", "director")


def test_an_extension_is_requested_then_approved(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    requested = world.client.post(
        f"/api/v1/tasks/{task}/request-extension",
        json={"new_due": "2022-04-29", "reason": "Chờ hướng dẫn của Bộ"},
        headers=world.token("officer-a"),
    )
    assert requested.status_code == 200
    number = requested.json()["number"]
    h = world.token("director")
    approved = world.client.post(
        f"/api/v1/tasks/{task}/extend",
        json={"new_due": "2022-04-29", "reason": "Đồng ý", "answers": number},
        headers=h,
    )
    assert approved.status_code == 200, approved.text
    state = world.client.get(f"/api/v1/tasks/{task}", headers=h).json()
    assert state["due"] == "2022-04-29" and state["difficulties"][0]["answer"]


def test_an_extension_to_an_earlier_date_is_422(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    h = world.token("director")
    body = _problem(
        world.client.post(
            f"/api/v1/tasks/{task}/extend", json={"new_due": "2022-03-01", "reason": "x"}, headers=h
        ),
        422,
    )
    assert "phải sau hạn hiện tại" in body["detail_vi"]
    _problem(
        world.client.post(
            f"/api/v1/tasks/{task}/request-extension",
            json={"new_due": "2022-03-01", "reason": "x"},
            headers=world.token("officer-a"),
        ),
        422,
    )


def test_reassign_to_a_known_agency_only(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    h = world.token("director")
    _problem(
        world.client.post(
            f"/api/v1/tasks/{task}/reassign", json={"new_agency": "so-z", "reason": "x"}, headers=h
        ),
        422,
    )
    moved = world.client.post(
        f"/api/v1/tasks/{task}/reassign",
        json={"new_agency": "so-b", "reason": "Sáp nhập"},
        headers=h,
    )
    assert moved.status_code == 200
    assert world.client.get(f"/api/v1/tasks/{task}", headers=h).json()["agency"] == "so-b"
    # The old agency's officer may no longer act on it; the new one may.
    _problem(
        world.client.post(
            f"/api/v1/tasks/{task}/execute", json={}, headers=world.token("officer-a")
        ),
        403,
    )
    ok = world.client.post(
        f"/api/v1/tasks/{task}/execute", json={}, headers=world.token("officer-b")
    )
    assert ok.status_code == 200


def test_a_cancelled_task_refuses_further_work(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    h = world.token("director")
    assert (
        world.client.post(
            f"/api/v1/tasks/{task}/cancel", json={"reason": "Bãi bỏ"}, headers=h
        ).status_code
        == 200
    )
    body = _problem(
        world.client.post(
            f"/api/v1/tasks/{task}/execute", json={}, headers=world.token("officer-a")
        ),
        409,
    )
    assert "đã bị hủy" in body["detail_vi"]


def test_a_stale_expected_version_is_409_with_the_current_version(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    h = world.token("officer-a")
    world.client.post(f"/api/v1/tasks/{task}/raise", json={"text": "một"}, headers=h)
    before = world.event_count()
    response = world.client.post(
        f"/api/v1/tasks/{task}/raise", json={"text": "hai", "expected_version": 1}, headers=h
    )
    body = _problem(response, 409)
    assert body["current_version"] == 2 and body["type"].endswith("conflict")
    assert world.event_count() == before


def test_a_command_before_the_last_event_is_refused(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    world.clock.set(datetime(2022, 2, 1, tzinfo=UTC))  # before the plan was loaded
    _problem(
        world.client.post(
            f"/api/v1/tasks/{task}/execute", json={}, headers=world.token("officer-a")
        ),
        409,
    )


def test_the_director_chases_a_task_and_chase_up_sent_names_the_head(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    before = world.event_count()
    response = world.client.post(
        f"/api/v1/tasks/{task}/chase",
        json={"note": "Đề nghị gửi báo cáo trước ngày 15/3"},
        headers=world.token("director"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["command"] == "chase"
    assert world.event_count() == before + 1
    last = _events(world, task, world.token("auditor"))[-1]
    assert (last["type"], last["actor"]) == ("ChaseUpSent", "director")
    assert last["details"]["recipient_agency"] == "so-a"
    assert last["details"]["recipient_title"] == "Giám đốc Sở A"
    assert last["details"]["note"] == "Đề nghị gửi báo cáo trước ngày 15/3"
    # A manual act, not a ladder step: the staff may chase again.
    again = world.client.post(f"/api/v1/tasks/{task}/chase", json={}, headers=world.token("staff"))
    assert again.status_code == 200 and world.event_count() == before + 2


def test_an_agency_officer_may_not_chase_and_nothing_is_recorded(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    before = world.event_count()
    response = world.client.post(
        f"/api/v1/tasks/{task}/chase", json={}, headers=world.token("officer-a")
    )
    _problem(response, 403)
    assert world.event_count() == before


def test_a_done_task_cannot_be_chased(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    world.client.post(f"/api/v1/tasks/{task}/execute", json={}, headers=world.token("officer-a"))
    before = world.event_count()
    body = _problem(
        world.client.post(f"/api/v1/tasks/{task}/chase", json={}, headers=world.token("director")),
        409,
    )
    assert "không thể đôn đốc" in body["detail_vi"]
    assert world.event_count() == before


# --- uploads ---------------------------------------------------------------------------------


def _docx(inner: str = "word/document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(inner, "<w/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("bc.exe", b"MZ\x90\x00", 415),
        ("bc.pdf", b"<html>not a pdf</html>", 415),
        ("bc.png", PDF, 415),
        ("bc.docx", _docx("other.txt"), 415),
        ("bc.pdf", b"", 415),
        ("bc.docx", _docx(), 200),
        ("BC.JPG", JPG, 200),
        ("bc.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, 415),
    ],
)
def test_uploads_are_checked_by_extension_and_magic_bytes(
    world: WebWorld, name: str, data: bytes, status: int
) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    before = world.event_count()
    response = world.client.post(
        f"/api/v1/tasks/{task}/report",
        files={"file": (name, data)},
        headers=world.token("officer-a"),
    )
    assert response.status_code == status, response.text
    if status != 200:
        assert world.event_count() == before
        assert not (world.settings.upload_dir / task).exists()


def test_an_upload_over_the_limit_is_413_and_nothing_is_kept(
    tmp_path: Path, web_template: Path
) -> None:
    for world in make_world(tmp_path, web_template, max_upload_bytes=1024):
        task = world.task_id("D2", "so-a", "2022-Q1")
        before = world.event_count()
        response = world.client.post(
            f"/api/v1/tasks/{task}/report",
            files={"file": ("big.pdf", PDF + b"0" * 2048)},
            headers=world.token("officer-a"),
        )
        assert "tối đa 1024 byte" in _problem(response, 413)["detail"]
        assert world.event_count() == before
        assert not (world.settings.upload_dir / task).exists()


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, web_template: Path
) -> None:
    for world in make_world(tmp_path, web_template, max_upload_bytes=1024):
        task = world.task_id("D2", "so-a", "2022-Q1")
        response = world.client.post(
            f"/api/v1/tasks/{task}/report",
            files={"file": ("big.pdf", PDF + b"0" * (2 * 1024 * 1024))},
            headers=world.token("officer-a"),
        )
        _problem(response, 413)


def test_a_report_without_a_file_is_422(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    _problem(
        world.client.post(f"/api/v1/tasks/{task}/report", headers=world.token("officer-a")), 422
    )


def test_another_agencys_officer_gets_403_and_no_file_is_stored(world: WebWorld) -> None:
    task = world.task_id("D2", "so-b", "2022-Q1")
    before = world.event_count()
    response = world.client.post(
        f"/api/v1/tasks/{task}/report",
        files={"file": ("bc.pdf", PDF)},
        headers=world.token("officer-a"),
    )
    body = _problem(response, 403)
    assert "so-b" in body["detail_vi"]
    assert world.event_count() == before
    assert not (world.settings.upload_dir / task).exists()


# --- the API's description -------------------------------------------------------------------


def test_the_openapi_document_lists_every_command(world: WebWorld) -> None:
    docs = world.client.get("/docs")
    assert docs.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in docs.text and "cdn." not in docs.text
    assert world.client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    paths = world.client.get("/api/v1/openapi.json").json()["paths"]
    for command in (
        "execute",
        "report",
        "accept",
        "return",
        "raise",
        "answer",
        "request-extension",
        "extend",
        "reassign",
        "cancel",
        "chase",
    ):
        assert f"/api/v1/tasks/{{task}}/{command}" in paths


def test_the_clock_is_injected(world: WebWorld) -> None:
    assert isinstance(world.clock, Clock)
    world.clock.set(datetime(2022, 12, 31, tzinfo=UTC))
    moment = world.client.get("/api/v1/board", headers=world.token("auditor")).json()["moment"]
    assert moment.startswith("2022-12-31")


def test_a_command_answers_every_outcome_field_as_the_response_model_declares(
    world: WebWorld,
) -> None:
    task = world.task_id("D1", "so-a")
    answered = world.client.post(
        f"/api/v1/tasks/{task}/raise",
        json={"text": "Thiếu kinh phí"},
        headers=world.token("head-a"),
    )
    assert answered.headers["content-type"] == "application/json"
    assert answered.json() == {
        "task": task,
        "command": "raise",
        "version": 2,
        "number": 1,
        "sha256": None,
    }
    schema = world.client.get("/api/v1/openapi.json").json()
    ok = schema["paths"]["/api/v1/tasks/{task}/raise"]["post"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Outcome"}
