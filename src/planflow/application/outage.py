"""The database is out of reach (stopped, restarting, a connection cut): not a bug, a wait.

``is_outage`` tells such errors from the others, so the web answers 503 with Retry-After and the
scheduler backs off, instead of plain 500s and stack traces.
"""

from __future__ import annotations

import eventsourcing.persistence as es
import sqlalchemy.exc as sa

OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    sa.OperationalError,  # cannot connect, the server shut down, SQLite locked
    sa.InterfaceError,  # the connection is closed
    sa.TimeoutError,  # no connection free in the pool in time
    sa.DisconnectionError,
    es.OperationalError,  # the same, wrapped by the event store
    es.InterfaceError,
)

# Every database error the web answers itself: outages with 503, the rest with a 500 problem.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    *OUTAGE_ERRORS,
    sa.DBAPIError,
    es.PersistenceError,
)


def is_outage(exc: BaseException) -> bool:
    """True for an error (or an error it wraps) that says the database could not be reached."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, OUTAGE_ERRORS):
            return True
        if isinstance(seen, sa.DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__ or seen.__context__
    return False
