"""A small per-process cache of the board's counts (``counts_by_agency``) and of other views of
the board (the board page's figures), with single flight.

The board changes only when an event is written or when the judging time moves on, so an
entry is keyed by:

- the store's last notification id (``max(id)`` of the event table: one indexed read per
  request). Every change of a task writes an event, and the event and its read-model rows commit
  in one transaction; on PostgreSQL the event table is locked until commit, so ids become
  visible in order. The id is read *before* the aggregate, so an entry can only be newer than
  its key, never older;
- the query's parameters (plan, period, current or as of);
- the judging minute for the current board (the statuses depend on the local date only, so a
  minute is conservative), or the exact moment for a board as of a past time.

A write to the read models that writes no event (``planflow rebuild`` rewriting the same rows)
is seen at the next minute at the latest.

Concurrent identical misses compute once: the first caller runs the aggregate, the others wait
for its result (or its error). Entries are bounded (least recently used dropped first).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

from sqlalchemy import Engine, Table, func, select

from planflow.application.queries.board import AgencyRow, counts_by_agency

DEFAULT_ENTRIES = 32

Key = tuple[int, tuple[Hashable, ...], datetime | None]
T = TypeVar("T")
Compute = Callable[..., list[AgencyRow]]


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0  # aggregates run
    joined: int = 0  # misses that waited for another caller's aggregate


class BoardCache:
    """``counts_by_agency`` behind a cache keyed by (last notification id, parameters, minute)."""

    def __init__(
        self,
        engine: Engine,
        events: Table,
        *,
        entries: int = DEFAULT_ENTRIES,
        compute: Compute = counts_by_agency,
    ) -> None:
        self.engine = engine
        self.events = events
        self.entries = entries
        self.compute = compute
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._cached: OrderedDict[Key, object] = OrderedDict()
        self._flights: dict[Key, Future[object]] = {}
        self._last_id = select(func.max(events.c.id))

    def last_notification_id(self) -> int:
        with self.engine.connect() as connection:
            found = connection.execute(self._last_id).scalar()
        return int(found or 0)

    def counts(
        self,
        moment: datetime,
        plan: str | None = None,
        period: str | None = None,
        *,
        as_of: bool = False,
    ) -> Sequence[AgencyRow]:
        """The same rows as ``counts_by_agency`` (read them; do not change them)."""

        def compute() -> tuple[AgencyRow, ...]:
            return tuple(self.compute(self.engine, moment, plan, period, as_of=as_of))

        judged = moment.astimezone(UTC)
        if as_of:
            return self.remember(("counts", plan, period, judged), compute)
        return self.remember(("counts", plan, period), compute, judged)

    def remember(
        self, parts: tuple[Hashable, ...], compute: Callable[[], T], judged: datetime | None = None
    ) -> T:
        """``compute()``'s value for ``parts`` at the store's last notification id and
        ``judged``'s minute (``None``: any minute), computed once however many callers wait.
        ``parts`` must name everything the value depends on besides the store and the minute."""
        minute = None if judged is None else judged.astimezone(UTC).replace(second=0, microsecond=0)
        key: Key = (self.last_notification_id(), parts, minute)
        with self._lock:
            if key in self._cached:
                self._cached.move_to_end(key)
                self.stats.hits += 1
                return cast(T, self._cached[key])
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = Future()
                self.stats.misses += 1
            else:
                self.stats.joined += 1
        if not leader:
            return cast(T, flight.result())
        try:
            value = compute()
        except BaseException as error:
            with self._lock:
                del self._flights[key]
            flight.set_exception(error)
            raise
        with self._lock:
            del self._flights[key]
            self._cached[key] = value
            while len(self._cached) > self.entries:
                self._cached.popitem(last=False)
        flight.set_result(value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._cached.clear()
