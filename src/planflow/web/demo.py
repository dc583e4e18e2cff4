"""Demo data: the Kiên Giang 2022 plan and one account per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from planflow.application.app import PlanflowApp
from planflow.domain.clock import LOCAL_TZ
from planflow.web.accounts import AccountExists, AccountStore, Role
from planflow.workflow.loader import load_workflow

DEMO_WORKFLOW = Path("workflows") / "kien-giang-2022.yaml"
DEMO_PASSWORD = "planflow-demo"
DEMO_AGENCY = "so-tu-phap"
# The plan's real start, as the README loads it (`planflow load … --at 2022-02-15`, 08:00).
DEMO_START = datetime(2022, 2, 15, 8, 0, tzinfo=LOCAL_TZ)
# The demo's clock when `serve --demo` is given none: just after the first quarter's reports were
# due, as in the README's run command (`--clock-start 2022-03-20T08:00`).
DEMO_CLOCK_START = datetime(2022, 3, 20, 8, 0, tzinfo=LOCAL_TZ)
DEMO_ACCOUNTS: tuple[tuple[str, Role, str | None], ...] = (
    ("director", Role.OFFICE_DIRECTOR, None),
    ("staff", Role.OFFICE_STAFF, None),
    ("officer", Role.AGENCY_OFFICER, DEMO_AGENCY),
    ("head", Role.AGENCY_HEAD, DEMO_AGENCY),
    ("auditor", Role.AUDITOR, None),
    ("admin", Role.ADMIN, None),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    agency: str | None
    password: str
    created: bool


def find_workflow(start: Path | None = None) -> Path:
    """workflows/kien-giang-2022.yaml from the working folder, else from the source checkout."""
    here = (start or Path.cwd()) / DEMO_WORKFLOW
    if here.is_file():
        return here
    return Path(__file__).resolve().parents[3] / DEMO_WORKFLOW


def is_empty(app: PlanflowApp) -> bool:
    return app.recorder.max_notification_id() in (None, 0)


def seed(
    app: PlanflowApp, accounts: AccountStore, at: datetime, workflow: Path | None = None
) -> list[DemoAccount]:
    """Load the demo plan at its real start (idempotent; at ``at`` if that is earlier) and create
    the demo accounts that do not exist yet."""
    start = min(DEMO_START, at)
    app.load_plan(load_workflow(workflow or find_workflow()), actor="planflow-demo", at=start)
    out = []
    for username, role, agency in DEMO_ACCOUNTS:
        try:
            accounts.add(username, role, DEMO_PASSWORD, at, agency)
            created = True
        except AccountExists:
            created = False
        out.append(DemoAccount(username, role, agency, DEMO_PASSWORD, created))
    return out
