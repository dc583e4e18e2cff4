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

# The measured columns: the first four for every plan; the issue-8 fields (lead, cooperating,
# report recipients, personal responsibility) where the hand-made reading states them.
BASIC = ("duties", "assignees", "schedules", "tasks")
RICH = (*BASIC, "lead", "cooperating", "recipients", "responsibility")
# Floors below 1.00, as measured (docs/ingestion.md explains each).
MEASURED = {
    ("seed OCR vs workflows/kien-giang-2022.yaml", "recipients"): 0.79,
    ("plain text, lead/cooperating", "responsibility"): 0.0,
    ("seed OCR vs its planflow/v1 encoding", "duties"): 0.92,
    ("seed OCR vs its planflow/v1 encoding", "assignees"): 0.89,
    ("seed OCR vs its planflow/v1 encoding", "schedules"): 0.95,
    ("seed OCR vs its planflow/v1 encoding", "tasks"): 0.92,
}
# (name, source text, how it is made, hand-made reading, measured columns)
PLANS = [
    (
        "seed OCR vs workflows/kien-giang-2022.yaml",
        "kien-giang-2022-seed.txt",
        "text",
        "seed",
        RICH,
    ),
    ("seed OCR vs its planflow/v1 encoding", "kien-giang-2022-seed.txt", "text", "seed-v1", BASIC),
    ("plain text, lead/cooperating", "kien-giang-2023-cchc.txt", "text", "cchc", RICH),
    ("DOCX, automatic numbering", "kien-giang-2024-cds.txt", "docx", "cds", RICH),
    ("PDF with a text layer", "kien-giang-2024-pbgdpl.txt", "pdf", "pbgdpl", RICH),
    ("scanned PDF, OCR -l vie (An Giang 2026)", "an-giang-2026-tthc.txt", "scan", "ag26", RICH),
    ("DOCX, appendix table", "kien-giang-2024-da06.txt", "docx", "da06", RICH),
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
    groups = {"departments": ("department", "board"), "districts": ("district", "commune")}
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
                # A cooperating group is its members other than the leads (no agency is both).
                "cooperating": [
                    c
                    for code in d.get("cooperating", [])
                    for c in (
                        [a.code for a in register.agencies if a.kind in groups[code]]
                        if code in groups
                        else [code]
                    )
                    if c not in d["assignees"]
                ],
                "done_when": d["done_when"],
                "schedule": schedule,
                **({"report_to": d["report_to"]} if "report_to" in d else {}),
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
            "sections": [
                {"id": section, "personal_responsibility": True}
                for section in data.get("sections", [])
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


# The seed is scored against the plan's file, workflows/kien-giang-2022.yaml (515 tasks: lead and
# cooperating agencies, report recipients, personal responsibility), and against its planflow/v1
# encoding (479 tasks, every agency a lead, kept in tests/corpus/).
SEED_TRUTH = {
    "seed": ROOT / "workflows" / "kien-giang-2022.yaml",
    "seed-v1": CORPUS / "kien-giang-2022-seed.expected.yaml",
}


def measure(source: str, how: str, truth: str, tmp: Path) -> dict[str, Score]:
    result = import_plan(make(source, how, tmp))
    assert check_draft(result.draft.text) == []
    draft_path = tmp / "draft.yaml"
    draft_path.write_text(result.draft.text, encoding="utf-8")
    reference = load_workflow(SEED_TRUTH[truth]) if truth in SEED_TRUTH else hand_made(truth)
    return score(load_workflow(draft_path), reference)


@pytest.mark.parametrize(
    ("label", "source", "how", "truth", "columns"), PLANS, ids=[p[0] for p in PLANS]
)
def test_every_corpus_plan_scores_at_least_its_recorded_floor(
    label: str, source: str, how: str, truth: str, columns: tuple[str, ...], tmp_path: Path
) -> None:
    scores = measure(source, how, truth, tmp_path)
    for key in columns:
        floor = MEASURED.get((label, key), 1.0)
        value = scores[key]
        assert value.precision >= floor and value.recall >= floor, (label, key, str(value))


def test_the_seed_draft_gives_the_plans_515_tasks_after_three_reviewed_fields(
    tmp_path: Path,
) -> None:
    from planflow.workflow.expand import expand

    result = import_plan(CORPUS / "kien-giang-2022-seed.txt")
    # The reviewed fields: the plan id, which the draft cannot know, and the ids of III.4's two
    # clauses, which the plan's file names III.4 and III.4-b.
    text = result.draft.text.replace("id: kien-giang-2022-kh ", "id: kien-giang-2022-tthc ", 1)
    text = text.replace("- id: III.4.1\n", "- id: III.4\n").replace(
        "- id: III.4.2\n", "- id: III.4-b\n"
    )
    (tmp_path / "d.yaml").write_text(text, encoding="utf-8")
    draft = load_workflow(tmp_path / "d.yaml")
    truth = load_workflow(SEED_TRUTH["seed"])
    mine = {(t.id, t.due, t.role) for t in expand(draft.workflow, draft.calendar)}
    theirs = {(t.id, t.due, t.role) for t in expand(truth.workflow, truth.calendar)}
    assert len(mine) == 515
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
    rows = ["| plan | " + " | ".join(RICH) + " |", "|---" * (len(RICH) + 1) + "|"]
    for label, source, how, truth, columns in PLANS:
        s = measure(source, how, truth, tmp)
        cells = [
            f"P {s[k].precision:.2f} / R {s[k].recall:.2f}" if k in columns else "—" for k in RICH
        ]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(scores_table(Path(tmp)))
