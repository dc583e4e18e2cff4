"""From a document to a draft workflow file: extract, parse, find duties, write, validate."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.ingest.draft import Draft, write_draft
from planflow.ingest.duties import DutyDraft, find_duties
from planflow.ingest.errors import NotAPlan
from planflow.ingest.extract import MAX_BYTES, Extracted, extract
from planflow.ingest.fold import fold, loose_re
from planflow.ingest.header import read_header
from planflow.ingest.matching import Matcher
from planflow.ingest.register import Register, read_register, register_for
from planflow.ingest.sections import parse
from planflow.ingest.tables import table_duties

_PLAN_WORD = loose_re("ke hoach")


@dataclass(frozen=True)
class Imported:
    draft: Draft
    extracted: Extracted
    duties: list[DutyDraft]
    register: Register


def import_plan(
    path: Path, agencies: Path | None = None, *, max_bytes: int = MAX_BYTES
) -> Imported:
    extracted = extract(path, max_bytes=max_bytes)
    doc = parse(extracted.text)
    header = read_header(doc)
    head_text = "\n".join(doc.line(n) for n in doc.header)
    if not _PLAN_WORD.search(fold(head_text)) or header.year is None:
        raise NotAPlan(
            f"{path}: không phải kế hoạch (không thấy chữ 'Kế hoạch' và năm của kế hoạch)",
            f"{path}: not a plan (no 'Kế hoạch' heading with the plan's year found)",
        )
    register = read_register(agencies) if agencies else register_for(extracted.text, header.year)
    if register is None:
        raise NotAPlan(
            f"{path}: không nhận ra tỉnh; hãy chỉ định sổ đăng ký cơ quan bằng --agencies",
            f"{path}: the province is not recognised; give an agency register with --agencies",
        )
    calendar = vietnam_calendar([header.year - 1, header.year, header.year + 1])
    matcher = Matcher(register)
    responsibility: list[tuple[str, tuple[int, int], str]] = []
    duties = find_duties(doc.root, matcher, header.year, calendar, responsibility)
    duties += table_duties(doc, matcher, header.year, calendar)
    if not duties:
        raise NotAPlan(
            f"{path}: không tìm thấy nhiệm vụ nào được giao cho cơ quan",
            f"{path}: no duty assigned to an agency was found",
        )
    draft = write_draft(
        path.name, header, duties, register, calendar, extracted.text, responsibility
    )
    return Imported(draft, extracted, duties, register)


def check_draft(text: str, directory: Path | None = None) -> list[str]:
    """Problems ``planflow validate`` would report on the draft (empty when it validates).

    ``directory`` is where the draft will live, for paths relative to it (calendar overrides).
    """
    from planflow.workflow.errors import WorkflowError
    from planflow.workflow.loader import load_workflow

    with tempfile.TemporaryDirectory(prefix="planflow-draft-", dir=directory) as tmp:
        target = Path(tmp) / "draft.yaml"
        match = re.search(r"^\s*overrides:\s*(\S+)", text, re.M)
        if directory is not None and match:
            # Overrides sit beside the plan (workflow/loader.py): copy them beside the draft.
            source = directory / match.group(1).strip("'\"")
            if source.is_file():
                shutil.copyfile(source, Path(tmp) / source.name)
                text = text.replace(
                    match.group(0), match.group(0).replace(match.group(1), source.name), 1
                )
        target.write_text(text, encoding="utf-8")
        try:
            load_workflow(target)
        except WorkflowError as exc:
            return [str(p).replace(str(target), "draft") for p in exc.problems]
    return []
