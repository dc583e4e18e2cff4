"""Guarded actions on the task pages (issue 10, point 4): confirmations, the second chase-up of a
day, the banner that says what was done, and a 409 that keeps what the user typed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import UUID

import pytest

from test_web_pages import sign_in
from webkit import PDF, WebWorld


def _types(world: WebWorld, task: str) -> list[str]:
    return [type(e).__name__ for e in world.app.task_events(UUID(task))]


def _version(world: WebWorld, task: str) -> int:
    return world.app.get_task(UUID(task)).version


@pytest.mark.parametrize(
    ("command", "data", "event", "says"),
    [
        ("cancel", {"reason": "Trùng nhiệm vụ"}, "Cancelled", "Việc hủy không thể hoàn tác"),
        (
            "reassign",
            {"new_agency": "so-b", "reason": "Đúng chức năng"},
            "Reassigned",
            "Nhiệm vụ chuyển từ Sở A sang Sở B; hạn vẫn là 31/03/2022",
        ),
        (
            "extend",
            {"new_due": "15/04/2022", "reason": "Chờ hướng dẫn"},
            "DeadlineExtended",
            "Hạn chuyển từ 31/03/2022 sang 15/04/2022",
        ),
    ],
)
def test_a_guarded_action_without_confirmation_shows_what_will_happen_and_writes_nothing(
    world: WebWorld, command: str, data: dict[str, str], event: str, says: str
) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "director")
    before = world.event_count()
    version = str(_version(world, task))
    page = world.client.post(
        f"/tasks/{task}/{command}",
        data={"csrf_token": csrf, "expected_version": version, **data},
        follow_redirects=False,
    )
    assert page.status_code == 200
    assert 'data-testid="confirm"' in page.text and says in page.text
    assert "ghi nhận" in page.text  # the event it would record, told as a sentence
    assert world.event_count() == before and event not in _types(world, task)
    # The confirmation carries what was typed; confirming runs the command once.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    assert hidden["expected_version"] == version
    done = world.client.post(
        f"/tasks/{task}/{command}",
        data={**data, "csrf_token": csrf, "expected_version": version, "confirmed": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert _types(world, task).count(event) == 1


def test_a_confirmation_refuses_what_the_run_would_refuse_and_writes_nothing(
    world: WebWorld,
) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "director")
    before = world.event_count()
    earlier = world.client.post(
        f"/tasks/{task}/extend",
        data={"csrf_token": csrf, "new_due": "01/03/2022", "reason": "sớm hơn"},
    )
    assert earlier.status_code in (409, 422) and 'data-testid="confirm"' not in earlier.text
    world.client.cookies.clear()
    csrf = sign_in(world, "officer-a")
    refused = world.client.post(f"/tasks/{task}/cancel", data={"csrf_token": csrf, "reason": "x"})
    assert refused.status_code == 403 and 'data-testid="confirm"' not in refused.text
    assert world.event_count() == before


def test_change_it_on_a_confirmation_shows_the_form_filled_in(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "director")
    page = world.client.post(
        f"/tasks/{task}/reassign",
        data={"csrf_token": csrf, "new_agency": "so-b", "reason": "Lý do đã gõ", "edit": "1"},
    )
    assert page.status_code == 200
    assert "Lý do đã gõ</textarea>" in page.text
    assert '<option value="so-b" selected>' in page.text


def test_the_api_runs_a_guarded_action_without_a_confirmation_step(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    response = world.client.post(
        f"/api/v1/tasks/{task}/cancel", json={"reason": "nhầm"}, headers=world.token("director")
    )
    assert response.status_code == 200, response.text
    assert "Cancelled" in _types(world, task)


def test_a_second_chase_up_the_same_day_warns_and_shows_the_first(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    world.clock.set(datetime(2022, 3, 10, 2, 15, tzinfo=UTC))  # 09:15 in Vietnam
    csrf = sign_in(world, "director")
    first = world.client.post(
        f"/tasks/{task}/chase", data={"csrf_token": csrf, "note": "Lần 1"}, follow_redirects=False
    )
    assert first.status_code == 303
    world.client.cookies.clear()
    csrf = sign_in(world, "staff")
    world.clock.set(datetime(2022, 3, 10, 8, tzinfo=UTC))  # 15:00, the same day
    warned = world.client.post(f"/tasks/{task}/chase", data={"csrf_token": csrf, "note": "Lần 2"})
    assert warned.status_code == 200 and 'data-testid="chase-warning"' in warned.text
    assert "10/03/2022 09:15" in warned.text and "director" in warned.text
    assert "Lần 1" in warned.text  # the first chase-up, told
    assert _types(world, task).count("ChaseUpSent") == 1
    sent = world.client.post(
        f"/tasks/{task}/chase",
        data={"csrf_token": csrf, "note": "Lần 2", "send_anyway": "1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert _types(world, task).count("ChaseUpSent") == 2
    world.clock.set(datetime(2022, 3, 11, 2, tzinfo=UTC))  # the next day: no warning
    next_day = world.client.post(
        f"/tasks/{task}/chase", data={"csrf_token": csrf, "note": "Lần 3"}, follow_redirects=False
    )
    assert next_day.status_code == 303
    assert _types(world, task).count("ChaseUpSent") == 3


@pytest.mark.parametrize(
    ("user", "command", "data", "vi", "en"),
    [
        ("officer-a", "report", {"note": "gửi"}, "Đã gửi báo cáo.", "Report submitted."),
        ("officer-a", "raise", {"text": "Thiếu kinh phí"}, "Đã ghi nhận khó khăn.", None),
        ("director", "chase", {"note": "Nhanh"}, "Đã đôn đốc.", "Chase-up recorded."),
    ],
)
def test_the_banner_says_what_was_done(
    world: WebWorld, user: str, command: str, data: dict[str, str], vi: str, en: str | None
) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    csrf = sign_in(world, user)
    files = {"file": ("bao-cao.pdf", PDF, "application/pdf")} if command == "report" else None
    response = world.client.post(
        f"/tasks/{task}/{command}", data={"csrf_token": csrf, **data}, files=files
    )
    assert response.status_code == 200, response.text
    flash = re.search(r'data-testid="flash">([^<]*)<', response.text)
    assert flash and flash.group(1) == vi
    assert "Đã thực hiện." not in response.text
    if en:
        world.client.get("/lang/en")
        assert f'data-testid="flash">{en}<' in world.client.get(f"/tasks/{task}?ok={command}").text


def test_a_409_keeps_what_the_user_typed_and_shows_what_changed(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "officer-a")
    seen = _version(world, task)
    world.app.raise_difficulty(
        UUID(task), actor="head-a", at=world.clock(), text="Chưa có hướng dẫn của Bộ"
    )
    before = world.event_count()
    response = world.client.post(
        f"/tasks/{task}/request-extension",
        data={
            "csrf_token": csrf,
            "expected_version": str(seen),
            "new_due": "15/04/2022",
            "reason": "Lý do rất dài tôi đã gõ",
        },
    )
    assert response.status_code == 409
    assert world.event_count() == before
    assert 'data-testid="conflict"' in response.text
    changes = response.text.split('data-testid="changes"')[1].split("</ul>")[0]
    assert "Chưa có hướng dẫn của Bộ" in changes and "head-a" in changes
    form = response.text.split('data-testid="request-extension"')[1].split("</form>")[0]
    assert "Lý do rất dài tôi đã gõ</textarea>" in form
    assert 'value="15/04/2022"' in form  # shown as the user writes dates
    assert f'name="expected_version" value="{seen + 1}"' in form  # sending again now works


def test_a_409_on_an_action_no_longer_offered_still_shows_what_was_typed(
    world: WebWorld,
) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    csrf = sign_in(world, "director")
    seen = _version(world, task)
    world.app.submit_report(UUID(task), actor="officer-a", at=world.clock(), document="b.pdf")
    response = world.client.post(
        f"/tasks/{task}/chase",
        data={"csrf_token": csrf, "expected_version": str(seen), "note": "Ghi chú tôi đã gõ"},
    )
    assert response.status_code == 409
    assert 'data-testid="chase"' not in response.text  # awaiting review: no chase-up form
    typed = response.text.split('data-testid="typed"')[1].split("</dl>")[0]
    assert "Ghi chú" in typed and "Ghi chú tôi đã gõ" in typed
    assert "Gửi báo cáo b.pdf" in response.text.split('data-testid="changes"')[1]
    assert "ChaseUpSent" not in _types(world, task)


def test_bad_input_is_shown_beside_the_form_filled_in_with_what_was_typed(
    world: WebWorld,
) -> None:
    task = world.task_id("D1", "so-a")
    csrf = sign_in(world, "officer-a")
    before = world.event_count()
    response = world.client.post(
        f"/tasks/{task}/request-extension",
        data={"csrf_token": csrf, "new_due": "31/13/2022", "reason": "Lý do dài đã gõ"},
    )
    assert response.status_code == 422
    assert "Ngày không hợp lệ" in response.text and "invalid date" in response.text
    assert 'data-testid="form-problem"' in response.text
    form = response.text.split('data-testid="request-extension"')[1].split("</form>")[0]
    assert "Lý do dài đã gõ</textarea>" in form and 'value="31/13/2022"' in form
    assert world.event_count() == before
