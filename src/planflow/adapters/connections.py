"""The connection of a session's transaction, looked up once (no event-store imports here, so the
read models can use it without loading the recorder, the audit chain or cryptography)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection
from sqlalchemy.orm import Session


def connection_of(session: Session) -> Connection:
    """The connection of the session's transaction, looked up once per transaction: the command
    loader, the recorder and the projector all go through it (Core, without the ORM's layers),
    and ``Session.connection()`` costs about as much as executing a cached statement."""
    kept = session.info.get("planflow_connection")
    if kept is not None and kept[0] is session.get_transaction():
        return cast(Connection, kept[1])
    connection = session.connection()  # begins the transaction if it has not begun
    session.info["planflow_connection"] = (session.get_transaction(), connection)
    return connection
