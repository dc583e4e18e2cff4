"""Browser tests: Debian's Chromium driven by Playwright, against uvicorn in a thread.

Chromium comes from PLANFLOW_CHROMIUM (default /usr/bin/chromium); without it the tests skip,
unless PLANFLOW_REQUIRE_SERVICES=1. Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from conftest import skip_or_fail
from planflow.application.app import PlanflowApp
from planflow.web.factory import create_app
from planflow.web.settings import WebSettings
from planflow.workflow.loader import LoadedPlan
from webkit import Clock, seed_database

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_path() -> str:
    return os.environ.get("PLANFLOW_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if not Path(path).is_file():
        skip_or_fail(f"no Chromium at {path}: apt-get install chromium, or set PLANFLOW_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright (Python) is not installed")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    clock: Clock
    app: PlanflowApp
    settings: WebSettings

    def screenshot_wanted(self) -> bool:
        return os.environ.get("PLANFLOW_SCREENSHOTS", "") not in ("", "0")


@pytest.fixture(scope="session")
def browser_template(tmp_path_factory: pytest.TempPathFactory, kien_giang: LoadedPlan) -> Path:
    return seed_database(
        tmp_path_factory.mktemp("browser-seed") / "seed.db",
        kien_giang,
        agency_a="so-tu-phap",
        agency_b="so-noi-vu",
    )


@pytest.fixture
def live(tmp_path: Path, browser_template: Path) -> Iterator[LiveServer]:
    db = tmp_path / "live.db"
    shutil.copyfile(browser_template, db)
    url = f"sqlite:///{db}"
    app = PlanflowApp(url)
    settings = WebSettings(database_url=url, secret_key="browser", upload_dir=tmp_path / "up")
    clock = Clock()
    web = create_app(settings, clock, application=app)
    port = free_port()
    config = uvicorn.Config(
        web, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", clock, app, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    opened = context.new_page()
    yield opened
    context.close()
