"""What the consolidated report says, once, for every format: its header words, its paragraphs and
its tables. HTML, PDF, DOCX and XLSX only lay this out, so their figures cannot differ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planflow.application.summary import months
from planflow.application.summary_model import Summary
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.periods import PeriodKind
from planflow.domain.status import TaskStatus
from planflow.reports.tables import Cell, Table, build_tables, percent, trend_table

__all__ = [
    "MOTTO",
    "NATIONAL_TITLE",
    "Cell",
    "Report",
    "Section",
    "Table",
    "build_report",
    "percent",
]


NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str]
    table: Table | None = None
    chart: bool = False  # the on-time chart goes after this section's paragraphs
    items: tuple[str, ...] = ()  # a plain list after the paragraphs


@dataclass(frozen=True)
class Report:
    issuer_lines: tuple[str, str]
    number: str
    place_date: str
    title: str
    summary_line: str
    opening: str
    sections: list[Section]
    closing: str
    recipients: tuple[str, ...]
    signs_as: str
    signer_name: str
    tables: list[Table]
    trend: Table


def decree30_date(day: date) -> str:
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def period_words(summary: Summary) -> str:
    p = summary.period
    if p.kind is PeriodKind.QUARTER:
        return f"quý {p.number} năm {p.year}"
    return p.label_vi[:1].lower() + p.label_vi[1:]


def build_report(summary: Summary) -> Report:
    h = summary.header
    t = summary.totals
    today = local_date(summary.moment)
    place = _place(h.issuer)
    first, last = months(summary.period)
    cut_from, cut_to = summary.period.cutoff()
    subject = h.title_vi[len("Kế hoạch ") :] if h.title_vi.startswith("Kế hoạch ") else h.title_vi
    tables = build_tables(summary)
    status_table, reports_table, heads_table, missing_table, difficulty_table = tables
    late_days = (
        f" (chậm tổng cộng {t.late_working_days} ngày làm việc, nhiều nhất "
        f"{t.max_late_working_days} ngày)"
        if t.late_tasks
        else ""
    )
    missing_names = summary.agencies_missing
    answered_open = t.difficulties_raised - t.difficulties_answered
    sections = [
        Section(
            "I. KẾT QUẢ THỰC HIỆN",
            [
                f"1. Tình hình chung. Trong kỳ có {t.total} nhiệm vụ của {len(summary.agencies)} "
                f"cơ quan, đơn vị đến hạn trong {period_words(summary)} (từ {first:%d/%m/%Y} "
                f"đến {last:%d/%m/%Y}): {t.count(TaskStatus.DONE_ON_TIME)} hoàn thành đúng hạn; "
                f"{t.count(TaskStatus.DONE_LATE)} hoàn thành quá hạn{late_days}; "
                f"{t.count(TaskStatus.OPEN_IN_TIME)} đang thực hiện trong hạn; "
                f"{t.count(TaskStatus.OPEN_OVERDUE)} quá hạn chưa hoàn thành. Tỷ lệ hoàn thành "
                f"đúng hạn trên số nhiệm vụ đã hoàn thành hoặc đã đến hạn: {percent(t.on_time_rate)} "
                "(Bảng 1, Hình 1)."
            ],
            status_table,
            chart=True,
        ),
        Section(
            "",
            [
                f"2. Việc báo cáo định kỳ. Các cơ quan, đơn vị phải gửi {t.reports} báo cáo: "
                f"{t.reports_accepted} báo cáo được chấp nhận; {t.reports_in_review} báo cáo đang "
                f"được xem xét; {t.reports_awaited} báo cáo chưa nhận được; "
                f"{t.reports_returned} lượt báo cáo bị trả lại để hoàn chỉnh. Các cơ quan nêu "
                f"{t.difficulties_raised} khó khăn, vướng mắc, đã trả lời {t.difficulties_answered}; "
                f"{t.extensions} lượt gia hạn; {t.escalations} lượt đôn đốc theo thang trách nhiệm "
                "(Bảng 2)."
            ],
            reports_table,
        ),
        Section(
            "",
            [
                "3. Các cơ quan, đơn vị chưa gửi báo cáo đã đến hạn: "
                + ("; ".join(missing_names) + "." if missing_names else "không có.")
            ],
            missing_table if missing_table.rows else None,
        ),
        Section(
            "",
            [
                "4. Đôn đốc người đứng đầu chịu trách nhiệm cá nhân: "
                + (
                    f"{len(summary.heads)} người được đôn đốc, tổng cộng {t.escalations} lượt "
                    "(Bảng 3)."
                    if summary.heads
                    else "chưa có lượt đôn đốc nào."
                )
            ],
            heads_table if heads_table.rows else None,
        ),
        Section(
            "II. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ",
            [
                "1. Khó khăn, vướng mắc các cơ quan, đơn vị đã nêu: "
                + (
                    f"{t.difficulties_raised} nội dung, đã trả lời {t.difficulties_answered}, "
                    f"còn {answered_open} nội dung chưa trả lời (Bảng 4)."
                    if t.difficulties_raised
                    else "không có."
                )
            ],
            difficulty_table if difficulty_table.rows else None,
        ),
        Section("", ["2. Đề xuất, kiến nghị:"], items=tuple(_proposals(summary))),
    ]
    return Report(
        issuer_lines=(_issuer_short(h.issuer), _office_short(h.office_name)),
        number="Số: …/BC-UBND",
        place_date=f"{place}, {decree30_date(today)}",
        title="BÁO CÁO",
        summary_line=(
            f"Tình hình, kết quả thực hiện Kế hoạch số {h.number} {period_words(summary)}"
        ),
        opening=(
            f"Thực hiện Kế hoạch số {h.number} của Ủy ban nhân dân tỉnh về "
            f"{subject[:1].lower() + subject[1:]}, {h.office_name} báo cáo tình hình, kết quả "
            f"thực hiện {period_words(summary)} (số liệu tính đến {summary.moment.astimezone(LOCAL_TZ):%H:%M} "
            f"ngày {today:%d/%m/%Y}; thời gian chốt số liệu theo Nghị định số 09/2019/NĐ-CP: "
            f"từ ngày {cut_from:%d/%m/%Y} đến ngày {cut_to:%d/%m/%Y}) như sau:"
        ),
        sections=sections,
        closing=f"Trên đây là báo cáo của {h.office_name}, kính trình Ủy ban nhân dân tỉnh "
        "xem xét, chỉ đạo./.",
        recipients=("UBND tỉnh (b/c);", "CT, các PCT UBND tỉnh;", "LĐVP;", "Lưu: VT."),
        signs_as=(h.office_head_title or "Chánh Văn phòng").upper(),
        signer_name="",
        tables=tables,
        trend=trend_table(summary),
    )


def _place(issuer: str) -> str:
    for marker in ("tỉnh ", "thành phố "):
        index = issuer.lower().rfind(marker)
        if index >= 0:
            return issuer[index + len(marker) :].strip()
    return issuer


def _issuer_short(issuer: str) -> str:
    """ "Ủy ban nhân dân tỉnh Kiên Giang" → "UBND TỈNH KIÊN GIANG"."""
    prefix = "ủy ban nhân dân "
    if issuer.lower().startswith(prefix):
        return "UBND " + issuer[len(prefix) :].upper()
    return issuer.upper()


def _office_short(name: str) -> str:
    """ "Văn phòng Ủy ban nhân dân tỉnh" → "VĂN PHÒNG" (under the issuer's own line)."""
    return "VĂN PHÒNG" if name.lower().startswith("văn phòng") else name.upper()


def _proposals(summary: Summary) -> list[str]:
    t = summary.totals
    out = []
    if summary.missing:
        names = ", ".join(summary.agencies_missing)
        out.append(
            f"Đề nghị Ủy ban nhân dân tỉnh chỉ đạo {names} khẩn trương gửi báo cáo còn thiếu; "
            "người đứng đầu cơ quan, đơn vị chịu trách nhiệm cá nhân theo Kế hoạch."
        )
    overdue = t.count(TaskStatus.OPEN_OVERDUE)
    if overdue:
        out.append(
            f"Đề nghị các cơ quan, đơn vị còn {overdue} nhiệm vụ quá hạn chưa hoàn thành tập "
            "trung hoàn thành, báo cáo kết quả về Văn phòng Ủy ban nhân dân tỉnh."
        )
    if t.difficulties_raised > t.difficulties_answered:
        out.append(
            f"Đề nghị các cơ quan có liên quan sớm trả lời "
            f"{t.difficulties_raised - t.difficulties_answered} khó khăn, vướng mắc còn tồn đọng."
        )
    if not out:
        out.append("Tiếp tục chỉ đạo các cơ quan, đơn vị thực hiện đúng tiến độ Kế hoạch.")
    return out
