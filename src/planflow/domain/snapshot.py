"""Snapshots of aggregates whose state holds more than JSON knows: enums, sets and dataclasses.

The library's snapshot copies the aggregate's attributes as they are; its JSON transcoder knows
dates, datetimes and UUIDs but would turn an enum into a bare string and cannot store a set or a
dataclass. ``StateSnapshot`` stores those tagged (the class by its topic) and restores them, so a
task loaded from a snapshot is equal, attribute by attribute, to the task replayed from its
events (tests/test_snapshots.py).

A collection may encode itself: a class with ``snapshot_state()`` (plain JSON values) and the
class method ``from_snapshot_state(state)`` is stored as its topic and that state, and restored by
that method, which may keep the state encoded until it is read (domain/difficulties.py).
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import MutableOrImmutableAggregate, Snapshot
from eventsourcing.utils import get_topic, resolve_topic

TAG = "__planflow_state__"


def encode(value: Any) -> Any:
    if hasattr(type(value), "from_snapshot_state"):
        return {TAG: "own", "topic": get_topic(type(value)), "state": value.snapshot_state()}
    if isinstance(value, Enum):
        return {TAG: "enum", "topic": get_topic(type(value)), "value": value.value}
    if isinstance(value, set | frozenset):
        items = sorted((encode(v) for v in value), key=repr)
        return {TAG: "set", "items": items}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {TAG: "dataclass", "topic": get_topic(type(value)), "fields": fields}
    if isinstance(value, list | tuple):
        if value and _same_dataclass(value):
            # A list of records of one class (a task's difficulties): one topic, rows of values.
            names = [f.name for f in dataclasses.fields(value[0])]
            rows = [[encode(getattr(item, name)) for name in names] for item in value]
            return {TAG: "records", "topic": get_topic(type(value[0])), "rows": rows}
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


_PLAIN = (str, int, float, bool, type(None))


def _same_dataclass(items: list[Any] | tuple[Any, ...]) -> bool:
    first = type(items[0])
    if not dataclasses.is_dataclass(first) or not all(f.init for f in dataclasses.fields(first)):
        return False
    return all(type(item) is first for item in items)


def decode(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get(TAG)
    if kind == "own":
        return resolve_topic(value["topic"]).from_snapshot_state(value["state"])
    if kind == "enum":
        return resolve_topic(value["topic"])(value["value"])
    if kind == "records":
        cls = resolve_topic(value["topic"])
        return [
            cls(*(v if isinstance(v, _PLAIN) else decode(v) for v in row)) for row in value["rows"]
        ]
    if kind == "set":
        return {decode(v) for v in value["items"]}
    if kind == "dataclass":
        cls = resolve_topic(value["topic"])
        fields = value["fields"]
        return cls(**{k: v if isinstance(v, _PLAIN) else decode(v) for k, v in fields.items()})
    return {k: decode(v) for k, v in value.items()}


@dataclasses.dataclass(frozen=True)
class StateSnapshot(Snapshot):
    """The library's snapshot with the state encoded on taking and decoded on restoring."""

    @classmethod
    def take(cls, aggregate: MutableOrImmutableAggregate[UUID]) -> Self:
        taken = super().take(aggregate)
        # Stamped with the time of the last event it covers: no wall clock is read here.
        stamp = getattr(aggregate, "modified_on", taken.timestamp)
        return dataclasses.replace(taken, timestamp=stamp, state=encode(taken.state))

    def mutate(self, _: None) -> Any:
        decoded = dataclasses.replace(self, state=decode(self.state))
        return Snapshot.mutate(decoded, None)
