"""Plans and their agencies, from the stored Plan documents."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from planflow.application.facts import FactResult
from planflow.web import catalog
from planflow.web.access import Forbidden
from planflow.web.accounts import Role
from planflow.web.api.models import (
    AgencyList,
    AgencyOut,
    FactOut,
    PlanDocumentOut,
    PlanList,
    PlanOut,
)
from planflow.web.deps import ApiUser, Ctx
from planflow.web.problems import NotFound, problem_responses

router = APIRouter(tags=["plans"])


@router.get(
    "/plans",
    summary="Các kế hoạch / plans",
    response_model=PlanList,
    responses=problem_responses(401, 503),
)
def list_plans(ctx: Ctx, user: ApiUser) -> PlanList:
    found = catalog.list_plans(ctx)
    return PlanList(count=len(found), plans=[PlanOut(**p.as_json()) for p in found])


@router.get(
    "/plans/{code}",
    summary="Một kế hoạch / one plan, with its document",
    response_model=PlanDocumentOut,
    responses=problem_responses(401, 404, 503),
)
def get_plan(code: str, ctx: Ctx, user: ApiUser) -> PlanDocumentOut:
    plan = catalog.get_plan(ctx, code)
    if plan is None:
        raise NotFound(f"Không có kế hoạch {code!r}", f"no plan {code!r}")
    return PlanDocumentOut(**plan.as_json(), document=plan.document)


@router.get(
    "/agencies",
    summary="Các cơ quan / agencies",
    response_model=AgencyList,
    responses=problem_responses(401, 404, 422, 503),
)
def list_agencies(ctx: Ctx, user: ApiUser, plan: str | None = None) -> AgencyList:
    if plan and catalog.get_plan(ctx, plan) is None:
        raise NotFound(f"Không có kế hoạch {plan!r}", f"no plan {plan!r}")
    found = catalog.agencies(ctx, plan)
    return AgencyList(count=len(found), agencies=[AgencyOut(**a.as_json()) for a in found])


class EventBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date = Field(description="When the event happened (ISO date)")


class GroupBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    members: list[str] = Field(min_length=1, max_length=2000, description="Agency codes")


OFFICE_ROLES = frozenset({Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR})


def _office_only(role: Role, roles: frozenset[Role], what_vi: str, what_en: str) -> None:
    if role not in roles:
        raise Forbidden(f"Chỉ Văn phòng được {what_vi}", f"only the Office may {what_en}")


def _fact_out(result: FactResult) -> FactOut:
    return FactOut(plan=result.plan, recorded=result.recorded, assigned=result.assigned)


@router.post(
    "/plans/{code}/events/{event}",
    summary="Ghi nhận ngày xảy ra sự kiện / record the date of an event (idempotent)",
    response_model=FactOut,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def record_event(code: str, event: str, body: EventBody, ctx: Ctx, user: ApiUser) -> FactOut:
    _office_only(user.role, OFFICE_ROLES, "ghi nhận sự kiện", "record an event")
    return _fact_out(
        ctx.app.record_event(code, event, body.date, actor=user.username, at=ctx.now())
    )


@router.post(
    "/plans/{code}/groups/{group}",
    summary="Xác định thành viên nhóm theo điều kiện / resolve a group defined by a condition",
    response_model=FactOut,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def resolve_group(code: str, group: str, body: GroupBody, ctx: Ctx, user: ApiUser) -> FactOut:
    _office_only(
        user.role,
        frozenset({Role.OFFICE_DIRECTOR}),
        "xác định nhóm (Chánh Văn phòng)",
        "resolve a group (the Office director)",
    )
    result = ctx.app.resolve_group(code, group, body.members, actor=user.username, at=ctx.now())
    return _fact_out(result)
