"""The board's and the auditor's pages at province scale: counts aggregated by the database and
lists paginated in SQL (``LIMIT``/``OFFSET``), for the current board or the board as it stood at a
past time (``tasks.as_of_rows``). Filters that the web layer resolves against names and calendars
(groups of agencies, a search phrase, working days overdue) arrive here as sets of codes, pairs and
due dates, so every row is judged by the same four-way status ``CASE`` as ``counts_by_agency``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import uuid4

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.sql import ColumnElement, FromClause, Select

from planflow.application.queries import pagecounts, pageduties, pagewindow
from planflow.application.queries.board import status_case
from planflow.application.queries.pagecounts import Group
from planflow.application.queries.tasks import TaskView, as_of_rows, view_of
from planflow.application.tables import board
from planflow.domain.status import TaskStatus

__all__ = [
    "GridCell",
    "Group",
    "Reader",
    "Selection",
    "cells",
    "count",
    "count_where",
    "distinct",
    "duties",
    "grouped_counts",
    "reading",
    "rows",
    "tally",
]

STATUS_RANK = (
    TaskStatus.OPEN_OVERDUE,
    TaskStatus.DONE_LATE,
    TaskStatus.OPEN_IN_TIME,
    TaskStatus.DONE_ON_TIME,
)


@dataclass(frozen=True)
class Selection:
    """Which tasks a page shows; ``None`` leaves a criterion out. Cancelled tasks never show."""

    plan: str | None = None
    period: str | None = None
    agencies: frozenset[str] | None = None  # an agency or the members of a group
    duty: str | None = None
    duties: frozenset[str] | None = None
    status: TaskStatus | None = None
    role: str | None = None  # "lead" or "cooperating"
    overdue_dues: frozenset[tuple[str, date]] | None = None  # open overdue, (plan, due) in these
    # A search phrase: the agencies and (plan, duty, title) triples whose words contain it.
    text_agencies: frozenset[str] | None = None
    text_triples: frozenset[tuple[str, str, str]] = frozenset()
    text_quads: frozenset[tuple[str, str, str, str]] = frozenset()  # (agency, plan, duty, title)
    state: str | None = None
    with_difficulties: bool = False
    open_only: bool = False  # not completed


@dataclass(frozen=True)
class Reader:
    """One request's reads: a connection and the rows the pages select from (board-named
    columns), with the status ``CASE`` judged at ``moment``; ``tallies`` keeps the request's
    ``tally`` per plan, from which the counts that need no other column are then answered."""

    connection: Connection
    source: FromClause
    status: ColumnElement[str]
    moment: datetime
    tallies: dict[str | None, list[Group]] = field(default_factory=dict)


@contextmanager
def reading(engine: Engine, moment: datetime, *, as_of: bool) -> Iterator[Reader]:
    """The current board, or the board as of ``moment``: computed once into a temporary table
    (``tasks.as_of_rows``: the event index, per dialect), so that a page's counts, choices
    and rows read it several times for the price of one as-of computation. The table lives on
    this connection only and is dropped at the end; nothing is written to the store."""
    with engine.connect() as connection:
        if not as_of:
            yield Reader(
                connection, board, status_case(board.c, engine.dialect.name, moment), moment
            )
            return
        query = as_of_rows(moment, engine.dialect.name)
        name = f"planflow_as_of_{uuid4().hex[:12]}"
        columns = [Column(c.name, c.type) for c in query.selected_columns]
        table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
        table.create(connection)
        try:
            connection.execute(table.insert().from_select([c.name for c in columns], query))
            status = status_case(table.c, engine.dialect.name, moment)
            yield Reader(connection, table, status, moment)
        finally:
            connection.rollback()
            table.drop(connection, checkfirst=True)
            connection.commit()


def _where(query: Select[Any], c: Any, status: ColumnElement[str], s: Selection) -> Select[Any]:
    # ``= false`` rather than ``IS false``: an equality the board's indexes can seek on.
    conditions: list[ColumnElement[bool]] = [c.cancelled == false()]
    if s.plan:
        conditions.append(c.plan == s.plan)
    if s.period:
        conditions.append(c.period == s.period)
    if s.agencies is not None:
        conditions.append(c.agency.in_(sorted(s.agencies)))
    if s.duty:
        conditions.append(c.duty == s.duty)
    if s.duties is not None:
        conditions.append(c.duty.in_(sorted(s.duties)))
    if s.role:
        conditions.append(c.role == s.role)
    if s.status is not None:
        conditions.append(status == s.status.value)
    if s.overdue_dues is not None:
        conditions.append(status == TaskStatus.OPEN_OVERDUE.value)
        conditions.append(tuple_(c.plan, c.due).in_(sorted(s.overdue_dues)))
    if s.text_agencies is not None:
        either: list[ColumnElement[bool]] = [c.agency.in_(sorted(s.text_agencies))]
        if s.text_triples:
            either.append(tuple_(c.plan, c.duty, c.title).in_(sorted(s.text_triples)))
        if s.text_quads:
            quad = tuple_(c.agency, c.plan, c.duty, c.title)
            either.append(quad.in_(sorted(s.text_quads)))
        conditions.append(or_(*either))
    if s.state:
        conditions.append(c.state == s.state)
    if s.with_difficulties:
        conditions.append(c.open_difficulties > 0)
    if s.open_only:
        conditions.append(c.completed_at.is_(None))
    return query.where(and_(*conditions))


def tally(r: Reader, plan: str | None) -> list[Group]:
    """One pass over a plan's tasks that are not cancelled (every plan's with ``None``), both
    roles (``pagecounts.groups``), kept for the request: ``grouped_counts``, ``count`` and
    ``count_where`` then answer from it, without another scan, any selection of that plan that
    filters only on what the groups hold (period, role, agencies, status, overdue deadlines)."""
    if plan not in r.tallies:
        r.tallies[plan] = pagecounts.groups(r.connection, r.source, r.moment, plan)
    return r.tallies[plan]


def _tallied(r: Reader, s: Selection) -> list[tuple[Group, int]] | None:
    """The groups of the request's tally that ``s`` selects, each with its number of tasks
    that ``s`` selects, or ``None`` if there is no tally for its plan or ``s`` filters on a
    column the groups do not hold."""
    found = _groups_of(r, s)
    if found is None:
        return None
    return [(g, sum(n for _w, n in _words_of(g, s))) for g in found]


def _cells(r: Reader, s: Selection) -> list[pagewindow.Cell] | None:
    """The request's tally as (group, status, tasks) cells that ``s`` selects (``None`` as
    ``_tallied``)."""
    found = _groups_of(r, s)
    if found is None:
        return None
    return [(g, word, n) for g in found for word, n in _words_of(g, s) if n]


def _words_of(g: Group, s: Selection) -> list[tuple[str, int]]:
    """The statuses of a group's tasks that ``s`` selects, with their numbers."""
    if s.overdue_dues is not None:
        overdue = TaskStatus.OPEN_OVERDUE.value
        wanted = s.status in (None, TaskStatus.OPEN_OVERDUE)
        late = wanted and (g.plan, g.due) in s.overdue_dues
        return [(overdue, g.statuses.get(overdue, 0))] if late else []
    if s.status is not None:
        return [(s.status.value, g.statuses.get(s.status.value, 0))]
    return list(g.statuses.items())


