"""Domain errors. Messages are for people: Vietnamese first, English after " / "."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken. The message says which, in Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        self.vi = vi
        self.en = en
        super().__init__(f"{vi} / {en}")


class TaskStateError(DomainError):
    """A command does not fit the task's current state (it is cancelled, done, …)."""


class InvalidDeadline(DomainError):
    """A deadline that cannot be (an extension to an earlier date, …)."""


class ClockWentBackwards(DomainError):
    """A command dated before the task's last recorded event."""


class UnknownDifficulty(DomainError):
    """An answer to a difficulty the task never had."""


class InvalidArgument(DomainError):
    """A command argument that is empty or malformed."""
