"""Next year's plan from this year's (``planflow plan next-year``): a draft to review.

Fixed due dates move to the new year and are recomputed on that year's working-day calendar: a date
that was the last working day of its month stays the last working day of that month; any other date
keeps its day and moves back to the nearest working day. Recurring schedules need no change (their
dates come from the calendar). Agencies that are no longer valid in the new year hand their direct
assignments to their successor (from the file, or from a bundled register); every change is listed.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.periods import iso_weeks
from planflow.ingest.errors import IngestError
from planflow.ingest.register import Register, RegisteredAgency, bundled_registers
from planflow.ingest.regroup import agency_data as _agency_data
from planflow.ingest.regroup import readdress
from planflow.ingest.schedule import last_working_day
from planflow.workflow.loader import load_workflow


@dataclass
class NextYear:
    data: dict[str, Any]
    changes: list[str] = field(default_factory=list)

    def text(self, source: str) -> str:
        head = [f"# Next year's plan drafted by `planflow plan next-year` from {source}."]
        head.append("# Changes to review:")
        head += [f"#  - {c}" for c in self.changes]
        body = yaml.safe_dump(self.data, allow_unicode=True, sort_keys=False, width=100)
        return "\n".join(head) + "\n" + body


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def move_date(day: dt.date, year: int, old: WorkingCalendar, new: WorkingCalendar) -> dt.date:
    if day == last_working_day(old, _month_end(day)):
        return last_working_day(new, _month_end(dt.date(year, day.month, 1)))
    try:
        moved = dt.date(year, day.month, day.day)
    except ValueError:  # 29 February
        moved = dt.date(year, day.month, 28)
    return last_working_day(new, moved)


def _same_day(day: dt.date, year: int) -> dt.date:
    try:
        return dt.date(year, day.month, day.day)
    except ValueError:  # 29 February
        return dt.date(year, day.month, 28)


def _registered(code: str, first: Register | None = None) -> RegisteredAgency | None:
    for register in ([first] if first else []) + bundled_registers():
        if found := register.by_code(code):
            return found
    return None


def next_year(
    path: Path, year: int, out_dir: Path | None = None, register: Register | None = None
) -> NextYear:
    """``register``: the agencies as they are in the new year (``--agencies``); the plan is then
    addressed to them (regroup.py): ended bodies leave the file, districts give way to communes."""
    loaded = load_workflow(path)
    old_year = loaded.workflow.plan.year
    if year <= old_year:
        raise IngestError(
            f"năm mới ({year}) phải sau năm của kế hoạch ({old_year})",
            f"the new year ({year}) must come after the plan's year ({old_year})",
        )
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = NextYear(data)
    new_cal = vietnam_calendar([year - 1, year, year + 1])
    overrides = (data.get("calendar") or {}).get("overrides")
    if overrides and out_dir is not None:
        # Overrides must sit in the plan's own folder (workflow/loader.py): copy the file there.
        absolute = (path.parent / overrides).resolve()
        target = out_dir / absolute.name
        if absolute.is_file() and absolute != target.resolve():
            shutil.copyfile(absolute, target)
            result.changes.append(f"calendar.overrides: {absolute.name} copied beside the draft")
        data["calendar"]["overrides"] = absolute.name
    plan = data["plan"]
    plan["year"] = year
    new_id = re.sub(str(old_year), str(year), plan["id"]) if str(old_year) in plan["id"] else None
    plan["id"] = new_id or f"{plan['id']}-{year}"
    result.changes.append(f"plan.id → {plan['id']}")
    for key in ("title_vi", "title_en"):
        if plan.get(key) and str(old_year) in plan[key]:
            plan[key] = plan[key].replace(str(old_year), str(year))
            result.changes.append(f"plan.{key}: year {old_year} → {year}")
    if plan.pop("date", None) is not None:
        result.changes.append("plan.date removed: the new plan is not issued yet")
    plan["number"] = "…/KH-UBND"
    result.changes.append("plan.number → …/KH-UBND (the new plan's number is not known)")
    start = dt.date(year, 1, 1)
    agencies = {a["code"]: a for a in data["agencies"]}
    replaced: dict[str, str] = {}
    for agency in list(data["agencies"]):
        until = agency.get("valid_until")
        if until is None or until >= start:
            continue
        successor = agency.get("successor")
        registered = _registered(agency["code"], register)
        if not successor and registered and registered.successor:
            successor = registered.successor
            found = _registered(successor, register)
            if found and successor not in agencies:
                data["agencies"].append(_agency_data(found))
                agencies[successor] = data["agencies"][-1]
                result.changes.append(f"agency {successor} added from the register")
        if successor:
            replaced[agency["code"]] = successor
            result.changes.append(
                f"agency {agency['code']} ended {until}: its duties go to {successor}"
            )
        else:
            result.changes.append(
                f"agency {agency['code']} ended {until}: no successor known, it gets no task in "
                f"{year} (REVIEW)"
            )
    if register is not None:
        readdress(data, register, year, replaced, result.changes)
    for step in data["escalation"]["ladder"]:
        if step["recipient"] in replaced:
            step["recipient"] = replaced[step["recipient"]]
            result.changes.append(f"escalation level {step['level']} → {step['recipient']}")
    for duty in data["duties"]:
        new_assignees: list[str] = []
        for code in duty["assignees"]:
            target = replaced.get(code, code)
            if target != code:
                result.changes.append(f"duty {duty['id']}: assignee {code} → {target}")
            if target not in new_assignees:
                new_assignees.append(target)
        duty["assignees"] = new_assignees
        if duty.get("cooperating"):
            coop = [replaced.get(c, c) for c in duty["cooperating"]]
            duty["cooperating"] = [c for i, c in enumerate(coop) if c not in coop[:i]]
        if duty.get("report_to") in replaced:
            duty["report_to"] = replaced[duty["report_to"]]
        due = duty["schedule"].get("due")
        source_year = loaded.workflow.plan.year
        if due is not None:  # a date in the year after the plan's stays in the year after
            moved = move_date(due, year + due.year - source_year, loaded.calendar, new_cal)
            duty["schedule"]["due"] = moved
            result.changes.append(f"duty {duty['id']}: due {due} → {moved} ({moved:%a})")
        begins = duty.get("start")
        if begins is not None:
            duty["start"] = _same_day(begins, year + begins.year - source_year)
            result.changes.append(f"duty {duty['id']}: start {begins} → {duty['start']}")
        listed = duty["schedule"].get("periods")
        if listed is not None and "W53" in listed and iso_weeks(year) < 53:
            listed.remove("W53")
            result.changes.append(
                f"duty {duty['id']}: W53 removed, {year} has 52 ISO weeks (REVIEW)"
            )
        within = duty["schedule"].get("within")
        if within is not None:  # a window's named year ("2027-Q1") moves with the plan
            duty["schedule"]["within"] = [
                f"{int(p[:4]) + year - source_year}{p[4:]}" if p[:1].isdigit() else p
                for p in within
            ]
    return result
