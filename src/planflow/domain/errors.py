"""Domain errors. Messages are for people: Vietnamese first, English after " / "."""

from __future__ import annotations


class PlanflowError(Exception):
    """The root of every error planflow reports to a person, with its message in Vietnamese and
    in English. Its branches: DomainError (a rule of the domain), ApplicationError
    (application/errors.py: the store, a task that is not there, a conflict) and WebError
    (web/errors.py: access, sign-in, uploads). Entry points map them to exit codes and HTTP
    statuses, and nothing deeper does."""

    def __init__(self, vi: str, en: str) -> None:
        self.vi = vi
        self.en = en
        super().__init__(f"{vi} / {en}")


class DomainError(PlanflowError):
    """A rule of the domain was broken. The message says which, in Vietnamese and English."""


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


class FactConflict(DomainError):
    """A fact about a plan recorded once already, with another value (an event's date, a
    group's members)."""
