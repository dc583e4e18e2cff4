"""Plans and their agencies, from the stored Plan documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from planflow.web import catalog
from planflow.web.deps import ApiUser, Ctx
from planflow.web.problems import NotFound

router = APIRouter(tags=["plans"])


@router.get("/plans", summary="Các kế hoạch / plans")
def list_plans(ctx: Ctx, user: ApiUser) -> dict[str, Any]:
    found = catalog.list_plans(ctx)
    return {"count": len(found), "plans": [p.as_json() for p in found]}


@router.get("/plans/{code}", summary="Một kế hoạch / one plan, with its document")
def get_plan(code: str, ctx: Ctx, user: ApiUser) -> dict[str, Any]:
    plan = catalog.get_plan(ctx, code)
    if plan is None:
        raise NotFound(f"Không có kế hoạch {code!r}", f"no plan {code!r}")
    return {**plan.as_json(), "document": plan.document}


@router.get("/agencies", summary="Các cơ quan / agencies")
def list_agencies(ctx: Ctx, user: ApiUser, plan: str | None = None) -> dict[str, Any]:
    if plan and catalog.get_plan(ctx, plan) is None:
        raise NotFound(f"Không có kế hoạch {plan!r}", f"no plan {plan!r}")
    found = catalog.agencies(ctx, plan)
    return {"count": len(found), "agencies": [a.as_json() for a in found]}
