"""iCalendar feeds: one per agency, an all-day event on each deadline of its open or done tasks.

Calendar programs subscribe to the file (or to a URL serving it); each task keeps its UID, so a
moved deadline moves the event instead of adding one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event
from sqlalchemy import Engine

from planflow.application.queries import BoardFilter, list_tasks
from planflow.notify.notices import Notice


def agency_feed(engine: Engine, agency: str, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//planflow//Hạn nhiệm vụ//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Hạn nhiệm vụ / Deadlines — {agency}")
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for view in list_tasks(engine, now, BoardFilter(agency=agency), as_of=False):
        event = Event()
        event.add("uid", f"{view.id}@planflow.invalid")
        event.add("dtstamp", now)
        event.add("dtstart", view.due)
        event.add("dtend", view.due + timedelta(days=1))
        event.add("summary", f"Hạn / Due: {view.duty} {view.period} — {_short(view.title)}")
        event.add(
            "description",
            f"{view.title}\n\nTình trạng / Status: {view.status.label_vi} / "
            f"{view.status.label_en}\nMã / Id: {view.id}",
        )
        event.add("categories", [view.plan])
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class FeedChannel:
    """Rewrites ``<folder>/<agency>.ics`` for the agency a notice is about."""

    name = "ical"

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder

    def deliver(self, notice: Notice) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{notice.agency}.ics"
        tmp = path.with_suffix(".ics.tmp")
        tmp.write_bytes(agency_feed(self.engine, notice.agency, notice.fired_at))
        tmp.replace(path)
        return f"wrote {path}"
