"""The web's side of a task command: who acts, the uploaded file, then the application's door.

The actor recorded in every event is the authenticated account's username, never a value sent by
the client. The access check runs inside the command's transaction, on the task as loaded
(``PlanflowApp.run_command``); an upload is checked and stored only after an early access check,
and removed again if the command is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from planflow.application.commands import CommandName
from planflow.application.errors import ConcurrencyConflict
from planflow.application.inputs import command_named
from planflow.application.queries import task_parties
from planflow.domain.errors import InvalidArgument, PlanflowError
from planflow.domain.task import Task
from planflow.web import metrics, uploads
from planflow.web.access import check
from planflow.web.accounts import User
from planflow.web.context import WebContext


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


class Outcome(BaseModel):
    """What a task command did."""

    task: str
    command: str
    version: int
    number: int | None = None  # the difficulty number, for raise / request-extension
    sha256: str | None = None  # the stored file's digest, for report / execute with a file

    def as_json(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True)


class TaskCommands:
    def __init__(self, ctx: WebContext, user: User) -> None:
        self.ctx = ctx
        self.user = user

    def check(self, ref: UUID, command: str) -> None:
        """Refuse early (before an upload is read) if the account may not run the command. Reads
        the task's agency from the board: no aggregate is loaded."""
        agency, recipient = task_parties(self.ctx.app.engine, ref)
        check(self.user, command_named(command).name, agency, recipient)

    def run(
        self,
        command: str,
        ref: UUID,
        data: Mapping[str, Any],
        *,
        upload: Upload | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        spec = command_named(command)
        fields = dict(data)
        stored: uploads.StoredFile | None = None
        created = False
        if spec.name is CommandName.REPORT:
            if upload is None:
                raise InvalidArgument("Hãy chọn tệp báo cáo", "please choose the report file")
            self.check(ref, spec.name)
            stored, created = self._store(ref, upload)
            fields["document"] = stored.name
            fields["sha256"] = stored.sha256
        elif spec.name is CommandName.EXECUTE:
            fields["evidence"] = self._evidence(ref, fields, upload)
            if upload is not None:
                stored, created = self._store(ref, upload)
                file_ref = f"{stored.name} (sha256:{stored.sha256})"
                fields["evidence"] = f"{fields['evidence']} {file_ref}".strip()

        def authorize(task: Task) -> None:
            check(self.user, spec.name, task.agency, task.recipient)

        try:
            outcome = self.ctx.app.run_command(
                spec.name,
                ref,
                fields,
                actor=self.user.username,
                at=self.ctx.now,
                expected_version=expected_version,
                authorize=authorize,
            )
        except BaseException as exc:
            if stored is not None and created:
                uploads.discard(self.ctx.settings.upload_dir, stored)
            metrics.COMMANDS.labels(spec.name.value, _outcome(exc)).inc()
            raise
        metrics.COMMANDS.labels(spec.name.value, "ok").inc()
        return Outcome(
            task=outcome.task,
            command=outcome.command,
            version=outcome.version,
            number=outcome.number,
            sha256=stored.sha256 if stored else None,
        )

    def _evidence(self, ref: UUID, fields: Mapping[str, Any], upload: Upload | None) -> str:
        evidence = str(fields.get("evidence") or "").strip()
        if evidence and not evidence.startswith(("http://", "https://")):
            raise InvalidArgument(
                "Đường dẫn minh chứng phải bắt đầu bằng http:// hoặc https://",
                "an evidence link must start with http:// or https://",
            )
        if upload is not None:
            self.check(ref, CommandName.EXECUTE)
        return evidence

    def _store(self, ref: UUID, upload: Upload) -> tuple[uploads.StoredFile, bool]:
        settings = self.ctx.settings
        return uploads.store_new(
            settings.upload_dir, str(ref), upload.name, upload.data, settings.max_upload_bytes
        )


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, ConcurrencyConflict):
        return "conflict"
    if isinstance(exc, PlanflowError):
        return "refused"
    return "error"
