"""How a revised workflow file differs from the one in force: the plan's fields, its agencies,
groups and duties (by code or id, field by field), and its escalation. Pure: no I/O.

Both sides are the JSON form of the file (``Workflow.model_dump(mode="json")``, as the Plan
aggregate keeps it), so what is compared is what would be recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

KEYED = (("agencies", "code"), ("groups", "code"), ("duties", "id"))


@dataclass(frozen=True)
class DiffLine:
    kind: str  # added, removed, changed
    path: str  # e.g. "duties[II.1].schedule"
    old: str = ""
    new: str = ""

    def line(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {self.new}"
        if self.kind == "removed":
            return f"- {self.path}: {self.old}"
        return f"~ {self.path}: {self.old} → {self.new}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 300 else text[:300] + "…"


def _fields(path: str, old: dict[str, Any], new: dict[str, Any]) -> list[DiffLine]:
    out: list[DiffLine] = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        where = f"{path}.{key}"
        if a is None:
            out.append(DiffLine("added", where, new=_show(b)))
        elif b is None:
            out.append(DiffLine("removed", where, old=_show(a)))
        else:
            out.append(DiffLine("changed", where, _show(a), _show(b)))
    return out


def _keyed(name: str, key: str, old: list[Any], new: list[Any]) -> list[DiffLine]:
    before = {str(item.get(key)): item for item in old if isinstance(item, dict)}
    after = {str(item.get(key)): item for item in new if isinstance(item, dict)}
    out: list[DiffLine] = []
    for code, item in before.items():
        if code not in after:
            out.append(DiffLine("removed", f"{name}[{code}]", old=_title(item)))
    for code, item in after.items():
        if code not in before:
            out.append(DiffLine("added", f"{name}[{code}]", new=_title(item)))
        elif before[code] != item:
            out += _fields(f"{name}[{code}]", before[code], item)
    return out


def _title(item: dict[str, Any]) -> str:
    return str(item.get("title_vi") or item.get("name_vi") or "")


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> list[DiffLine]:
    """Every difference, in the file's order: plan, calendar, keyed lists, the rest."""
    out = _fields("plan", old.get("plan") or {}, new.get("plan") or {})
    if old.get("calendar") != new.get("calendar"):
        out += _fields("calendar", old.get("calendar") or {}, new.get("calendar") or {})
    for name, key in KEYED:
        out += _keyed(name, key, old.get(name) or [], new.get(name) or [])
    seen = {"plan", "calendar", *(name for name, _ in KEYED)}
    for name in [*old, *(k for k in new if k not in old)]:
        if name in seen or old.get(name) == new.get(name):
            continue
        a, b = old.get(name), new.get(name)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _fields(name, a, b)
        else:
            out.append(DiffLine("changed", name, _show(a), _show(b)))
    return out
