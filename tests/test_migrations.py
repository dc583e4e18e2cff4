"""The read-model schema under Alembic: a fresh store is created at head, a store from before
migrations (the tables of commit 0513f41, generated from that commit's metadata into
tests/fixtures/schema-0513f41.*.sql) upgrades keeping its rows, and the migrations alone build
exactly the tables the code declares. On SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from conftest import FIXTURES
from planflow.application import schema
from planflow.application.app import PlanflowApp, normalize_url
from planflow.application.tables import AUDIT_ORDER_INDEX, board, chases
from planflow.cli.main import app as cli


def _differences(url: str) -> list[object]:
    """What differs between the store's read-model tables and the code's declarations (the
    event store, the audit chain and the version table are not ours to compare). Alembic reflects
    no column collation: the auditor's order index is checked by ``_audit_index`` instead."""
    ours = set(schema.all_tables())
    skipped = AUDIT_ORDER_INDEX.name
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_name": lambda name, kind, _: kind != "table" or name in ours,
                    "include_object": lambda _o, name, _k, _r, _c: name != skipped,
                },
            )
            with warnings.catch_warnings():  # "can't reflect these indexes": skipped above
                warnings.filterwarnings("ignore", message=f".*'{skipped}'")
                return list(compare_metadata(context, schema.metadata))
    finally:
        engine.dispose()


def test_the_migrations_alone_build_exactly_the_tables_the_code_declares(
    database_url: str,
) -> None:
    engine = create_engine(normalize_url(database_url))
    try:
        assert schema.upgrade(engine) == (None, schema.head())
    finally:
        engine.dispose()
    assert _differences(database_url) == []


def test_a_fresh_store_is_created_at_head(database_url: str) -> None:
    application = PlanflowApp(database_url)
    try:
        found = schema.state(application.engine)
    finally:
        application.close()
    assert found.is_current and found.current == schema.head() == "0007"
    assert _differences(database_url) == []
    assert _audit_index(database_url) == AUDIT_INDEX_COLUMNS[_dialect(database_url)]


def _legacy_store(url: str) -> None:
    """The tables of commit 0513f41, with a few rows in them, and no version table."""
    engine = create_engine(normalize_url(url))
    dialect = engine.dialect.name
    ddl = (FIXTURES / f"schema-0513f41.{dialect}.sql").read_text(encoding="utf-8")
    lines = [line for line in ddl.splitlines() if not line.startswith("--")]
    statements = [s for s in "\n".join(lines).split(";\n") if s.strip()]
    stamp = datetime(2022, 3, 1, 1, 0)
    state = {
        "agency": "SNV",
        "due": date(2022, 3, 15),
        "planned_due": date(2022, 3, 15),
        "state": "assigned",
        "report_state": "none",
        "completed_at": None,
        "review_pending_since": None,
        "cancelled": False,
        "open_difficulties": 0,
        "activities": 0,
    }
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement.rstrip().rstrip(";"))
            connection.execute(
                text(
                    "INSERT INTO planflow_board (id, plan, duty, period, original_agency, "
                    "completion, title, agency, due, planned_due, state, report_state, "
                    "completed_at, review_pending_since, cancelled, open_difficulties, "
                    "activities, version, updated_at) VALUES (:id, 'kg-2022', 'I.1', '2022-Q1', "
                    "'SNV', 'report', 'Báo cáo quý', :agency, :due, :planned_due, :state, "
                    ":report_state, :completed_at, :review_pending_since, :cancelled, "
                    ":open_difficulties, :activities, 3, :stamp)"
                ),
                {"id": "t-1", "stamp": stamp, **state},
            )
            connection.execute(
                text(
                    "INSERT INTO planflow_chases (task_id, version, timestamp, kind, step, "
                    "working_days, due, plan, duty, period, task_agency, recipient_role, "
                    "recipient_agency, recipient_title, recipient_name) VALUES ('t-1', 2, :stamp, "
                    "'reminder', 3, 3, :due, 'kg-2022', 'I.1', '2022-Q1', 'SNV', 'head', 'SNV', "
                    "'Giám đốc Sở Nội vụ', 'Nguyễn Văn A')"
                ),
                {"stamp": stamp, "due": date(2022, 3, 15)},
            )
            connection.execute(
                text(
                    "INSERT INTO planflow_users (username, password_hash, role, agency, active, "
                    "created_at) VALUES ('vanphong', 'x', 'office_staff', NULL, :yes, :stamp)"
                ),
                {"yes": True, "stamp": stamp},
            )
            connection.execute(
                text(
                    "INSERT INTO planflow_outbox (channel, position, attempts, delivered) "
                    "VALUES ('email', 41, 0, 40)"
                )
            )
    finally:
        engine.dispose()


