"""Who may do what (phân quyền). One table, read by the API and the pages alike.

- Agency roles (officer, head) act on their own agency's tasks only: execute an activity, submit a
  report, raise a difficulty, ask for an extension.
- Office staff review: accept or return a report, answer a difficulty, send a chase-up.
- The Office director does what staff do, and also extends, reassigns and cancels.
- A report that names its recipient (``report_to``: Sở Tài chính for a cost estimate, …) is
  reviewed by that agency: its officers and head accept or return it, and the Office does not.
- The auditor reads everything and writes nothing; the admin manages accounts and writes no task
  event (the people who answer for a task's events are the Office and the agency).
"""

from __future__ import annotations

from planflow.application.commands import COMMANDS, Audience, CommandName
from planflow.web.accounts import Role, User
from planflow.web.errors import WebError

Command = CommandName  # the declared task commands (application/commands.py)

AUDIENCES: dict[Role, frozenset[Audience]] = {
    Role.OFFICE_DIRECTOR: frozenset({Audience.OFFICE, Audience.DIRECTOR}),
    Role.OFFICE_STAFF: frozenset({Audience.OFFICE}),
    Role.AGENCY_OFFICER: frozenset({Audience.AGENCY}),
    Role.AGENCY_HEAD: frozenset({Audience.AGENCY}),
    Role.AUDITOR: frozenset(),
    Role.ADMIN: frozenset(),
}

# Derived from each command's declared audience: who may run what.
ALLOWED: dict[Role, frozenset[Command]] = {
    role: frozenset(c.name for c in COMMANDS if c.audience in audiences)
    for role, audiences in AUDIENCES.items()
}
AGENCY_COMMANDS = ALLOWED[Role.AGENCY_OFFICER]
REVIEW_COMMANDS = ALLOWED[Role.OFFICE_STAFF]
DIRECTOR_COMMANDS = ALLOWED[Role.OFFICE_DIRECTOR]


class Forbidden(WebError):
    """The account's role or agency does not allow the command: nothing is recorded."""


class CsrfFailed(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; hãy tải lại trang",
            "the session expired or the form is not valid; reload the page",
        )


class Unauthenticated(WebError):
    def __init__(self) -> None:
        super().__init__("Cần đăng nhập để thực hiện thao tác này", "you must sign in to do this")


RECIPIENT_COMMANDS = frozenset({Command.ACCEPT, Command.RETURN})
"""What the recipient of a report does with it."""


def _reviews_as_recipient(user: User, command: Command, recipient: str | None) -> bool | None:
    """True/False when the task's report has a recipient of its own and ``command`` reviews it;
    None when the ordinary table decides."""
    if not recipient or command not in RECIPIENT_COMMANDS:
        return None
    return user.role.scoped and user.agency == recipient


def may(
    user: User,
    command: Command | str,
    task_agency: str | None = None,
    recipient: str | None = None,
) -> bool:
    command = Command(command)
    as_recipient = _reviews_as_recipient(user, command, recipient)
    if as_recipient is not None:
        return as_recipient
    if command not in ALLOWED[user.role]:
        return False
    return not (user.role.scoped and task_agency is not None and task_agency != user.agency)


def check(
    user: User, command: Command | str, task_agency: str, recipient: str | None = None
) -> None:
    command = Command(command)
    as_recipient = _reviews_as_recipient(user, command, recipient)
    if as_recipient is True:
        return
    if as_recipient is False:
        raise Forbidden(
            f"Báo cáo của nhiệm vụ này do cơ quan {recipient} tiếp nhận và xem xét",
            f"the report of this task is received and reviewed by {recipient}",
        )
    if command not in ALLOWED[user.role]:
        raise Forbidden(
            f"Vai trò {user.role.label_vi} không được phép thực hiện lệnh {command.value}",
            f"the role {user.role.label_en} may not {command.value}",
        )
    if user.role.scoped and task_agency != user.agency:
        raise Forbidden(
            f"Nhiệm vụ thuộc cơ quan {task_agency}, không phải cơ quan của bạn ({user.agency})",
            f"the task belongs to {task_agency}, not to your agency ({user.agency})",
        )


def may_manage_accounts(user: User) -> bool:
    return user.role is Role.ADMIN


# Plans (the /plans pages): the Office brings plans in. Its staff and director upload documents,
# review drafts and see what loading would do; only the director loads (a revision may cancel and
# reassign tasks, which only the director may do). The auditor reads the plans' pages.
PLAN_REVIEWERS = frozenset({Role.OFFICE_DIRECTOR, Role.OFFICE_STAFF})
PLAN_LOADERS = frozenset({Role.OFFICE_DIRECTOR})
PLAN_READERS = PLAN_REVIEWERS | {Role.AUDITOR}


def may_review_plans(user: User) -> bool:
    return user.role in PLAN_REVIEWERS


def may_load_plans(user: User) -> bool:
    return user.role in PLAN_LOADERS


def check_plans(user: User, what: str = "review") -> None:
    """Refuse (403) an account that may not read, review or load plans."""
    allowed = {"read": PLAN_READERS, "review": PLAN_REVIEWERS, "load": PLAN_LOADERS}[what]
    if user.role not in allowed:
        vi = {"read": "xem", "review": "soạn, xem xét", "load": "nạp"}[what]
        raise Forbidden(
            f"Vai trò {user.role.label_vi} không được phép {vi} kế hoạch",
            f"the role {user.role.label_en} may not {what} plans",
        )
