"""Plumbing for bench/bench_http.py: a synthetic store, accounts and their credentials, a real
``planflow serve`` process (its CPU time and RSS from /proc), and HTTP clients under load.

Not a test. The store is bench_board's (the 40 Kiên Giang agencies over four quarters of 2022; a
third done on time, a sixth done late, the rest open), built on any database URL.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from bench_board import AGENCIES, BOARD_AT, DUES, LOADED_AT, PERIODS
from sqlalchemy import select

from planflow.application.accounts_store import AccountStore, Role
from planflow.application.app import PlanflowApp
from planflow.application.tables import board
from planflow.domain import clock
from planflow.domain.task import Completion, Task
from planflow.web.auth import SESSION_COOKIE, Signer
from planflow.web.settings import WebSettings

CLI = [sys.executable, "-c", "from planflow.cli.main import main; main()"]
SECRET = "bench-http-secret"
OFFICERS = 8  # one per agency; their agencies' open tasks take the HTTP commands
_STARTS = [0]  # each server's clock starts an hour after the previous one's (writes stay in order)


def build(url: str, size: int) -> float:
    """``size`` tasks saved 1,000 aggregates per batch in one transaction; seconds taken."""
    started = time.perf_counter()
    app = PlanflowApp(url)
    per_duty = len(AGENCIES) * len(PERIODS)
    try:
        with app.transaction() as session:
            batch: list[Task] = []
            for i in range(size):
                q = (i // len(AGENCIES)) % len(PERIODS)
                with clock.at(LOADED_AT):
                    task = Task.assign(
                        plan="bench",
                        duty=f"B{i // per_duty}",
                        agency=AGENCIES[i % len(AGENCIES)],
                        period=PERIODS[q],
                        due=DUES[q],
                        completion=Completion.ACTIVITY,
                        title="Nhiệm vụ thử tải / benchmark task",
                        actor="bench",
                    )
                if i % 6 <= 2:  # half done: a third on time, a sixth late
                    days = -3 if i % 6 < 2 else 4
                    done = datetime.combine(DUES[q] + timedelta(days=days), datetime.min.time())
                    with clock.at(done.replace(hour=9, tzinfo=LOADED_AT.tzinfo)):
                        task.execute_activity(actor="bench", note="")
                batch.append(task)
                if len(batch) == 1000:
                    app._save(session, *batch)
                    batch = []
            if batch:
                app._save(session, *batch)
    finally:
        app.close()
    return time.perf_counter() - started


@dataclass
class People:
    """Credentials made directly in the store (as tests/test_scale_out.py does)."""

    director: dict[str, str]  # bearer header
    cookie: dict[str, str]  # the director's page session
    officers: list[tuple[dict[str, str], list[str]]]  # bearer header, own open tasks
    spare: list[str]  # open tasks of other agencies (the in-process commands)


def people(url: str) -> People:
    settings = WebSettings(database_url=url, secret_key=SECRET)
    signer = Signer(settings)
    app = PlanflowApp(url)
    at = LOADED_AT
    ttl = 400 * 86400
    try:
        with app.engine.connect() as connection:
            rows = connection.execute(
                select(board.c.id, board.c.agency)
                .where(board.c.completed_at.is_(None))
                .order_by(board.c.id)
            ).all()
        by_agency: dict[str, list[str]] = {}
        for row in rows:
            by_agency.setdefault(row.agency, []).append(str(row.id))
        accounts = AccountStore(app.engine)
        user = accounts.add("director", Role.OFFICE_DIRECTOR, "bench-http-pw", at)
        director = {
            "Authorization": f"Bearer {signer.token(user, accounts.open_session('director', 'token', at, ttl))}"
        }
        page = accounts.open_session("director", "page", at, ttl)
        cookie = {SESSION_COOKIE: signer.new_session("director", page)[1]}
        officers = []
        for n, agency in enumerate(AGENCIES[:OFFICERS]):
            name = f"officer{n}"
            officer = accounts.add(name, Role.AGENCY_OFFICER, "bench-http-pw", at, agency)
            token = signer.token(officer, accounts.open_session(name, "token", at, ttl))
            officers.append(({"Authorization": f"Bearer {token}"}, by_agency[agency]))
        spare = [t for a in AGENCIES[OFFICERS:] for t in by_agency.get(a, [])]
        return People(director, cookie, officers, spare)
    finally:
        app.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def cpu(self) -> float:
        """CPU seconds (user + system) of the server and its live worker processes."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def rss_mib(self) -> float:
        """Resident memory of the server (and its workers), MiB, from /proc/PID/status."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if (
                int(fields[1]) == parent
                and b"resource_tracker" not in (entry / "cmdline").read_bytes()
            ):
                found.append(int(entry.name))
    return found


@contextmanager
def serve(url: str, folder: Path, workers: int = 1, src: Path | None = None) -> Iterator[Server]:
    """``planflow serve`` on a free port with the bench clock, no scheduler (so only the
    requests cost CPU); ``src`` runs another code base (PYTHONPATH)."""
    port = free_port()
    tag = uuid.uuid4().hex[:6]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANFLOW_")}
    metrics = folder / f"metrics-{tag}"
    metrics.mkdir()
    env.update(
        PLANFLOW_SECRET_KEY=SECRET,
        PLANFLOW_SECURE_COOKIES="0",
        PLANFLOW_UPLOAD_DIR=str(folder / "uploads"),
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
        COLUMNS="200",
    )
    if src is not None:
        env["PYTHONPATH"] = str(src)
    log = folder / f"serve-{tag}.log"
    _STARTS[0] += 1  # 3 Oct 2022 from 10:00 (Vietnam): Q1–Q3 judged, Q4 open
    start = (BOARD_AT + timedelta(hours=_STARTS[0])).strftime("%Y-%m-%dT%H:%M")
    args = ["--db", url, "serve", "--port", str(port), "--workers", str(workers)]
    args += ["--no-scheduler", "--clock-start", start, "--log-format", "json"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*CLI, *args], env=env, stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not answer /healthz"
            try:
                if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        if workers > 1:
            while len(_children(process.pid)) < workers and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)  # let the other worker finish starting
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Load:
    """What the clients saw: latencies of answered requests and status counts."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    cpu: float = 0.0  # server CPU seconds over the load
    client_cpu: float = 0.0  # the clients' CPU seconds (this process) over the load

    def ok(self) -> int:
        return self.statuses[200]

    def quantile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


