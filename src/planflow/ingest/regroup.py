"""Address next year's plan to the agencies of a register (``planflow plan next-year --agencies``).

After a merger the old plan's bodies are gone: the bodies that ended before the new year leave the
file (their duties already handed to their successors), every agency of the register valid on 1
January joins it, a group of district committees becomes the group of commune, ward and
special-zone committees (kinds ``commune``, ``ward`` and ``special_zone``, told apart by the
register's names: "Phường …", "Đặc khu …", else a commune), and recipient rules lose the entries of bodies that no longer exist. Every
change is listed for review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from planflow.ingest.fold import strip_marks
from planflow.ingest.register import Register, RegisteredAgency

COMMUNE_GROUP = ("ubnd-cap-xa", "Ủy ban nhân dân các xã, phường, đặc khu")


LOCAL_KINDS = ["commune", "ward", "special_zone"]


def local_kind(agency: RegisteredAgency) -> str:
    """The register's ``commune`` as the workflow tells them apart: ward, special zone, commune."""
    if agency.kind != "commune":
        return agency.kind
    words = strip_marks(agency.name_vi).lower().removeprefix("uy ban nhan dan ").split()
    if words[:1] == ["phuong"]:
        return "ward"
    if words[:2] == ["dac", "khu"]:
        return "special_zone"
    return "commune"


def agency_data(agency: RegisteredAgency) -> dict[str, Any]:
    kind = local_kind(agency)
    data: dict[str, Any] = {"code": agency.code, "name_vi": agency.name_vi}
    if agency.name_en:
        data["name_en"] = agency.name_en
    data["kind"] = kind
    head: dict[str, Any] = {"title_vi": agency.head_title_vi or f"Thủ trưởng {agency.name_vi}"}
    if agency.head_name:
        head["name"] = agency.head_name
    data["head"] = head
    if agency.valid_from:
        data["valid_from"] = agency.valid_from
    if agency.valid_until:
        data["valid_until"] = agency.valid_until
    return data


def _slug(text: str) -> str:
    return "-".join(strip_marks(text).lower().split())


def readdress(
    data: dict[str, Any],
    register: Register,
    year: int,
    replaced: dict[str, str],
    changes: list[str],
) -> None:
    """Rewrite ``data`` for ``register``; ``replaced`` (old code → new code) grows with renamed
    groups so the caller's pass over the duties follows them."""
    start = dt.date(year, 1, 1)
    ended = {
        a["code"]
        for a in data["agencies"]
        if a.get("valid_until") is not None and a["valid_until"] < start
    }
    _province(data, register, replaced, changes)
    data["agencies"] = [a for a in data["agencies"] if a["code"] not in ended]
    if ended:
        changes.append(f"{len(ended)} agencies ended before {start} leave the file")
    present = {a["code"] for a in data["agencies"]}
    added = [a for a in register.valid_on(start) if a.code not in present]
    data["agencies"] += [agency_data(a) for a in added]
    kinds: dict[str, int] = {}
    for a in added:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    if added:
        listing = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        changes.append(f"{len(added)} agencies of {register.name} added ({listing})")
    for agency in data["agencies"]:
        if agency.get("successor") in ended:
            agency.pop("successor")
    for group in data.get("groups") or []:
        if "district" in group.get("kinds", []) and "huyen" in group["code"]:
            old = group["code"]
            group["code"], group["name_vi"] = COMMUNE_GROUP
            group["kinds"] = [k for k in group["kinds"] if k != "district"] + LOCAL_KINDS
            group.pop("name_en", None)
            replaced[old] = group["code"]
            changes.append(
                f"group {old} → {group['code']} ({group['name_vi']}): no district level since "
                "1 Jul 2025"
            )
    gone = ended - set(replaced)
    kinds_present = {a["kind"] for a in data["agencies"]}
    for group in list(data.get("groups") or []):
        if not set(group.get("kinds", [])) & kinds_present and not group.get("members"):
            data["groups"].remove(group)
            gone.add(group["code"])
            changes.append(
                f"group {group['code']} left the file: none of its bodies is in the register "
                "(REVIEW: name who takes its part)"
            )
    _rules(data, replaced, gone, changes)
    for duty in data["duties"]:
        for key in ("assignees", "cooperating"):
            if duty.get(key):
                kept = [c for c in duty[key] if c not in gone]
                if len(kept) != len(duty[key]):
                    changes.append(f"duty {duty['id']}: {key} without ended bodies (REVIEW)")
                duty[key] = kept
        if not duty.get("cooperating"):
            duty.pop("cooperating", None)
    changes.append("duty titles still name the old plan's bodies as written (REVIEW the wording)")


def _province(
    data: dict[str, Any], register: Register, replaced: dict[str, str], changes: list[str]
) -> None:
    committee = next((a for a in register.agencies if a.kind == "committee"), None)
    old = next((a for a in data["agencies"] if a.get("kind") == "committee"), None)
    if committee is None or old is None or " tỉnh " not in f" {old['name_vi']} ":
        return
    before = old["name_vi"].split(" tỉnh ", 1)[1].strip()
    after = register.province
    if not after or before == after:
        return
    plan = data["plan"]
    plan["issuer"] = committee.name_vi
    changes.append(f"plan.issuer → {committee.name_vi}")
    for holder, key in ((plan, "title_vi"), (plan, "title_en"), (plan["signer"], "title_vi")):
        if holder.get(key) and before in holder[key]:
            holder[key] = holder[key].replace(before, after)
            changes.append(f"{key}: {before} → {after}")
    if _slug(before) in plan["id"]:
        plan["id"] = plan["id"].replace(_slug(before), _slug(after))
        changes.append(f"plan.id → {plan['id']}")
    replaced.setdefault(old["code"], committee.code)


def _rules(
    data: dict[str, Any], replaced: dict[str, str], gone: set[str], changes: list[str]
) -> None:
    removed: set[str] = set()
    for rule in data.get("recipient_rules") or []:
        entries = []
        for entry in rule["resolve"]:
            senders = [replaced.get(c, c) for c in entry["assignees"] if c not in gone]
            recipient = replaced.get(entry["recipient"], entry["recipient"])
            if senders and recipient not in gone:
                entries.append({"assignees": senders, "recipient": recipient})
        dropped = len(rule["resolve"]) - len(entries)
        if dropped:
            changes.append(
                f"recipient rule {rule['code']}: {dropped} entries of ended bodies removed; the "
                "Office reviews the reports of senders no entry names (REVIEW)"
            )
        rule["resolve"] = entries
        if not entries:
            removed.add(rule["code"])
    if removed:
        data["recipient_rules"] = [r for r in data["recipient_rules"] if r["code"] not in removed]
        for duty in data["duties"]:
            if duty.get("report_to") in removed:
                duty.pop("report_to")
