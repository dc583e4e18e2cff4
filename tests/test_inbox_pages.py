"""The inbox in pages of 50 (a director's inbox held 138 items on one 19,000-px phone page): the
pages together hold every item once, newest first, and the pager keeps the page's filter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from planflow.workflow.loader import LoadedPlan
from test_web_pages import sign_in
from webkit import WebWorld, make_world, seed_database


@pytest.fixture
def world(tmp_path: Path, mini_plan: LoadedPlan) -> Iterator[WebWorld]:
    (tmp_path / "seed").mkdir()
    template = seed_database(tmp_path / "seed" / "seed.db", mini_plan)
    yield from make_world(tmp_path, template)


def _items(html: str) -> list[str]:
    return re.findall(r'data-testid="inbox-item" data-type="[^"]+" data-task="([^"]+)"', html)


def _keys(html: str) -> list[str]:
    return re.findall(r'name="item" value="([^"]+)"><input type="hidden" name="open"', html)


def test_sixty_chase_ups_come_in_two_pages_each_item_once(world: WebWorld) -> None:
    task = UUID(world.task_id("D1", "so-a"))
    start = datetime(2022, 3, 1, 2, tzinfo=UTC)
    for minute in range(60):
        world.app.chase_up(task, actor="staff", at=start + timedelta(minutes=minute))
    world.clock.set(start + timedelta(hours=2))
    sign_in(world, "officer-a")
    first = world.client.get("/inbox?show=all").text
    assert len(_items(first)) == 50
    assert "1 / 2 (1–50 / 60)" in first
    assert 'href="/inbox?show=all&amp;page=2"' in first  # the filter is kept
    second = world.client.get("/inbox?show=all&page=2").text
    assert len(_items(second)) == 10 and "2 / 2 (51–60 / 60)" in second
    keys = _keys(first) + _keys(second)
    assert len(keys) == len(set(keys)) == 60
    versions = [int(k.split(":")[1]) for k in keys]
    assert versions == sorted(versions, reverse=True)  # newest first, across pages
    beyond = world.client.get("/inbox?show=all&page=99").text
    assert "2 / 2" in beyond and len(_items(beyond)) == 10
