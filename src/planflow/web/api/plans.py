"""Plans and their agencies, from the stored Plan documents."""

from __future__ import annotations

from fastapi import APIRouter

from planflow.web import catalog
from planflow.web.api.models import AgencyList, AgencyOut, PlanDocumentOut, PlanList, PlanOut
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
