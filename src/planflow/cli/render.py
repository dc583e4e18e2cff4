"""Rich output for the CLI: tables for people, JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from planflow.domain.clock import LOCAL_TZ
from planflow.domain.labels import EVENT_LABELS, event_label
from planflow.domain.status import TaskStatus

if TYPE_CHECKING:  # rich is imported when something is drawn, not at start-up
    from rich.console import Console
    from rich.table import Table

    from planflow.application.facts import Waiting


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


def text_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    title: str = "",
    caption: str = "",
    right: Collection[int] = (),
) -> str:
    """A table as plain text, boxed like rich's (``│`` between cells) but written directly: a
    thousand rows take milliseconds instead of rich's measuring and wrapping. No cell wraps."""
    body = [list(row) for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        )
        return "│ " + " │ ".join(padded) + " │"

    def rule(left: str, middle: str, end: str) -> str:
        return left + middle.join("─" * (w + 2) for w in widths) + end

    out = [title] if title else []
    out += [rule("┌", "┬", "┐"), line(headers), rule("├", "┼", "┤")]
    out += [line(row) for row in body]
    out.append(rule("└", "┴", "┘"))
    if caption:
        out.append(caption)
    return "\n".join(out) + "\n"


BOARD_HEADERS = (
    "Mã / Id",
    "Nhiệm vụ / Duty",
    "Cơ quan / Agency",
    "Kỳ / Period",
    "Hạn / Due",
    "Tình trạng / Status",
    "Bước / State",
)


BoardLine = tuple[str, str, str, str, str, TaskStatus, str]
# (task id, duty, agency, period, due as an ISO date, status, state): one row of ``status``


def board_text(lines: Sequence[BoardLine], total: int, moment: datetime, as_of: bool) -> str:
    """``planflow status``'s table as plain text: ``lines`` are the rows shown, ``total`` the
    tasks the filters match (the rest are counted in the caption)."""
    caption_vi = "Tình trạng tại" if as_of else "Tình trạng, đánh giá lúc"
    caption_en = "The board as of" if as_of else "The board, judged at"
    title = (
        f"{caption_vi} {local(moment)} (giờ Việt Nam), {total} nhiệm vụ / "
        f"{caption_en} {local(moment)} (Vietnam time), {total} tasks"
    )
    more = total - len(lines)
    caption = (
        f"… và {more} nhiệm vụ nữa: lọc bớt, dùng --limit 0 hoặc --format json / "
        f"… and {more} more tasks: filter, or use --limit 0 or --format json"
        if more > 0
        else ""
    )
    rows = (
        (
            task[:8],
            duty,
            agency,
            period,
            f"{due[8:10]}/{due[5:7]}/{due[:4]}",
            status.label_vi,
            state,
        )
        for task, duty, agency, period, due, status, state in lines
    )
    return text_table(BOARD_HEADERS, rows, title, caption)


def counts_text(counts: Mapping[TaskStatus, int]) -> str:
    """The count per status word as plain text (``planflow status``'s summary)."""
    rows = ((f"{s.label_vi} / {s.label_en} ({s.value})", str(counts.get(s, 0))) for s in TaskStatus)
    return text_table(("Tình trạng / Status", "Số / Count"), rows, "Tổng hợp / Summary", right={1})


def event_details(event: Any) -> dict[str, Any]:
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}
    out: dict[str, Any] = {}
    for key, value in vars(event).items():
        if key in skip:
            continue
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def history_table(task_id: str, events: list[Any]) -> Table:
    from rich.table import Table

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


def make_console(**options: Any) -> Console:
    from rich.console import Console

    return Console(**({"highlight": False, "soft_wrap": False} | options))


class _LazyConsole:
    """A rich Console made on first use: attributes are read from and set on it."""

    def __init__(self, options: dict[str, Any]) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_made", None)

    def _console(self) -> Console:
        made: Console | None = object.__getattribute__(self, "_made")
        if made is None:
            made = make_console(**object.__getattribute__(self, "_options"))
            object.__setattr__(self, "_made", made)
        return made

    def __getattr__(self, name: str) -> Any:
        return getattr(self._console(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._console(), name, value)


def real(console: Console) -> Console:
    """The rich Console itself (made now if lazy): for rich objects that take a console."""
    return console._console() if isinstance(console, _LazyConsole) else console


def lazy_console(**options: Any) -> Console:
    """A console that imports rich only when it is first used (``--help`` never uses it)."""
    return cast("Console", _LazyConsole(options))


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
