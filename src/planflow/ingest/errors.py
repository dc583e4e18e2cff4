"""Why a document could not be read. Each is refused before anything is written."""

from __future__ import annotations

from planflow.domain.errors import InvalidArgument


class IngestError(InvalidArgument):
    """A document that cannot become a draft (bad input: exit code 2)."""


class UnsupportedFile(IngestError):
    pass


class CorruptFile(IngestError):
    pass


class EncryptedFile(IngestError):
    pass


class FileTooLarge(IngestError):
    pass


class NoReadableText(IngestError):
    pass


class NotAPlan(IngestError):
    pass
