"""The corpus: each plan read by import-plan and scored against its hand-made reading.

Fails when any score drops below the floor recorded in docs/ingestion.md.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.ingest.pipeline import check_draft, import_plan
from planflow.ingest.register import bundled_registers
from planflow.ingest.score import Score, score
from planflow.workflow.loader import LoadedPlan, load_workflow
from planflow.workflow.model import Workflow

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(CORPUS))
import build  # noqa: E402

# (name, source text, how it is made, hand-made reading, floor of every P and R)
PLANS = [
    ("seed OCR (eng model)", "kien-giang-2022-seed.txt", "text", None, 1.0),
    ("plain text, lead/cooperating", "kien-giang-2023-cchc.txt", "text", "cchc", 1.0),
    ("DOCX, automatic numbering", "kien-giang-2024-cds.txt", "docx", "cds", 1.0),
    ("PDF with a text layer", "kien-giang-2024-pbgdpl.txt", "pdf", "pbgdpl", 1.0),
    ("scanned PDF, OCR -l vie (An Giang 2026)", "an-giang-2026-tthc.txt", "scan", "ag26", 1.0),
    ("DOCX, appendix table", "kien-giang-2024-da06.txt", "docx", "da06", 1.0),
]
EXPECTED = {
    "cchc": "kien-giang-2023-cchc.expected.yaml",
    "cds": "kien-giang-2024-cds.expected.yaml",
    "pbgdpl": "kien-giang-2024-pbgdpl.expected.yaml",
    "da06": "kien-giang-2024-da06.expected.yaml",
    "ag26": "an-giang-2026-tthc.expected.yaml",
}


def hand_made(name: str) -> LoadedPlan:
    """A workflow built from a hand-made reading: its duties over the Kiên Giang register."""
    data: dict[str, Any] = yaml.safe_load((CORPUS / EXPECTED[name]).read_text(encoding="utf-8"))
    wanted = data.get("register", "kien-giang-2022.csv")
    register = next(r for r in bundled_registers() if r.name == wanted)
    year = data["year"]
    duties = []
    for d in data["duties"]:
        schedule: dict[str, Any] = (
            {"due": d["due"]}
            if "due" in d
            else {"every": d["every"], "submit_working_days_after_cutoff": d["submit"]}
        )
        duties.append(
            {
                "id": d["id"],
                "section": d["id"],
                "title_vi": d["id"],
                "assignees": d["assignees"],
                "done_when": d["done_when"],
                "schedule": schedule,
            }
        )
    workflow = Workflow.model_validate(
        {
            "format": "planflow/v1",
            "plan": {
                "id": "truth",
                "issuer": "x",
                "number": "x",
                "year": year,
                "title_vi": "x",
                "signer": {"title_vi": "x"},
            },
            "agencies": [
                {
                    "code": a.code,
                    "name_vi": a.name_vi,
                    "kind": "district" if a.kind == "commune" else a.kind,
                    "head": {"title_vi": "x"},
                    "valid_from": a.valid_from,
                    "valid_until": a.valid_until,
                }
                for a in register.agencies
            ],
            "groups": [
                {"code": "departments", "name_vi": "x", "kinds": ["department", "board"]},
                {"code": "districts", "name_vi": "x", "kinds": ["district"]},
            ],
            "duties": duties,
            "escalation": {
                "ladder": [{"level": 1, "recipient": "assignee_head", "working_days_after_due": 0}]
            },
        }
    )
    calendar = vietnam_calendar([year - 1, year, year + 1])
    return LoadedPlan(workflow, calendar, CORPUS / EXPECTED[name], "")


def make(source: str, how: str, tmp: Path) -> Path:
    path = CORPUS / source
    if how == "docx":
        return build.make_docx(path, tmp / (path.stem + ".docx"))
    if how == "pdf":
        return build.make_pdf(path, tmp / (path.stem + ".pdf"))
    if how == "scan":
        return build.make_scan(path, tmp / (path.stem + ".scan.pdf"))
    return path


# The seed is scored against the plan's planflow/v1 encoding (479 tasks, every agency a lead):
# workflows/kien-giang-2022.yaml has since been re-encoded with lead and cooperating agencies,
# report recipients and personal responsibility (515 tasks), which import-plan does not write yet.
SEED_TRUTH = CORPUS / "kien-giang-2022-seed.expected.yaml"


def measure(source: str, how: str, truth: str | None, tmp: Path) -> dict[str, Score]:
    result = import_plan(make(source, how, tmp))
    assert check_draft(result.draft.text) == []
    draft_path = tmp / "draft.yaml"
    draft_path.write_text(result.draft.text, encoding="utf-8")
    reference = load_workflow(SEED_TRUTH) if truth is None else hand_made(truth)
    return score(load_workflow(draft_path), reference)


@pytest.mark.parametrize(
    ("label", "source", "how", "truth", "floor"), PLANS, ids=[p[0] for p in PLANS]
)
def test_every_corpus_plan_scores_at_least_its_recorded_floor(
    label: str, source: str, how: str, truth: str | None, floor: float, tmp_path: Path
) -> None:
    scores = measure(source, how, truth, tmp_path)
    for key, value in scores.items():
        assert value.precision >= floor and value.recall >= floor, (label, key, str(value))


def test_the_seed_draft_gives_the_hand_made_479_tasks_after_renaming_the_plan(
    tmp_path: Path,
) -> None:
    from planflow.workflow.expand import expand

    result = import_plan(CORPUS / "kien-giang-2022-seed.txt")
    # The one reviewed field: the plan id, which the draft cannot know.
    text = result.draft.text.replace("id: kien-giang-2022-kh ", "id: kien-giang-2022-tthc ", 1)
    (tmp_path / "d.yaml").write_text(text, encoding="utf-8")
    draft = load_workflow(tmp_path / "d.yaml")
    truth = load_workflow(SEED_TRUTH)
    mine = {(t.id, t.due) for t in expand(draft.workflow, draft.calendar)}
    theirs = {(t.id, t.due) for t in expand(truth.workflow, truth.calendar)}
    assert len(mine) == 479
    assert mine == theirs


def test_the_seed_draft_reads_header_legal_bases_and_signer() -> None:
    result = import_plan(CORPUS / "kien-giang-2022-seed.txt")
    text = result.draft.text
    for ref, day in [("63/2010/NĐ-CP", "2010-06-08"), ("468/QĐ-TTg", "2021-03-27")]:
        assert f"ref: {ref}" in text and f"date: {day}" in text
    assert '"KT. CHỦ TỊCH — PHÓ CHỦ TỊCH"' in text
    assert "REVIEW: the number reads '3h'" in text
    assert "personal responsibility" in text
    assert dt.date(2022, 1, 1).year == 2022


def scores_table(tmp: Path) -> str:
    rows = ["| plan | duties | assignees | schedules | tasks |", "|---|---|---|---|---|"]
    for label, source, how, truth, _ in PLANS:
        s = measure(source, how, truth, tmp)
        cells = [f"P {v.precision:.2f} / R {v.recall:.2f}" for v in s.values()]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(scores_table(Path(tmp)))
