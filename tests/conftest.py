"""Shared fixtures: real SQLite files and, when available, a real PostgreSQL.

PostgreSQL comes from PLANFLOW_TEST_POSTGRES_URL (an admin URL such as
postgresql://postgres:postgres@localhost/postgres); each test gets a fresh database. Without it the
PostgreSQL tests skip on a laptop — but when PLANFLOW_REQUIRE_SERVICES=1 (CI sets it) a missing
service fails the test instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from planflow.application.app import PlanflowApp, normalize_url
from planflow.workflow.loader import LoadedPlan, load_workflow

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KIEN_GIANG = ROOT / "workflows" / "kien-giang-2022.yaml"
MINI = FIXTURES / "mini.yaml"

PG_ENV = "PLANFLOW_TEST_POSTGRES_URL"
REQUIRE_ENV = "PLANFLOW_REQUIRE_SERVICES"


def services_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0", "false")


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing, unless CI demands the service."""
    if services_required():
        pytest.fail(f"{reason} (required because {REQUIRE_ENV} is set)")
    pytest.skip(reason)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'planflow.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    admin = os.environ.get(PG_ENV)
    if not admin:
        skip_or_fail(f"no PostgreSQL: set {PG_ENV}")
        raise AssertionError("unreachable")
    import psycopg

    name = f"planflow_test_{uuid.uuid4().hex[:12]}"
    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        skip_or_fail(f"PostgreSQL at {PG_ENV} unreachable: {exc}")
    base, _, _ = plain.rpartition("/")
    yield normalize_url(f"{base}/{name}")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same scenario on each supported database."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def app(sqlite_url: str) -> Iterator[PlanflowApp]:
    application = PlanflowApp(sqlite_url)
    yield application
    application.close()


@pytest.fixture
def any_app(database_url: str) -> Iterator[PlanflowApp]:
    application = PlanflowApp(database_url)
    yield application
    application.close()


@pytest.fixture(scope="session")
def mini_plan() -> LoadedPlan:
    return load_workflow(MINI)


@pytest.fixture(scope="session")
def kien_giang() -> LoadedPlan:
    return load_workflow(KIEN_GIANG)
