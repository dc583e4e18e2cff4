"""Plans in the browser: the plans in force, uploading a plan document, a plan's page with its
loads and kept documents, and next year's plan. The draft's review, dry run and load are in
pages/plan_review.py. Who may do what: web/access.py (``check_plans``).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planflow.application import plan_drafts, plan_records
from planflow.application.plan_intake import DOCUMENT_KINDS, KINDS, draft_from_upload, kind_of
from planflow.application.plan_intake import draft_next_year as next_year_draft
from planflow.domain.errors import InvalidArgument, PlanflowError
from planflow.ingest.extract import MAX_BYTES
from planflow.web import catalog
from planflow.web.access import check_plans, may_load_plans, may_review_plans
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.filechecks import CHECKS, Malformed
from planflow.web.pages.common import checked_form, error_page, render, to_login
from planflow.web.problems import NotFound
from planflow.web.uploads import UploadRejected, UploadTooLarge, clean_name

router = APIRouter(include_in_schema=False)

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "yaml": "application/yaml",
    "yml": "application/yaml",
}


def check_plan_file(name: str, data: bytes, max_bytes: int) -> str:
    """The upload's kind, or UploadRejected saying why not (nothing is kept)."""
    limit = min(max_bytes, MAX_BYTES)
    if len(data) > limit:
        raise UploadTooLarge(
            f"Tệp quá lớn ({len(data)} byte); tối đa {limit} byte",
            f"the file is too large ({len(data)} bytes); the limit is {limit} bytes",
        )
    if not data:
        raise UploadRejected("Tệp rỗng", "the file is empty")
    try:
        kind = kind_of(name)
    except InvalidArgument as exc:
        raise UploadRejected(exc.vi, exc.en) from None
    try:
        if kind in DOCUMENT_KINDS and kind in CHECKS:
            CHECKS[kind](data)
        elif b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise Malformed("tệp chứa byte NUL", "the file holds NUL bytes")
    except Malformed as exc:
        raise UploadRejected(
            f"Nội dung tệp không phải là tệp .{kind} như tên của nó ({exc.vi})",
            f"the file's content is not a .{kind} file, as its name says ({exc.en})",
        ) from None
    return kind


def _disposition(name: str) -> str:
    """An attachment named in ASCII, and exactly (RFC 6266 ``filename*``) for Vietnamese names."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = plain.encode("ascii", "ignore").decode() or "plan"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@router.get("/plans")
def plans_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    try:
        check_plans(user, "read")
        plans = catalog.list_plans(ctx)
        drafts = plan_drafts.open_drafts(ctx.app) if may_review_plans(user) else []
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session)
    return render(
        request,
        ctx,
        "plans.html",
        user,
        session,
        plans=plans,
        drafts=drafts,
        kinds=KINDS,
        may_review=may_review_plans(user),
        max_bytes=min(ctx.settings.max_upload_bytes, MAX_BYTES),
    )


@router.post("/plans/upload")
async def upload_plan(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    try:
        account, _fields, files = await checked_form(request, ctx, user, session)
        check_plans(account, "review")
        upload = files.get("file")
        if upload is None:
            raise UploadRejected("Hãy chọn tệp kế hoạch", "please choose the plan's file")
        name = clean_name(upload.name)
        check_plan_file(name, upload.data, ctx.settings.max_upload_bytes)
        ref = draft_from_upload(ctx.app, name, upload.data, account.username, ctx.now())
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/plans")
    return RedirectResponse(f"/plans/drafts/{ref}", status_code=303)


@router.get("/plans/documents/{sha256}")
def plan_document(
    sha256: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    if user is None:
        return to_login(request)
    try:
        check_plans(user, "read")
        found = plan_records.document(ctx.app, sha256) if len(sha256) == 64 else None
        if found is None:
            raise NotFound(f"Không có tài liệu {sha256}", f"no document {sha256}")
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/plans")
    name, kind, data = found
    return Response(
        data,
        media_type=MEDIA.get(kind, "application/octet-stream"),
        headers={
            "Content-Disposition": _disposition(clean_name(name)),
            "X-Content-SHA256": sha256,
        },
    )


@router.get("/plans/{code}")
def plan_page(
    code: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    if user is None:
        return to_login(request)
    try:
        check_plans(user, "read")
        plan = catalog.get_plan(ctx, code)
        if plan is None:
            raise NotFound(f"Không có kế hoạch {code!r}", f"no plan {code!r}")
        loads = plan_records.plan_loads(ctx.app, code)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/plans")
    duties = plan.document.get("duties", [])
    return render(
        request,
        ctx,
        "plans_plan.html",
        user,
        session,
        plan=plan,
        duties=duties,
        loads=loads,
        may_review=may_review_plans(user),
        may_load=may_load_plans(user),
        next_year=plan.year + 1,
    )


@router.post("/plans/{code}/next-year")
async def plan_next_year(
    code: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    try:
        account, fields, _files = await checked_form(request, ctx, user, session)
        check_plans(account, "review")
        if catalog.get_plan(ctx, code) is None:
            raise NotFound(f"Không có kế hoạch {code!r}", f"no plan {code!r}")
        year = fields.get("year", "").strip()
        if not year.isdigit():
            raise InvalidArgument(f"Năm không hợp lệ: {year!r}", f"not a year: {year!r}")
        ref = next_year_draft(ctx.app, code, int(year), account.username, ctx.now())
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back=f"/plans/{code}")
    return RedirectResponse(f"/plans/drafts/{ref}", status_code=303)
