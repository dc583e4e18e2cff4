"""axe-core (vendored from npm) finds no serious or critical violation on any page, in both languages.

The pages are filled first: half a year of reports (on time, late, missing), a difficulty and a
chase-up in the officer's inbox, so that every table, badge, form and link is on the page axe reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from .axe import blocking, run_axe
from .conftest import LiveServer
from .test_pages_in_chromium import _varied_history, sign_in, task_of

PLAN = "kien-giang-2022-tthc"


@pytest.fixture
def axe_page(browser: Any) -> Iterator[Any]:
    """A page whose context lets axe be injected despite planflow's CSP (no inline scripts)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", bypass_csp=True
    )
    opened = context.new_page()
    yield opened
    context.close()


def _story(live: LiveServer) -> dict[str, str]:
    """A history to show and the tasks the pages open."""
    _varied_history(live)
    q3 = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q3")
    q1 = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q1")
    live.clock.set(datetime(2022, 9, 26, 2, tzinfo=UTC))
    live.app.chase_up(
        UUID(q3), actor="director", at=live.clock(), note="Đề nghị gửi báo cáo quý 3 đúng hạn"
    )
    live.clock.set(datetime(2022, 10, 20, 2, tzinfo=UTC))
    return {"q3": q3, "q1": q1}


def _check(page: Any, url: str, found: dict[str, list[str]], name: str) -> None:
    response = page.goto(url)
    assert response is not None
    page.wait_for_load_state()
    lines = blocking(run_axe(page))
    if lines:
        found[name] = lines


def _as(page: Any, live: LiveServer, username: str | None, lang: str) -> None:
    if username:
        sign_in(page, live, username)
    else:
        page.context.clear_cookies()
    page.goto(f"{live.url}/lang/{lang}?next=/login")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    axe_page: Any, live: LiveServer, lang: str
) -> None:
    tasks = _story(live)
    page, url, found = axe_page, live.url, {}
    pages: list[tuple[str | None, list[tuple[str, str]]]] = [
        (None, [("login", "/login"), ("404 signed out", "/no-such-page")]),
        (
            "director",
            [
                ("board", "/board"),
                ("board Q2 with its grid", "/board?period=2022-Q2"),
                (
                    "board filtered",
                    "/board?period=2022-Q1&agency=so-tu-phap&status=open_overdue",
                ),
                ("board all periods", "/board?period=all"),
                ("task list", "/board/tasks?period=2022-Q2&status=done_late"),
                ("task (director)", f"/tasks/{tasks['q3']}"),
                ("agency (director)", "/agency?agency=so-tu-phap"),
                ("inbox (director)", "/inbox?show=all"),
                ("404 signed in", "/tasks/no-such-task/nothing"),
                ("404 unknown task", "/tasks/00000000-0000-0000-0000-000000000000"),
            ],
        ),
        (
            "officer-a",
            [
                ("agency", "/agency"),
                ("inbox", "/inbox"),
                ("task (officer)", f"/tasks/{tasks['q3']}"),
            ],
        ),
        (
            "auditor",
            [
                ("audit", "/audit"),
                ("audit as of", "/audit?agency=so-tu-phap&as_of=2022-04-01"),
                ("task as of", f"/tasks/{tasks['q1']}?as_of=2022-03-14T12:00"),
            ],
        ),
    ]
    pages.append(("admin", []))  # the pages its header links to (accounts pages, once there)
    for username, visits in pages:
        _as(page, live, username, lang)
        page.goto(f"{url}/")
        nav = page.eval_on_selector_all("header.top nav a", "links => links.map(a => a.href)")
        for name, path in visits:
            _check(page, url + path, found, name)
        for link in nav:  # every page the header offers this account, whatever it is
            _check(page, link, found, f"{username}: {link.removeprefix(url)}")
    # The consolidated report is a download: its HTML is read in the page as it is.
    _as(page, live, "director", lang)
    report = page.request.get(f"{url}/board/summary?plan={PLAN}&period=2022-Q2&format=html")
    assert report.ok, report.status
    page.set_content(report.text())
    lines = blocking(run_axe(page))
    if lines:
        found["consolidated report (HTML)"] = lines
    assert found == {}, "\n".join(f"[{k}] {line}" for k, v in found.items() for line in v)
