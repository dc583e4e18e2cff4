"""What operators and load balancers ask of a web process (docs/operations.md).

- ``RequestIds``: every request gets an id — the client's X-Request-ID when it is a sane token,
  else a fresh one — echoed in the response's X-Request-ID and carried by every log line written
  while the request is served; one access log line per request, and its latency in /metrics.
- ``GET /healthz``: the process is up (no database call).
- ``GET /readyz``: the database answers, the read-model schema is at the code's head, and the
  newest scheduler tick is recent; else 503 problem+json naming what is wrong.
- ``GET /metrics``: Prometheus text; with PLANFLOW_METRICS_TOKEN only for ``Authorization:
  Bearer <token>``, without it only for a client on this machine that did not come through a
  proxy.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planflow.application import operations
from planflow.logs import request_id
from planflow.web import metrics
from planflow.web.context import WebContext
from planflow.web.problems import problem

log = logging.getLogger("planflow.access")

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}
PROXY_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


def wall() -> datetime:
    return datetime.now(UTC)


class RequestIds:
    """ASGI middleware: the request id, the access log line and the latency histogram."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            metrics.latency(scope["method"], route, status).observe(elapsed)
            log.info(
                "%s %s %d",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    }
                },
            )
            request_id.reset(token)


def route_template(scope: Scope) -> str:
    """The path with its parameters named (``/api/v1/tasks/{task}/execute``): a label whose
    values stay few; a path that matched no route is ``unmatched``."""
    if scope.get("route") is None and scope.get("endpoint") is None:
        return "unmatched"
    path = str(scope["path"])
    for name, value in (scope.get("path_params") or {}).items():
        shown = str(value)
        if shown:
            path = path.replace(f"/{shown}", f"/{{{name}}}", 1)
    return path


def router(ctx: WebContext, wall_clock: Callable[[], datetime] = wall) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    store = metrics.StoreCollector(ctx.app, ctx.now, wall_clock)

    @routes.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @routes.get("/readyz")
    def readyz(request: Request) -> Response:
        found = operations.readiness(ctx.app.engine, wall_clock())
        body, problems = _readiness(found, ctx.settings.ready_max_tick_lag)
        if not problems:
            return JSONResponse({"status": "ready", **body})
        vi = "; ".join(p[0] for p in problems)
        en = "; ".join(p[1] for p in problems)
        return problem(
            503,
            "not-ready",
            "Chưa sẵn sàng / Not ready",
            vi,
            en,
            request.url.path,
            checks=body,
        )

    @routes.get("/metrics")
    def metrics_endpoint(request: Request) -> Response:
        refused = _refuse_metrics(request, ctx.settings.metrics_token)
        if refused is not None:
            return refused
        data, content_type = metrics.exposition(store)
        return Response(data, media_type=content_type)

    return routes


def _readiness(
    found: operations.Readiness, max_lag: int
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    body: dict[str, Any] = {"database": "ok" if found.database is None else found.database}
    if found.database is not None:
        problems.append(
            (
                f"Không kết nối được cơ sở dữ liệu ({found.database})",
                f"the database cannot be reached ({found.database})",
            )
        )
        return body, problems
    assert found.schema is not None
    body["schema"] = {
        "current": found.schema.current,
        "head": found.schema.head,
        "is_current": found.schema.is_current,
    }
    if not found.schema.is_current:
        vi, en = found.schema.describe().split(" / ", 1)
        problems.append((vi, en))
    body["scheduler"] = {
        "lag_seconds": None if found.lag_seconds is None else round(found.lag_seconds, 3),
        "max_lag_seconds": max_lag,
        "nodes": [
            {
                "node": t.node,
                "at": t.at.isoformat(),
                "finished_at": t.finished_at.isoformat(),
                "duration_seconds": round(t.duration_seconds, 3),
                "fired": t.fired,
            }
            for t in found.ticks
        ],
    }
    if max_lag and found.lag_seconds is None:
        problems.append(
            (
                "Bộ nhắc việc chưa chạy lượt nào (planflow run)",
                "no scheduler tick recorded yet (planflow run)",
            )
        )
    elif max_lag and found.lag_seconds is not None and found.lag_seconds > max_lag:
        lag = f"{found.lag_seconds:.0f}"
        problems.append(
            (
                f"Lượt nhắc việc gần nhất cách đây {lag} giây (tối đa {max_lag})",
                f"the last scheduler tick was {lag} s ago (at most {max_lag})",
            )
        )
    return body, problems


def _refuse_metrics(request: Request, token: str) -> Response | None:
    path = request.url.path
    if token:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {token}"
        if hmac.compare_digest(given.encode(), expected.encode()):
            return None
        return problem(
            401,
            "unauthenticated",
            "Chưa đăng nhập / Not signed in",
            "Cần mã đọc số đo (PLANFLOW_METRICS_TOKEN)",
            "the metrics token is required (PLANFLOW_METRICS_TOKEN)",
            path,
        )
    client = request.client.host if request.client else ""
    proxied = any(request.headers.get(h.decode()) for h in PROXY_HEADERS)
    if client in LOOPBACK and not proxied:
        return None
    return problem(
        403,
        "forbidden",
        "Không có quyền / Forbidden",
        "Số đo chỉ đọc được từ chính máy chủ, hoặc với PLANFLOW_METRICS_TOKEN",
        "metrics are readable from this machine only, or with PLANFLOW_METRICS_TOKEN",
        path,
    )
