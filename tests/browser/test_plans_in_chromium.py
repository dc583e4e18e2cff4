"""The Office brings a plan in through the browser: it uploads a DOCX plan, fixes the one
low-confidence field with live validation, sees the dry run and loads it; the board then shows the
plan's tasks."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT

from .conftest import LiveServer
from .test_pages_in_chromium import shot, sign_in

PLAN_TEXT = ROOT / "tests" / "fixtures" / "plans" / "kien-giang-2023-cds.txt"
PLAN_ID = "kien-giang-2023-kh-52"


def _docx(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests" / "corpus"))
    from build import make_docx

    return make_docx(PLAN_TEXT, tmp_path / "ke-hoach-52.docx")


def test_the_office_uploads_a_docx_plan_fixes_a_low_field_sees_the_dry_run_and_loads_it(
    page: Any, live: LiveServer, tmp_path: Path
) -> None:
    docx = _docx(tmp_path)
    sign_in(page, live, "director")
    page.goto(f"{live.url}/board")
    page.click("[data-testid=plans-link]")
    page.wait_for_load_state()
    page.set_input_files("[data-testid=plan-file]", str(docx))
    page.click("[data-testid=plan-upload-send]")
    page.wait_for_url(re.compile(r"/plans/drafts/[0-9a-f]+$"))
    # The draft beside its source text; the low-confidence field comes first.
    assert "Sở Tư pháp hằng tháng báo cáo" in page.inner_text("[data-testid=source-text]")
    first = page.locator("[data-testid=field]").first
    assert first.get_attribute("data-confidence") == "low"
    assert first.get_attribute("data-path") == "duties[1].schedule"
    duty = page.locator("[data-testid=duty]").first
    assert duty.get_attribute("data-duty") == "II.2"
    assert duty.get_attribute("data-worst") == "low"
    first.locator("a.src-link").click()
    assert page.locator("#L12.hl").count() == 1  # the line it was read from, highlighted
    shot(page, live, "plan-draft.png")
    # Live validation: a mistyped agency is flagged as it is typed, nothing saved.
    assignees = page.locator("[data-testid=assignees-II\\.2]")
    assignees.fill("so-tu-phapp")
    page.wait_for_selector("[data-testid=problems] li[data-field^='duties[1].assignees']")
    assert assignees.get_attribute("aria-invalid") == "true"
    assignees.fill("so-tu-phap")
    page.wait_for_selector("[data-testid=problems] [data-testid=draft-valid]")
    # Fix the low field: reports every quarter, six months and year (monthly is not expressible).
    duty.locator("input[name='duties[1].schedule.every.half_year']").check()
    duty.locator("input[name='duties[1].schedule.every.year']").check()
    page.wait_for_selector("#draft-form[data-valid=yes]")
    page.click("[data-testid=draft-preview]")
    page.wait_for_url(re.compile(r"/preview$"))
    counts = page.locator("[data-testid=dry-run-counts]")
    assigned = int(counts.get_attribute("data-assigned"))
    assert assigned == 1 + 1 + 4 + 1 + 1  # II.1, II.3; II.2 for Q1–Q4, the first half, the year
    assert page.locator("[data-testid=new-plan]").count() == 1
    assert page.locator("[data-testid=changes-assign] tbody tr").count() == assigned
    shot(page, live, "plan-dry-run.png")
    page.click("[data-testid=load]")
    page.wait_for_url(re.compile(rf"/plans/{PLAN_ID}\?ok=1$"))
    load = page.locator("[data-testid=plan-load]")
    assert load.count() == 1
    assert load.locator("[data-testid=loaded-by]").inner_text() == "director"
    assert len(load.locator("[data-testid=document-sha256]").inner_text()) == 64
    # The board shows the plan's tasks.
    page.goto(f"{live.url}/board/tasks?plan={PLAN_ID}&period=all")
    rows = page.locator("[data-testid=tasks] tbody tr[data-task]")
    assert rows.count() == assigned
    agencies = {rows.nth(i).get_attribute("data-agency") for i in range(rows.count())}
    assert agencies == {"so-tttt", "so-tu-phap", "so-noi-vu"}
