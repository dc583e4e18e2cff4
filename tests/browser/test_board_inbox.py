"""The director filters the board and follows a count; an officer reads a chase-up in the inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from .conftest import LiveServer
from .test_pages_in_chromium import shot, sign_in, task_of


def test_the_director_filters_the_board_to_one_agency_and_status_and_follows_a_count(
    page: Any, live: LiveServer
) -> None:
    live.clock.set(datetime(2022, 4, 20, 2, tzinfo=UTC))  # the Q1 reports are overdue
    done = task_of(live, "IV.1.a.2", "so-noi-vu", "2022-Q1")
    live.app.submit_report(
        UUID(done), actor="officer-b", at=datetime(2022, 3, 14, 2, tzinfo=UTC), document="b.pdf"
    )
    live.app.accept_report(UUID(done), actor="director", at=datetime(2022, 3, 15, 2, tzinfo=UTC))
    sign_in(page, live, "director")
    page.goto(f"{live.url}/board")
    page.select_option("[data-testid=period]", "2022-Q1")
    page.select_option("[data-testid=filter-agency]", "so-tu-phap")
    page.select_option("[data-testid=filter-status]", "open_overdue")
    page.click("[data-testid=filter-show]")
    page.wait_for_load_state()
    assert "agency=so-tu-phap" in page.url and "status=open_overdue" in page.url
    overview = page.locator("[data-testid=overview] tbody tr")
    assert overview.count() == 1
    assert "Sở Tư pháp" in overview.inner_text()
    assert page.get_by_text("Quý 1 năm 2022").count() > 0
    count = page.locator("[data-testid=count-so-tu-phap-open_overdue]")
    expected = int(count.inner_text())
    assert expected >= 1
    shot(page, live, "board-filtered.png")
    count.click()
    page.wait_for_load_state()
    assert "/board/tasks?" in page.url
    rows = page.locator("[data-testid=tasks] tbody tr[data-task]")
    assert rows.count() == expected
    for i in range(expected):
        assert rows.nth(i).get_attribute("data-agency") == "so-tu-phap"
        assert rows.nth(i).get_attribute("data-status") == "open_overdue"
    assert "Quá hạn chưa hoàn thành" in rows.first.inner_text()
    # The address is the view: opened anew, it shows the same list.
    page.goto(page.url)
    assert page.locator("[data-testid=tasks] tbody tr[data-task]").count() == expected
    shot(page, live, "board-tasks.png")


def test_the_officer_sees_a_chase_up_in_the_inbox_and_it_clears_when_read(
    page: Any, live: LiveServer
) -> None:
    task = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q1")
    live.clock.set(datetime(2022, 3, 14, 2, tzinfo=UTC))
    sign_in(page, live, "director")
    page.goto(f"{live.url}/tasks/{task}")
    page.fill("[data-testid=chase] textarea[name=note]", "Đề nghị gửi báo cáo đúng hạn")
    page.click("[data-testid=chase-send]")
    page.wait_for_load_state()
    sign_in(page, live, "officer-a")
    page.goto(f"{live.url}/agency")
    assert page.inner_text("[data-testid=inbox-count]") == "1"
    page.click("[data-testid=inbox-link]")
    page.wait_for_load_state()
    item = page.locator("[data-testid=inbox-item]")
    assert item.count() == 1
    assert item.get_attribute("data-type") == "ChaseUpSent"
    assert "Văn phòng đôn đốc Giám đốc Sở Tư pháp" in item.inner_text()
    shot(page, live, "inbox.png")
    item.locator("[data-testid=inbox-open]").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/tasks/{task}")
    assert page.locator("[data-testid=inbox-count]").count() == 0
    page.goto(f"{live.url}/inbox")
    assert page.locator("[data-testid=inbox-empty]").count() == 1
    page.goto(f"{live.url}/inbox?show=all")
    assert page.locator("[data-testid=inbox-item].read").count() == 1
