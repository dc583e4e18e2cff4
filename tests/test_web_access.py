"""Every role × every write command: allowed, or 403 with nothing recorded (events counted)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from planflow.web.access import ALLOWED, Command
from planflow.web.accounts import Role
from webkit import ACCOUNTS, PDF, WebWorld

Request = dict[str, Any]


def _submitted(world: WebWorld, task: str) -> None:
    world.app.submit_report(
        UUID(task), actor="setup", at=world.clock(), document="bc.pdf", sha256="0" * 64
    )


def _raised(world: WebWorld, task: str) -> None:
    world.app.raise_difficulty(UUID(task), actor="setup", at=world.clock(), text="khó khăn")


# Each command on a task of so-a, in a state where the command itself would succeed: the only
# reason to refuse is the account.
CASES: dict[
    Command, tuple[tuple[str, str | None], Callable[[WebWorld, str], None] | None, Request]
] = {
    Command.EXECUTE: (("D1", None), None, {"json": {"note": "xong"}}),
    Command.REPORT: (("D2", "2022-Q1"), None, {"files": {"file": ("bc.pdf", PDF)}}),
    Command.ACCEPT: (("D2", "2022-Q1"), _submitted, {"json": {}}),
    Command.RETURN: (("D2", "2022-Q1"), _submitted, {"json": {"reason": "thiếu"}}),
    Command.RAISE: (("D1", None), None, {"json": {"text": "khó khăn"}}),
    Command.ANSWER: (("D1", None), _raised, {"json": {"number": 1, "answer": "trả lời"}}),
    Command.EXTEND: (("D1", None), None, {"json": {"new_due": "2022-04-29", "reason": "ok"}}),
    Command.REQUEST_EXTENSION: (
        ("D1", None),
        None,
        {"json": {"new_due": "2022-04-29", "reason": "chờ"}},
    ),
    Command.REASSIGN: (("D1", None), None, {"json": {"new_agency": "so-b", "reason": "x"}}),
    Command.CANCEL: (("D1", None), None, {"json": {"reason": "bãi bỏ"}}),
    Command.CHASE: (("D1", None), None, {"json": {}}),
    # The mini plan has no ongoing duty: an account allowed to check in reaches the task's own
    # refusal (409, nothing written), the others are stopped at the door (403). A check-in that
    # succeeds through the API: tests/test_agency_kinds_targets.py.
    Command.CHECK_IN: (("D1", None), None, {"json": {"note": "quý I"}}),
}


def test_every_command_has_a_case() -> None:
    assert set(CASES) == set(Command)


@pytest.mark.parametrize("command", list(Command), ids=str)
@pytest.mark.parametrize("username", [a[0] for a in ACCOUNTS])
def test_role_by_command(world: WebWorld, username: str, command: Command) -> None:
    role = next(r for u, r, _ in ACCOUNTS if u == username)
    (duty, period), prepare, request = CASES[command]
    task = world.task_id(duty, "so-a", period)
    if prepare:
        prepare(world, task)
    before = world.event_count()
    response = world.client.post(
        f"/api/v1/tasks/{task}/{command.value}", headers=world.token(username), **request
    )
    own_agency = next(a for u, _, a in ACCOUNTS if u == username) in (None, "so-a")
    allowed = command in ALLOWED[role] and (not role.scoped or own_agency)
    if allowed and command is Command.CHECK_IN:
        assert response.status_code == 409, response.text
        assert "không phải nhiệm vụ thường xuyên" in response.json()["detail_vi"]
        assert world.event_count() == before
    elif allowed:
        assert response.status_code == 200, response.text
        assert world.event_count() > before
        events = world.client.get(
            f"/api/v1/tasks/{task}/history", headers=world.token("auditor")
        ).json()["events"]
        assert events[-1]["actor"] == username
        if command is Command.CHASE:
            assert events[-1]["type"] == "ChaseUpSent"
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert world.event_count() == before
        assert not (world.settings.upload_dir / task).exists()


def test_the_matrix_is_what_the_docs_say() -> None:
    agency = {
        Command.EXECUTE,
        Command.REPORT,
        Command.RAISE,
        Command.REQUEST_EXTENSION,
        Command.CHECK_IN,
    }
    review = {Command.ACCEPT, Command.RETURN, Command.ANSWER, Command.CHASE}
    assert ALLOWED[Role.AGENCY_OFFICER] == ALLOWED[Role.AGENCY_HEAD] == agency
    assert ALLOWED[Role.OFFICE_STAFF] == review
    assert ALLOWED[Role.OFFICE_DIRECTOR] == review | {
        Command.EXTEND,
        Command.REASSIGN,
        Command.CANCEL,
    }
    assert ALLOWED[Role.AUDITOR] == ALLOWED[Role.ADMIN] == frozenset()


def test_the_clock_used_is_the_injected_one(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    world.clock.set(datetime.fromisoformat("2022-03-05T09:00:00+07:00"))
    world.client.post(f"/api/v1/tasks/{task}/execute", json={}, headers=world.token("officer-a"))
    events = world.client.get(
        f"/api/v1/tasks/{task}/history", headers=world.token("auditor")
    ).json()["events"]
    assert events[-1]["timestamp"] == "2022-03-05T02:00:00+00:00"
