"""The Vietnamese and English names of the Task aggregate's events, shared by every entry point
(the web's timeline, the CLI's ``history``). Escalation is "Báo cáo cấp trên": docs/scheduler.md
says why. Also a task's window as plans word it (``window_words``)."""

from __future__ import annotations

from datetime import date

from planflow.domain.periods import Period, PeriodKind, periods_for

ESCALATION_VI = "Báo cáo cấp trên"

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "Assigned": ("Giao nhiệm vụ", "Assigned"),
    "ActivityExecuted": ("Đã thực hiện", "Activity executed"),
    "ReportSubmitted": ("Đã gửi báo cáo", "Report submitted"),
    "ReportAccepted": ("Báo cáo được chấp nhận", "Report accepted"),
    "ReportReturned": ("Báo cáo bị trả lại", "Report returned"),
    "DifficultyRaised": ("Nêu khó khăn, vướng mắc", "Difficulty raised"),
    "DifficultyAnswered": ("Trả lời khó khăn", "Difficulty answered"),
    "DeadlineExtended": ("Gia hạn", "Deadline extended"),
    "Reassigned": ("Giao lại", "Reassigned"),
    "Cancelled": ("Hủy", "Cancelled"),
    "MarkedOverdue": ("Quá hạn", "Marked overdue"),
    "ReminderSent": ("Nhắc việc", "Reminder sent"),
    "Escalated": (ESCALATION_VI, "Escalated"),
    "ChaseUpSent": ("Đôn đốc", "Chase-up sent"),
    "CheckInRecorded": ("Cập nhật tiến độ", "Check-in recorded"),
}

AGENCY_KIND_LABELS: dict[str, tuple[str, str]] = {
    "office": ("Văn phòng Ủy ban nhân dân", "Office of the People's Committee"),
    "department": ("Sở, ngành", "Department"),
    "board": ("Ban", "Board"),
    "district": ("Ủy ban nhân dân cấp huyện", "District People's Committee"),
    "press": ("Cơ quan báo chí", "Press body"),
    "committee": ("Ủy ban nhân dân tỉnh", "Provincial People's Committee"),
    "division": ("Phòng chuyên môn cấp huyện", "District division"),
    "police": ("Công an tỉnh", "Provincial police"),
    "social_insurance": ("Bảo hiểm xã hội tỉnh", "Provincial social insurance"),
    "treasury": ("Kho bạc Nhà nước tỉnh", "State Treasury (provincial)"),
    "tax": ("Thuế tỉnh", "Provincial tax office"),
    "state_bank": (
        "Ngân hàng Nhà nước chi nhánh tỉnh",
        "State Bank of Vietnam, provincial branch",
    ),
    "enterprise": ("Doanh nghiệp", "Enterprise"),
    "mass_organisation": ("Tổ chức chính trị - xã hội", "Mass organisation"),
    "commune": ("Ủy ban nhân dân xã", "Commune People's Committee"),
    "ward": ("Ủy ban nhân dân phường", "Ward People's Committee"),
    "special_zone": ("Ủy ban nhân dân đặc khu", "Special zone People's Committee"),
}
"""The Vietnamese and English names of each agency kind (workflow.model.AgencyKind)."""


def agency_kind_label(kind: str) -> str:
    vi, en = AGENCY_KIND_LABELS.get(kind, (kind, kind))
    return f"{vi} / {en}"


def event_label(name: str) -> str:
    """``Vietnamese / English`` for an event type's name (the name itself if unknown)."""
    vi, en = EVENT_LABELS.get(name, (name, name))
    return f"{vi} / {en}"


# --- windows (trong quý III năm 2026) --------------------------------------------------------

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_MONTH_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _pieces(start: date, end: date) -> tuple[PeriodKind, list[Period]] | None:
    """The window as consecutive periods of one kind in one year (quarters first), if it is."""
    for kind in (PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.WEEK):
        year = start.isocalendar().year if kind is PeriodKind.WEEK else start.year
        found = [p for p in periods_for(kind, year) if start <= p.span()[0] <= p.span()[1] <= end]
        if found and found[0].span()[0] == start and found[-1].span()[1] == end:
            return kind, found
    return None


def _one(period: Period) -> tuple[str, str]:
    n = period.number
    if period.kind is PeriodKind.QUARTER:
        return f"quý {_ROMAN[n]}", f"Q{n}"
    if period.kind is PeriodKind.MONTH:
        return f"tháng {n}", _MONTH_EN[n - 1]
    return f"tuần {n}", f"week {n}"


def window_words(start: date, end: date) -> tuple[str, str]:
    """A window as plans write it, in Vietnamese and English: "trong quý III năm 2026" / "in Q3
    2026", "trong quý II và quý III năm 2026", "từ tháng 3 đến tháng 6 năm 2026", "trong 6 tháng
    đầu năm 2026", else "từ 01/04/2026 đến 15/09/2026"."""
    first_half = (date(start.year, 1, 1), date(start.year, 6, 30))
    nine = (date(start.year, 1, 1), date(start.year, 9, 30))
    if (start, end) == first_half:
        return f"trong 6 tháng đầu năm {start.year}", f"in the first half of {start.year}"
    if (start, end) == nine:
        return f"trong 9 tháng đầu năm {start.year}", f"in the first nine months of {start.year}"
    found = _pieces(start, end)
    if found is None:
        return (
            f"từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}",
            f"from {start:%d/%m/%Y} to {end:%d/%m/%Y}",
        )
    kind, periods = found
    year = periods[0].year
    if kind is PeriodKind.YEAR:
        return f"trong năm {year}", f"during {year}"
    (vi_first, en_first), (vi_last, en_last) = _one(periods[0]), _one(periods[-1])
    of_year = f"of {year}" if kind is PeriodKind.WEEK else str(year)
    if len(periods) == 1:
        return f"trong {vi_first} năm {year}", f"in {en_first} {of_year}"
    if len(periods) == 2:
        return (
            f"trong {vi_first} và {vi_last} năm {year}",
            f"in {en_first} and {en_last} {of_year}",
        )
    return f"từ {vi_first} đến {vi_last} năm {year}", f"from {en_first} to {en_last} {of_year}"
