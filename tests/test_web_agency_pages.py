"""The agency's page (/agency) reads each of its lists a page at a time (``queries.tasklists``:
SQL ``LIMIT``/``OFFSET`` and a ``COUNT``); its pages must be the full lists of ``list_tasks`` cut in
order, on the Kiên Giang plan played through 2022 (summary_year.py), on SQLite and PostgreSQL, and
the page stays the same size as the tasks grow."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, TaskView, list_tasks
from planflow.application.queries.tasklists import count_tasks, page_of_tasks
from planflow.domain.clock import LOCAL_TZ
from planflow.web.accounts import AccountStore, Role
from planflow.web.factory import create_app
from planflow.web.pages import agency as agency_page
from planflow.web.settings import WebSettings
from planflow.workflow.loader import LoadedPlan
from summary_year import played_year
from test_web_board_sql import _assign
from test_web_pages import sign_in
from webkit import PASSWORD, WebWorld

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

NOW = datetime(2022, 10, 3, 9, 0, tzinfo=LOCAL_TZ)
LISTS = ("open", "review", "cooperating", "done")


@dataclass
class Year:
    app: PlanflowApp
    client: TestClient


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kien_giang: LoadedPlan
) -> Iterator[Year]:
    with played_year(request.param, tmp_path_factory.mktemp("agency"), kien_giang) as app:
        url = app.engine.url.render_as_string(hide_password=False)
        AccountStore(app.engine).add("director", Role.OFFICE_DIRECTOR, PASSWORD, NOW)
        web = create_app(
            WebSettings(database_url=url, secret_key="test"), lambda: NOW, application=app
        )
        with TestClient(web) as client:
            page = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token
            data = {"username": "director", "password": PASSWORD, "csrf_token": token.group(1)}
            assert client.post("/login", data=data, follow_redirects=False).status_code == 303
            yield Year(app, client)


def _full(app: PlanflowApp, agency: str) -> dict[str, list[TaskView]]:
    """Each list as the page built it before: every task read, split in Python."""
    views = list_tasks(app.engine, NOW, BoardFilter(agency=agency), as_of=False)
    lead = [v for v in views if not v.is_cooperating]
    received = list_tasks(app.engine, NOW, BoardFilter(recipient=agency), as_of=False)
    return {
        "open": [v for v in lead if v.completed_at is None],
        "review": [v for v in received if v.state == "submitted"],
        "cooperating": [v for v in views if v.is_cooperating],
        "done": [v for v in lead if v.completed_at is not None],
    }


def _agencies(app: PlanflowApp) -> list[str]:
    """Every agency with tasks, every agency that receives reports, and no agency ("": every task)."""
    views = list_tasks(app.engine, NOW, BoardFilter(), as_of=False)
    return sorted({v.agency for v in views} | {v.recipient for v in views})


def test_each_list_read_a_page_at_a_time_is_the_full_list_cut_in_order(year: Year) -> None:
    app = year.app
    compared = 0
    for agency in _agencies(app):
        full = _full(app, agency)
        mine = BoardFilter(agency=agency)
        counts = count_tasks(app.engine, mine)
        assert (counts.lead_open, counts.cooperating, counts.lead_done) == (
            len(full["open"]),
            len(full["cooperating"]),
            len(full["done"]),
        )
        assert counts.total == len(full["open"]) + len(full["cooperating"]) + len(full["done"])
        received = count_tasks(app.engine, BoardFilter(recipient=agency))
        assert received.submitted == len(full["review"])
        options: dict[str, dict[str, Any]] = {
            "open": {"cooperating": False, "completed": False},
            "review": {"state": "submitted"},
            "cooperating": {"cooperating": True},
            "done": {"cooperating": False, "completed": True},
        }
        for name in LISTS:
            filters = BoardFilter(recipient=agency) if name == "review" else mine
            pages: list[TaskView] = []
            for offset in range(0, len(full[name]) + 7, 7):
                page = page_of_tasks(
                    app.engine, NOW, filters, limit=7, offset=offset, **options[name]
                )
                assert len(page) <= 7
                pages.extend(page)
            assert pages == full[name], (agency, name)
            compared += len(pages)
    assert compared > 1000
    every = _full(app, "")
    assert len(every["open"]) > 100 and len(every["done"]) > 100  # more than one page
    assert len(every["review"]) > 7  # the reports awaiting review, of every recipient


def _ids(page: str, testid: str) -> list[str]:
    found = re.search(rf'data-testid="{testid}">(.*?)</table>', page, re.S)
    return re.findall(r'href="/tasks/([0-9a-f-]{36})"', found.group(1)) if found else []


def test_the_page_shows_today_s_first_rows_and_pages_through_each_list(
    year: Year, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agency_page, "ROWS_PER_PAGE", 3)
    lists = {a: _full(year.app, a) for a in _agencies(year.app) if a}
    busiest = max(lists, key=lambda a: (min(len(lists[a]["open"]), len(lists[a]["done"]) // 2), a))
    full = _full(year.app, busiest)
    assert len(full["open"]) > 3 and len(full["done"]) > 6
    page = year.client.get(f"/agency?agency={busiest}").text
    assert _ids(page, "open-tasks") == [v.id for v in full["open"][:3]]
    assert _ids(page, "done-tasks") == [v.id for v in full["done"][:3]]
    assert _ids(page, "cooperating-tasks") == [v.id for v in full["cooperating"][:3]]
    pages = -(-len(full["open"]) // 3)
    assert f"1 / {pages} (1–3 / {len(full['open'])})" in page
    assert f'href="/agency?agency={busiest}&amp;open_page=2"' in page
    second = year.client.get(f"/agency?agency={busiest}&open_page=2&done_page=3").text
    assert _ids(second, "open-tasks") == [v.id for v in full["open"][3:6]]
    assert _ids(second, "done-tasks") == [v.id for v in full["done"][6:9]]
    # each list's links keep the other lists' pages (open back to its first page here)
    assert f'href="/agency?agency={busiest}&amp;done_page=3"' in second
    # beyond the last page: the last page, as /board/tasks does
    last = year.client.get(f"/agency?agency={busiest}&open_page=999").text
    assert _ids(last, "open-tasks") == [v.id for v in full["open"][(pages - 1) * 3 :]]
    refused = year.client.get(f"/agency?agency={busiest}&open_page=hai")
    assert refused.status_code == 422  # as /board/tasks?page=hai
    assert "open_page phải là số nguyên" in refused.text


def test_the_agency_page_stays_the_same_size_as_the_tasks_grow(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agency_page, "ROWS_PER_PAGE", 20)
    sign_in(world, "director")
    _assign(world.app, 500, 0)  # 25 tasks per agency
    small = world.client.get("/agency?agency=AG00")
    _assign(world.app, 1500, 500)  # 100 tasks per agency
    big = world.client.get("/agency?agency=AG00")
    assert small.status_code == big.status_code == 200
    assert len(big.content) <= len(small.content) + 1_000, (len(small.content), len(big.content))
    assert len(_ids(big.text, "open-tasks")) == 20
    assert 'data-testid="pager-open"' in big.text and "1 / 5 (1–20 / 100)" in big.text


def test_a_page_number_that_is_not_a_whole_number_is_refused_for_each_list(
    world: WebWorld,
) -> None:
    sign_in(world, "officer-a")
    for name in LISTS:
        response = world.client.get(f"/agency?{name}_page=-1")
        assert response.status_code == 422, name
        assert f"{name}_page phải là số nguyên" in response.text
    assert world.client.get("/agency?done_page=0").status_code == 200
