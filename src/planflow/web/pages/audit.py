"""The auditor's page: the board as it stood at any time, a task's timeline, CSV and JSON export.

Read-only: nothing here writes.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planflow.application.queries import BoardFilter, TaskView, list_tasks, resolve_task
from planflow.application.queries import pages as sql_pages
from planflow.audit import store as audit_store
from planflow.audit.bundle import BundleError
from planflow.audit.export import export as export_bundle
from planflow.audit.export import export_plan
from planflow.domain.errors import InvalidArgument, PlanflowError
from planflow.domain.status import TaskStatus
from planflow.web import board, boardsql, catalog, pagelabels
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.export import csv_text
from planflow.web.names import Names
from planflow.web.pages.common import error_page, label, language, render, to_login

router = APIRouter(include_in_schema=False)

AUDIT_PER_PAGE = 100


def _board(ctx: Ctx, request: Request) -> tuple[datetime, bool, list[TaskView]]:
    query = request.query_params
    as_of = board.moment_param(query.get("as_of"))
    moment = as_of or ctx.now()
    filters = BoardFilter(
        plan=query.get("plan") or None,
        agency=query.get("agency") or None,
        period=board.period_param(query.get("period")),
        status=board.status_param(query.get("status")),
    )
    return (
        moment,
        as_of is not None,
        list_tasks(ctx.app.engine, moment, filters, as_of=as_of is not None),
    )


@router.get("/audit")
def audit_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        query = request.query_params
        as_of_moment = board.moment_param(query.get("as_of"))
        moment = as_of_moment or ctx.now()
        as_of = as_of_moment is not None
        agency = query.get("agency") or None
        selection = sql_pages.Selection(
            plan=query.get("plan") or None,
            agencies=None if agency is None else frozenset({agency}),
            period=board.period_param(query.get("period")),
            status=board.status_param(query.get("status")),
        )
        wanted = query.get("task", "").strip()
        if wanted:
            ref = resolve_task(ctx.app.engine, wanted)
            suffix = f"?as_of={query['as_of']}" if as_of else ""
            return RedirectResponse(f"/tasks/{ref}{suffix}", status_code=303)
        agencies = catalog.agencies(ctx)
        wanted_page = query.get("page", "")
        page_number = int(wanted_page) if wanted_page.isdigit() and int(wanted_page) > 0 else 1
        engine = ctx.app.engine
        with sql_pages.reading(engine, moment, as_of=as_of) as reader:
            # One pass (the tally) for the counts, which also tells which rows hold the page.
            sql_pages.tally(reader, selection.plan)
            counts = sql_pages.grouped_counts(reader, selection)
            totals = {s.value: 0 for s in TaskStatus}
            for (_agency, _period, word), n in counts.items():
                totals[word] += n
            start, page = boardsql.page_of(sum(totals.values()), page_number, AUDIT_PER_PAGE)
            shown = sql_pages.rows(
                reader, selection, sort="base", limit=AUDIT_PER_PAGE, offset=start
            )
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/audit")
    events = ctx.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    lang = language(request)
    plans = catalog.list_plans(ctx)
    names = Names.of(lang, plans)
    return render(
        request,
        ctx,
        "audit.html",
        user,
        session,
        moment=moment,
        as_of=request.query_params.get("as_of", ""),
        n=names,
        views=shown,
        listed=pagelabels.rows(names, shown),
        state_words={v.state: label(lang, v.state) for v in shown},
        page=page,
        page_url=lambda number: (
            "/audit?" + urlencode({**dict(request.query_params), "page": str(number)})
        ),
        totals=totals,
        agencies=agencies,
        export_query=str(request.url.query),
        agency=request.query_params.get("agency", ""),
        period=request.query_params.get("period", ""),
        checkpoint=audit_store.latest_checkpoint(engine),
        verification=audit_store.last_verification(engine),
        backdated=audit_store.backdated(engine, events),
        plans=plans,
    )


@router.get("/audit/export.csv")
def export_csv(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        moment, _as_of, views = _board(ctx, request)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/audit")
    names = Names.of(language(request), catalog.list_plans(ctx))
    name = f"planflow-board-{moment:%Y%m%dT%H%M}.csv"
    return Response(
        csv_text(views, names, lambda _v: 0),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit/export.json")
def export_json(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        moment, as_of, views = _board(ctx, request)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/audit")
    body = {
        "moment": moment.isoformat(),
        "as_of": as_of,
        "count": len(views),
        "tasks": [v.as_json() for v in views],
    }
    name = f"planflow-board-{moment:%Y%m%dT%H%M}.json"
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit/bundle.zip")
def bundle_zip(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    """The signed log up to the latest checkpoint, verifiable with the log's public key alone
    (``planflow audit verify --bundle``). Read-only: nothing is signed or written here."""
    if user is None:
        return to_login(request)
    plan = request.query_params.get("plan") or None
    return _download(
        request, ctx, user, session, export_bundle, plan, lambda m: f"planflow-audit-{m['count']}"
    )


@router.get("/audit/plan-bundle.zip")
def plan_bundle_zip(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    """One plan's events up to the latest checkpoint, each with its inclusion proof (a per-plan
    bundle, docs/audit.md). Read-only, unsigned manifest: the checkpoint's signature proves it."""
    if user is None:
        return to_login(request)
    plan = request.query_params.get("plan", "")
    codes = [p.code for p in catalog.list_plans(ctx)]
    if plan not in codes:
        listed = ", ".join(codes) or "—"
        problem = InvalidArgument(
            f"Không có kế hoạch {plan!r}; các kế hoạch: {listed}",
            f"No plan {plan!r}; plans: {listed}",
        )
        return error_page(request, ctx, problem, user, session, back="/audit")
    return _download(
        request,
        ctx,
        user,
        session,
        export_plan,
        plan,
        lambda m: f"planflow-audit-{plan}-{m['checkpoint_size']}",
    )


def _download(
    request: Request,
    ctx: Ctx,
    user: PageUser,
    session: SessionDep,
    write: Callable[..., dict[str, Any]],
    plan: str | None,
    name_of: Callable[[dict[str, Any]], str],
) -> Response:
    """A bundle written by ``write`` (unsigned: the web process holds no key), as a download;
    a store that does not verify, or has no checkpoint, is an error page."""
    events = ctx.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.zip"
        try:
            manifest = write(
                ctx.app.engine, events, path, signer=None, plan=plan, created_at=ctx.now()
            )
        except BundleError as exc:
            vi, _, en = str(exc).partition(" / ")
            return error_page(
                request, ctx, PlanflowError(vi, en or vi), user, session, back="/audit"
            )
        data = path.read_bytes()
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name_of(manifest)}.zip"'},
    )
