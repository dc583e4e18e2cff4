"""The web's task commands: check the account may act, then call the application.

The actor recorded in every event is the authenticated account's username, never a value sent by
the client. Uploads are checked and stored only after the access check passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from planflow.application.errors import ConcurrencyConflict
from planflow.domain.errors import InvalidArgument
from planflow.domain.task import Task
from planflow.web import catalog, uploads
from planflow.web.access import Command, check
from planflow.web.accounts import User
from planflow.web.context import WebContext

EXTENSION_PREFIX = "Đề nghị gia hạn / Extension requested"


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Outcome:
    task: str
    command: str
    version: int
    number: int | None = None  # the difficulty number, for raise / request-extension
    sha256: str | None = None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "task": self.task,
            "command": self.command,
            "version": self.version,
        }
        if self.number is not None:
            out["number"] = self.number
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        return out


class TaskCommands:
    def __init__(self, ctx: WebContext, user: User) -> None:
        self.ctx = ctx
        self.user = user

    def check(self, ref: UUID, command: str) -> None:
        """Refuse early (before an upload is read) if the account may not run the command."""
        check(self.user, Command(command), self.ctx.app.get_task(ref).agency)

    def _guard(self, ref: UUID, command: Command, expected_version: int | None) -> Task:
        task = self.ctx.app.get_task(ref)
        check(self.user, command, task.agency)
        if expected_version is not None and expected_version != task.version:
            raise ConcurrencyConflict(str(ref), task.version)
        return task

    def _done(self, ref: UUID, command: Command, **extra: object) -> Outcome:
        version = self.ctx.app.get_task(ref).version
        return Outcome(str(ref), command.value, version, **extra)  # type: ignore[arg-type]

    def _store(self, ref: UUID, upload: Upload) -> uploads.StoredFile:
        settings = self.ctx.settings
        return uploads.store(
            settings.upload_dir, str(ref), upload.name, upload.data, settings.max_upload_bytes
        )

    def execute(
        self,
        ref: UUID,
        *,
        note: str = "",
        link: str = "",
        upload: Upload | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        self._guard(ref, Command.EXECUTE, expected_version)
        evidence = link.strip()
        if evidence and not evidence.startswith(("http://", "https://")):
            raise InvalidArgument(
                "Đường dẫn minh chứng phải bắt đầu bằng http:// hoặc https://",
                "an evidence link must start with http:// or https://",
            )
        digest = None
        if upload is not None:
            stored = self._store(ref, upload)
            digest = stored.sha256
            file_ref = f"{stored.name} (sha256:{stored.sha256})"
            evidence = f"{evidence} {file_ref}".strip()
        self.ctx.app.execute_activity(
            ref, actor=self.user.username, at=self.ctx.now(), note=note, evidence=evidence
        )
        return self._done(ref, Command.EXECUTE, sha256=digest)

    def report(
        self, ref: UUID, *, upload: Upload, note: str = "", expected_version: int | None = None
    ) -> Outcome:
        self._guard(ref, Command.REPORT, expected_version)
        stored = self._store(ref, upload)
        self.ctx.app.submit_report(
            ref,
            actor=self.user.username,
            at=self.ctx.now(),
            document=stored.name,
            sha256=stored.sha256,
            note=note,
        )
        return self._done(ref, Command.REPORT, sha256=stored.sha256)

    def accept(self, ref: UUID, *, note: str = "", expected_version: int | None = None) -> Outcome:
        self._guard(ref, Command.ACCEPT, expected_version)
        self.ctx.app.accept_report(ref, actor=self.user.username, at=self.ctx.now(), note=note)
        return self._done(ref, Command.ACCEPT)

    def return_(self, ref: UUID, *, reason: str, expected_version: int | None = None) -> Outcome:
        self._guard(ref, Command.RETURN, expected_version)
        self.ctx.app.return_report(ref, actor=self.user.username, at=self.ctx.now(), reason=reason)
        return self._done(ref, Command.RETURN)

    def raise_(self, ref: UUID, *, text: str, expected_version: int | None = None) -> Outcome:
        self._guard(ref, Command.RAISE, expected_version)
        number = self.ctx.app.raise_difficulty(
            ref, actor=self.user.username, at=self.ctx.now(), text=text
        )
        return self._done(ref, Command.RAISE, number=number)

    def request_extension(
        self, ref: UUID, *, new_due: date, reason: str, expected_version: int | None = None
    ) -> Outcome:
        """Recorded as a difficulty the Office answers (and approves by extending)."""
        task = self._guard(ref, Command.REQUEST_EXTENSION, expected_version)
        if new_due <= task.due:
            raise InvalidArgument(
                f"Hạn đề nghị {new_due:%d/%m/%Y} phải sau hạn hiện tại {task.due:%d/%m/%Y}",
                f"the requested deadline {new_due.isoformat()} must be later than the current "
                f"one, {task.due.isoformat()}",
            )
        if not reason.strip():
            raise InvalidArgument("Thiếu lý do đề nghị gia hạn", "the reason must not be empty")
        text = f"{EXTENSION_PREFIX}: {new_due.isoformat()} — {reason.strip()}"
        number = self.ctx.app.raise_difficulty(
            ref, actor=self.user.username, at=self.ctx.now(), text=text
        )
        return self._done(ref, Command.REQUEST_EXTENSION, number=number)

    def answer(
        self, ref: UUID, *, number: int, answer: str, expected_version: int | None = None
    ) -> Outcome:
        self._guard(ref, Command.ANSWER, expected_version)
        self.ctx.app.answer_difficulty(
            ref, actor=self.user.username, at=self.ctx.now(), number=number, answer=answer
        )
        return self._done(ref, Command.ANSWER)

    def extend(
        self,
        ref: UUID,
        *,
        new_due: date,
        reason: str,
        answers: int | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Extend the deadline; with ``answers``, also answer that extension request."""
        self._guard(ref, Command.EXTEND, expected_version)
        if answers is not None:
            check(self.user, Command.ANSWER, self.ctx.app.get_task(ref).agency)
        moment = self.ctx.now()
        self.ctx.app.extend_deadline(
            ref, actor=self.user.username, at=moment, new_due=new_due, reason=reason
        )
        if answers is not None:
            self.ctx.app.answer_difficulty(
                ref,
                actor=self.user.username,
                at=moment,
                number=answers,
                answer=f"Đồng ý gia hạn đến / extension approved to {new_due.isoformat()}",
            )
        return self._done(ref, Command.EXTEND)

    def reassign(
        self, ref: UUID, *, new_agency: str, reason: str, expected_version: int | None = None
    ) -> Outcome:
        task = self._guard(ref, Command.REASSIGN, expected_version)
        if new_agency not in catalog.agency_codes(self.ctx, task.plan):
            raise InvalidArgument(
                f"Không có cơ quan {new_agency!r} trong kế hoạch {task.plan}",
                f"the plan {task.plan} has no agency {new_agency!r}",
            )
        self.ctx.app.reassign(
            ref, actor=self.user.username, at=self.ctx.now(), new_agency=new_agency, reason=reason
        )
        return self._done(ref, Command.REASSIGN)

    def cancel(self, ref: UUID, *, reason: str, expected_version: int | None = None) -> Outcome:
        self._guard(ref, Command.CANCEL, expected_version)
        self.ctx.app.cancel(ref, actor=self.user.username, at=self.ctx.now(), reason=reason)
        return self._done(ref, Command.CANCEL)

    def chase(self, ref: UUID, *, note: str = "", expected_version: int | None = None) -> Outcome:
        """Đôn đốc ngay: records ChaseUpSent naming the head of the task's agency."""
        self._guard(ref, Command.CHASE, expected_version)
        self.ctx.app.chase_up(ref, actor=self.user.username, at=self.ctx.now(), note=note)
        return self._done(ref, Command.CHASE)
