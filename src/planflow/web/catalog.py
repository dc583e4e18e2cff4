"""Plans and agencies as the stored Plan documents (planflow_plans) describe them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.application.readmodels import plans
from planflow.domain import clock
from planflow.domain.calendar import WorkingCalendar
from planflow.web.context import WebContext
from planflow.workflow.loader import apply_overrides, load_overrides


@dataclass(frozen=True)
class PlanInfo:
    code: str
    title_vi: str
    title_en: str | None
    number: str
    year: int
    sha256: str
    version: int
    document: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "number": self.number,
            "year": self.year,
            "sha256": self.sha256,
            "version": self.version,
        }


@dataclass(frozen=True)
class AgencyInfo:
    code: str
    name_vi: str
    name_en: str | None
    kind: str
    head_title_vi: str
    valid_until: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "kind": self.kind,
            "head_title_vi": self.head_title_vi,
            "valid_until": self.valid_until,
        }


def list_plans(ctx: WebContext) -> list[PlanInfo]:
    with ctx.app.engine.connect() as connection:
        rows = connection.execute(select(plans).order_by(plans.c.code)).all()
    out = []
    for row in rows:
        meta = row.document.get("plan", {})
        out.append(
            PlanInfo(
                code=row.code,
                title_vi=row.title_vi,
                title_en=meta.get("title_en"),
                number=str(meta.get("number", "")),
                year=int(meta.get("year", 0)),
                sha256=row.sha256,
                version=row.version,
                document=row.document,
            )
        )
    return out


def get_plan(ctx: WebContext, code: str) -> PlanInfo | None:
    return next((p for p in list_plans(ctx) if p.code == code), None)


def agencies(ctx: WebContext, plan_code: str | None = None) -> list[AgencyInfo]:
    """The agencies of one plan, or of every plan (first mention wins), in the file's order."""
    seen: dict[str, AgencyInfo] = {}
    for plan in list_plans(ctx):
        if plan_code and plan.code != plan_code:
            continue
        for a in plan.document.get("agencies", []):
            if a["code"] in seen:
                continue
            seen[a["code"]] = AgencyInfo(
                code=a["code"],
                name_vi=a["name_vi"],
                name_en=a.get("name_en"),
                kind=a["kind"],
                head_title_vi=a.get("head", {}).get("title_vi", ""),
                valid_until=a.get("valid_until"),
            )
    return list(seen.values())


def agency_codes(ctx: WebContext, plan_code: str) -> set[str]:
    return {a.code for a in agencies(ctx, plan_code)}


def duty_titles(ctx: WebContext) -> dict[str, dict[str, str]]:
    """plan → duty id → Vietnamese title."""
    return {
        p.code: {d["id"]: d["title_vi"] for d in p.document.get("duties", [])}
        for p in list_plans(ctx)
    }


def calendar(ctx: WebContext, plan: PlanInfo | None) -> WorkingCalendar:
    """Working days for the plan's years, with the overrides file if it is still on disk."""
    year = plan.year if plan else clock.local_date(ctx.now()).year
    key = f"calendar:{plan.code if plan else ''}:{plan.sha256 if plan else ''}"
    cached = ctx.cache.get(key)
    if isinstance(cached, WorkingCalendar):
        return cached
    result = vietnam_calendar(range(year - 1, year + 3))
    overrides = (plan.document.get("calendar") or {}).get("overrides") if plan else None
    source = _plan_source(ctx, plan.code) if plan else None
    if overrides and source:
        path = (Path(source).parent / overrides).resolve()
        if path.is_file():
            result = apply_overrides(result, load_overrides(path))
    ctx.cache[key] = result
    return result


def _plan_source(ctx: WebContext, code: str) -> str | None:
    with ctx.app.engine.connect() as connection:
        value = connection.execute(select(plans.c.source).where(plans.c.code == code)).scalar()
    return None if value is None else str(value)
