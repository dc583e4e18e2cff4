"""The board's views at province scale: a ``BoardQuery`` resolved against names and calendars into
a ``queries.pages.Selection`` (groups to agency codes, the search phrase to agencies and duties,
working days overdue to deadlines), so the database counts and paginates and the pages fetch only
the rows they show. The same results as filtering and sorting every task view (``boardquery``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from planflow.application.queries import AgencyRow, TaskView
from planflow.application.queries import pages as sql
from planflow.domain import clock
from planflow.domain.status import TaskStatus
from planflow.web import board, catalog
from planflow.web.boardquery import GROUP_PREFIX, BoardQuery, Page
from planflow.web.deps import Ctx
from planflow.web.names import Names

GRID_DUTIES = 20  # duty columns of the grid at most (20 × 20 cells); a duty filter shows any other
LISTED = 50  # reports awaiting review, difficulties: the first ones, with their number

Counts = dict[tuple[str, str, str], int]


@dataclass
class Scope:
    """One request's board: the plan, the moment, the resolved selection and its counts."""

    ctx: Ctx
    reader: sql.Reader
    query: BoardQuery
    names: Names
    plans: list[catalog.PlanInfo]
    plan: str | None
    moment: datetime
    as_of: bool
    periods: list[str]
    period: str | None
    agencies: list[str]  # every agency with a lead task on the board, by name
    duties: list[tuple[str, str]]  # (plan, duty)
    late: dict[tuple[str, date], int]  # open past its deadline: (plan, due) → working days
    selection: sql.Selection  # the filters, every period
    counts: Counts  # (agency, period, status) → n over ``selection``

    @property
    def in_period(self) -> sql.Selection:
        return (
            self.selection if self.period == "all" else replace(self.selection, period=self.period)
        )

    def period_counts(self) -> Counts:
        if self.period == "all":
            return self.counts
        return {k: n for k, n in self.counts.items() if k[1] == self.period}

    def totals(self) -> dict[str, int]:
        out = {s.value: 0 for s in TaskStatus}
        for (_a, _p, word), n in self.period_counts().items():
            out[word] += n
        return out

    def late_of(self, views: list[TaskView]) -> dict[str, int]:
        today = clock.local_date(self.moment)
        return {
            v.id: self.late.get((v.plan, v.due), 0)
            for v in views
            if v.completed_at is None and v.due < today
        }

    def rows(self, s: sql.Selection, **options: Any) -> list[TaskView]:
        return sql.rows(self.reader, s, **options)

    def count(self, s: sql.Selection) -> int:
        return sql.count(self.reader, s)

    def distinct(self, s: sql.Selection, *columns: str) -> list[tuple[Any, ...]]:
        return sql.distinct(self.reader, s, columns)


@contextmanager
def scope(
    ctx: Ctx, query: BoardQuery, names: Names, plans: list[catalog.PlanInfo]
) -> Iterator[Scope]:
    """The board asked for, read on one connection (as of a past time: computed once)."""
    plan = query.plan or (plans[0].code if plans else None)
    as_of_moment = board.moment_param(query.as_of)
    moment = as_of_moment or ctx.now()
    as_of = as_of_moment is not None
    with sql.reading(ctx.app.engine, moment, as_of=as_of) as reader:
        yield _scope(ctx, reader, query, names, plans, plan, as_of)


def _scope(
    ctx: Ctx,
    reader: sql.Reader,
    query: BoardQuery,
    names: Names,
    plans: list[catalog.PlanInfo],
    plan: str | None,
    as_of: bool,
) -> Scope:
    moment = reader.moment
    base = sql.Selection(plan=plan, role="lead")

    # One pass for the periods, agencies and open deadlines of the lead tasks, the counts when
    # the filters need no other column, the cooperating tasks, and the reports awaiting review
    # and open difficulties (``sql.tally``, kept on the reader for the request).
    groups = [g for g in sql.tally(reader, plan) if g.role == base.role]
    periods = sorted({g.period for g in groups}, key=board._period_key)
    period = query.period
    if not period:
        open_periods = {g.period for g in groups if g.open}
        period = next((p for p in periods if p in open_periods), periods[-1] if periods else None)
    agencies = sorted({g.agency for g in groups}, key=names.agency)
    if plan is None:
        found = {(str(p), str(d)) for p, d in sql.distinct(reader, base, ("plan", "duty"))}
    else:
        found = {(plan, d) for d in sql.duties(reader, plan, "lead")}
    duties = sorted(found, key=lambda pd: _duty_key(pd[1]))
    today = clock.local_date(moment)
    by_code = {p.code: p for p in plans}
    late = {}
    for p, due in {(g.plan, g.due) for g in groups if g.open}:
        if isinstance(due, date) and due < today:
            cal = catalog.calendar(ctx, by_code.get(p))
            late[(p, due)] = max(0, -cal.working_days_between(today, due))
    query = replace(query, plan=plan, period=period)
    selection = _selection(reader, query, base, names, agencies, late)
    counts = sql.grouped_counts(reader, selection)
    return Scope(
        ctx, reader, query, names, plans, plan, moment, as_of, periods, period, agencies, duties, late,
        selection, counts,
    )  # fmt: skip