def test_a_store_from_before_migrations_upgrades_keeping_its_rows(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _legacy_store(database_url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    before = runner.invoke(cli, ["--db", database_url, "db", "current"])
    assert before.exit_code == 1, before.output
    assert "db upgrade" in before.output

    upgraded = runner.invoke(cli, ["--db", database_url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"→ {schema.head()}" in upgraded.output
    after = runner.invoke(cli, ["--db", database_url, "db", "current"])
    assert after.exit_code == 0 and schema.head() in after.output
    again = runner.invoke(cli, ["--db", database_url, "db", "upgrade"])
    assert again.exit_code == 0 and "already" in again.output

    application = PlanflowApp(database_url)
    try:
        with application.engine.connect() as connection:
            row = connection.execute(board.select()).one()
            chase = connection.execute(chases.select()).one()
            users = connection.execute(text("SELECT username FROM planflow_users")).all()
            outbox = connection.execute(
                text("SELECT position, delivered FROM planflow_outbox")
            ).one()
            tables = set(inspect(connection).get_table_names())
    finally:
        application.close()
    assert (row.id, row.title, row.version, row.agency) == ("t-1", "Báo cáo quý", 3, "SNV")
    assert (row.role, row.recipient, row.personal_responsibility) == ("lead", "", False)
    assert (chase.recipient_name, chase.personal_responsibility, chase.responsible_name) == (
        "Nguyễn Văn A",
        False,
        "",
    )
    assert [u.username for u in users] == ["vanphong"]
    assert tuple(outbox) == (41, 40)
    assert {"planflow_ticks", "planflow_sessions", "planflow_agencies"} <= tables
    assert _differences(database_url) == []


def test_a_store_at_0004_gets_the_board_pages_indexes_when_upgraded(database_url: str) -> None:
    engine = create_engine(normalize_url(database_url))
    try:
        assert schema.upgrade(engine, "0004") == (None, "0004")
        wanted = {
            "ix_planflow_board_pages",
            "ix_planflow_board_duties",
            "ix_planflow_task_events_type_time",
        }

        def indexes() -> set[str]:
            found = inspect(engine)
            tables = ("planflow_board", "planflow_task_events")
            return {i["name"] or "" for t in tables for i in found.get_indexes(t)}

        assert not indexes() & wanted
        assert schema.upgrade(engine) == ("0004", schema.head())
        assert wanted <= indexes()
    finally:
        engine.dispose()
    assert _differences(database_url) == []


AUDIT_INDEX_COLUMNS = {
    "sqlite": "due, plan, duty, agency, period, id",
    "postgresql": 'due, plan COLLATE "C", duty COLLATE "C", agency COLLATE "C", '
    'period COLLATE "C", id',
}


def _dialect(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def _audit_index(url: str) -> str | None:
    """The auditor's order index's columns as the database declares them (None: no such index)."""
    engine = create_engine(normalize_url(url))
    name = AUDIT_ORDER_INDEX.name
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
            else:
                query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
            found = connection.execute(text(query), {"name": name}).scalar()
    finally:
        engine.dispose()
    if found is None:
        return None
    inside = str(found).rpartition("(")[2].rstrip(")")
    if engine.dialect.name == "sqlite":  # a quoted name is the same name
        inside = inside.replace('"', "")
    return inside.replace("planflow_board.", "")


def test_the_auditor_s_order_index_is_added_by_0007_and_dropped_by_its_downgrade(
    database_url: str,
) -> None:
    engine = create_engine(normalize_url(database_url))
    try:
        assert schema.upgrade(engine, "0006") == (None, "0006")
        assert _audit_index(database_url) is None
        assert schema.upgrade(engine) == ("0006", "0007")
        assert _audit_index(database_url) == AUDIT_INDEX_COLUMNS[_dialect(database_url)]
        with engine.begin() as connection:
            command.downgrade(schema._config(connection), "0006")
        assert _audit_index(database_url) is None
        assert schema.upgrade(engine) == ("0006", "0007")
    finally:
        engine.dispose()
    assert _differences(database_url) == []
