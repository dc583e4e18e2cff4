"""At phone widths (360–400 px) every page fits: no horizontal scroll, a short header with
"Đăng xuất" visible, the board as a list of agencies with their counts, forms inside their cards,
and at 390 px axe-core finds no serious or critical violation in the phone layout either."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from .axe import blocking, run_axe
from .conftest import SCREENSHOTS, LiveServer
from .test_pages_in_chromium import _varied_history, sign_in, task_of

# Elements wider than the page, or sticking out of it (the first few, to name in a failure).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let clipped = false;
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
    }
    if (!clipped && (r.right > width + 0.5 || r.left < -0.5)) {
      out.push(e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') +
               ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: width, out: out.slice(0, 5)};
}"""

# Controls that stick out of the card or form that holds them.
OUTSIDE_CARD = """() => {
  const out = [];
  for (const e of document.querySelectorAll('main select, main input, main textarea, main button')) {
    if (e.type === 'hidden') continue;
    const box = e.closest('.card, form');
    if (!box) continue;
    const r = e.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.width && (r.right > b.right + 0.5 || r.left < b.left - 0.5)) {
      out.push((e.name || e.tagName) + ' ' + Math.round(r.right) + ' > ' + Math.round(b.right));
    }
  }
  return out;
}"""


def shot(page: Any, live: LiveServer, name: str) -> None:
    """The first two screens of the page (docs/screenshots/, with PLANFLOW_SCREENSHOTS=1)."""
    if live.screenshot_wanted():
        width = page.viewport_size["width"]
        clip = {"x": 0, "y": 0, "width": width, "height": 1600}
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True, clip=clip)


def _phone(browser: Any, width: int) -> Any:
    return browser.new_context(
        viewport={"width": width, "height": 800},
        locale="vi-VN",
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,  # axe-core is injected as an inline script
    )


@pytest.fixture(params=[360, 390])
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = _phone(browser, request.param)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone390(browser: Any) -> Iterator[Any]:
    context = _phone(browser, 390)
    yield context.new_page()
    context.close()


def _fits(page: Any, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state()
    found = page.evaluate(OVERFLOW)
    problems = []
    if found["scroll"] > found["width"]:
        problems.append(
            f"{url}: page {found['scroll']} px wide in {found['width']}: {found['out']}"
        )
    outside = page.evaluate(OUTSIDE_CARD)
    if outside:
        problems.append(f"{url}: controls outside their card: {outside[:5]}")
    if page.viewport_size["width"] == 390:  # the phone layout passes axe-core too
        problems += [f"{url}: {line}" for line in blocking(run_axe(page))]
    return problems


def _sign_out_visible(page: Any) -> None:
    """Sign-out inside the screen, the header no taller than three short lines."""
    width = page.evaluate("() => document.documentElement.clientWidth")
    button = page.get_by_role("button", name="Đăng xuất")
    assert button.is_visible()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 110, (page.url, header)


def test_every_page_fits_a_phone_without_horizontal_scroll_and_sign_out_stays_visible(
    phone: Any, live: LiveServer
) -> None:
    _varied_history(live)
    task = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q3")
    live.clock.set(datetime(2022, 9, 26, 2, tzinfo=UTC))
    live.app.chase_up(UUID(task), actor="director", at=live.clock(), note="Đề nghị gửi báo cáo")
    page, url = phone, live.url
    problems = _fits(page, f"{url}/login") + _fits(page, f"{url}/no-such-page")
    visits = {
        "director": [
            "/board",
            "/board?period=2022-Q2",
            "/board?period=2022-Q1&agency=so-tu-phap&status=open_overdue",
            "/board/tasks?period=2022-Q2",
            f"/tasks/{task}",
            "/agency?agency=so-tu-phap",
            "/inbox?show=all",
        ],
        "officer-a": ["/agency", "/inbox", f"/tasks/{task}"],
        "auditor": ["/audit", "/audit?agency=so-tu-phap&as_of=2022-04-01"],
    }
    for username, paths in visits.items():
        sign_in(page, live, username)
        for path in paths:
            problems += _fits(page, url + path)
            _sign_out_visible(page)
            if path == "/agency" and page.viewport_size["width"] == 390:
                shot(page, live, "agency-390.png")
    assert problems == [], "\n".join(problems)


def test_at_390_px_the_board_is_a_list_of_agencies_with_their_counts(
    phone390: Any, live: LiveServer
) -> None:
    phone = phone390
    _varied_history(live)
    live.clock.set(datetime(2022, 7, 5, 2, tzinfo=UTC))
    sign_in(phone, live, "director")
    phone.goto(f"{live.url}/board?period=2022-Q2")
    _sign_out_visible(phone)
    assert not phone.locator("[data-testid=grid]").is_visible()  # the wide grid is for desks
    rows = phone.locator("[data-testid=overview] tbody tr[data-agency]")
    assert rows.count() > 5
    first = rows.first
    box = first.bounding_box()
    assert box is not None and box["width"] <= 390
    # Each agency shows its name and its four counts, each a named link that fits the screen.
    name = first.locator("th").inner_text().strip()
    assert name and name != first.get_attribute("data-agency")  # a name, not a code
    counts = first.locator("td.num a")
    assert counts.count() == 5
    for i in range(counts.count()):
        link = counts.nth(i)
        assert link.is_visible()
        label = link.get_attribute("aria-label") or link.inner_text()
        assert label.strip()
        b = link.bounding_box()
        assert b is not None and b["x"] + b["width"] <= 390 and b["height"] >= 24  # a finger's size
    assert blocking(run_axe(phone)) == []
    shot(phone, live, "board-390.png")