def _groups_of(r: Reader, s: Selection) -> list[Group] | None:
    """The groups of the request's tally that ``s`` selects (``None`` as ``_tallied``)."""
    if (
        s.duty
        or s.duties is not None
        or s.text_agencies is not None
        or s.state
        or s.with_difficulties
        or s.open_only
    ):
        return None
    found = r.tallies.get(s.plan) if s.plan else None
    if found is None:
        found = r.tallies.get(None)
    if found is None:
        return None
    return [
        g
        for g in found
        if not (
            (s.plan and g.plan != s.plan)
            or (s.period and g.period != s.period)
            or (s.agencies is not None and g.agency not in s.agencies)
            or (s.role and g.role != s.role)
        )
    ]


def grouped_counts(r: Reader, s: Selection) -> dict[tuple[str, str, str], int]:
    """(agency, period, status) → number of tasks, aggregated by the database."""
    groups = _tallied(r, s)
    if groups is not None:
        out: dict[tuple[str, str, str], int] = {}
        for g, n in groups:
            if s.status is None and s.overdue_dues is None:
                by_status = g.statuses  # every status
            else:  # one status left: the one asked for, or overdue
                word = s.status.value if s.status else TaskStatus.OPEN_OVERDUE.value
                by_status = {word: n} if n else {}
            for word, k in by_status.items():
                out[(g.agency, g.period, word)] = out.get((g.agency, g.period, word), 0) + k
        return out
    c, status = r.source.c, r.status
    query = _where(select(c.agency, c.period, status, func.count()), c, status, s)
    query = query.group_by(c.agency, c.period, status)
    return {(a, p, w): int(n) for a, p, w, n in r.connection.execute(query)}


