"""Three scenarios in a real browser, with the server's clock moved by the test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planflow.application.queries import BoardFilter, list_tasks
from webkit import LOADED_AT, PASSWORD, PDF

from .conftest import SCREENSHOTS, LiveServer

RED = "rgb(198, 40, 40)"
GREEN = "rgb(46, 125, 50)"


def sign_in(page: Any, live: LiveServer, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def task_of(live: LiveServer, duty: str, agency: str, period: str) -> str:
    views = list_tasks(
        live.app.engine,
        live.clock(),
        BoardFilter(duty=duty, agency=agency, period=period),
        as_of=False,
    )
    return views[0].id


def shot(page: Any, live: LiveServer, name: str) -> None:
    if live.screenshot_wanted():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def cell(page: Any, task: str) -> Any:
    return page.locator(f'td.cell[data-task="{task}"]')


def test_the_director_sees_a_task_turn_red_once_the_clock_passes_its_deadline(
    page: Any, live: LiveServer
) -> None:
    task = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q1")
    live.clock.set(datetime(2022, 3, 15, 2, tzinfo=UTC))
    sign_in(page, live, "director")
    page.goto(f"{live.url}/board?period=2022-Q1")
    assert cell(page, task).get_attribute("data-status") == "open_in_time"
    live.clock.set(datetime(2022, 3, 22, 2, tzinfo=UTC))
    page.reload()
    assert cell(page, task).get_attribute("data-status") == "open_overdue"
    colour = cell(page, task).evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == RED
    assert "Quá hạn chưa hoàn thành" in page.inner_text("body")


def test_an_officer_submits_a_report_and_the_director_sees_it_done_after_accepting(
    page: Any, live: LiveServer, tmp_path: Path
) -> None:
    task = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q1")
    live.clock.set(datetime(2022, 3, 14, 2, tzinfo=UTC))
    sign_in(page, live, "officer-a")  # an officer of so-tu-phap in the browser seed
    page.goto(f"{live.url}/tasks/{task}")
    report = tmp_path / "bao-cao-quy-1.pdf"
    report.write_bytes(PDF)
    page.set_input_files("[data-testid=report-file]", str(report))
    page.click("[data-testid=submit-report]")
    page.wait_for_load_state()
    assert page.get_attribute("[data-testid=report-state]", "data-state") == "submitted"
    live.clock.set(datetime(2022, 3, 15, 2, tzinfo=UTC))
    sign_in(page, live, "director")
    page.goto(f"{live.url}/board?period=2022-Q1")
    assert cell(page, task).get_attribute("data-status") == "open_in_time"
    page.click(f"[data-testid=accept-{task}]")
    page.wait_for_load_state()
    assert cell(page, task).get_attribute("data-status") == "done_on_time"
    assert cell(page, task).evaluate("e => getComputedStyle(e).backgroundColor") == GREEN


def test_an_auditor_moves_the_as_of_time_back_and_sees_the_earlier_state(
    page: Any, live: LiveServer
) -> None:
    from uuid import UUID

    task = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q1")
    live.app.submit_report(
        UUID(task), actor="officer-a", at=datetime(2022, 3, 14, 2, tzinfo=UTC), document="bc.pdf"
    )
    live.app.accept_report(UUID(task), actor="director", at=datetime(2022, 3, 15, 2, tzinfo=UTC))
    live.clock.set(datetime(2022, 4, 1, 2, tzinfo=UTC))
    sign_in(page, live, "auditor")
    page.goto(f"{live.url}/audit?agency=so-tu-phap")
    row = page.locator(f'tr[data-task="{task}"]')
    assert row.get_attribute("data-status") == "done_on_time"
    page.fill("[data-testid=as-of]", "2022-03-14T12:00")
    page.click("[data-testid=show]")
    page.wait_for_load_state()
    assert row.get_attribute("data-status") == "open_in_time"
    row.locator("a").click()
    page.wait_for_load_state()
    assert "Tình trạng tại thời điểm" in page.inner_text("body")
    assert page.get_attribute("[data-testid=report-state]", "data-state") == "submitted"


def _varied_history(live: LiveServer) -> None:
    """Half a year of work: some agencies on time, some late, some not at all."""
    from datetime import timedelta
    from uuid import UUID

    views = list_tasks(live.app.engine, live.clock(), BoardFilter(), as_of=False)
    for i, v in enumerate(v for v in views if v.due.month <= 6):
        if i % 5 == 4:
            continue  # never done: overdue
        late = i % 7 == 3
        day = v.due + timedelta(days=6 if late else -2)
        at = max(datetime(day.year, day.month, day.day, 2, tzinfo=UTC), LOADED_AT + timedelta(1))
        ref = UUID(v.id)
        if v.completion == "report":
            live.app.submit_report(ref, actor="officer-a", at=at, document="bao-cao.pdf")
            live.app.accept_report(ref, actor="director", at=at + timedelta(hours=3))
        else:
            live.app.execute_activity(ref, actor="officer-a", at=at, note="Đã thực hiện")
        if i % 11 == 0:
            live.app.raise_difficulty(
                ref, actor="officer-a", at=at + timedelta(hours=4), text="Thiếu kinh phí"
            )


def test_every_page_renders_in_chromium_and_can_be_saved_as_screenshots(
    page: Any, live: LiveServer
) -> None:
    """Writes docs/screenshots/*.png when PLANFLOW_SCREENSHOTS=1."""
    _varied_history(live)
    live.clock.set(datetime(2022, 7, 5, 2, tzinfo=UTC))
    page.goto(f"{live.url}/login")
    shot(page, live, "login.png")
    sign_in(page, live, "director")
    page.goto(f"{live.url}/board?period=2022-Q2")
    assert page.locator("td.cell").count() > 0 and page.locator("svg.chart rect").count() > 0
    shot(page, live, "board.png")
    task = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q3")
    page.goto(f"{live.url}/tasks/{task}")
    shot(page, live, "task-director.png")
    page.goto(f"{live.url}/lang/en?next=/board?period=2022-Q2")
    assert "Reports awaiting review" in page.inner_text("body")
    shot(page, live, "board-en.png")
    page.goto(f"{live.url}/lang/vi?next=/board")
    sign_in(page, live, "officer-a")
    page.goto(f"{live.url}/agency")
    assert page.locator("[data-testid=open-tasks] tr").count() > 1
    shot(page, live, "agency.png")
    page.goto(f"{live.url}/tasks/{task}")
    shot(page, live, "task-agency.png")
    sign_in(page, live, "auditor")
    page.goto(f"{live.url}/audit?agency=so-tu-phap&as_of=2022-04-01")
    shot(page, live, "audit.png")
    done = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q1")
    page.goto(f"{live.url}/tasks/{done}")
    assert page.locator("[data-testid=timeline] tr").count() >= 3
    shot(page, live, "task-timeline.png")
