"""Events told as sentences in the reader's language, for the timeline and the inbox:
"Nhắc hạn gửi Giám đốc Sở Tư pháp — còn 3 ngày làm việc"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from planflow.web.i18n import pick
from planflow.web.names import Names


def _day(value: Any) -> str:
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return ""


def _tail(text: Any) -> str:
    text = " ".join(str(text or "").split())
    return f": {text}" if text else ""


def tell(event_type: str, details: Mapping[str, Any], names: Names) -> str:
    """One sentence for an event; the fields missing are left out."""
    d = details
    lang = names.lang
    who = str(d.get("recipient_title") or "")
    if not who and d.get("recipient_agency"):
        who = names.heads.get(str(d["recipient_agency"]), "")
    if event_type == "Assigned":
        return pick(
            lang,
            f"Giao nhiệm vụ cho {names.agency(str(d.get('agency', '')))}, hạn {_day(d.get('due'))}",
            f"Assigned to {names.agency(str(d.get('agency', '')))}, due {_day(d.get('due'))}",
        )
    if event_type == "ActivityExecuted":
        return pick(lang, "Đã thực hiện", "Carried out") + _tail(d.get("note"))
    if event_type == "ReportSubmitted":
        doc = str(d.get("document") or "")
        return pick(lang, "Gửi báo cáo", "Report sent") + (f" {doc}" if doc else "")
    if event_type == "ReportAccepted":
        return pick(lang, "Văn phòng chấp nhận báo cáo", "The Office accepted the report") + _tail(
            d.get("note")
        )
    if event_type == "ReportReturned":
        return pick(lang, "Văn phòng trả lại báo cáo", "The Office returned the report") + _tail(
            d.get("reason")
        )
    if event_type == "DifficultyRaised":
        n = d.get("number")
        return pick(
            lang, f"Nêu khó khăn{f' số {n}' if n else ''}", f"Difficulty{f' {n}' if n else ''}"
        ) + _tail(d.get("text"))
    if event_type == "DifficultyAnswered":
        n = d.get("number")
        return pick(
            lang,
            f"Trả lời khó khăn{f' số {n}' if n else ''}",
            f"Answer to difficulty{f' {n}' if n else ''}",
        ) + _tail(d.get("answer"))
    if event_type == "DeadlineExtended":
        old, new = _day(d.get("previous_due")), _day(d.get("new_due") or d.get("due"))
        vi = "Gia hạn" + (f" từ {old}" if old else "") + (f" đến {new}" if new else "")
        en = "Deadline extended" + (f" from {old}" if old else "") + (f" to {new}" if new else "")
        return pick(lang, vi, en) + _tail(d.get("reason"))
    if event_type == "Reassigned":
        old = names.agency(str(d.get("previous_agency") or ""))
        new = names.agency(str(d.get("new_agency") or d.get("agency") or ""))
        vi = "Giao lại" + (f" từ {old}" if old else "") + (f" cho {new}" if new else "")
        en = "Reassigned" + (f" from {old}" if old else "") + (f" to {new}" if new else "")
        return pick(lang, vi, en) + _tail(d.get("reason"))
    if event_type == "Cancelled":
        return pick(lang, "Hủy nhiệm vụ", "Task cancelled") + _tail(d.get("reason"))
    if event_type == "MarkedOverdue":
        due = _day(d.get("due"))
        return pick(lang, f"Quá hạn ({due}) mà chưa hoàn thành", f"Overdue (due {due}), not done")
    if event_type == "ReminderSent":
        days = d.get("working_days_before")
        return pick(
            lang,
            f"Nhắc hạn gửi {who}" + (f" — còn {days} ngày làm việc" if days is not None else ""),
            f"Reminder to {who}" + (f" — {days} working days left" if days is not None else ""),
        )
    if event_type == "Escalated":
        days, level = d.get("working_days_after_due"), d.get("level")
        vi = f"Báo cáo vượt cấp{f' (bậc {level})' if level else ''} gửi {who}"
        en = f"Escalated{f' (level {level})' if level else ''} to {who}"
        if days:
            vi += f" — quá hạn {days} ngày làm việc"
            en += f" — {days} working days overdue"
        return pick(lang, vi, en)
    if event_type == "ChaseUpSent":
        return pick(lang, f"Văn phòng đôn đốc {who}", f"The Office chased {who}") + _tail(
            d.get("note")
        )
    return event_type


FIELDS: dict[str, tuple[str, str]] = {
    "plan": ("Kế hoạch", "Plan"),
    "duty": ("Nhiệm vụ", "Duty"),
    "agency": ("Cơ quan", "Agency"),
    "period": ("Kỳ báo cáo", "Period"),
    "due": ("Hạn", "Deadline"),
    "completion": ("Hoàn thành khi", "Done when"),
    "title": ("Tên nhiệm vụ", "Title"),
    "note": ("Ghi chú", "Note"),
    "evidence": ("Minh chứng", "Evidence"),
    "document": ("Tệp", "File"),
    "sha256": ("SHA-256", "SHA-256"),
    "reason": ("Lý do", "Reason"),
    "number": ("Số", "Number"),
    "text": ("Nội dung", "Text"),
    "answer": ("Trả lời", "Answer"),
    "previous_due": ("Hạn cũ", "Previous deadline"),
    "new_due": ("Hạn mới", "New deadline"),
    "by_plan_revision": ("Do sửa đổi kế hoạch", "By a revision of the plan"),
    "previous_agency": ("Cơ quan trước", "Previous agency"),
    "new_agency": ("Cơ quan mới", "New agency"),
    "recipient_role": ("Người nhận", "Recipient"),
    "recipient_agency": ("Cơ quan người nhận", "Recipient's agency"),
    "recipient_title": ("Chức danh người nhận", "Recipient's title"),
    "recipient_name": ("Họ tên người nhận", "Recipient's name"),
    "recipient_contact": ("Liên hệ", "Contact"),
    "working_days_before": ("Số ngày làm việc trước hạn", "Working days before the deadline"),
    "working_days_after_due": ("Số ngày làm việc sau hạn", "Working days after the deadline"),
    "level": ("Bậc", "Level"),
    "fire_on": ("Ngày gửi theo lịch", "Scheduled for"),
}
_ROLES = {
    "assignee_head": ("Thủ trưởng cơ quan được giao", "Head of the agency assigned"),
    "signer": ("Người ký kế hoạch", "Signer of the plan"),
}
_AGENCY_FIELDS = {"agency", "previous_agency", "new_agency", "recipient_agency"}
_DATE_FIELDS = {"due", "previous_due", "new_due", "fire_on"}


def fields(details: Mapping[str, Any], names: Names) -> list[tuple[str, str]]:
    """An event's fields as (label, value) in the reader's language, empty ones left out."""
    out = []
    for key, value in details.items():
        if value in ("", None):
            continue
        vi, en = FIELDS.get(key, (key, key))
        if key in _AGENCY_FIELDS:
            shown = names.agency(str(value))
        elif key in _DATE_FIELDS:
            shown = _day(value)
        elif key == "recipient_role":
            role = _ROLES.get(str(value))
            shown = pick(names.lang, *role) if role else names.agency(str(value))
        elif key == "period":
            shown = names.period(str(value))
        elif isinstance(value, bool):
            shown = pick(names.lang, "có", "yes") if value else pick(names.lang, "không", "no")
        else:
            shown = str(value)
        out.append((pick(names.lang, vi, en), shown))
    return out
