"""Read-side shapes shared by the API and the pages: a task now or as of a time, its timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from planflow.application.errors import TaskNotFound
from planflow.application.queries import list_plans, version_at
from planflow.domain.task import Task
from planflow.web.context import WebContext
from planflow.web.errors import WebError
from planflow.web.names import Names
from planflow.web.story import fields, tell

_SKIP = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


def event_details(event: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in vars(event).items():
        if key in _SKIP:
            continue
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def history(ctx: WebContext, ref: UUID) -> list[dict[str, Any]]:
    """Every event: who, what, when, its fields, the event told as a sentence in Vietnamese and
    in English, and the file it carries (name, size, SHA-256), if any."""
    plans = list_plans(ctx.app.engine)
    vi, en = Names.of("vi", plans), Names.of("en", plans)
    out = []
    for e in ctx.app.task_events(ref):
        kind = type(e).__name__
        details = event_details(e)
        out.append(
            {
                "version": e.originator_version,
                "timestamp": e.timestamp.isoformat(),
                "type": kind,
                "actor": e.actor,
                "details": details,
                "sentence_vi": tell(kind, details, vi),
                "sentence_en": tell(kind, details, en),
                "fields_vi": fields(details, vi),
                "fields_en": fields(details, en),
                "file": _file(ctx, ref, details),
            }
        )
    return out


_SHA = re.compile(r"sha256:([0-9a-f]{64})")


def _file(ctx: WebContext, ref: UUID, details: dict[str, Any]) -> dict[str, Any] | None:
    """The stored file an event names: a report's ``sha256``, or evidence "name (sha256:…)"."""
    sha = str(details.get("sha256") or "")
    name = str(details.get("document") or "")
    if not sha:
        found = _SHA.search(str(details.get("evidence") or ""))
        if not found:
            return None
        sha = found.group(1)
        name = str(details.get("evidence", "")).split(" (sha256:")[0].split()[-1]
    try:
        path = stored_file(ctx, ref, sha)
    except FileNotStored:
        return {"name": name or sha[:12], "sha256": sha, "size": None}
    return {"name": name or path.name, "sha256": sha, "size": path.stat().st_size}


@dataclass(frozen=True)
class TaskState:
    task: Task
    moment: datetime
    as_of: bool

    def as_json(self) -> dict[str, Any]:
        t = self.task
        status = t.status(self.moment)
        return {
            "id": str(t.id),
            "plan": t.plan,
            "duty": t.duty,
            "agency": t.agency,
            "original_agency": t.original_agency,
            "period": t.period,
            "title": t.title,
            "due": t.due.isoformat(),
            "original_due": t.original_due.isoformat(),
            "completion": t.completion.value,
            "status": status.value,
            "status_vi": status.label_vi,
            "status_en": status.label_en,
            "report_state": t.report_state.value,
            "report_document": t.report_document,
            "cancelled": t.cancelled,
            "completed_at": t.completed_at.isoformat() if t.completed_at else None,
            "activities": t.activities,
            "ongoing": t.is_ongoing,
            "check_ins": [d.isoformat() for d in t.check_ins],
            "check_ins_done": t.check_ins_done,
            "target": t.target,
            "products": list(t.products),
            "due_basis": t.basis,
            "difficulties": [
                {
                    "number": d.number,
                    "text": d.text,
                    "raised_by": d.raised_by,
                    "raised_at": d.raised_at.isoformat(),
                    "answer": d.answer,
                    "answered_by": d.answered_by,
                }
                for d in t.difficulties
            ],
            "version": t.version,
            "moment": self.moment.isoformat(),
            "as_of": self.as_of,
        }


def task_state(ctx: WebContext, ref: UUID, as_of: datetime | None) -> TaskState:
    if as_of is None:
        return TaskState(ctx.app.get_task(ref), ctx.now(), False)
    version = version_at(ctx.app.engine, ref, as_of)
    if version is None:
        raise TaskNotFound(f"{ref} @ {as_of.isoformat()}")
    return TaskState(ctx.app.get_task(ref, version=version), as_of, True)


def stored_file(ctx: WebContext, ref: UUID, sha256: str) -> Path:
    """A file submitted for the task, found by its SHA-256 (the name recorded in the event)."""
    folder = ctx.settings.upload_dir / str(ref)
    if len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256) and folder.is_dir():
        for path in folder.glob(f"{sha256}.*"):
            return path
    raise FileNotStored(f"Không có tệp {sha256}", f"no file {sha256}")


class FileNotStored(WebError):
    """No file with that SHA-256 was submitted for the task."""
