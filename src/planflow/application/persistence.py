"""The event store's persistence module: eventsourcing-sqlalchemy, with pooled connections checked
before use (``pool_pre_ping``), so the first requests after a database restart do not fail on
connections the restart killed, and events hash-chained as they are written (docs/audit.md).
PlanflowApp names this module in PERSISTENCE_MODULE.
"""

from __future__ import annotations

from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy.orm import scoped_session, sessionmaker

from planflow.adapters.chained_store import Factory as ChainedFactory

POOL_TIMEOUT = 10  # seconds to wait for a free pooled connection before answering "busy"


class PrePingDatastore(SQLAlchemyDatastore):
    def __init__(
        self,
        *,
        session: scoped_session[Any] | None = None,
        session_maker: sessionmaker[Any] | None = None,
        url: str | None = None,
        autoflush: bool = True,
        **engine_kwargs: Any,
    ) -> None:
        if url and not url.startswith("sqlite"):
            engine_kwargs.setdefault("pool_pre_ping", True)
            engine_kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
        super().__init__(
            session=session,
            session_maker=session_maker,
            url=url,
            autoflush=autoflush,
            **engine_kwargs,
        )


class Factory(ChainedFactory):
    """The hash-chained recorder (adapters/chained_store.py) on a pre-pinging datastore."""

    datastore_class = PrePingDatastore


TOPIC = f"{__name__}:Factory"
