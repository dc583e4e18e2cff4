"""A task's difficulties (khó khăn, vướng mắc): records that are never changed in place, in a
collection that a snapshot can restore without decoding them.

A task keeps every difficulty it was ever given, so a long history is mostly difficulties. A
snapshot stores them as one JSON string of rows with their count and the number still open;
``Difficulties`` restored from it keeps that string as it is and parses it only when a difficulty
is read, then turns a row into a ``Difficulty`` when that one is read. A command that raises a
difficulty decodes none; one that answers difficulty n parses the string and builds that one.
Answering replaces the record instead of changing it, so ``copy()`` shares the records and
copies one list of references.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, replace
from datetime import datetime
from typing import Any, Self, overload

Row = list[Any]
"""number, text, raised_by, raised_at, answer, answered_by, answered_at; times in ISO 8601."""


@dataclass(frozen=True)
class Difficulty:
    """A difficulty or obstacle (khó khăn, vướng mắc) raised by the agency, answered by the Office."""

    number: int
    text: str
    raised_by: str
    raised_at: datetime
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None


def _row(item: Difficulty) -> Row:
    number, text, raised_by, raised_at, answer, answered_by, answered_at = astuple(item)
    return [
        number,
        text,
        raised_by,
        raised_at.isoformat(),
        answer,
        answered_by,
        answered_at.isoformat() if answered_at is not None else None,
    ]


def _record(row: Row) -> Difficulty:
    number, text, raised_by, raised_at, answer, answered_by, answered_at = row
    return Difficulty(
        number,
        text,
        raised_by,
        datetime.fromisoformat(raised_at),
        answer,
        answered_by,
        datetime.fromisoformat(answered_at) if answered_at is not None else None,
    )


class Difficulties(Sequence[Difficulty]):
    """The task's difficulties in order: number n at index n - 1.

    ``_encoded`` holds the first ``_encoded_count`` as one JSON array of rows, as a snapshot
    stored them, until one of them is read; ``_items`` the others (all of them once decoded),
    each a ``Difficulty`` or a row not yet turned into one."""

    def __init__(self, items: Iterable[Difficulty] = ()) -> None:
        self._encoded: str | None = None
        self._encoded_count = 0
        self._items: list[Difficulty | Row] = list(items)
        self._open = sum(1 for item in self._items if _answer(item) is None)

    # --- the snapshot codec's protocol (domain/snapshot.py) ----------------------------------

    def snapshot_state(self) -> dict[str, Any]:
        """The rows as one JSON string, with their count and how many are open: a snapshot
        restores them without building an object per row. Rows never read are passed on as
        they were read."""
        rows = [item if isinstance(item, list) else _row(item) for item in self._items]
        if self._encoded is None or not self._encoded_count:
            encoded = _dumps(rows)
        elif not rows:
            encoded = self._encoded
        else:  # "[a,b]" and "[c]" make "[a,b,c]"
            encoded = self._encoded[:-1] + "," + _dumps(rows)[1:]
        return {"count": len(self), "open": self._open, "rows": encoded}

    @classmethod
    def from_snapshot_state(cls, state: dict[str, Any]) -> Self:
        restored = cls()
        restored._encoded = state["rows"]
        restored._encoded_count = state["count"]
        restored._open = state["open"]
        return restored

    # --- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._encoded_count + len(self._items)

    @property
    def open_count(self) -> int:
        """How many are not answered yet (known without decoding any)."""
        return self._open

    @overload
    def __getitem__(self, index: int) -> Difficulty: ...

    @overload
    def __getitem__(self, index: slice) -> list[Difficulty]: ...

    def __getitem__(self, index: int | slice) -> Difficulty | list[Difficulty]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(len(self))[index]]
        return self._at(range(len(self))[index])

    def __iter__(self) -> Iterator[Difficulty]:
        for i in range(len(self)):
            yield self._at(i)

    def _at(self, i: int) -> Difficulty:
        items = self._decoded()
        item = items[i]
        if isinstance(item, list):
            item = items[i] = _record(item)
        return item

    def _decoded(self) -> list[Difficulty | Row]:
        if self._encoded is not None:
            rows: list[Difficulty | Row] = json.loads(self._encoded)
            self._items = rows + self._items
            self._encoded, self._encoded_count = None, 0
        return self._items

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Difficulties | list | tuple):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Difficulties({list(self)!r})"

    # --- changing (the events' ``apply``) -------------------------------------------------------

    def append(self, item: Difficulty) -> None:
        self._items.append(item)
        if item.answer is None:
            self._open += 1

    def answer(self, number: int, *, answer: str, by: str, at: datetime) -> None:
        """Difficulty ``number`` answered: its record is replaced, never changed in place."""
        before = self._at(number - 1)
        if before.answer is None:
            self._open -= 1
        self._items[number - 1] = replace(before, answer=answer, answered_by=by, answered_at=at)

    def copy(self) -> Difficulties:
        """An independent collection sharing the (immutable) records and the encoded rows."""
        kept = Difficulties()
        kept._encoded, kept._encoded_count = self._encoded, self._encoded_count
        kept._items = list(self._items)
        kept._open = self._open
        return kept


def _answer(item: Difficulty | Row) -> str | None:
    return item[4] if isinstance(item, list) else item.answer


def _dumps(rows: list[Row]) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
