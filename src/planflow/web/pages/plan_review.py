"""A draft under review: the source text beside the draft's fields, each with its confidence (low
ones first); forms for duties, assignees and schedules, checked live by ``/validate`` (static/
plans.js) or on submit without JavaScript; what loading would do (a dry run); the load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from planflow.application import plan_drafts
from planflow.application.draft_fields import ORDER, SCHEDULE_KINDS, FieldNote
from planflow.application.plan_changes import ChangeKind
from planflow.application.plan_drafts import Draft, DraftNotFound
from planflow.domain.errors import PlanflowError
from planflow.web import catalog
from planflow.web.access import check_plans, may_load_plans
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.pages.common import checked_form, error_page, render, to_login
from planflow.web.problems import NotFound, classify
from planflow.workflow.errors import Problem

router = APIRouter(include_in_schema=False)


@dataclass
class DutyForm:
    index: int
    id: str
    section: str
    title_vi: str
    assignees: str
    cooperating: str
    done_when: str
    schedule_kind: str  # due, every, other
    due: str
    every: list[str]
    submit_days: str
    other: str  # a schedule the form does not edit (shown as YAML)
    first_line: int = 0
    last_line: int = 0
    worst: str = "high"
    notes: dict[str, FieldNote] = field(default_factory=dict)


def _draft(ctx: Any, ref: str) -> Draft:
    try:
        return plan_drafts.get_draft(ctx.app, ref)
    except DraftNotFound as exc:
        raise NotFound(exc.vi, exc.en) from None


def _note_for(notes: dict[str, FieldNote], path: str) -> FieldNote | None:
    while path:
        if path in notes:
            return notes[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def duty_forms(draft: Draft) -> list[DutyForm]:
    notes = {n.path: n for n in draft.fields}
    forms: list[DutyForm] = []
    for i, duty in enumerate(draft.data().get("duties") or []):
        if not isinstance(duty, dict):
            continue
        raw = duty.get("schedule")
        schedule: dict[str, Any] = raw if isinstance(raw, dict) else {}
        kind = (
            "due"
            if set(schedule) == {"due"}
            else "every"
            if set(schedule) <= {"every", "submit_working_days_after_cutoff"}
            else "other"
        )
        p = f"duties[{i}]"
        own = {
            key: n
            for key in ("title_vi", "assignees", "cooperating", "done_when", "schedule")
            if (n := _note_for(notes, f"{p}.{key}")) is not None
        }
        worst = min(
            (n.confidence for n in own.values() if not n.reviewed),
            key=ORDER.__getitem__,
            default="high",
        )
        title = own.get("title_vi")
        forms.append(
            DutyForm(
                index=i,
                id=str(duty.get("id", "")),
                section=str(duty.get("section", "")),
                title_vi=str(duty.get("title_vi", "")),
                assignees=" ".join(map(str, duty.get("assignees") or [])),
                cooperating=" ".join(map(str, duty.get("cooperating") or [])),
                done_when=str(duty.get("done_when", "")),
                schedule_kind=kind,
                due=str(schedule.get("due", "")),
                every=[str(e) for e in schedule.get("every") or []],
                submit_days=str(schedule.get("submit_working_days_after_cutoff", "")),
                other="" if kind != "other" else str(schedule),
                first_line=title.first_line if title else 0,
                last_line=title.last_line if title else 0,
                worst=worst,
                notes=own,
            )
        )
    return sorted(forms, key=lambda f: (ORDER[f.worst], f.index))


def _problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"field": p.field, "line": p.line, "message": p.message} for p in problems]


def _review(
    request: Request,
    ctx: Ctx,
    user: Any,
    session: Any,
    draft: Draft,
    problems: list[Problem],
    status_code: int = 200,
) -> Response:
    data = draft.data()
    plan = data.get("plan") if isinstance(data.get("plan"), dict) else {}
    agencies = [a for a in data.get("agencies") or [] if isinstance(a, dict)]
    groups = [g for g in data.get("groups") or [] if isinstance(g, dict)]
    return render(
        request,
        ctx,
        "plans_draft.html",
        user,
        session,
        status_code=status_code,
        draft=draft,
        plan=plan,
        fields=sorted(draft.fields, key=lambda n: (n.reviewed, ORDER[n.confidence])),
        notes={n.path: n for n in draft.fields},
        duties=duty_forms(draft),
        codes=[*(str(a.get("code")) for a in agencies), *(str(g.get("code")) for g in groups)],
        names={str(a.get("code")): str(a.get("name_vi", "")) for a in [*agencies, *groups]},
        schedule_kinds=SCHEDULE_KINDS,
        source_lines=draft.source_text.splitlines(),
        problems=problems,
        problems_json=_problems_json(problems),
        in_force=catalog.get_plan(ctx, draft.plan) if draft.plan else None,
    )


@router.get("/plans/drafts/{ref}")
def draft_page(
    ref: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    if user is None:
        return to_login(request)
    try:
        check_plans(user, "review")
        draft = _draft(ctx, ref)
        problems = plan_drafts.check(draft.yaml_text)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/plans")
    return _review(request, ctx, user, session, draft, problems)


@router.post("/plans/drafts/{ref}")
async def save_draft(
    ref: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    try:
        account, fields, _files = await checked_form(request, ctx, user, session)
        check_plans(account, "review")
        draft = _draft(ctx, ref)
        problems = plan_drafts.edit_draft(ctx.app, draft, fields, account.username, ctx.now())
        draft = _draft(ctx, ref)
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back=f"/plans/drafts/{ref}")
    if not problems and fields.get("next") == "preview":
        return RedirectResponse(f"/plans/drafts/{ref}/preview", status_code=303)
    return _review(request, ctx, account, session, draft, problems, 422 if problems else 200)


@router.post("/plans/drafts/{ref}/validate")
async def validate_draft(
    ref: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    """Live validation: the problems the form's values would leave; nothing is saved."""
    try:
        account, fields, _files = await checked_form(request, ctx, user, session)
        check_plans(account, "review")
        draft = _draft(ctx, ref)
        problems = plan_drafts.check(plan_drafts.edited_text(draft, fields))
    except PlanflowError as exc:
        return JSONResponse(
            {"detail_vi": exc.vi, "detail_en": exc.en}, status_code=classify(exc)[0]
        )
    return JSONResponse({"valid": not problems, "problems": _problems_json(problems)})


@router.get("/plans/drafts/{ref}/preview")
def preview_page(
    ref: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    if user is None:
        return to_login(request)
    try:
        check_plans(user, "review")
        draft = _draft(ctx, ref)
        preview = plan_drafts.preview(ctx.app, draft, user.username, ctx.now())
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back=f"/plans/drafts/{ref}")
    changes = preview.result.changes
    return render(
        request,
        ctx,
        "plans_preview.html",
        user,
        session,
        draft=draft,
        preview=preview,
        result=preview.result,
        groups=[(kind, [c for c in changes if c.kind is kind]) for kind in ChangeKind],
        may_load=may_load_plans(user),
        unreviewed_low=[f for f in draft.fields if f.confidence == "low" and not f.reviewed],
    )


@router.post("/plans/drafts/{ref}/load")
async def load_draft(
    ref: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    try:
        account, _fields, _files = await checked_form(request, ctx, user, session)
        check_plans(account, "load")
        draft = _draft(ctx, ref)
        result = plan_drafts.load_draft(
            ctx.app, draft, account.username, ctx.now(), ctx.settings.upload_dir / "plans"
        )
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back=f"/plans/drafts/{ref}")
    return RedirectResponse(f"/plans/{result.plan}?ok=1", status_code=303)
