"""A database outage is answered as such: 503 with Retry-After, a maintenance page, a scheduler
that backs off and resumes, and no acknowledged write lost.

The PostgreSQL test stops and restarts the local cluster under load (``pg_ctlcluster 15 main
stop -m fast`` / ``start``, as root); it runs only when PLANFLOW_TEST_POSTGRES_URL is set and always
restarts the cluster in its ``finally``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy.exc as sa
import uvicorn

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.domain.task import Task
from planflow.scheduler.runner import BackOff, Clock, clock_starting_at
from planflow.scheduler.tick import Ticker
from planflow.web.accounts import AccountStore, Role
from planflow.web.factory import create_app
from planflow.web.settings import WebSettings
from planflow.workflow.loader import LoadedPlan
from webkit import LOADED_AT, PASSWORD, WebWorld, make_world, seed_database

CLUSTER = ("15", "main")
ALLOWED = {409, 503}


# --- the scheduler backs off --------------------------------------------------------------------


def test_the_scheduler_backs_off_while_the_database_is_out_and_resumes() -> None:
    calls: list[int] = []
    outage = {"on": True}

    def job(moment: datetime) -> None:
        calls.append(len(calls))
        if outage["on"]:
            raise sa.OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    guarded = BackOff(job, max_skip=3)
    passes = [guarded(LOADED_AT) for _ in range(12)]
    # Tries on passes 0, 1, 3, 7, 11: waits of 0, 1, 3, 3 skipped passes (capped).
    assert len(calls) == 5 and not any(passes)
    outage["on"] = False
    for _ in range(4):
        guarded(LOADED_AT)
    assert guarded(LOADED_AT) is True and guarded.failures == 0


def test_an_error_that_is_not_an_outage_is_not_swallowed() -> None:
    def job(moment: datetime) -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        BackOff(job)(LOADED_AT)


# --- SQLite: the file's folder disappears ---------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, mini_plan: LoadedPlan) -> Path:
    return seed_database(tmp_path_factory.mktemp("seed") / "seed.db", mini_plan)


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[WebWorld]:
    (tmp_path / "store").mkdir()
    yield from make_world(tmp_path / "store", template)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_an_unreachable_store_answers_503_problems_and_a_maintenance_page(
    world: WebWorld, tmp_path: Path
) -> None:
    page = world.client.get("/login")
    world.client.post(
        "/login",
        data={"username": "officer-a", "password": PASSWORD, "csrf_token": _csrf(page.text)},
    )
    headers = world.token("officer-a")
    task = world.task_id("D2", "so-a", "2022-Q1")
    before = world.event_count()
    store, away = tmp_path / "store", tmp_path / "away"
    store.rename(away)  # the database file's folder is gone: no connection can open
    world.app.engine.dispose()
    try:
        api = world.client.post(f"/api/v1/tasks/{task}/raise", json={"text": "x"}, headers=headers)
        assert api.status_code == 503
        assert api.headers["content-type"].startswith("application/problem+json")
        assert int(api.headers["Retry-After"]) > 0
        assert "Cơ sở dữ liệu tạm thời không truy cập được" in api.json()["detail"]
        board = world.client.get("/agency")
        assert board.status_code == 503 and int(board.headers["Retry-After"]) > 0
        assert "bảo trì" in board.text and "Under maintenance" in board.text
        assert board.headers["X-Frame-Options"] == "DENY"
    finally:
        away.rename(store)
    world.app.engine.dispose()
    assert world.event_count() == before  # nothing was written
    again = world.client.post(f"/api/v1/tasks/{task}/raise", json={"text": "y"}, headers=headers)
    assert again.status_code == 200, again.text


# --- PostgreSQL stopped and restarted under load ----------------------------------------------


def _cluster(action: str) -> int:
    """``pg_ctlcluster <version> <name> <action>`` on the first cluster (15 main here)."""
    listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
    cluster = listed.stdout.split()[:2] or list(CLUSTER)
    return subprocess.run(
        ["pg_ctlcluster", *cluster, action, *(["-m", "fast"] if action == "stop" else [])],
        capture_output=True,
        timeout=60,
    ).returncode


@pytest.fixture
def restartable_postgres(postgres_url: str) -> Iterator[str]:
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        pytest.skip("stopping PostgreSQL needs pg_ctlcluster and root")
    try:
        yield postgres_url
    finally:
        if _cluster("status") != 0:
            _cluster("start")


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: list[tuple[str, str]] = field(default_factory=list)
    after_restart: list[tuple[float, str]] = field(default_factory=list)
    maintenance_pages: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, outcome: str, sent_at: float, restarted_at: float | None) -> None:
        with self.lock:
            self.statuses[outcome] += 1
            if restarted_at is not None and sent_at >= restarted_at:
                self.after_restart.append((sent_at, outcome))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(url: str, plan: LoadedPlan) -> list[str]:
    app = PlanflowApp(url)
    try:
        app.load_plan(plan, actor="loader", at=LOADED_AT)
        accounts = AccountStore(app.engine)
        accounts.add("officer-a", Role.AGENCY_OFFICER, PASSWORD, LOADED_AT, "so-a")
        views = list_tasks(app.engine, LOADED_AT, BoardFilter(agency="so-a"), as_of=False)
        return [v.id for v in views]
    finally:
        app.close()


@contextmanager
def served(url: str, tmp_path: Path) -> Iterator[tuple[PlanflowApp, Clock, str]]:
    """The web app on a real uvicorn server in a thread: (application, clock, base URL)."""
    application = PlanflowApp(url)
    clock = clock_starting_at(LOADED_AT + timedelta(days=1))
    settings = WebSettings(database_url=url, secret_key="outage", upload_dir=tmp_path / "up")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, clock, application=application),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield application, clock, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        serving.join(timeout=10)
        application.close()


def _token(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/token", data={"username": "officer-a", "password": PASSWORD}
    )
    return str(response.json()["access_token"])


def test_after_a_quiet_restart_pooled_connections_are_checked_and_no_request_fails(
    restartable_postgres: str, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    """The observed failure: after PostgreSQL came back, the first requests failed on pooled
    connections the restart had killed. With pre-ping every one succeeds."""
    tasks = _seed(restartable_postgres, mini_plan)
    with served(restartable_postgres, tmp_path) as (application, _clock, base):
        bearer = {"Authorization": f"Bearer {_token(base)}"}

        def burst(n: int) -> list[int]:
            def one(i: int) -> int:
                with httpx.Client(base_url=base, timeout=10) as client:
                    task = tasks[i % len(tasks)]
                    return client.get(f"/api/v1/tasks/{task}", headers=bearer).status_code

            with ThreadPoolExecutor(max_workers=n) as pool:
                return list(pool.map(one, range(n)))

        assert burst(8) == [200] * 8  # the pool now holds several connections
        assert application.engine.pool.checkedin() > 1  # type: ignore[attr-defined]
        assert _cluster("stop") == 0  # no request while it is down
        assert _cluster("start") == 0
        after = burst(8) + burst(8)
        print(f"\nquiet restart: {Counter(after)}")
        assert after == [200] * 16


def test_postgres_stopped_and_restarted_under_load_loses_no_acknowledged_write(
    restartable_postgres: str, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    tasks = _seed(restartable_postgres, mini_plan)
    with served(restartable_postgres, tmp_path) as (application, clock, base):
        token = _token(base)
        _run_load(application, clock, base, token, tasks)


def _run_load(
    application: PlanflowApp, clock: Clock, base: str, token: str, tasks: list[str]
) -> None:
    tally, stop = Tally(), threading.Event()
    marks: dict[str, float] = {}
    ticks: list[bool] = []

    def api_writer(n: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            i = 0
            while not stop.is_set():
                task, text = tasks[(n + i) % len(tasks)], f"w{n}-{i}"
                sent = time.monotonic()
                try:
                    r = client.post(
                        f"/api/v1/tasks/{task}/raise",
                        json={"text": text},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    outcome = str(r.status_code)
                    if r.is_success:
                        with tally.lock:
                            tally.acknowledged.append((task, text))
                except httpx.TransportError as exc:
                    outcome = type(exc).__name__
                tally.count(outcome, sent, marks.get("restarted"))
                i += 1

    def page_reader() -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            login = client.get("/login")
            client.post(
                "/login",
                data={
                    "username": "officer-a",
                    "password": PASSWORD,
                    "csrf_token": _csrf(login.text),
                },
            )
            while not stop.is_set():
                sent = time.monotonic()
                try:
                    r = client.get("/agency")
                    outcome = str(r.status_code)
                    if r.status_code == 503 and "bảo trì" in r.text and "Retry-After" in r.headers:
                        with tally.lock:
                            tally.maintenance_pages += 1
                except httpx.TransportError as exc:
                    outcome = type(exc).__name__
                tally.count(outcome, sent, marks.get("restarted"))
                time.sleep(0.02)

    def scheduler() -> None:
        guarded = BackOff(Ticker(application).tick, max_skip=2)
        while not stop.is_set():
            ticks.append(guarded(clock()))
            time.sleep(0.2)

    workers = [threading.Thread(target=api_writer, args=(n,)) for n in range(4)]
    workers += [threading.Thread(target=page_reader), threading.Thread(target=scheduler)]
    try:
        for worker in workers:
            worker.start()
        time.sleep(2)
        assert _cluster("stop") == 0
        marks["stopped"] = time.monotonic()
        ticks_before_restart = len(ticks)
        time.sleep(3)
        assert _cluster("start") == 0
        marks["restarted"] = time.monotonic()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(o == "200" for _, o in tally.after_restart):
            time.sleep(0.1)
        time.sleep(2)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=15)
    lost = _lost(application, tally.acknowledged)
    sent = sum(tally.statuses.values())
    ok = sum(v for k, v in tally.statuses.items() if k.startswith("2"))
    others = {
        k: v
        for k, v in tally.statuses.items()
        if not k.startswith("2") and int_or(k) not in ALLOWED
    }
    after = [o for _, o in sorted(tally.after_restart)]
    first_ok = next((i for i, o in enumerate(after) if o.startswith("2")), None)
    failed_after = [o for o in after[:first_ok] if o != "409"]
    print(
        f"\noutage: sent={sent} 2xx={ok} 409={tally.statuses['409']} 503={tally.statuses['503']}"
        f" others={others} acknowledged={len(tally.acknowledged)} lost={len(lost)}"
        f" maintenance_pages={tally.maintenance_pages}"
        f" failed_after_restart_before_first_2xx={failed_after}"
        f" scheduler_passes_ok_after={sum(ticks[ticks_before_restart:])}"
    )
    assert others == {}
    assert lost == []
    assert tally.statuses["503"] > 0 and tally.maintenance_pages > 0  # the outage was seen
    assert first_ok is not None  # and the service came back
    assert any(ticks[ticks_before_restart:])  # so did the scheduler


def int_or(value: str) -> int:
    return int(value) if value.isdigit() else -1


def _lost(app: PlanflowApp, acknowledged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    recorded: dict[str, set[str]] = {}
    for task in {t for t, _ in acknowledged}:
        aggregate: Any = app.repository.get(UUID(task))
        assert isinstance(aggregate, Task)
        recorded[task] = {d.text for d in aggregate.difficulties}
    return [(t, text) for t, text in acknowledged if text not in recorded[t]]