def _selection(
    reader: sql.Reader,
    query: BoardQuery,
    base: sql.Selection,
    names: Names,
    agencies: list[str],
    late: dict[tuple[str, date], int],
) -> sql.Selection:
    s = replace(base, duty=query.duty or None, status=query.status)
    if query.agency.startswith(GROUP_PREFIX):
        group = query.agency.removeprefix(GROUP_PREFIX)
        s = replace(s, agencies=frozenset(a for a in agencies if names.in_group(a, group)))
    elif query.agency:
        s = replace(s, agencies=frozenset({query.agency}))
    if query.overdue_days is not None:
        limit = query.overdue_days
        s = replace(s, overdue_dues=frozenset(k for k, n in late.items() if n > limit))
    phrase = " ".join(query.q.casefold().split())
    if phrase:
        s = _search(reader, s, base, phrase, names, agencies)
    return s


def _search(
    reader: sql.Reader,
    s: sql.Selection,
    base: sql.Selection,
    phrase: str,
    names: Names,
    agencies: list[str],
) -> sql.Selection:
    """The tasks whose agency, agency name, duty, duty title or title hold the phrase. A phrase
    without "|" lies within one of the parts ``boardquery.select`` joins with " | ", so it is
    matched per part: agencies, and distinct (plan, duty, title) triples."""
    if "|" in phrase:
        found = sql.distinct(reader, base, ("agency", "plan", "duty", "title"))
        hits = {
            (str(a), str(p), str(d), str(t))
            for a, p, d, t in found
            if phrase in _words(" | ".join((a, names.agency(a), d, names.duty(p, d), t)))
        }
        return replace(s, text_agencies=frozenset(), text_quads=frozenset(hits))
    found_agencies = frozenset(a for a in agencies if phrase in _words(f"{a} | {names.agency(a)}"))
    triples = frozenset(
        (str(p), str(d), str(t))
        for p, d, t in sql.distinct(reader, base, ("plan", "duty", "title"))
        if phrase in _words(f"{d} | {names.duty(str(p), str(d))} | {t}")
    )
    return replace(s, text_agencies=found_agencies, text_triples=triples)


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _duty_key(duty: str) -> list[object]:
    return [
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in duty.replace("-", ".").split(".")
    ]


def agency_rows(counts: Counts) -> list[AgencyRow]:
    rows: dict[str, AgencyRow] = {}
    for (agency, _period, word), n in counts.items():
        row = rows.setdefault(agency, AgencyRow(agency, {s.value: 0 for s in TaskStatus}))
        row.counts[word] += n
        row.total += n
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.agency))


def on_time_rates(counts: Counts) -> tuple[list[str], dict[str, dict[str, float | None]]]:
    """``board.on_time_rates`` from the counts."""
    judged: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (agency, period, word), n in counts.items():
        if word == TaskStatus.OPEN_IN_TIME.value:
            continue
        cell = judged[(agency, period)]
        cell[1] += n
        if word == TaskStatus.DONE_ON_TIME.value:
            cell[0] += n
    codes = sorted({p for _a, p, _w in counts}, key=board._period_key)
    out: dict[str, dict[str, float | None]] = {}
    for agency in sorted({a for a, _p, _w in counts}):
        out[agency] = {}
        for period in codes:
            ok, total = judged.get((agency, period), (0, 0))
            out[agency][period] = ok / total if total else None
    return codes, out


def page_of(total: int, page: int, per_page: int) -> tuple[int, Page]:
    """The offset of the page asked for (the last one if beyond) and its place."""
    pages = max(1, -(-total // per_page))
    number = min(page, pages)
    start = (number - 1) * per_page
    shown = max(0, min(per_page, total - start))
    return start, Page(number, pages, total, start + 1 if shown else 0, start + shown)