def count(r: Reader, s: Selection) -> int:
    groups = _tallied(r, s)
    if groups is not None:
        return sum(n for _g, n in groups)
    query = _where(select(func.count()).select_from(r.source), r.source.c, r.status, s)
    return int(r.connection.execute(query).scalar() or 0)


def count_where(r: Reader, s: Selection, **flags: bool) -> dict[str, int]:
    """In one pass, the selected tasks with each of the flags "submitted" (a report awaiting
    review) and "difficulties" (an open difficulty)."""
    groups = _tallied(r, s)
    if groups is not None and s.status is None and s.overdue_dues is None:
        totals = {
            "submitted": sum(g.submitted for g, _n in groups),
            "difficulties": sum(g.difficulties for g, _n in groups),
        }
        return {k: totals[k] for k in flags}
    c = r.source.c
    tests = {"submitted": c.state == "submitted", "difficulties": c.open_difficulties > 0}
    sums = [func.coalesce(func.sum(case((tests[k], 1), else_=0)), 0) for k in flags]
    found = r.connection.execute(_where(select(*sums), c, r.status, s)).one()
    return {k: int(n) for k, n in zip(flags, found, strict=True)}


def distinct(r: Reader, s: Selection, names: Sequence[str]) -> list[tuple[Any, ...]]:
    """The distinct values of the named columns among the selected tasks ("open": whether the
    task is not completed)."""
    c = r.source.c
    columns = [c.completed_at.is_(None).label("open") if n == "open" else c[n] for n in names]
    query = _where(select(*columns).distinct(), c, r.status, s)
    return [tuple(row) for row in r.connection.execute(query)]


def duties(r: Reader, plan: str, role: str) -> list[str]:
    """The distinct duties of a plan's tasks of ``role`` that are not cancelled: on the board,
    walked on ``ix_planflow_board_duties`` and kept until such a task is created or cancelled
    (``pageduties``), the number of such tasks taken from the request's tally when it has one."""
    if r.source is not board:
        found = distinct(r, Selection(plan=plan, role=role), ("duty",))
        return sorted(str(d) for (d,) in found)
    groups = r.tallies.get(plan)
    if groups is None:
        return pageduties.walk(r.connection, plan, role)
    live = sum(g.n for g in groups if g.role == role)
    return pageduties.duties(r.connection, plan, role, live)


class GridCell(NamedTuple):
    """What the agencies × duties grid shows of a task (``cells``)."""

    id: str
    plan: str
    duty: str
    agency: str
    due: date
    status: TaskStatus
    open_difficulties: int


def cells(r: Reader, s: Selection) -> list[GridCell]:
    """The selected tasks in the base order (as ``rows(..., sort="base")``), with only what the
    grid shows of them: no task view is built for a cell."""
    c, status = r.source.c, r.status
    text = _binary(r.connection.dialect.name)
    order = [c.due, text(c.plan), text(c.duty), text(c.agency), text(c.period), c.id]
    columns = (c.id, c.plan, c.duty, c.agency, c.due, c.open_difficulties, status.label("judged"))
    query = _where(select(*columns), c, status, s).order_by(*order)
    judged = {w.value: w for w in TaskStatus}
    return [
        GridCell(row.id, row.plan, row.duty, row.agency, row.due, judged[row.judged], row[5])
        for row in r.connection.execute(query)
    ]


