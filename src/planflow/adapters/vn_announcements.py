"""The shipped calendar of the Government's announcements (src/planflow/data/vn-announcements.yaml).

Each year lists the weekdays off and the weekend days worked, each with the document it comes from
(see docs/calendar.md). ``load_announcements`` reads and checks the file; a broken file is a
programming error of the release, so it raises ``ValueError`` naming the entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

_FILE = "vn-announcements.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Document(_Strict):
    title: str = Field(min_length=1)
    date: str = Field(min_length=4, description="ISO date, or YYYY-MM when the day is not known")
    issuer: str = Field(min_length=1)
    says: str = ""
    seen_at: str = ""


class Entry(_Strict):
    date: date
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)


class Year(_Strict):
    complete: bool
    days_off: tuple[Entry, ...] = ()
    working_days: tuple[Entry, ...] = ()
    notes: tuple[str, ...] = ()


class NotInForce(_Strict):
    package_name: str = Field(min_length=1)
    since: int
    note: str = Field(min_length=1)


class Announcements(_Strict):
    documents: dict[str, Document]
    package_holidays_not_in_force: tuple[NotInForce, ...] = ()
    years: dict[int, Year]

    @model_validator(mode="after")
    def _consistent(self) -> Announcements:
        for year, data in self.years.items():
            for entry in (*data.days_off, *data.working_days):
                where = f"{year}: {entry.date.isoformat()}"
                if entry.date.year != year:
                    raise ValueError(f"{where} is not in {year}")
                if entry.source not in self.documents:
                    raise ValueError(f"{where}: unknown source {entry.source!r}")
            for entry in data.days_off:
                if entry.date.weekday() >= 5:
                    raise ValueError(f"{year}: day off {entry.date} is a weekend day")
            for entry in data.working_days:
                if entry.date.weekday() < 5:
                    raise ValueError(f"{year}: worked day {entry.date} is not a weekend day")
            both = {e.date for e in data.days_off} & {e.date for e in data.working_days}
            if both:
                raise ValueError(f"{year}: both off and worked: {sorted(both)}")
        return self

    def year(self, year: int) -> Year | None:
        return self.years.get(year)

    def cite(self, source: str) -> str:
        """'12729/VPCP-KGVX (2025-12-25)': the document's number and date."""
        return f"{source} ({self.documents[source].date})"

    def cited_in(self, texts: Iterable[str]) -> list[tuple[str, Document]]:
        """The documents whose citation appears in ``texts``, in file order."""
        joined = "\n".join(texts)
        return [(k, d) for k, d in self.documents.items() if self.cite(k) in joined]

    def not_in_force(self, package_name: str, year: int) -> NotInForce | None:
        for rule in self.package_holidays_not_in_force:
            if rule.package_name == package_name and year >= rule.since:
                return rule
        return None


def parse_announcements(text: str) -> Announcements:
    raw: Any = yaml.safe_load(text)
    try:
        return Announcements.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(f"{_FILE}: {exc}") from exc


@cache
def load_announcements() -> Announcements:
    """The file shipped with planflow (read once)."""
    text = files("planflow.data").joinpath(_FILE).read_text(encoding="utf-8")
    return parse_announcements(text)
