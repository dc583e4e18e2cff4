"""Prometheus metrics (docs/operations.md).

Per process (counted where they happen): task commands by kind and outcome, HTTP request latency
by route. Read from the shared database at each scrape (``StoreCollector``), so every web worker
reports the same deployment-wide figures: the due backlog, each channel's outbox backlog and
failed attempts, each scheduler node's last tick (duration, lag, steps recorded), the store's
size.

With several web workers (``planflow serve --workers N``) the per-process metrics are aggregated
through prometheus_client's multiprocess mode: PROMETHEUS_MULTIPROC_DIR names a folder shared by
the workers (``serve`` makes one when it is not set).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from planflow.application import operations
from planflow.application.app import PlanflowApp
from planflow.application.heartbeat import last_ticks

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

COMMANDS = Counter(
    "planflow_commands",
    "Task commands by kind and outcome (ok, conflict, refused, error)",
    ["command", "outcome"],
)
REQUESTS = Histogram(
    "planflow_http_request_duration_seconds",
    "HTTP request latency by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

_LATENCY: dict[tuple[str, str, int], Histogram] = {}


def latency(method: str, route: str, status: int) -> Histogram:
    """``REQUESTS``' child for these labels, looked up once (labels() validates and locks on each
    call); the routes and statuses are few, so the dict stays small."""
    key = (method, route, status)
    child = _LATENCY.get(key)
    if child is None:
        child = _LATENCY[key] = REQUESTS.labels(method, route, str(status))
    return child


class StoreCollector(Collector):
    """Deployment-wide gauges read from the store at scrape time."""

    def __init__(
        self, app: PlanflowApp, clock: Callable[[], datetime], wall: Callable[[], datetime]
    ) -> None:
        self.app = app
        self.clock = clock
        self.wall = wall

    def collect(self) -> Iterable[Metric]:
        engine = self.app.engine
        backlog = GaugeMetricFamily(
            "planflow_due_backlog",
            "Tasks with a reminder, overdue mark or escalation due and not recorded",
        )
        backlog.add_metric([], operations.due_backlog(engine, self.clock()))
        yield backlog
        waiting = GaugeMetricFamily(
            "planflow_outbox_backlog",
            "Notifications not yet delivered, per channel",
            labels=["channel"],
        )
        failing = GaugeMetricFamily(
            "planflow_outbox_failed_attempts",
            "Consecutive failed attempts at the channel's next notification (0: delivering)",
            labels=["channel"],
        )
        delivered = GaugeMetricFamily(
            "planflow_outbox_delivered", "Notifications delivered, per channel", labels=["channel"]
        )
        for channel in operations.outbox_backlog(engine):
            waiting.add_metric([channel.channel], channel.backlog)
            failing.add_metric([channel.channel], channel.attempts)
            delivered.add_metric([channel.channel], channel.delivered)
        yield from (waiting, failing, delivered)
        duration = GaugeMetricFamily(
            "planflow_tick_duration_seconds", "Duration of the node's last tick", labels=["node"]
        )
        lag = GaugeMetricFamily(
            "planflow_tick_lag_seconds",
            "Wall seconds since the node's last tick finished",
            labels=["node"],
        )
        fired = GaugeMetricFamily(
            "planflow_tick_fired", "Steps recorded by the node's last tick", labels=["node"]
        )
        now = self.wall()
        for tick in last_ticks(engine):
            duration.add_metric([tick.node], tick.duration_seconds)
            lag.add_metric([tick.node], max(0.0, (now - tick.finished_at).total_seconds()))
            fired.add_metric([tick.node], tick.fired)
        yield from (duration, lag, fired)
        size = operations.store_size(engine)
        events = GaugeMetricFamily("planflow_store_events", "Events in the store")
        events.add_metric([], size.events)
        tasks = GaugeMetricFamily("planflow_store_tasks", "Tasks on the board")
        tasks.add_metric([], size.tasks)
        yield from (events, tasks)
        if size.database_bytes is not None:
            nbytes = GaugeMetricFamily("planflow_store_bytes", "Size of the database")
            nbytes.add_metric([], size.database_bytes)
            yield nbytes


def exposition(store: StoreCollector) -> tuple[bytes, str]:
    """The metrics text: this process's (or all workers', in multiprocess mode) and the store's."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(COMMANDS)
        registry.register(REQUESTS)
    registry.register(store)
    return generate_latest(registry), CONTENT_TYPE_LATEST
