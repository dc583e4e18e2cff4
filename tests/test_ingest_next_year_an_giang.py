"""Next year's plan addressed to An Giang after the 2025 merger: `planflow plan next-year
workflows/kien-giang-2022.yaml --year 2027 --agencies <An Giang register>` (docs/ingestion.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.cli.main import app as cli
from planflow.ingest.register import bundled_registers, read_register
from planflow.workflow.expand import expand
from planflow.workflow.loader import load_workflow

REGISTER = ROOT / "src" / "planflow" / "data" / "registers" / "an-giang-2025.csv"
KG_2022 = ROOT / "workflows" / "kien-giang-2022.yaml"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ag-2027") / "an-giang-2027.yaml"
    result = CliRunner().invoke(
        cli,
        [
            *("plan", "next-year", str(KG_2022), "--year", "2027"),
            *("--agencies", str(REGISTER), "-o", str(out)),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_an_giang_register_holds_85_communes_14_wards_3_special_zones_each_with_a_source() -> (
    None
):
    register = read_register(REGISTER)
    names = [a.name_vi for a in register.agencies if a.kind == "commune"]
    assert len(names) == 102 == len(set(names))
    assert sum(" xã " in f" {n} " for n in names) == 85
    assert sum(" phường " in n for n in names) == 14
    assert sum(" đặc khu " in n for n in names) == 3
    rows = (REGISTER.read_text(encoding="utf-8")).splitlines()[1:]
    assert all("Resolution" in row or "Decree" in row for row in rows)


def test_every_kien_giang_department_either_has_a_successor_in_an_giang_or_says_why_not() -> None:
    kg = next(r for r in bundled_registers() if r.name == "kien-giang-2022.csv")
    ag = read_register(REGISTER)
    text = (REGISTER.parent / "kien-giang-2022.csv").read_text(encoding="utf-8")
    for agency in kg.agencies:
        if agency.successor:
            assert ag.by_code(agency.successor) is not None, agency.code
        else:
            line = next(row for row in text.splitlines() if row.startswith(agency.code + ","))
            assert "unverified" in line or "no single successor" in line, agency.code


def test_the_2027_plan_names_the_merged_departments_and_every_commune_ward_and_special_zone(
    drafted: Path,
) -> None:
    plan = load_workflow(drafted)
    workflow = plan.workflow
    assert workflow.plan.issuer == "Ủy ban nhân dân tỉnh An Giang"
    assert workflow.plan.id == "an-giang-2027-tthc"
    kinds = Counter(a.kind.value for a in workflow.agencies)
    # Communes, wards and special zones with their own kinds (told apart by the register's names).
    assert (kinds["commune"], kinds["ward"], kinds["special_zone"]) == (85, 14, 3)
    assert kinds["department"] == 12 and "district" not in kinds
    assert not any(a.valid_until and a.valid_until < dt.date(2027, 1, 1) for a in workflow.agencies)
    assert [g.code for g in workflow.groups] == ["so-ban-nganh", "ubnd-cap-xa"]
    tasks = expand(workflow, plan.calendar)
    per_agency = Counter(t.agency for t in tasks if t.duty == "IV.1.a.1")
    assert len(per_agency) == 12 + 102
    assert "p-rach-gia" in per_agency and "dk-tho-chau" in per_agency
    calendar = vietnam_calendar([2026, 2027, 2028])
    assert all(t.due.year == 2027 and calendar.is_working_day(t.due) for t in tasks)
    # Derived in docs/ingestion.md: 8 duties × 114 agencies, IV.1.a.2 × 114 × 6 periods, the
    # Office's report × 6 periods and its 3 other duties.
    assert len(tasks) == 8 * 114 + 114 * 6 + 6 + 3 == 1605


def test_the_2027_plan_loads(drafted: Path, tmp_path: Path) -> None:
    db = tmp_path / "planflow.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "load", str(drafted), "--at", "2027-01-04"])
    assert result.exit_code == 0, result.output
    assert "1605" in result.output.replace(".", "").replace(",", "")
