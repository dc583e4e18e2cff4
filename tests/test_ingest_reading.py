"""The reading rules, one by one: folding, schedules, agency matching, DOCX numbering, next year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.ingest.docx_text import docx_text
from planflow.ingest.fold import fold
from planflow.ingest.matching import Matcher
from planflow.ingest.nextyear import next_year
from planflow.ingest.register import bundled_registers, read_register
from planflow.ingest.schedule import default_due, fixed, recurring
from planflow.workflow.expand import expand
from planflow.workflow.loader import load_workflow

ROOT = Path(__file__).parent.parent
CAL = vietnam_calendar([2022, 2023, 2024])


def test_folding_repairs_what_an_english_ocr_model_does_to_vietnamese() -> None:
    assert fold("Pai PTTH KG") == "dai phat thanh truyen hinh kien giang"
    assert fold("Céc s&, c4c ¢6 Vin phong UBND") == "cec se cac co vin phong uy ban nhan dan"
    assert fold("TO CHUC THU'C HIEN") == "to chuc thuc hien"
    assert fold("Iap dy todn") == "lap dy todn"


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("hoàn thành trước ngày 30/6/2023", dt.date(2023, 6, 30)),
        ("chậm nhất ngày 15 tháng 11", dt.date(2023, 11, 15)),
        ("tổ chức trong tháng 9", dt.date(2023, 9, 29)),
        ("hoàn thành trong quý III năm 2023", dt.date(2023, 9, 29)),
        ("trong quý l năm 2023", dt.date(2023, 3, 31)),
        ("trong 6 tháng đầu năm", dt.date(2023, 6, 30)),
    ],
)
def test_fixed_deadlines_are_read_in_their_many_phrasings(phrase: str, due: dt.date) -> None:
    found = fixed(phrase, 2023, CAL)
    assert found is not None and found.due == due


def test_recurring_reports_are_read_with_their_periods_and_stated_day() -> None:
    every = recurring("Định kỳ hằng quý, 6 tháng, năm báo cáo kết quả gửi về Sở Nội vụ", 2023, CAL)
    assert every is not None and every.every == ("quarter", "half_year", "year")
    half = recurring("Định kỳ 6 tháng, năm báo cáo kết quả", 2023, CAL)
    assert half is not None and half.every == ("half_year", "year")
    monthly = recurring("Hằng tháng báo cáo tiến độ", 2023, CAL)
    assert monthly is not None and monthly.monthly
    stated = recurring("Báo cáo định kỳ hằng quý, gửi trước ngày 20 của tháng cuối quý", 2023, CAL)
    assert stated is not None and stated.submit_days == 4  # 14 Mar 2023 (Tue) → 20 Mar (Mon)
    bare = recurring("định kì báo cáo tình hình thực hiện về UBND tỉnh", 2023, CAL)
    assert bare is not None and bare.chosen
    assert recurring("tập huấn kỹ năng số cho cán bộ, công chức trong quý II", 2023, CAL) is None


def test_a_silent_plan_gets_a_chosen_due_date_by_the_kind_of_work() -> None:
    assert default_due("Xây dựng kế hoạch năm 2023", 2023, CAL).due == dt.date(2023, 3, 31)
    assert default_due("Thiết lập kênh tiếp nhận phản ánh", 2023, CAL).due == dt.date(2023, 6, 30)
    assert default_due("Lồng ghép tuyên truyền", 2023, CAL).due == dt.date(2023, 12, 29)
    assert default_due("Lồng ghép tuyên truyền", 2023, CAL).chosen


def test_agencies_are_matched_through_ocr_noise_and_groups_expand_by_kind() -> None:
    register = next(r for r in bundled_registers() if r.province == "Kiên Giang")
    matcher = Matcher(register)
    found = matcher.mentions(
        "Vin phong UBND tinh phdi hop véi Dai Phét thanh va Truyén hinh Kién Giang, Bio Kién Giang"
    )
    assert [m.code for m in found] == ["vp-ubnd", "dai-ptth", "bao-kien-giang"]
    groups = matcher.mentions(
        "Céc s&, ban nganh thuéc Uy ban nhén dén tinh, Uy ban nhan dan céc huyén, thanh phé"
    )
    assert [m.kinds for m in groups] == [("department", "board"), ("district",)]
    assert matcher.mentions("báo cáo kết quả") == []


def test_word_automatic_numbering_is_rebuilt_from_the_numbering_definitions(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "corpus"))
    import build

    path = build.make_docx(ROOT / "tests/corpus/kien-giang-2024-cds.txt", tmp_path / "p.docx")
    lines = docx_text(path).splitlines()
    assert "I. MỤC TIÊU" in lines
    assert "II. NHIỆM VỤ CỤ THỂ" in lines
    assert "1. Sở Thông tin và Truyền thông:" in lines
    assert any(line.startswith("b) Định kỳ 6 tháng") for line in lines)
    assert "III. TỔ CHỨC THỰC HIỆN" in lines


def test_the_shared_kien_giang_csv_reads_as_a_register_as_is() -> None:
    shared = ROOT.parent.parent / "shared" / "data" / "kien-giang-agencies-2022.csv"
    path = shared if shared.exists() else ROOT / "src/planflow/data/registers/kien-giang-2022.csv"
    register = read_register(path)
    assert len(register.agencies) == 40 and register.province == "Kiên Giang"


def test_next_year_moves_dates_onto_the_new_calendar_and_lists_every_change(
    tmp_path: Path,
) -> None:
    result = next_year(ROOT / "workflows" / "kien-giang-2022.yaml", 2023, tmp_path)
    out = tmp_path / "kg-2023.yaml"
    out.write_text(result.text("kien-giang-2022.yaml"), encoding="utf-8")
    loaded = load_workflow(out)
    assert loaded.workflow.plan.year == 2023
    dues = {d.id: d.schedule.due for d in loaded.workflow.duties if hasattr(d.schedule, "due")}
    assert dues["IV.1.a.3"] == dt.date(2023, 12, 29)  # last working day of 2023, a Friday
    assert dues["III.4"] == dt.date(2023, 3, 31)
    source = load_workflow(ROOT / "workflows" / "kien-giang-2022.yaml")
    assert len(expand(loaded.workflow, loaded.calendar)) == len(
        expand(source.workflow, source.calendar)
    )  # the same duties, agencies and periods, a year on
    assert "duty IV.1.a.3: due 2022-12-30 → 2023-12-29 (Fri)" in result.changes


def test_next_year_after_the_merger_hands_duties_to_successors_and_flags_the_rest(
    tmp_path: Path,
) -> None:
    result = next_year(ROOT / "workflows" / "kien-giang-2022.yaml", 2026, tmp_path)
    out = tmp_path / "kg-2026.yaml"
    out.write_text(result.text("kien-giang-2022.yaml"), encoding="utf-8")
    loaded = load_workflow(out)
    b1 = next(d for d in loaded.workflow.duties if d.id == "IV.1.b.1")
    assert b1.assignees == ["ag-vp-ubnd"]
    assert any("so-du-lich ended 2025-06-30: no successor known" in c for c in result.changes)


def test_dotted_numbering_and_a_lead_under_its_heading_are_read(tmp_path: Path) -> None:
    from planflow.ingest.pipeline import import_plan

    plan = tmp_path / "plan.txt"
    plan.write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH KIÊN GIANG\nSố: 7/KH-UBND    Kiên Giang, ngày 3 tháng 1 năm 2024\n"
        "KẾ HOẠCH\nThực hiện công tác văn thư năm 2024\n\n"
        "I. MỤC ĐÍCH\n1. Nâng cao chất lượng công tác văn thư.\n"
        "II. NHIỆM VỤ VÀ GIẢI PHÁP\n2.1. Sở Nội vụ:\n"
        "2.1.1. Chủ trì, phối hợp với Sở Tư pháp hướng dẫn nghiệp vụ văn thư trước ngày 15/5/2024.\n"
        "2.1.2. Định kỳ 6 tháng báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện.\n"
        "2.2. Văn phòng Ủy ban nhân dân tỉnh lưu trữ hồ sơ trong quý IV năm 2024.\n"
        "Nơi nhận:\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Bình\n",
        encoding="utf-8",
    )
    result = import_plan(plan)
    ids = [
        (d.id, [m.code for m in d.assignees], [m.code for m in d.cooperating])
        for d in result.duties
    ]
    assert ids == [
        ("II.1.1", ["so-noi-vu"], ["so-tu-phap"]),
        ("II.1.2", ["so-noi-vu"], []),
        ("II.2", ["vp-ubnd"], []),
    ]
    assert result.duties[0].schedule.due == dt.date(2024, 5, 15)
    assert result.duties[1].schedule.every == ("half_year",)
    assert result.duties[2].schedule.due == dt.date(2024, 12, 31)
