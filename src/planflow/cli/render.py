"""Rich output for the CLI: tables for people, JSON for programs."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from planflow.domain.clock import LOCAL_TZ
from planflow.domain.labels import EVENT_LABELS, event_label
from planflow.domain.status import TaskStatus

if TYPE_CHECKING:
    from planflow.application.facts import Waiting
    from planflow.application.queries import TaskView

STATUS_STYLE = {
    TaskStatus.DONE_ON_TIME: "green",
    TaskStatus.DONE_LATE: "yellow",
    TaskStatus.OPEN_IN_TIME: "blue",
    TaskStatus.OPEN_OVERDUE: "bold red",
}


def local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


SHOW_LABELS: dict[str, tuple[str, str]] = {
    "id": ("Mã nhiệm vụ", "Task id"),
    "plan": ("Kế hoạch", "Plan"),
    "duty": ("Nhiệm vụ", "Duty"),
    "agency": ("Cơ quan", "Agency"),
    "period": ("Kỳ báo cáo", "Period"),
    "title": ("Nội dung", "Title"),
    "due": ("Hạn", "Due"),
    "window": ("Khoảng thời gian", "Window"),
    "original_due": ("Hạn ban đầu", "Original deadline"),
    "completion": ("Hoàn thành khi", "Done when"),
    "status": ("Tình trạng", "Status"),
    "report_state": ("Báo cáo", "Report"),
    "cancelled": ("Đã hủy", "Cancelled"),
    "completed_at": ("Hoàn thành lúc", "Completed at"),
    "difficulties": ("Khó khăn, vướng mắc", "Difficulties"),
    "version": ("Phiên bản", "Version"),
    "as_of": ("Tại thời điểm", "As of"),
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "completion": {
        "activity": "thực hiện hoạt động / an activity executed",
        "report": "báo cáo được chấp nhận / a report accepted",
    },
    "report_state": {
        "none": "chưa gửi / none",
        "submitted": "đã gửi, chờ xem xét / submitted, awaiting review",
        "accepted": "đã chấp nhận / accepted",
        "returned": "bị trả lại / returned",
    },
    "cancelled": {"True": "có / yes", "False": "không / no"},
}


def task_facts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """``planflow show`` as (bilingual label, value) lines; keys without a label keep theirs."""
    out = []
    for key, value in data.items():
        if key == "status_vi":
            continue
        vi, en = SHOW_LABELS.get(key, (key, key))
        if key == "status":
            status = TaskStatus(value)
            shown = f"{status.label_vi} / {status.label_en}"
        elif key == "difficulties":
            shown = (
                "; ".join(
                    f"{d['number']}. {d['text']}" + (f" → {d['answer']}" if d["answer"] else "")
                    for d in value
                )
                or "—"
            )
        else:
            shown = VALUE_LABELS.get(key, {}).get(str(value), "" if value is None else str(value))
        out.append((f"{vi} / {en}", shown))
    return out


def board_table(
    views: list[TaskView], moment: datetime, as_of: bool, limit: int | None = None
) -> Table:
    """The tasks as a table: the first ``limit`` rows (all with None), the count of the rest in
    the caption."""
    shown = views if limit is None else views[:limit]
    caption_vi = "Tình trạng tại" if as_of else "Tình trạng, đánh giá lúc"
    caption_en = "The board as of" if as_of else "The board, judged at"
    table = Table(
        title=f"{caption_vi} {local(moment)} (giờ Việt Nam), {len(views)} nhiệm vụ / "
        f"{caption_en} {local(moment)} (Vietnam time), {len(views)} tasks",
        show_lines=False,
    )
    if len(shown) < len(views):
        more = len(views) - len(shown)
        table.caption = (
            f"… và {more} nhiệm vụ nữa: lọc bớt, dùng --limit 0 hoặc --format json / "
            f"… and {more} more tasks: filter, or use --limit 0 or --format json"
        )
    for header in (
        "Mã / Id",
        "Nhiệm vụ / Duty",
        "Cơ quan / Agency",
        "Kỳ / Period",
        "Hạn / Due",
        "Tình trạng / Status",
        "Bước / State",
    ):
        table.add_column(header, no_wrap=header.startswith(("Mã", "Hạn", "Kỳ")))
    for v in shown:
        table.add_row(
            v.id[:8],
            v.duty,
            v.agency,
            v.period,
            f"{v.due:%d/%m/%Y}",
            f"[{STATUS_STYLE[v.status]}]{v.status.label_vi}[/]",
            v.state,
        )
    return table


def status_counts(views: list[TaskView]) -> Table:
    counts = Counter(v.status for v in views)
    table = Table(title="Tổng hợp / Summary")
    table.add_column("Tình trạng / Status")
    table.add_column("Số / Count", justify="right")
    for status in TaskStatus:
        table.add_row(
            f"[{STATUS_STYLE[status]}]{status.label_vi}[/] / {status.label_en} ({status.value})",
            str(counts.get(status, 0)),
        )
    return table


def event_details(event: Any) -> dict[str, Any]:
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}
    out: dict[str, Any] = {}
    for key, value in vars(event).items():
        if key in skip:
            continue
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def history_table(task_id: str, events: list[Any]) -> Table:
    table = Table(title=f"Lịch sử nhiệm vụ / History of task {task_id}")
    for header in (
        "#",
        "Thời điểm / When",
        "Sự kiện / Event",
        "Người thực hiện / Actor",
        "Chi tiết / Details",
    ):
        table.add_column(header)
    for event in events:
        details = ", ".join(f"{k}={_short(v)}" for k, v in event_details(event).items())
        table.add_row(
            str(event.originator_version),
            local(event.timestamp),
            event_label(type(event).__name__),
            event.actor,
            details,
        )
    return table


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def history_json(task_id: str, events: list[Any]) -> str:
    return json.dumps(
        {
            "task": task_id,
            "events": [
                {
                    "version": e.originator_version,
                    "timestamp": e.timestamp.isoformat(),
                    "type": type(e).__name__,
                    "type_vi": EVENT_LABELS.get(type(e).__name__, ("", ""))[0],
                    "actor": e.actor,
                    "details": event_details(e),
                }
                for e in events
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def make_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def print_waiting(console: Console, waiting: Waiting, plan: str = "") -> None:
    """The groups and events a plan waits for before some of its duties have tasks."""
    where = f" ({plan})" if plan else ""
    for code, condition in waiting.groups:
        console.print(
            f"  Nhóm chờ xác định{where} / group waiting to be resolved: {code} — {condition} "
            f"(planflow group resolve --plan … {code} --members …)",
            markup=False,
        )
    for code, name in waiting.events:
        console.print(
            f"  Sự kiện chờ ghi nhận{where} / event waiting to be recorded: {code} — {name} "
            f"(planflow event record --plan … {code} --date dd/mm/yyyy)",
            markup=False,
        )
