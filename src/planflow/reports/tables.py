"""The report's tables, built once from the figures; every format lays these out."""

from __future__ import annotations

from dataclasses import dataclass

from planflow.application.summary_model import STATUS_WORDS, Summary

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    key: str  # a short name: the XLSX sheet's title
    title: str
    headers: tuple[str, ...]
    rows: list[list[Cell]]
    percent_columns: frozenset[int] = frozenset()  # shares (0..1) shown as percentages
    total: list[Cell] | None = None


def percent(value: float | None) -> str:
    """80,5% — Vietnamese writes a decimal comma."""
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def build_tables(summary: Summary) -> list[Table]:
    status_rows: list[list[Cell]] = []
    report_rows: list[list[Cell]] = []
    for i, a in enumerate(summary.agencies, start=1):
        status_rows.append(
            [
                i,
                a.name,
                a.total,
                *(a.count(s) for s in STATUS_WORDS),
                a.late_working_days,
                a.on_time_rate,
            ]
        )
        report_rows.append(
            [
                i,
                a.name,
                a.reports,
                a.reports_accepted,
                a.reports_returned,
                a.reports_in_review,
                a.reports_awaited,
                a.difficulties_raised,
                a.difficulties_answered,
                a.extensions,
                a.escalations,
            ]
        )
    t = summary.totals
    status = Table(
        "Tình hình",
        "Bảng 1. Tình hình thực hiện nhiệm vụ theo cơ quan, đơn vị",
        (
            "STT",
            "Cơ quan, đơn vị",
            "Tổng số nhiệm vụ",
            *(s.label_vi for s in STATUS_WORDS),
            "Số ngày làm việc chậm",
            "Tỷ lệ đúng hạn",
        ),
        status_rows,
        frozenset({8}),
        [
            "",
            "Tổng cộng",
            t.total,
            *(t.count(s) for s in STATUS_WORDS),
            t.late_working_days,
            t.on_time_rate,
        ],
    )
    reports = Table(
        "Báo cáo",
        "Bảng 2. Báo cáo, khó khăn vướng mắc, gia hạn và đôn đốc",
        (
            "STT",
            "Cơ quan, đơn vị",
            "Báo cáo phải gửi",
            "Được chấp nhận",
            "Lượt trả lại",
            "Đang xem xét",
            "Chưa nhận được",
            "Khó khăn đã nêu",
            "Đã trả lời",
            "Lượt gia hạn",
            "Lượt đôn đốc",
        ),
        report_rows,
        total=[
            "",
            "Tổng cộng",
            t.reports,
            t.reports_accepted,
            t.reports_returned,
            t.reports_in_review,
            t.reports_awaited,
            t.difficulties_raised,
            t.difficulties_answered,
            t.extensions,
            t.escalations,
        ],
    )
    heads = Table(
        "Đôn đốc",
        "Bảng 3. Đôn đốc theo người đứng đầu",
        ("STT", "Cơ quan, đơn vị", "Chức danh", "Họ và tên", "Lượt đôn đốc", "Số nhiệm vụ"),
        [
            [i, h.agency_name or "UBND tỉnh", h.title, h.name, h.escalations, len(h.tasks)]
            for i, h in enumerate(summary.heads, start=1)
        ],
    )
    missing = Table(
        "Chưa báo cáo",
        "Các báo cáo chưa nhận được đã quá hạn",
        ("STT", "Cơ quan, đơn vị", "Nhiệm vụ", "Kỳ", "Hạn gửi", "Số ngày làm việc quá hạn"),
        [
            [i, m.agency_name, m.section, m.period, f"{m.due:%d/%m/%Y}", m.working_days_late]
            for i, m in enumerate(summary.missing, start=1)
        ],
    )
    difficulties = Table(
        "Khó khăn",
        "Bảng 4. Khó khăn, vướng mắc và việc trả lời",
        (
            "STT",
            "Cơ quan, đơn vị",
            "Nhiệm vụ",
            "Kỳ",
            "Nội dung",
            "Ngày nêu",
            "Trả lời",
            "Ngày trả lời",
        ),
        [
            [
                i,
                d.agency_name,
                d.section,
                d.period,
                d.text,
                f"{d.raised_on:%d/%m/%Y}",
                d.answer or "Chưa trả lời",
                f"{d.answered_on:%d/%m/%Y}" if d.answered_on else "",
            ]
            for i, d in enumerate(summary.difficulties, start=1)
        ],
    )
    return [status, reports, heads, missing, difficulties]


def trend_table(summary: Summary) -> Table:
    names = {a.agency: a.name for a in summary.agencies}
    rows: list[list[Cell]] = [
        [i, names[agency], *series]
        for i, (agency, series) in enumerate(summary.trend.rates.items(), start=1)
    ]
    columns = len(summary.trend.periods)
    return Table(
        "Xu hướng",
        "Hình 1. Tỷ lệ hoàn thành đúng hạn theo cơ quan, đơn vị qua các quý",
        ("STT", "Cơ quan, đơn vị", *summary.trend.periods),
        rows,
        frozenset(range(2, 2 + columns)),
    )
