"""Scale-out on PostgreSQL with real processes (docs/deploy.md): two web workers
(``planflow serve --workers 2``) and two scheduler-and-delivery nodes (``planflow run``) on one
database, all on one rehearsal clock that runs 16 hours a second through March 2022, while eight
HTTP clients raise difficulties on the Kiên Giang plan's tasks.

It shows: every reminder, overdue mark and escalation recorded once (no duplicate step, and a
tick afterwards at the last moment any node ticked finds nothing left); every notification
delivered once (a real HTTP webhook receiver counting delivery keys); every acknowledged write
(HTTP 200) stored with its actor; /readyz ready and /metrics summing both workers' commands.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from eventsourcing.utils import get_topic
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from planflow.application.accounts_store import AccountStore, Role
from planflow.application.app import PlanflowApp
from planflow.application.heartbeat import last_ticks
from planflow.application.operations import outbox_backlog
from planflow.application.outbox_store import deliveries
from planflow.application.tables import board
from planflow.domain.task import Task
from planflow.notify.channels import DELIVERY_KEY_HEADER
from planflow.notify.notices import delivery_key, event_id
from planflow.notify.outbox import TOPICS
from planflow.scheduler.tick import Ticker
from planflow.web.auth import Signer
from planflow.web.settings import WebSettings
from test_notify_channels import free_port
from test_scheduler_exactly_once import chase_counts

CLI = [sys.executable, "-c", "from planflow.cli.main import main; main()"]
SECRET = "scale-out-secret"
START = "2022-03-12T07:00"  # Vietnam time
RATE = 57_600.0  # 16 clock hours per real second
CLIENTS = 8
LOAD_SECONDS = 12.0


class Receiver(BaseHTTPRequestHandler):
    keys: ClassVar[Counter[str]] = Counter()
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.lock:
            self.keys[self.headers.get(DELIVERY_KEY_HEADER, "?")] += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, Counter[str]]]:
    Receiver.keys = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", Receiver.keys
    finally:
        server.shutdown()
        server.server_close()


def _officers(url: str) -> dict[str, tuple[str, list[str]]]:
    """An officer for each of the four agencies with the most open tasks: name → (token, ids)."""
    settings = WebSettings(database_url=url, secret_key=SECRET)
    app = PlanflowApp(url)
    try:
        with app.engine.connect() as connection:
            rows = connection.execute(
                select(board.c.id, board.c.agency).where(board.c.state == "assigned")
            ).all()
        by_agency: dict[str, list[str]] = {}
        for row in rows:
            by_agency.setdefault(row.agency, []).append(row.id)
        busiest = sorted(by_agency, key=lambda a: -len(by_agency[a]))[:4]
        accounts = AccountStore(app.engine)
        out = {}
        at = datetime(2022, 3, 1, tzinfo=UTC)
        for n, agency in enumerate(busiest):
            name = f"officer{n}"
            user = accounts.add(name, Role.AGENCY_OFFICER, "scale-out-pw", at, agency)
            session = accounts.open_session(name, "token", at, 400 * 86400)
            out[name] = (Signer(settings).token(user, session), by_agency[agency])
        return out
    finally:
        app.close()


def _start(url: str, log: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A ``planflow`` process writing its log lines to ``log`` (a pipe nobody reads would fill
    and stall it)."""
    with log.open("wb") as sink:
        return subprocess.Popen(
            [*CLI, "--db", url, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes], log: Path) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack in the log
        time.sleep(1)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return log.read_text(encoding="utf-8", errors="replace")


def _workers(pid: int) -> int:
    """Worker processes spawned by ``pid`` (multiprocessing's resource tracker is not one)."""
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                count += b"resource_tracker" not in (entry / "cmdline").read_bytes()
    return count


