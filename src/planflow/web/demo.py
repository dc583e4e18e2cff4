"""Demo data: the Kiên Giang 2022 plan and one account per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from planflow.application.app import PlanflowApp
from planflow.web.accounts import AccountExists, AccountStore, Role
from planflow.workflow.loader import load_workflow

DEMO_WORKFLOW = Path("workflows") / "kien-giang-2022.yaml"
DEMO_PASSWORD = "planflow-demo"
DEMO_AGENCY = "so-tu-phap"
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
    """Load the demo plan (idempotent) and create the demo accounts that do not exist yet."""
    app.load_plan(load_workflow(workflow or find_workflow()), actor="planflow-demo", at=at)
    out = []
    for username, role, agency in DEMO_ACCOUNTS:
        try:
            accounts.add(username, role, DEMO_PASSWORD, at, agency)
            created = True
        except AccountExists:
            created = False
        out.append(DemoAccount(username, role, agency, DEMO_PASSWORD, created))
    return out
