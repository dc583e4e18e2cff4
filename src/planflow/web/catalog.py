"""Plans and agencies for the pages and the API (read by ``planflow.application.queries``), and
each plan's working calendar, cached per request context."""

from __future__ import annotations

from pathlib import Path

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.application import queries
from planflow.application.queries import AgencyInfo, PlanInfo
from planflow.domain import clock
from planflow.domain.calendar import WorkingCalendar
from planflow.web.context import WebContext
from planflow.workflow.loader import apply_overrides, load_overrides

__all__ = [
    "AgencyInfo",
    "PlanInfo",
    "agencies",
    "agency_codes",
    "calendar",
    "duty_titles",
    "get_plan",
    "list_plans",
]


def list_plans(ctx: WebContext) -> list[PlanInfo]:
    return queries.list_plans(ctx.app.engine)


def get_plan(ctx: WebContext, code: str) -> PlanInfo | None:
    return queries.get_plan(ctx.app.engine, code)


def agencies(ctx: WebContext, plan_code: str | None = None) -> list[AgencyInfo]:
    """The agencies of one plan, or of every plan (first mention wins), in the file's order."""
    return queries.agencies(ctx.app.engine, plan_code)


def agency_codes(ctx: WebContext, plan_code: str) -> set[str]:
    return queries.agency_codes(ctx.app.engine, plan_code)


def duty_titles(ctx: WebContext) -> dict[str, dict[str, str]]:
    """plan → duty id → Vietnamese title."""
    return queries.duty_titles(ctx.app.engine)


def calendar(ctx: WebContext, plan: PlanInfo | None) -> WorkingCalendar:
    """Working days for the plan's years, with the overrides file if it is still on disk."""
    year = plan.year if plan else clock.local_date(ctx.now()).year
    key = f"calendar:{plan.code if plan else ''}:{plan.sha256 if plan else ''}"
    cached = ctx.cache.get(key)
    if isinstance(cached, WorkingCalendar):
        return cached
    result = vietnam_calendar(range(year - 1, year + 3))
    overrides = (plan.document.get("calendar") or {}).get("overrides") if plan else None
    if overrides and plan and plan.source:
        path = (Path(plan.source).parent / overrides).resolve()
        if path.is_file():
            result = apply_overrides(result, load_overrides(path))
    ctx.cache[key] = result
    return result
