"""/healthz, /readyz, /metrics and the request id in the logs (docs/operations.md), on the web
app over a real SQLite store with a movable clock."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from planflow import logs
from planflow.application import operations, schema
from planflow.application.outbox_store import OutboxStore
from planflow.bootstrap import recorded_tick
from planflow.scheduler.tick import Ticker
from webkit import WebWorld, make_world


def _metrics(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def _tick(world: WebWorld, node: str = "node-1", finished: datetime | None = None) -> int:
    wall = (lambda: finished) if finished else (lambda: datetime.now(UTC))
    report = recorded_tick(Ticker(world.app), node, wall=wall)(world.clock())
    return len(report.fired)


def test_healthz_answers_without_the_database_and_echoes_the_request_id(
    world: WebWorld,
) -> None:
    response = world.client.get("/healthz", headers={"X-Request-ID": "abc-123.x"})
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["x-request-id"] == "abc-123.x"
    fresh = world.client.get("/healthz")
    assert len(fresh.headers["x-request-id"]) == 32
    hostile = world.client.get("/healthz", headers={"X-Request-ID": "a b\tc<script>"})
    assert hostile.headers["x-request-id"] != "a b\tc<script>"
    assert len(hostile.headers["x-request-id"]) == 32


def test_readyz_is_503_until_a_scheduler_has_ticked_then_ready_with_the_nodes(
    world: WebWorld,
) -> None:
    before = world.client.get("/readyz")
    assert before.status_code == 503
    assert before.headers["content-type"] == "application/problem+json"
    body = before.json()
    assert "no scheduler tick recorded yet" in body["detail_en"]
    assert body["checks"]["database"] == "ok" and body["checks"]["schema"]["is_current"]
    assert before.headers["retry-after"]

    world.clock.set(datetime(2022, 3, 28, 1, 0, tzinfo=UTC))
    fired = _tick(world)
    ready = world.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    found = ready.json()
    assert found["status"] == "ready"
    assert found["schema"] == {"current": schema.head(), "head": schema.head(), "is_current": True}
    [node] = found["scheduler"]["nodes"]
    assert node["node"] == "node-1" and node["fired"] == fired > 0
    assert 0 <= found["scheduler"]["lag_seconds"] < 60


def test_readyz_is_503_when_the_last_tick_is_older_than_the_allowed_lag(world: WebWorld) -> None:
    _tick(world, finished=datetime.now(UTC) - timedelta(seconds=900))
    response = world.client.get("/readyz")
    assert response.status_code == 503
    assert "the last scheduler tick was 9" in response.json()["detail_en"]
    assert "(at most 600)" in response.json()["detail_en"]


@pytest.fixture
def lenient(tmp_path: Path, web_template: Path) -> Iterator[WebWorld]:
    """A web process that does not judge the scheduler (PLANFLOW_READY_MAX_TICK_LAG=0)."""
    yield from make_world(tmp_path, web_template, ready_max_tick_lag=0)


def test_readyz_is_503_when_the_schema_is_behind_the_code(lenient: WebWorld) -> None:
    assert lenient.client.get("/readyz").status_code == 200  # no tick, and not asked to care
    with lenient.app.engine.begin() as connection:
        connection.execute(text(f"UPDATE {schema.VERSION_TABLE} SET version_num = '0002'"))
    response = lenient.client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert "planflow db upgrade" in body["detail_en"] and "0002" in body["detail_en"]
    assert body["checks"]["schema"] == {
        "current": "0002",
        "head": schema.head(),
        "is_current": False,
    }
    schema.upgrade(lenient.app.engine)
    assert lenient.client.get("/readyz").status_code == 200


def test_readiness_names_an_unreachable_database() -> None:
    engine = create_engine("postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    try:
        found = operations.readiness(engine, datetime.now(UTC))
    finally:
        engine.dispose()
    assert found.database is not None and found.schema is None


def test_metrics_count_commands_conflicts_requests_and_read_the_store(world: WebWorld) -> None:
    task = world.task_id("D1", "so-a")
    world.clock.set(datetime(2022, 3, 10, 2, 0, tzinfo=UTC))
    before = _metrics(world.client.get("/metrics").text)
    h = world.token("officer-a")
    ok = world.client.post(f"/api/v1/tasks/{task}/execute", json={"note": "x"}, headers=h)
    stale = world.client.post(
        f"/api/v1/tasks/{task}/execute", json={"note": "y", "expected_version": 1}, headers=h
    )
    assert (ok.status_code, stale.status_code) == (200, 409)
    OutboxStore(world.app.engine, "test", world.clock, 10).ensure("email")
    world.clock.set(datetime(2022, 3, 28, 1, 0, tzinfo=UTC))
    due = operations.due_backlog(world.app.engine, world.clock())
    response = world.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = _metrics(response.text)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("planflow_commands_total", command="execute", outcome="ok") == 1
    assert grew("planflow_commands_total", command="execute", outcome="conflict") == 1
    route = "/api/v1/tasks/{task}/execute"
    assert (
        grew(
            "planflow_http_request_duration_seconds_count", method="POST", route=route, status="200"
        )
        == 1
    ), sorted(k for k in after if k[0].endswith("_count"))
    assert due > 0 and after[("planflow_due_backlog", ())] == due
    assert after[("planflow_store_events", ())] == operations.store_size(world.app.engine).events
    assert after[("planflow_store_tasks", ())] > 0 and after[("planflow_store_bytes", ())] > 0
    assert after[("planflow_outbox_backlog", (("channel", "email"),))] == 0

    fired = _tick(world)
    later = _metrics(world.client.get("/metrics").text)
    assert later[("planflow_due_backlog", ())] == 0
    # Reminders and escalations go out; an overdue mark is recorded, not sent.
    sent = operations.outbox_backlog(world.app.engine)[0].backlog
    assert later[("planflow_outbox_backlog", (("channel", "email"),))] == sent
    assert 0 < sent < fired
    assert later[("planflow_tick_fired", (("node", "node-1"),))] == fired
    assert ("planflow_tick_duration_seconds", (("node", "node-1"),)) in later
    assert ("planflow_tick_lag_seconds", (("node", "node-1"),)) in later


def test_metrics_are_refused_through_a_proxy_without_the_token(world: WebWorld) -> None:
    proxied = world.client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403
    assert proxied.headers["content-type"] == "application/problem+json"


@pytest.fixture
def guarded(tmp_path: Path, web_template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, web_template, metrics_token="scrape-me")


def test_with_a_metrics_token_only_its_bearer_reads_the_metrics(guarded: WebWorld) -> None:
    assert guarded.client.get("/metrics").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert guarded.client.get("/metrics", headers=wrong).status_code == 401
    right = {"Authorization": "Bearer scrape-me", "X-Forwarded-For": "203.0.113.9"}
    response = guarded.client.get("/metrics", headers=right)
    assert response.status_code == 200 and "planflow_store_events" in response.text


class Lines(logging.Handler):
    def __init__(self, fmt: str) -> None:
        super().__init__()
        self.setFormatter(logs.formatter(fmt))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_a_json_access_line_carries_the_request_id_route_status_and_duration(
    world: WebWorld,
) -> None:
    handler = Lines("json")
    access = logging.getLogger("planflow.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        task = world.task_id("D1", "so-a")
        world.client.get(
            f"/api/v1/tasks/{task}",
            headers={**world.token("auditor"), "X-Request-ID": "req-42"},
        )
    finally:
        access.removeHandler(handler)
    [line] = [json.loads(x) for x in handler.lines if "req-42" in x]
    assert line["request_id"] == "req-42" and line["logger"] == "planflow.access"
    assert line["level"] == "info" and line["method"] == "GET" and line["status"] == 200
    assert line["route"] == "/api/v1/tasks/{task}" and line["path"] == f"/api/v1/tasks/{task}"
    assert line["duration_ms"] >= 0 and line["time"].endswith("+00:00")


def test_text_lines_carry_the_request_id_too() -> None:
    record = logging.LogRecord("planflow.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    token = logs.request_id.set("rid-7")
    try:
        line = logs.formatter("text").format(record)
    finally:
        logs.request_id.reset(token)
    assert line.endswith("INFO planflow.x: hello you request_id=rid-7")
    with pytest.raises(ValueError):
        logs.log_format("yaml")


# --- serve and run: refusals that write nothing ---------------------------------------------


def _serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, db: str | None = None
) -> tuple[int, str]:
    import uvicorn
    from typer.testing import CliRunner

    from planflow.cli.main import app as cli

    def never(*_: object, **__: object) -> None:
        raise AssertionError("uvicorn must not start")

    monkeypatch.setattr(uvicorn, "run", never)
    monkeypatch.setenv("PLANFLOW_SECRET_KEY", "serve-secret")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--db", db or str(tmp_path / "p.db"), "serve", *args])
    return result.exit_code, " ".join(result.output.split())


def test_serve_refuses_several_workers_on_sqlite_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _serve(tmp_path, monkeypatch, "--workers", "2")
    assert code == 2
    assert "several web workers need PostgreSQL" in output and "--workers 1" in output
    assert not (tmp_path / "p.db").exists()  # refused before anything was opened


def test_serve_with_several_workers_leaves_the_scheduler_to_planflow_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = "postgresql://nobody@127.0.0.1:1/none"  # refused before it is dialled
    code, output = _serve(tmp_path, monkeypatch, "--workers", "2", "--scheduler", db=nowhere)
    assert code == 2 and "the scheduler runs on its own: `planflow run`" in output


def test_an_unknown_log_format_or_a_lone_clock_rate_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _serve(tmp_path, monkeypatch, "--log-format", "yaml")
    assert code == 2 and "use one of: text, json" in output
    code, output = _serve(tmp_path, monkeypatch, "--clock-rate", "60")
    assert code == 2 and "--clock-rate and --clock-anchor need --clock-start" in output


def test_processes_given_one_start_anchor_and_rate_read_the_same_moving_time() -> None:
    from planflow.bootstrap import clock_from

    anchor = datetime.now(UTC) - timedelta(seconds=2)
    first = clock_from("2022-03-14T08:00", 3600.0, anchor.isoformat())
    second = clock_from("2022-03-14T08:00", 3600.0, anchor.isoformat())
    a, b = first(), second()
    start = datetime(2022, 3, 14, 1, 0, tzinfo=UTC)
    assert abs((a - b).total_seconds()) < 3600 * 0.1  # read 0.1 s apart at most
    assert timedelta(hours=1.9) < a - start < timedelta(hours=2.5)


def test_a_node_silent_for_a_day_is_forgotten_and_a_cron_tick_counts_as_a_node(
    world: WebWorld,
) -> None:
    from typer.testing import CliRunner

    from planflow.application.heartbeat import last_ticks
    from planflow.cli.main import app as cli

    now = datetime.now(UTC)
    _tick(world, "old-node", finished=now - timedelta(days=2))
    _tick(world, "node-1", finished=now - timedelta(days=1, hours=12))
    assert {t.node for t in last_ticks(world.app.engine)} == {"old-node", "node-1"}
    ran = CliRunner().invoke(
        cli, ["--db", world.settings.database_url, "tick", "--now", "2022-03-28T08:00"]
    )
    assert ran.exit_code == 0, ran.output
    nodes = [t.node for t in last_ticks(world.app.engine)]
    assert len(nodes) == 1 and nodes[0].endswith(":tick")  # silent for over a day: forgotten
    assert world.client.get("/readyz").status_code == 200
