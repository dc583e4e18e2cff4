"""The inbox: what is new for the signed-in account (chase-ups, returned reports, answers,
extensions, reassignments, tasks newly overdue; for the Office, reports and difficulties to deal
with), each marked read per account. The header shows the unread count."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planflow.application.queries import inbox, inbox_count, list_plans, mark_read
from planflow.domain.errors import PlanflowError
from planflow.web.boardquery import Page
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.inbox import audience
from planflow.web.names import Names
from planflow.web.pages.common import checked_form, error_page, language, render, to_login
from planflow.web.story import tell

router = APIRouter(include_in_schema=False)

PER_PAGE = 50


@router.get("/inbox")
def inbox_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    who = audience(user)
    only_unread = request.query_params.get("show") != "all"
    names = Names.of(language(request), list_plans(ctx.app.engine))
    total = (
        0 if who is None else inbox_count(ctx.app.engine, who, ctx.now(), unread_only=only_unread)
    )
    wanted = request.query_params.get("page", "")
    pages = max(1, -(-total // PER_PAGE))
    number = min(int(wanted), pages) if wanted.isdigit() and int(wanted) > 0 else 1
    start = (number - 1) * PER_PAGE
    items = (
        []
        if who is None
        else inbox(
            ctx.app.engine,
            who,
            ctx.now(),
            unread_only=only_unread,
            limit=PER_PAGE,
            offset=start,
        )
    )
    page = Page(number, pages, total, start + 1 if items else 0, start + len(items))
    told = [
        (
            item,
            tell(
                item.event_type,
                {
                    "recipient_title": item.recipient_title,
                    "working_days_before": item.chase_days,
                    "working_days_after_due": item.chase_days,
                    "level": item.chase_step,
                    "due": item.due,
                    "agency": item.agency,
                },
                names,
            ),
        )
        for item in items
    ]
    return render(
        request,
        ctx,
        "inbox.html",
        user,
        session,
        has_inbox=who is not None,
        digest_on=who is not None and ctx.digests().enabled(user.username),
        items=told,
        only_unread=only_unread,
        n=names,
        page=page,
        page_url=lambda k: "/inbox?" + urlencode({**dict(request.query_params), "page": str(k)}),
        **({"inbox_count": total} if who is not None and only_unread else {}),
    )


@router.post("/inbox/read")
async def inbox_read(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    """Mark one item (``item`` = task id:version) or all (``all``) read; ``open`` goes on to the
    task."""
    try:
        signed_in, fields, _files = await checked_form(request, ctx, user, session)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/inbox")
    who = audience(signed_in)
    keys: list[tuple[str, int]] | None = None
    if fields.get("all") != "1":
        task, _, version = fields.get("item", "").partition(":")
        keys = [(task, int(version))] if version.isdigit() else []
    if who is not None and (keys is None or keys):
        mark_read(ctx.app.engine, who, ctx.now(), keys)
    if fields.get("open") == "1" and keys:
        return RedirectResponse(f"/tasks/{keys[0][0]}", status_code=303)
    return RedirectResponse("/inbox", status_code=303)


@router.post("/inbox/digest")
async def inbox_digest(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    """Turn the daily e-mail digest of the inbox on (``enabled=1``) or off for this account."""
    try:
        signed_in, fields, _files = await checked_form(request, ctx, user, session)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/inbox")
    if audience(signed_in) is not None:
        ctx.digests().set_enabled(signed_in.username, fields.get("enabled") == "1", ctx.now())
    return RedirectResponse("/inbox", status_code=303)
