"""What the consolidated report says, once, for every format: its header words, its paragraphs and
its tables. HTML, PDF, DOCX and XLSX only lay this out, so their figures cannot differ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planflow.application.summary import months
from planflow.application.summary_model import STATUS_WORDS, Summary
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.periods import PeriodKind
from planflow.domain.status import TaskStatus

Cell = str | int | float | None

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Table:
    key: str  # a short name: the XLSX sheet's title
    title: str
    headers: tuple[str, ...]
    rows: list[list[Cell]]
    percent_columns: frozenset[int] = frozenset()  # shares (0..1) shown as percentages
    total: list[Cell] | None = None


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


def percent(value: float | None) -> str:
    """80,5% — Vietnamese writes a decimal comma."""
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


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
    tables = _tables(summary)
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
        trend=_trend_table(summary),
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


def _tables(summary: Summary) -> list[Table]:
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
        "Tinh hinh",
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
        "Bao cao",
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
        "Don doc",
        "Bảng 3. Đôn đốc theo người đứng đầu",
        ("STT", "Cơ quan, đơn vị", "Chức danh", "Họ và tên", "Lượt đôn đốc", "Số nhiệm vụ"),
        [
            [i, h.agency_name or "UBND tỉnh", h.title, h.name, h.escalations, len(h.tasks)]
            for i, h in enumerate(summary.heads, start=1)
        ],
    )
    missing = Table(
        "Chua bao cao",
        "Các báo cáo chưa nhận được đã quá hạn",
        ("STT", "Cơ quan, đơn vị", "Nhiệm vụ", "Kỳ", "Hạn gửi", "Số ngày làm việc quá hạn"),
        [
            [i, m.agency_name, m.section, m.period, f"{m.due:%d/%m/%Y}", m.working_days_late]
            for i, m in enumerate(summary.missing, start=1)
        ],
    )
    difficulties = Table(
        "Kho khan",
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


def _trend_table(summary: Summary) -> Table:
    names = {a.agency: a.name for a in summary.agencies}
    rows: list[list[Cell]] = [
        [i, names[agency], *series]
        for i, (agency, series) in enumerate(summary.trend.rates.items(), start=1)
    ]
    columns = len(summary.trend.periods)
    return Table(
        "Xu huong",
        "Hình 1. Tỷ lệ hoàn thành đúng hạn theo cơ quan, đơn vị qua các quý",
        ("STT", "Cơ quan, đơn vị", *summary.trend.periods),
        rows,
        frozenset(range(2, 2 + columns)),
    )
