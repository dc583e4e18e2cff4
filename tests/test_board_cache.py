"""The board's cache: a write or a move of the judging time gives fresh counts, a hit runs no
aggregate, and concurrent identical misses run it once — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from planflow.application.app import PlanflowApp
from planflow.application.queries import AgencyRow, BoardFilter, counts_by_agency, list_tasks
from planflow.application.queries.board_cache import BoardCache
from webkit import WebWorld

NOON = datetime(2022, 3, 21, 5, 0, 30, tzinfo=UTC)  # 12:00:30 on 21/3 in Vietnam


class Counting:
    """The real aggregate, counted; ``gate`` (when set) holds each call until it opens."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate: threading.Event | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> list[AgencyRow]:
        self.calls += 1
        if self.gate is not None:
            assert self.gate.wait(timeout=30)
        return counts_by_agency(*args, **kwargs)


def _cache(app: PlanflowApp, compute: Counting) -> BoardCache:
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    return BoardCache(app.engine, events, compute=compute)


def _totals(rows: Sequence[AgencyRow]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in rows:
        for word, n in row.counts.items():
            totals[word] = totals.get(word, 0) + n
    return totals


def _task(app: PlanflowApp, duty: str, agency: str) -> UUID:
    views = list_tasks(app.engine, NOON, BoardFilter(duty=duty, agency=agency), as_of=False)
    return UUID(views[0].id)


def test_a_hit_in_the_same_minute_runs_no_aggregate_and_gives_the_same_rows(
    loaded: PlanflowApp,
) -> None:
    compute = Counting()
    cache = _cache(loaded, compute)
    first = cache.counts(NOON)
    again = cache.counts(NOON + timedelta(seconds=20))
    assert compute.calls == 1 and (cache.stats.hits, cache.stats.misses) == (1, 1)
    assert [r.as_json() for r in again] == [r.as_json() for r in first]
    assert [r.as_json() for r in first] == [
        r.as_json() for r in counts_by_agency(loaded.engine, NOON)
    ]
    cache.counts(NOON, period="2022-Q1")  # other parameters are another entry
    assert compute.calls == 2


def test_a_written_event_gives_fresh_counts_at_once(loaded: PlanflowApp) -> None:
    compute = Counting()
    cache = _cache(loaded, compute)
    before = _totals(cache.counts(NOON))
    version = cache.last_notification_id()
    loaded.execute_activity(_task(loaded, "D1", "so-a"), actor="a", at=NOON)
    assert cache.last_notification_id() > version
    after = _totals(cache.counts(NOON))
    assert compute.calls == 2
    assert after["done_on_time"] == before["done_on_time"] + 1
    assert sum(after.values()) == sum(before.values())


def test_the_next_minute_is_judged_again_and_midnight_changes_the_counts(
    loaded: PlanflowApp,
) -> None:
    compute = Counting()
    cache = _cache(loaded, compute)
    cache.counts(NOON)
    cache.counts(NOON + timedelta(minutes=1))
    assert compute.calls == 2
    # 31/3 23:59:40 and 1/4 00:00:10 in Vietnam: Q1's open tasks (due 31/3) turn overdue.
    late = datetime(2022, 3, 31, 16, 59, 40, tzinfo=UTC)
    evening = _totals(cache.counts(late))
    morning = _totals(cache.counts(late + timedelta(seconds=30)))
    assert compute.calls == 4
    assert morning["open_overdue"] > evening["open_overdue"]
    assert morning == _totals(counts_by_agency(loaded.engine, late + timedelta(seconds=30)))


def test_concurrent_identical_misses_run_the_aggregate_once(loaded: PlanflowApp) -> None:
    compute = Counting()
    compute.gate = threading.Event()
    cache = _cache(loaded, compute)
    results: list[Sequence[AgencyRow]] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.counts(NOON))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for _ in range(300):  # until the seven others wait on the first one's aggregate
        if cache.stats.joined == 7:
            break
        threading.Event().wait(0.01)
    compute.gate.set()
    for thread in threads:
        thread.join(timeout=30)
    assert compute.calls == 1 and cache.stats.joined == 7 and len(results) == 8
    assert all(r is results[0] for r in results)


def test_a_failed_aggregate_reaches_every_waiter_and_is_not_kept(loaded: PlanflowApp) -> None:
    calls: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> list[AgencyRow]:
        calls.append(1)
        raise RuntimeError("database gone")

    events = loaded.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    cache = BoardCache(loaded.engine, events, compute=failing)
    with pytest.raises(RuntimeError):
        cache.counts(NOON)
    cache.compute = counts_by_agency
    assert cache.counts(NOON) and len(calls) == 1


def test_an_as_of_board_is_keyed_by_its_exact_moment(loaded: PlanflowApp) -> None:
    compute = Counting()
    cache = _cache(loaded, compute)
    task = _task(loaded, "D1", "so-a")
    loaded.execute_activity(task, actor="a", at=NOON)
    before = _totals(cache.counts(NOON - timedelta(seconds=10), as_of=True))
    after = _totals(cache.counts(NOON + timedelta(seconds=10), as_of=True))
    assert compute.calls == 2
    assert after["done_on_time"] == before["done_on_time"] + 1


def test_the_board_endpoint_answers_from_the_cache_until_a_command_is_written(
    world: WebWorld,
) -> None:
    world.clock.set(NOON)
    director = world.token("director")
    first = world.client.get("/api/v1/board", headers=director).json()
    assert world.client.get("/api/v1/board", headers=director).json() == first
    cache = world.web.state.ctx.board_cache()
    assert (cache.stats.misses, cache.stats.hits) == (1, 1)
    done = world.client.post(
        f"/api/v1/tasks/{world.task_id('D1', 'so-a')}/execute",
        json={"note": ""},
        headers=world.token("officer-a"),
    )
    assert done.status_code == 200, done.text
    after = world.client.get("/api/v1/board", headers=director).json()
    assert after["totals"]["done_on_time"] == first["totals"]["done_on_time"] + 1
    assert cache.stats.misses == 2


def test_the_board_page_is_drawn_from_the_cache_until_a_command_is_written(
    world: WebWorld,
) -> None:
    from test_web_pages import sign_in

    world.clock.set(NOON)
    sign_in(world, "director")
    cache = world.web.state.ctx.board_cache()
    [task] = list_tasks(world.app.engine, NOON, BoardFilter(duty="D1", agency="so-a"), as_of=False)
    view = f"/board?period={task.period}"
    first = world.client.get(view)
    assert first.status_code == 200
    misses = cache.stats.misses
    again = world.client.get(view)
    assert again.text == first.text and cache.stats.misses == misses
    world.client.get("/board?period=all")  # another view is another entry
    assert cache.stats.misses == misses + 1
    done = world.client.post(
        f"/api/v1/tasks/{task.id}/execute", json={"note": ""}, headers=world.token("officer-a")
    )
    assert done.status_code == 200, done.text
    after = world.client.get(view)
    assert cache.stats.misses == misses + 2 and after.text != first.text
