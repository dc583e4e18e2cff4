"""What the migrations ask of the store before changing it (so that a store created by any
unversioned release, with some of the later tables already there, upgrades too)."""

from __future__ import annotations

from alembic import op
from sqlalchemy import inspect


def has_table(name: str) -> bool:
    return inspect(op.get_bind()).has_table(name)


def has_column(table: str, column: str) -> bool:
    return any(c["name"] == column for c in inspect(op.get_bind()).get_columns(table))


def has_index(table: str, index: str) -> bool:
    return any(i["name"] == index for i in inspect(op.get_bind()).get_indexes(table))
