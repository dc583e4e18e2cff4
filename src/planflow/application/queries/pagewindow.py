"""One page of a sorted list, read from only the rows that can be on it.

A list's order (``pages.rows``) starts with keys that the request's tally (``pages.tally``) already
knows per group and status: the deadline, the agency, the status, the working days overdue. So the
tally tells how many selected tasks come before each (group, status) cell in that order, and which
cells hold the page's ``offset``…``offset + limit``. The page is then the same ``ORDER BY … LIMIT``
over just those cells' rows (an equality on the covering index's leading columns per cell), with
the offset counted from the first of them, instead of a sort of every selected task.

Every cell whose leading key lies between the first and the last key the page needs is read whole,
so the rows read are a contiguous stretch of the full order and the page is exactly the one the full
query returns (``tests/test_web_board_sql.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.sql import ColumnElement

from planflow.application.queries.pagecounts import Group

__all__ = ["MAX_CELLS", "MAX_ROWS", "Cell", "Key", "window"]

Cell = tuple[Group, str, int]  # a group, a status word, the selected tasks in it (> 0)
Key = Callable[[Group, str], tuple[Hashable, ...]]

# Past this many cells or rows to read, the condition would cost more than it saves (the base
# order's leading keys, deadline and plan, span a whole period): the full query runs instead.
MAX_CELLS = 400
MAX_ROWS = 5000


def window(
    cells: Sequence[Cell],
    key: Key,
    columns: Any,
    status: ColumnElement[str],
    limit: int,
    offset: int,
) -> tuple[ColumnElement[bool], int] | None:
    """The condition that selects the rows of the cells the page needs, and the page's offset
    among those rows; ``None`` if the page is past the end or needs too many cells."""
    blocks: dict[tuple[Hashable, ...], list[Cell]] = {}
    for cell in cells:
        blocks.setdefault(key(cell[0], cell[1]), []).append(cell)
    before = 0
    chosen: list[Cell] = []
    start = 0
    rows = 0
    for k in sorted(blocks):
        n = sum(cell[2] for cell in blocks[k])
        if not chosen and before + n <= offset:
            before += n
            continue
        if not chosen:
            start = before
        chosen.extend(blocks[k])
        before += n
        rows += n
        if before >= offset + limit:
            break
    if not chosen or len(chosen) > MAX_CELLS or rows > MAX_ROWS:
        return None
    words: dict[tuple[Any, ...], set[str]] = {}
    for g, word, _n in chosen:
        words.setdefault((g.plan, g.role, g.period, g.agency, g.due), set()).add(word)
    c = columns
    arms = [
        and_(
            c.plan == plan,
            c.role == role,
            c.period == period,
            c.agency == agency,
            c.due == due,
            status.in_(sorted(ws)),
        )
        for (plan, role, period, agency, due), ws in words.items()
    ]
    return or_(*arms), offset - start
