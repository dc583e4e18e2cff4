"""The Vietnamese and English names of the Task aggregate's events, shared by every entry point
(the web's timeline, the CLI's ``history``). Escalation is "Báo cáo cấp trên": docs/scheduler.md
says why."""

from __future__ import annotations

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
