"""Errors of the application layer (the domain's own are in planflow.domain.errors)."""

from __future__ import annotations

from planflow.domain.errors import PlanflowError


class ApplicationError(PlanflowError):
    """An error of the application layer: a task not found, a conflict, the store."""


class TaskNotFound(ApplicationError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"Không tìm thấy nhiệm vụ {ref!r}", f"no task {ref!r}")


class AmbiguousTaskId(ApplicationError):
    def __init__(self, ref: str) -> None:
        super().__init__(
            f"Mã {ref!r} khớp với nhiều nhiệm vụ; hãy gõ thêm ký tự",
            f"{ref!r} matches several tasks; type more of the id",
        )


class ConcurrencyConflict(ApplicationError):
    """Someone else recorded an event on the task first: reload and try again."""

    def __init__(self, ref: str, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            f"Nhiệm vụ {ref} vừa được người khác cập nhật (phiên bản {current_version}); "
            "hãy tải lại và thử lại",
            f"task {ref} was changed by someone else (now at version {current_version}); "
            "reload and try again",
        )


class PlanRevisionRefused(ApplicationError):
    """A revised file would move a deadline earlier: extensions only ever move later."""


class StoreBusy(ApplicationError):
    """Another process held the database's write lock for longer than the busy timeout."""

    def __init__(self) -> None:
        super().__init__(
            "Cơ sở dữ liệu đang bận (tiến trình khác đang ghi); hãy thử lại sau ít phút",
            "the database is busy (another process is writing); try again in a moment",
        )


class StoreUnavailable(ApplicationError):
    """The database cannot be reached (stopped, restarting, network down)."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(
            "Không kết nối được cơ sở dữ liệu; hãy thử lại sau",
            "the database is unreachable; try again later",
        )


class PlanNotFound(ApplicationError):
    def __init__(self, code: str, known: list[str]) -> None:
        shown = ", ".join(known) or "—"
        super().__init__(
            f"Không tìm thấy kế hoạch {code!r} (đã nạp: {shown})",
            f"no plan {code!r} (loaded: {shown})",
        )
