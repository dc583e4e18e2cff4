"""The audit tables: the hash chain (one row per stored event) and the signed checkpoints.

They live in their own MetaData, beside the event table and apart from the read models: a
``rebuild`` drops and recreates every read model, but the chain is history, not a projection.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

audit_metadata = MetaData()

BIG = BigInteger().with_variant(Integer(), "sqlite")

chain = Table(
    "planflow_chain",
    audit_metadata,
    Column("position", BIG, primary_key=True, autoincrement=False),
    Column("notification_id", BIG, nullable=False),
    Column("stream_id", String(36), nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("leaf_hash", String(64), nullable=False),
    Column("stream_hash", String(64), nullable=False),
    Column("chain_hash", String(64), nullable=False),
    Index("ix_planflow_chain_stream", "stream_id", "stream_version", unique=True),
    Index("ix_planflow_chain_notification", "notification_id"),
)

checkpoints = Table(
    "planflow_checkpoints",
    audit_metadata,
    Column("id", BIG, primary_key=True, autoincrement=True),
    Column("size", BIG, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("chain_head", String(64), nullable=False),
    Column("signed_at", String(40), nullable=False),
    Column("note", Text, nullable=False),
)

verifications = Table(
    "planflow_verifications",
    audit_metadata,
    Column("id", BIG, primary_key=True, autoincrement=True),
    Column("verified_at", String(40), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("count", BIG, nullable=False),
    Column("head", String(64), nullable=False),
    Column("root", String(64), nullable=False),
    Column("summary", Text, nullable=False),
)