Request = Callable[[httpx.Client, int], httpx.Response]


def run_load(
    server: Server,
    clients: list[Request],
    *,
    seconds: float | None = None,
    each: int | None = None,
) -> Load:
    """Run every client on its own thread and connection, for ``seconds`` or ``each`` requests."""
    load = Load()
    lock = threading.Lock()
    stop = threading.Event()

    def loop(request: Request) -> None:
        with httpx.Client(base_url=server.base, timeout=120) as client:
            n = 0
            while not stop.is_set() and (each is None or n < each):
                started = time.perf_counter()
                response = request(client, n)
                took = time.perf_counter() - started
                with lock:
                    load.statuses[response.status_code] += 1
                    if response.status_code == 200:
                        load.latencies.append(took)
                n += 1

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    cpu, mine, started = server.cpu(), time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    if seconds is not None:
        time.sleep(seconds)
        stop.set()
    for thread in threads:
        thread.join()
    load.seconds, load.cpu = time.perf_counter() - started, server.cpu() - cpu
    load.client_cpu = time.process_time() - mine
    return load


def raiser(header: dict[str, str], tasks: list[str], tag: str) -> Request:
    """POST /api/v1/tasks/{id}/raise round robin over ``tasks``."""

    def request(client: httpx.Client, n: int) -> httpx.Response:
        task = tasks[n % len(tasks)]
        body = {"text": f"Vướng mắc {tag}-{n}"}
        return client.post(f"/api/v1/tasks/{task}/raise", json=body, headers=header)

    return request