def _client_load(
    base: str, token: str, tasks: list[str], stop: threading.Event, seed: int
) -> list[tuple[str, int, int]]:
    """Raise difficulties until told to stop: (task, status, version)."""
    rng = random.Random(seed)
    results = []
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            task = rng.choice(tasks)
            try:
                response = client.post(
                    f"/api/v1/tasks/{task}/raise",
                    json={"text": f"Vướng mắc {seed}-{len(results)}"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            except httpx.TransportError:
                results.append((task, -1, 0))
                continue
            version = response.json().get("version", 0) if response.status_code == 200 else 0
            results.append((task, response.status_code, version))
    return results


@pytest.mark.postgres
def test_two_web_workers_and_two_scheduler_nodes_on_one_postgres_lose_and_repeat_nothing(
    kg_postgres_url: str,
    webhook: tuple[str, Counter[str]],
    tmp_path: Path,
) -> None:
    url = kg_postgres_url
    hook, received = webhook
    officers = _officers(url)
    anchor = (datetime.now(UTC) + timedelta(seconds=6)).isoformat()
    clock = ["--clock-start", START, "--clock-rate", str(RATE), "--clock-anchor", anchor]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANFLOW_")}
    env.update(
        PLANFLOW_SECRET_KEY=SECRET,
        PLANFLOW_SECURE_COOKIES="0",
        PLANFLOW_UPLOAD_DIR=str(tmp_path / "uploads"),
        PLANFLOW_WEBHOOK_URL=hook,
        PLANFLOW_WEBHOOK_SECRET="hook-secret",
        PLANFLOW_RETRY_BASE_SECONDS="1",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        COLUMNS="200",
        PYTHONFAULTHANDLER="1",
    )
    (tmp_path / "metrics").mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    logs = [tmp_path / name for name in ("web.log", "node-1.log", "node-2.log")]
    serve = ["serve", "--workers", "2", "--port", str(port), "--log-format", "json"]
    web = _start(url, logs[0], *serve, *clock, env=env)
    nodes = [
        _start(
            url,
            logs[n],
            "run",
            "--interval",
            "0.5",
            "--node",
            f"node-{n}",
            "--log-format",
            "json",
            "--per-tick",
            "25",
            *clock,
            env=env,
        )
        for n in (1, 2)
    ]
    processes = [web, *nodes]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert web.poll() is None, logs[0].read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        assert _workers(web.pid) == 2  # two worker processes behind one socket

        stop = threading.Event()
        results: list[list[tuple[str, int, int]]] = [[] for _ in range(CLIENTS)]
        names = sorted(officers)

        def client(n: int) -> None:
            token, tasks = officers[names[n % len(names)]]
            results[n] = _client_load(base, token, tasks, stop, n)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(LOAD_SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        time.sleep(1.5)  # the nodes tick a few more times without HTTP load

        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        assert {n["node"] for n in ready.json()["scheduler"]["nodes"]} == {"node-1", "node-2"}
        scraped = httpx.get(f"{base}/metrics", timeout=10).text
    finally:
        output = [_stop(p, log) for p, log in zip(processes, logs, strict=True)]
    elapsed = time.monotonic() - started
    for process, err in zip(processes, output, strict=True):
        assert process.returncode == 0, err[-2000:]
        assert "Traceback" not in err, err[-2000:]
    access = [json.loads(line) for line in output[0].splitlines() if '"planflow.access"' in line]
    assert len({line["request_id"] for line in access}) == len(access) > 50

    outcomes = Counter(status for result in results for _, status, _ in result)
    acknowledged = [
        (task, version) for r in results for task, status, version in r if status == 200
    ]
    assert outcomes[200] > 50 and set(outcomes) <= {200, 409, 503}, outcomes

    app = PlanflowApp(url)
    try:
        # Every acknowledged write is stored, at the version it was acknowledged with; and
        # nothing else was raised.
        raised = {
            (str(n.originator_id), n.originator_version)
            for n in app.recorder.select_notifications(
                start=1, limit=10_000_000, topics=[get_topic(Task.DifficultyRaised)]
            )
        }
        assert raised == set(acknowledged) and len(acknowledged) == len(set(acknowledged))

        # Every step recorded once, and none left behind at the last moment a node ticked.
        counts = chase_counts(app)
        assert counts and max(counts.values()) == 1
        kinds = Counter(key[1] for key in counts)
        assert kinds["reminder"] and kinds["overdue"] and kinds["escalation"], kinds
        ticks = last_ticks(app.engine)
        assert {t.node for t in ticks} == {"node-1", "node-2"}
        last = min(t.at for t in ticks)
        assert last > datetime(2022, 3, 18, tzinfo=UTC)
        assert Ticker(app).tick(last).fired == []

        # Every notification delivered once: each one up to the channel's position arrived
        # exactly once, and the rest wait in the outbox after it.
        with app.engine.connect() as connection:
            stored = connection.execute(deliveries.select()).all()
        [channel] = outbox_backlog(app.engine)
        chased = app.recorder.select_notifications(start=1, limit=10_000_000, topics=TOPICS)
    finally:
        app.close()
    key = {
        n.id: delivery_key(event_id(n.originator_id, n.originator_version), "webhook")
        for n in chased
    }
    delivered = {k for n, k in key.items() if n <= channel.position}
    assert set(received) == delivered == {row.key for row in stored}
    assert max(received.values()) == 1 and len(stored) > 20
    assert len(key) - len(delivered) == channel.backlog
    holders = len({row.holder for row in stored})

    commands = sum(
        sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
        if sample.name == "planflow_commands_total" and sample.labels["outcome"] == "ok"
    )
    assert commands == len(acknowledged)
    print(
        f"\n{elapsed:.1f} s: HTTP {dict(outcomes)}; steps {dict(kinds)}; notifications "
        f"{len(key)}: {len(stored)} delivered once by {holders} node(s), {channel.backlog} "
        f"waiting; last tick {last:%d/%m %H:%M}"
    )
