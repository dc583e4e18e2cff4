"""Helpers for the web tests: a movable clock, a seeded store, tokens and event counts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from planflow.application.app import PlanflowApp
from planflow.application.tables import task_events
from planflow.web.accounts import AccountStore, Role
from planflow.web.auth import Signer
from planflow.web.factory import create_app
from planflow.web.settings import WebSettings
from planflow.workflow.loader import LoadedPlan

PASSWORD = "correct-horse-1"
LOADED_AT = datetime(2022, 2, 20, 1, 0, tzinfo=UTC)

ACCOUNTS: tuple[tuple[str, Role, str | None], ...] = (
    ("director", Role.OFFICE_DIRECTOR, None),
    ("staff", Role.OFFICE_STAFF, None),
    ("officer-a", Role.AGENCY_OFFICER, "so-a"),
    ("head-a", Role.AGENCY_HEAD, "so-a"),
    ("officer-b", Role.AGENCY_OFFICER, "so-b"),
    ("auditor", Role.AUDITOR, None),
    ("admin", Role.ADMIN, None),
)

# Small files with the structure uploads are checked for (web/filechecks.py).
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"trailer << /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92"
    b"\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPG = (
    b"\xff\xd8\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\xa5\x5f\xff\xd9"
)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    moment: datetime = LOADED_AT + timedelta(days=1)
    history: list[datetime] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class WebWorld:
    app: PlanflowApp
    web: FastAPI
    client: TestClient
    clock: Clock
    settings: WebSettings

    def token(self, username: str) -> dict[str, str]:
        """A bearer header, signed directly (POST /api/v1/token is tested on its own)."""
        accounts = self.web.state.ctx.accounts
        user = accounts.get(username)
        assert user is not None, username
        session = accounts.open_session(
            username, "token", self.clock(), self.settings.token_max_age
        )
        return {"Authorization": f"Bearer {Signer(self.settings).token(user, session)}"}

    def event_count(self) -> int:
        with self.app.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(task_events)).scalar_one()
            )

    def task_id(self, duty: str, agency: str, period: str | None = None) -> str:
        from planflow.application.queries import BoardFilter, list_tasks

        views = list_tasks(
            self.app.engine,
            self.clock(),
            BoardFilter(duty=duty, agency=agency, period=period),
            as_of=False,
        )
        assert views, (duty, agency, period)
        return views[0].id


def seed_database(
    path: Path, plan: LoadedPlan, agency_a: str = "so-a", agency_b: str = "so-b"
) -> Path:
    """A store with the plan loaded and one account per role (hashing passwords is slow: once)."""
    url = f"sqlite:///{path}"
    app = PlanflowApp(url)
    try:
        app.load_plan(plan, actor="loader", at=LOADED_AT)
        accounts = AccountStore(app.engine)
        rename = {"so-a": agency_a, "so-b": agency_b}
        for username, role, agency in ACCOUNTS:
            accounts.add(username, role, PASSWORD, LOADED_AT, rename.get(agency or "", agency))
    finally:
        app.close()
    return path


def make_world(tmp_path: Path, template: Path, **overrides: object) -> Iterator[WebWorld]:
    """A fresh copy of the seeded store, served by create_app with a movable clock."""
    db = tmp_path / "web.db"
    shutil.copyfile(template, db)
    url = f"sqlite:///{db}"
    app = PlanflowApp(url)
    settings = WebSettings(
        database_url=url,
        secret_key="test-secret",
        upload_dir=tmp_path / "uploads",
        **overrides,  # type: ignore[arg-type]
    )
    clock = Clock()
    web = create_app(settings, clock, application=app)
    try:
        with TestClient(web) as client:
            yield WebWorld(app, web, client, clock, settings)
    finally:
        app.close()
