"""Shared fixtures: real SQLite files and, when available, a real PostgreSQL.

PostgreSQL comes from PLANFLOW_TEST_POSTGRES_URL (an admin URL such as
postgresql://postgres:postgres@localhost/postgres); each test gets a fresh database. Without it the
PostgreSQL tests skip on a laptop — but when PLANFLOW_REQUIRE_SERVICES=1 (CI sets it) a missing
service fails the test instead.

Loading the Kiên Giang plan (479 tasks) takes seconds, so it is loaded once per session into a
template — a SQLite file, a PostgreSQL template database — and each test gets its own copy
(``kg_app``, ``kg_any_app``, ``kg_database_url``, ``kg_cli_db``). The web tests share one seeded
store the same way (``web_template``, ``world``). tmp_path lives on the RAM disk when there is one.
Tests that need PostgreSQL are marked ``postgres``; the year-long walk is marked ``slow``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from planflow.application.app import PlanflowApp, normalize_url
from planflow.workflow.loader import LoadedPlan, load_workflow
from webkit import WebWorld, make_world, seed_database

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KIEN_GIANG = ROOT / "workflows" / "kien-giang-2022.yaml"
MINI = FIXTURES / "mini.yaml"

PG_ENV = "PLANFLOW_TEST_POSTGRES_URL"
REQUIRE_ENV = "PLANFLOW_REQUIRE_SERVICES"


RAM_DISK = Path("/dev/shm")
RAM_DISK_FREE = 1 << 30  # a container's 64 MB /dev/shm is too small: use the disk there


def _temporary_files_in_memory() -> None:
    """Put tmp_path on the RAM disk, when there is a roomy one and PYTEST_DEBUG_TEMPROOT does not
    say otherwise: the tests write real SQLite files, and the fsync of every commit on the disk
    took a third of the suite's time. pytest reads the variable when it first makes tmp_path."""
    if "PYTEST_DEBUG_TEMPROOT" in os.environ or not os.access(RAM_DISK, os.W_OK):
        return
    stats = os.statvfs(RAM_DISK)
    if stats.f_bavail * stats.f_frsize >= RAM_DISK_FREE:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(RAM_DISK)


_temporary_files_in_memory()


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


def _postgres_admin() -> str:
    """The admin URL (plain ``postgresql://``), or skip — or fail, when services are required."""
    admin = os.environ.get(PG_ENV)
    if not admin:
        skip_or_fail(f"no PostgreSQL: set {PG_ENV}")
        raise AssertionError("unreachable")
    return admin.replace("postgresql+psycopg://", "postgresql://")


def create_postgres_database(template: str | None = None) -> str:
    """A fresh, uniquely named database (a copy of ``template`` if given); returns its name."""
    import psycopg

    plain = _postgres_admin()
    name = f"planflow_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
            # A throwaway database need not wait for the WAL flush at each commit.
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    except psycopg.OperationalError as exc:
        skip_or_fail(f"PostgreSQL at {PG_ENV} unreachable: {exc}")
    return name


