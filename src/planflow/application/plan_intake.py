"""Drafts from what the Office brings: an uploaded plan document (DOCX, PDF, text — read by
``planflow import-plan``'s pipeline), a workflow file (YAML) as it is, or next year's plan drafted
from a plan in force (``planflow plan next-year``'s code). Each becomes a draft under review
(plan_drafts.py); nothing is loaded here.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from planflow.application.app import PlanflowApp
from planflow.application.draft_fields import read_fields
from planflow.application.plan_drafts import create_draft
from planflow.domain.errors import InvalidArgument
from planflow.ingest.errors import IngestError
from planflow.ingest.nextyear import next_year
from planflow.ingest.pipeline import import_plan
from planflow.workflow.errors import WorkflowError
from planflow.workflow.yamlsource import read_yaml

DOCUMENT_KINDS = ("docx", "pdf", "txt")
YAML_KINDS = ("yaml", "yml")
KINDS = (*DOCUMENT_KINDS, *YAML_KINDS)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class NotReadable(InvalidArgument):
    """The upload is not a plan planflow can read: nothing is kept."""


def kind_of(name: str) -> str:
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in KINDS:
        accepted = ", ".join(KINDS)
        raise NotReadable(
            f"Loại tệp .{ext} không được nhận; chỉ nhận: {accepted}",
            f"files of type .{ext} are not accepted; accepted: {accepted}",
        )
    return ext


def _clean(exc: IngestError | WorkflowError, where: str, name: str) -> NotReadable:
    if isinstance(exc, WorkflowError):
        shown = "; ".join(str(p).replace(where, name) for p in exc.problems[:5])
        return NotReadable(f"Tệp {name} không đọc được: {shown}", f"cannot read {name}: {shown}")
    return NotReadable(exc.vi.replace(where, name), exc.en.replace(where, name))


def draft_from_upload(app: PlanflowApp, name: str, data: bytes, actor: str, at: dt.datetime) -> str:
    """Read the upload into a draft and keep the document with its SHA-256; the draft's id.

    A file that cannot be read, or is not a plan, is refused (NotReadable) and nothing is kept."""
    kind = kind_of(name)
    with tempfile.TemporaryDirectory(prefix="planflow-upload-") as tmp:
        path = Path(tmp) / f"upload.{kind}"
        path.write_bytes(data)
        if kind in YAML_KINDS:
            try:
                source = read_yaml(path)  # bounded and guarded, as `planflow validate` reads
            except WorkflowError as exc:
                raise _clean(exc, str(path), name) from None
            if not isinstance(source.data, dict):
                raise NotReadable(
                    f"Tệp {name} không phải là tệp kế hoạch (ánh xạ YAML)",
                    f"{name} is not a workflow file (a YAML mapping)",
                )
            text = source.text
            return create_draft(
                app,
                origin="yaml",
                source_name=name,
                source_text=text,
                yaml_text=text,
                fields=read_fields(text),
                notes=[],
                actor=actor,
                at=at,
                upload=(name, data),
            )
        try:
            imported = import_plan(path)
        except IngestError as exc:
            raise _clean(exc, str(path), name) from None
    draft = imported.draft
    return create_draft(
        app,
        origin="upload",
        source_name=name,
        source_text=imported.extracted.text,
        yaml_text=draft.text,
        fields=read_fields(draft.text),
        notes=list(draft.reviews),
        actor=actor,
        at=at,
        upload=(name, data),
    )


def draft_next_year(app: PlanflowApp, code: str, year: int, actor: str, at: dt.datetime) -> str:
    """Next year's plan from the plan in force (``plan next-year``): a draft to review."""
    plan = app.get_plan(code)
    if plan is None:
        raise NotReadable(f"Không có kế hoạch {code!r}", f"no plan {code!r}")
    with tempfile.TemporaryDirectory(prefix="planflow-next-") as tmp:
        folder = Path(tmp)
        document = dict(plan.document)
        overrides = (document.get("calendar") or {}).get("overrides")
        if overrides and plan.source:
            kept = (Path(plan.source).parent / overrides).resolve()
            if kept.is_file():
                shutil.copyfile(kept, folder / Path(overrides).name)
                document["calendar"] = {**document["calendar"], "overrides": Path(overrides).name}
            else:
                document["calendar"] = {
                    k: v for k, v in document["calendar"].items() if k != "overrides"
                }
        path = folder / "plan.yaml"
        text = yaml.safe_dump(_plain(document), allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")
        out = folder / "out"
        out.mkdir()
        try:
            result = next_year(path, year, out)
        except (IngestError, WorkflowError) as exc:
            raise _clean(exc, str(path), code) from None
        drafted = result.text(code)
        if (result.data.get("calendar") or {}).get("overrides"):
            # The overrides file cannot travel with a draft kept in the database.
            result.data["calendar"].pop("overrides")
            result.changes = [c for c in result.changes if not c.startswith("calendar.overrides")]
            result.changes.append("calendar.overrides removed: add next year's swaps by hand")
            drafted = result.text(code)
    return create_draft(
        app,
        origin="next-year",
        source_name=f"{code} → {year}",
        source_text=text,
        yaml_text=drafted,
        fields=[],
        notes=list(result.changes),
        actor=actor,
        at=at,
    )


def _plain(document: dict[str, object]) -> dict[str, object]:
    """The stored JSON document without nulls (the file never wrote them)."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if v is not None and v != []}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str) and ISO_DAY.match(value):
            return dt.date.fromisoformat(value)
        return value

    out = strip(document)
    assert isinstance(out, dict)
    return out
