"""Plans, their agencies and duties, as the stored Plan documents (planflow_plans) describe them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from planflow.application.tables import plans as plans_table


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
    source: str = ""  # the workflow file it was loaded from

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


def list_plans(engine: Engine) -> list[PlanInfo]:
    """Every stored plan, by code."""
    with engine.connect() as connection:
        rows = connection.execute(select(plans_table).order_by(plans_table.c.code)).all()
    return [_plan(row) for row in rows]


def plan_codes(engine: Engine) -> list[str]:
    """The codes of the stored plans, in order."""
    query = select(plans_table.c.code).order_by(plans_table.c.code)
    with engine.connect() as connection:
        return [str(code) for code in connection.execute(query).scalars()]


def get_plan(engine: Engine, code: str) -> PlanInfo | None:
    query = select(plans_table).where(plans_table.c.code == code)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else _plan(row)


def _plan(row: Any) -> PlanInfo:
    meta = row.document.get("plan", {})
    return PlanInfo(
        code=row.code,
        title_vi=row.title_vi,
        title_en=meta.get("title_en"),
        number=str(meta.get("number", "")),
        year=int(meta.get("year", 0)),
        sha256=row.sha256,
        version=row.version,
        document=row.document,
        source=row.source,
    )


def agencies(engine: Engine, plan_code: str | None = None) -> list[AgencyInfo]:
    """The agencies of one plan, or of every plan (first mention wins), in the file's order."""
    return agencies_of(list_plans(engine), plan_code)


def agencies_of(plans: list[PlanInfo], plan_code: str | None = None) -> list[AgencyInfo]:
    seen: dict[str, AgencyInfo] = {}
    for plan in plans:
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


def agency_codes(engine: Engine, plan_code: str) -> set[str]:
    return {a.code for a in agencies(engine, plan_code)}


def duty_titles(engine: Engine) -> dict[str, dict[str, str]]:
    """plan → duty id → Vietnamese title."""
    return {
        p.code: {d["id"]: d["title_vi"] for d in p.document.get("duties", [])}
        for p in list_plans(engine)
    }
