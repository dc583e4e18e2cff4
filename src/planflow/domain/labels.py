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
}


def event_label(name: str) -> str:
    """``Vietnamese / English`` for an event type's name (the name itself if unknown)."""
    vi, en = EVENT_LABELS.get(name, (name, name))
    return f"{vi} / {en}"