def postgres_database_url(name: str) -> str:
    base, _, _ = _postgres_admin().rpartition("/")
    return normalize_url(f"{base}/{name}")


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(_postgres_admin(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    name = create_postgres_database()
    yield postgres_database_url(name)
    drop_postgres_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same scenario on each supported database."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def app(database_url: str) -> Iterator[PlanflowApp]:
    """The application on a fresh store, on each supported database (SQLite file, PostgreSQL)."""
    application = PlanflowApp(database_url)
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


@pytest.fixture
def loaded(database_url: str, mini_plan: LoadedPlan) -> Iterator[PlanflowApp]:
    """The mini plan loaded on 20 Feb 2022, on each database (a module may define its own)."""
    app = PlanflowApp(database_url)
    app.load_plan(mini_plan, actor="loader", at=datetime(2022, 2, 20, tzinfo=UTC))
    yield app
    app.close()


@pytest.fixture(scope="session")
def kien_giang() -> LoadedPlan:
    return load_workflow(KIEN_GIANG)


# --- the Kiên Giang plan, loaded once per session and copied per test ----------------------------

KG_LOADER = "loader"
KG_LOADED_AT = datetime(2022, 2, 15, tzinfo=UTC)


def edited_mini(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """A copy of mini.yaml with each ``old`` text (which must occur once) replaced by ``new``."""
    text = MINI.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "mini-edited.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def revised_mini(tmp_path: Path, *edits: tuple[str, str]) -> LoadedPlan:
    """The mini plan with each (old, new) text edit made once (``edited_mini``), loaded."""
    return load_workflow(edited_mini(tmp_path, *edits))


def copy_sqlite(source: Path, target: Path) -> Path:
    """Copy a SQLite store file (and its WAL files, if any) to ``target``."""
    for suffix in ("", "-wal", "-shm"):
        origin = Path(f"{source}{suffix}")
        if origin.exists():
            shutil.copyfile(origin, Path(f"{target}{suffix}"))
    return target


def _load_kg(url: str, plan: LoadedPlan) -> None:
    application = PlanflowApp(url)
    try:
        application.load_plan(plan, actor=KG_LOADER, at=KG_LOADED_AT)
    finally:
        application.close()


@pytest.fixture(scope="session")
def kg_sqlite_template(tmp_path_factory: pytest.TempPathFactory, kien_giang: LoadedPlan) -> Path:
    """A SQLite file with the Kiên Giang plan loaded by ``loader`` on 15 Feb 2022 (00:00 UTC)."""
    path = tmp_path_factory.mktemp("kg-template") / "kien-giang.db"
    _load_kg(f"sqlite:///{path}", kien_giang)
    return path


@pytest.fixture(scope="session")
def kg_postgres_template(kien_giang: LoadedPlan) -> Iterator[str]:
    """A PostgreSQL template database holding the same store as ``kg_sqlite_template``."""
    name = create_postgres_database()
    try:
        _load_kg(postgres_database_url(name), kien_giang)
        yield name
    finally:
        drop_postgres_database(name)


@pytest.fixture
def kg_sqlite_url(tmp_path: Path, kg_sqlite_template: Path) -> str:
    """A fresh copy of the loaded Kiên Giang store, as a SQLite URL."""
    return f"sqlite:///{copy_sqlite(kg_sqlite_template, tmp_path / 'planflow.db')}"


@pytest.fixture
def kg_postgres_url(kg_postgres_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database copied from the loaded Kiên Giang template."""
    name = create_postgres_database(template=kg_postgres_template)
    yield postgres_database_url(name)
    drop_postgres_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
def kg_database_url(request: pytest.FixtureRequest) -> str:
    """The loaded Kiên Giang store on each supported database."""
    fixture = "kg_sqlite_url" if request.param == "sqlite" else "kg_postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def kg_app(kg_database_url: str) -> Iterator[PlanflowApp]:
    """The application on a fresh copy of the loaded Kiên Giang store, on each database."""
    application = PlanflowApp(kg_database_url)
    yield application
    application.close()


@pytest.fixture
def kg_any_app(kg_database_url: str) -> Iterator[PlanflowApp]:
    """The application on a fresh copy of the loaded Kiên Giang store, on each database."""
    application = PlanflowApp(kg_database_url)
    yield application
    application.close()


@pytest.fixture(scope="session")
def kg_cli_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A planflow.db made by ``planflow load kien-giang-2022.yaml --at 2022-02-15`` (in-process)."""
    from typer.testing import CliRunner

    from planflow.cli.main import app as cli

    db = tmp_path_factory.mktemp("kg-cli-template") / "planflow.db"
    result = CliRunner().invoke(
        cli, ["--db", str(db), "load", str(KIEN_GIANG), "--at", "2022-02-15"]
    )
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def kg_cli_db(tmp_path: Path, kg_cli_template: Path) -> Path:
    """tmp_path/planflow.db: a fresh copy of ``kg_cli_template``."""
    return copy_sqlite(kg_cli_template, tmp_path / "planflow.db")


# --- the web: one seeded store per session, a fresh copy and server per test ---------------------


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory, mini_plan: LoadedPlan) -> Path:
    """The mini plan loaded, with one account per role (webkit.ACCOUNTS)."""
    return seed_database(tmp_path_factory.mktemp("web-seed") / "seed.db", mini_plan)


@pytest.fixture
def world(tmp_path: Path, web_template: Path) -> Iterator[WebWorld]:
    """A fresh copy of ``web_template`` served by the web app with a movable clock."""
    yield from make_world(tmp_path, web_template)


# --- markers --------------------------------------------------------------------------------------

POSTGRES_FIXTURES = {"postgres_url", "kg_postgres_url", "kg_postgres_template"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs PostgreSQL with ``postgres`` (``-m "not postgres"`` skips them)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = list(callspec.params.values()) if callspec is not None else []
        if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())) or "postgres" in params:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def _wide_cli_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process CLI runs print to consoles made once per process: give every test the same wide
    width, so a table never wraps differently because of which test ran first."""
    from planflow.cli import common

    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", 250)
