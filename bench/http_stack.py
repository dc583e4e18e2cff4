"""Benchmark: what the web stack costs around a task command, without the command or sockets.

Not a test. ``POST /api/v1/tasks/{id}/raise`` sent straight into the ASGI application (the
same middleware, routing, dependencies, bearer-token check, body model, thread-pool hop, answer
and JSON access log line as ``planflow serve``), with ``PlanflowApp.run_command`` replaced by a
stub that returns at once: the CPU per request is the stack's alone. The access log goes to
/dev/null as JSON, as a server's would go to its log. Run from one code base and then another
(``PYTHONPATH=/work/main/src python bench/http_stack.py``) to compare them:

    python bench/http_stack.py --requests 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from bench_board import BOARD_AT
from http_kit import SECRET, build, people

from planflow import logs
from planflow.application.app import CommandOutcome, PlanflowApp
from planflow.web.factory import create_app
from planflow.web.settings import WebSettings


def _stub(app: PlanflowApp) -> None:
    """run_command answers at once (the version counts up), touching nothing."""
    versions: dict[UUID, int] = {}

    def run_command(name: str, ref: UUID, data: Any, **_: Any) -> CommandOutcome:
        versions[ref] = versions.get(ref, 1) + 1
        return CommandOutcome(str(ref), str(name), versions[ref], versions[ref] - 1, None)  # type: ignore[arg-type]

    app.run_command = run_command  # type: ignore[method-assign]


async def _one(web: Any, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """One request through the ASGI app; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "root_path": "",
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await web(scope, receive, send)
    return status


async def _drive(web: Any, requests: list[tuple[str, list[tuple[bytes, bytes]], bytes]]) -> int:
    return sum([await _one(web, *request) == 200 for request in requests])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    handler.setFormatter(logs.formatter("json"))
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'stack.db'}"
        build(url, 400)
        who = people(url)
        app = PlanflowApp(url)
        _stub(app)
        settings = WebSettings(database_url=url, secret_key=SECRET, upload_dir=Path(tmp) / "up")
        web = create_app(settings, lambda: BOARD_AT, application=app)
        requests = []
        for n in range(args.requests):
            header, tasks = who.officers[n % len(who.officers)]
            body = json.dumps({"text": f"Vướng mắc {n}"}, ensure_ascii=False).encode()
            headers = [(k.lower().encode(), v.encode()) for k, v in header.items()]
            headers += [(b"content-type", b"application/json"), (b"host", b"127.0.0.1:8000")]
            headers.append((b"content-length", str(len(body)).encode()))
            requests.append((f"/api/v1/tasks/{tasks[n % len(tasks)]}/raise", headers, body))

        async def run() -> list[float]:
            await _drive(web, requests[:200])  # warm up
            found = []
            for _ in range(args.repeat):
                cpu = time.process_time()
                ok = await _drive(web, requests)
                assert ok == len(requests), ok
                found.append((time.process_time() - cpu) / len(requests) * 1000)
            return found

        found = asyncio.run(run())
        app.close()
    shown = ", ".join(f"{x:.3f}" for x in found)
    where = os.environ.get("PYTHONPATH", sys.path[0])
    print(f"{where}: {statistics.median(found):.3f} ms CPU per request (runs: {shown})")


if __name__ == "__main__":
    main()
