"""Through the web: the recipient of a report reviews it and sees it on its own page; a
cooperating task is shown apart and counted apart on the board."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from planflow.workflow.loader import load_workflow
from test_owners import ROLES_DUTIES, SECTIONS, mini_with
from test_web_pages import sign_in
from webkit import PDF, WebWorld, make_world, seed_database


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roles")
    plan = load_workflow(mini_with(folder, ROLES_DUTIES, SECTIONS))
    return seed_database(folder / "seed.db", plan)


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, template)


def _submit(world: WebWorld, task: str) -> None:
    response = world.client.post(
        f"/api/v1/tasks/{task}/report",
        headers=world.token("officer-a"),
        files={"file": ("du-toan.pdf", PDF)},
    )
    assert response.status_code == 200, response.text


def test_only_the_recipient_accepts_a_report_sent_to_it(world: WebWorld) -> None:
    task = world.task_id("D3", "so-a")
    _submit(world, task)
    for username in ("staff", "director", "officer-a", "head-a"):
        before = world.event_count()
        response = world.client.post(
            f"/api/v1/tasks/{task}/accept", json={}, headers=world.token(username)
        )
        assert response.status_code == 403, (username, response.text)
        assert world.event_count() == before
    response = world.client.post(
        f"/api/v1/tasks/{task}/accept", json={}, headers=world.token("officer-b")
    )
    assert response.status_code == 200, response.text
    assert world.app.get_task(UUID(task)).is_done


def test_the_recipient_returns_a_report_and_the_sender_may_send_it_again(world: WebWorld) -> None:
    task = world.task_id("D3", "so-a")
    _submit(world, task)
    response = world.client.post(
        f"/api/v1/tasks/{task}/return",
        json={"reason": "thiếu thuyết minh"},
        headers=world.token("officer-b"),
    )
    assert response.status_code == 200, response.text
    _submit(world, task)


def test_an_ordinary_report_is_still_reviewed_by_the_office(world: WebWorld) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    _submit(world, task)
    refused = world.client.post(
        f"/api/v1/tasks/{task}/accept", json={}, headers=world.token("officer-b")
    )
    assert refused.status_code == 403
    accepted = world.client.post(
        f"/api/v1/tasks/{task}/accept", json={}, headers=world.token("staff")
    )
    assert accepted.status_code == 200, accepted.text


def test_the_recipient_sees_what_it_must_review_on_its_page(world: WebWorld) -> None:
    task = world.task_id("D3", "so-a")
    sign_in(world, "officer-b")
    before = world.client.get("/agency").text
    assert 'data-testid="to-review-none"' in before
    _submit(world, task)
    page = world.client.get("/agency").text
    assert 'data-testid="to-review"' in page and f"/tasks/{task}" in page
    # the task page offers the recipient the review forms, and names the recipient
    detail = world.client.get(f"/tasks/{task}").text
    assert 'data-testid="task-recipient"' in detail
    assert 'data-testid="accept"' in detail and 'data-testid="return-send"' in detail
    world.client.cookies.clear()
    sign_in(world, "staff")
    assert 'data-testid="accept"' not in world.client.get(f"/tasks/{task}").text
    board = world.client.get("/board?period=2022").text
    assert f"/tasks/{task}" in board and f'data-testid="accept-{task}"' not in board


def test_a_cooperating_task_is_shown_apart_and_counted_apart(world: WebWorld) -> None:
    sign_in(world, "officer-b")
    page = world.client.get("/agency").text
    assert 'data-testid="cooperating-tasks"' in page
    coop = world.task_id("D4", "so-b")
    detail = world.client.get(f"/tasks/{coop}").text
    assert 'data-role="cooperating"' in detail
    world.client.cookies.clear()
    sign_in(world, "director")
    board = world.client.get("/board?period=2022").text
    assert 'data-testid="cooperating-count"' in board


def test_a_task_under_a_personally_responsible_section_says_so(world: WebWorld) -> None:
    sign_in(world, "officer-a")
    d1 = world.task_id("D1", "so-a")
    assert 'data-testid="personal-responsibility"' in world.client.get(f"/tasks/{d1}").text
    d3 = world.task_id("D3", "so-a")
    assert 'data-testid="personal-responsibility"' not in world.client.get(f"/tasks/{d3}").text