def rows(
    r: Reader,
    s: Selection,
    *,
    sort: str = "",
    agency_rank: Mapping[str, int] | None = None,
    late: Mapping[tuple[str, date], int] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[TaskView]:
    """The selected tasks in the board's order, one page of them (``limit``/``offset``).

    ``sort`` as the task list's: "" or "due" (deadline, agency name, duty), "agency" (agency
    name, deadline, duty), "status" (worst first, deadline, agency), "late" (working days
    overdue, most first, from ``late``: (plan, due date) → days, for open tasks past their deadline), or
    "base" (deadline, plan, duty, agency, period). Ties fall back to the base order and the id.
    """
    c, status = r.source.c, r.status
    text = _binary(r.connection.dialect.name)
    ranks = dict(agency_rank or {})
    name_rank = case(ranks, value=c.agency, else_=len(ranks)) if ranks else literal(0)
    base = [c.due, text(c.plan), text(c.duty), text(c.agency), text(c.period)]
    order: list[Any]
    if sort == "agency":
        order = [name_rank, c.due, text(c.duty)]
    elif sort == "status":
        order = [case({w.value: i for i, w in enumerate(STATUS_RANK)}, value=status), c.due]
        order.append(text(c.agency))
    elif sort == "late":
        days: Any = literal(0)
        if late:
            whens = [(and_(c.plan == p, c.due == d), n) for (p, d), n in sorted(late.items())]
            days = case((c.completed_at.is_(None), case(*whens, else_=0)), else_=0)
        order = [-days, c.due, text(c.agency)]
    elif sort == "base":
        order = []
    else:
        order = [c.due, name_rank, text(c.duty)]
    order = [*order, *base, c.id]
    narrowed = _window(r, s, sort, ranks, late, limit, offset)
    if narrowed is not None:
        # Only the rows of the tally's cells that hold the page (``pagewindow``).
        cells, within = narrowed
        query = _where(select(*c, status.label("judged")), c, status, s).where(cells)
        query = query.order_by(*order).offset(within).limit(limit)
    elif r.source is board and limit is not None:
        # The page's ids first, ordered on the board's covering index; then only their rows.
        ids = _where(select(c.id), c, status, s).order_by(*order).offset(offset).limit(limit)
        query = select(*c, status.label("judged")).where(c.id.in_(ids.scalar_subquery()))
        query = query.order_by(*order)
    else:
        query = _where(select(*c, status.label("judged")), c, status, s)
        query = query.order_by(*order).offset(offset)
        if limit is not None:
            query = query.limit(limit)
    # The status as the database judged it (the same ``CASE`` as the counts), not again in Python.
    judged = {w.value: w for w in TaskStatus}
    return [view_of(row, judged[row.judged]) for row in r.connection.execute(query)]


def _window(
    r: Reader,
    s: Selection,
    sort: str,
    ranks: Mapping[str, int],
    late: Mapping[tuple[str, date], int] | None,
    limit: int | None,
    offset: int,
) -> tuple[ColumnElement[bool], int] | None:
    """``pagewindow.window`` with the leading keys of ``rows``'s order for ``sort``, when the
    request's tally covers ``s``."""
    cells = _cells(r, s) if limit is not None else None
    if cells is None or limit is None:
        return None

    def rank(agency: str) -> int:
        return ranks.get(agency, len(ranks)) if ranks else 0

    days = dict(late or {})
    open_words = {TaskStatus.OPEN_IN_TIME.value, TaskStatus.OPEN_OVERDUE.value}
    worst = {w.value: i for i, w in enumerate(STATUS_RANK)}
    keys: dict[str, pagewindow.Key] = {
        "agency": lambda g, _w: (rank(g.agency), g.due),
        "status": lambda g, w: (worst[w], g.due, g.agency),
        "late": lambda g, w: (
            -(days.get((g.plan, g.due), 0) if w in open_words else 0),
            g.due,
            g.agency,
        ),
        "base": lambda g, _w: (g.due, g.plan),
    }
    key = keys.get(sort, lambda g, _w: (g.due, rank(g.agency)))
    return pagewindow.window(cells, key, r.source.c, r.status, limit, offset)


def _binary(dialect: str) -> Any:
    """Strings compared by code point, as Python compares them (SQLite's default; PostgreSQL's
    "C" collation)."""
    if dialect == "postgresql":
        return lambda column: column.collate("C")
    return lambda column: column
