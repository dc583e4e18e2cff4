"""The agency register in the database: a province's agencies kept once, shared by plan files.

One table, ``planflow_agencies``, in the shared read-model ``metadata``: one row per (register,
code). Importing a register replaces its rows in one transaction (docs/agencies.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, String, Table, Text, delete, insert, select

from planflow.application.app import PlanflowApp
from planflow.application.tables import KEEP_ON_REBUILD, metadata

if TYPE_CHECKING:  # the register's reader is ingest's; only its type is needed here
    from planflow.ingest.register import Register

agencies_table = Table(
    "planflow_agencies",
    metadata,
    Column("register", String(100), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False, default=""),
    Column("kind", String(20), nullable=False),
    Column("head_title_vi", Text, nullable=False, default=""),
    Column("head_name", Text, nullable=False, default=""),
    Column("valid_from", Date, nullable=True),
    Column("valid_until", Date, nullable=True),
    Column("successor", String(64), nullable=False, default=""),
    Column("aliases", Text, nullable=False, default=""),
    info=KEEP_ON_REBUILD,  # imported, not derived from events: a rebuild keeps it
)


@dataclass(frozen=True)
class AgencyRow:
    register: str
    code: str
    name_vi: str
    kind: str
    valid_until: dt.date | None
    successor: str


def import_register(app: PlanflowApp, name: str, register: Register) -> int:
    agencies_table.create(app.engine, checkfirst=True)
    with app.engine.begin() as connection:
        connection.execute(delete(agencies_table).where(agencies_table.c.register == name))
        connection.execute(
            insert(agencies_table),
            [
                {
                    "register": name,
                    "code": a.code,
                    "name_vi": a.name_vi,
                    "name_en": a.name_en,
                    "kind": a.kind,
                    "head_title_vi": a.head_title_vi,
                    "head_name": a.head_name,
                    "valid_from": a.valid_from,
                    "valid_until": a.valid_until,
                    "successor": a.successor,
                    "aliases": ";".join(a.aliases),
                }
                for a in register.agencies
            ],
        )
    return len(register.agencies)


def list_agencies(app: PlanflowApp, register: str | None = None) -> list[AgencyRow]:
    agencies_table.create(app.engine, checkfirst=True)
    query = select(agencies_table).order_by(agencies_table.c.register, agencies_table.c.code)
    if register:
        query = query.where(agencies_table.c.register == register)
    with app.engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        AgencyRow(
            r["register"], r["code"], r["name_vi"], r["kind"], r["valid_until"], r["successor"]
        )
        for r in rows
    ]
