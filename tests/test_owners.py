"""Lead and cooperating agencies, report recipients and personal responsibility: from the workflow
file to the tasks, the chasing, the board, the access check, the ledger and the letters."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.application.planrules import rules_from_workflow
from planflow.application.queries import (
    BoardFilter,
    TaskView,
    counts_by_agency,
    ledger,
    list_tasks,
)
from planflow.domain import clock
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.chasing import pending
from planflow.domain.task import Completion, Task, task_id
from planflow.notify.letters import build_letter
from planflow.scheduler.tick import Ticker
from planflow.web.access import Command, may
from planflow.web.accounts import Role, User
from planflow.workflow.errors import WorkflowError
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan, load_workflow
from test_scheduler_ladder import morning, play

PLAN = "kien-giang-2022-tthc"
MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
PRESS = ("dai-ptth", "bao-kien-giang")


def mini_with(tmp_path: Path, duties: str, extra: str = "") -> Path:
    text = MINI.read_text(encoding="utf-8").replace(
        "escalation:\n", duties + extra + "escalation:\n"
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ROLES_DUTIES = """  - id: D3
    section: IV.2.b
    title_vi: Lập dự toán, gửi Sở B
    assignees: [so-a]
    done_when: report
    report_to: so-b
    schedule: {due: 2022-03-31}
  - id: D4
    section: III.4
    title_vi: Sở A phối hợp với Sở B
    assignees: [so-a]
    cooperating: [so-b]
    done_when: activity
    schedule: {due: 2022-03-31}
"""
SECTIONS = """sections:
  - id: IV.1.a
    personal_responsibility: true
"""


@pytest.fixture
def roles_plan(tmp_path: Path) -> LoadedPlan:
    return load_workflow(mini_with(tmp_path, ROLES_DUTIES, SECTIONS))


# --- the workflow file -------------------------------------------------------------------------


def test_a_file_without_the_new_fields_makes_the_same_lead_tasks(mini_plan: LoadedPlan) -> None:
    specs = expand(mini_plan.workflow, mini_plan.calendar)
    assert {s.role for s in specs} == {"lead"}
    assert all(s.recipient is None and not s.personal_responsibility for s in specs)
    assert {s.id for s in specs} == {task_id(s.plan, s.duty, s.agency, s.period) for s in specs}


def test_cooperating_agencies_get_their_own_tasks_keyed_apart(roles_plan: LoadedPlan) -> None:
    specs = expand(roles_plan.workflow, roles_plan.calendar)
    d4 = {(s.agency, s.role): s for s in specs if s.duty == "D4"}
    assert set(d4) == {("so-a", "lead"), ("so-b", "cooperating")}
    assert d4[("so-a", "lead")].id == task_id("mini-2022", "D4", "so-a", "2022")
    assert d4[("so-b", "cooperating")].id == task_id("mini-2022", "D4~coop", "so-b", "2022")


def test_personal_responsibility_is_inherited_from_the_section(roles_plan: LoadedPlan) -> None:
    specs = expand(roles_plan.workflow, roles_plan.calendar)
    personal = {s.duty for s in specs if s.personal_responsibility}
    assert personal == {"D1", "D2"}  # sections IV.1.a.1 and IV.1.a.2; not IV.2.b, not III.4


RULE = """recipient_rules:
  - code: tai-chinh
    name_vi: Cơ quan tài chính cùng cấp
    resolve:
      - {assignees: [cac-so], recipient: so-zz}
"""


def test_a_rule_naming_an_unknown_recipient_is_refused(tmp_path: Path) -> None:
    duties = ROLES_DUTIES.replace("report_to: so-b", "report_to: tai-chinh")
    with pytest.raises(WorkflowError) as caught:
        load_workflow(mini_with(tmp_path, duties, RULE))
    assert "recipient_rules[0].resolve[0].recipient" in str(caught.value)


def test_a_rule_resolves_per_sender_and_never_to_the_sender_itself(tmp_path: Path) -> None:
    duties = ROLES_DUTIES.replace("report_to: so-b", "report_to: tai-chinh").replace(
        "assignees: [so-a]\n    done_when: report", "assignees: [cac-so]\n    done_when: report"
    )
    plan = load_workflow(mini_with(tmp_path, duties, RULE.replace("so-zz", "so-b")))
    to = {s.agency: s.recipient for s in expand(plan.workflow, plan.calendar) if s.duty == "D3"}
    assert to == {"so-a": "so-b", "so-b": None}


@pytest.mark.parametrize(
    ("duties", "field"),
    [
        (ROLES_DUTIES.replace("cooperating: [so-b]", "cooperating: [so-zz]"), "cooperating"),
        (ROLES_DUTIES.replace("cooperating: [so-b]", "cooperating: [cac-so]"), "cooperating"),
        (ROLES_DUTIES.replace("report_to: so-b", "report_to: nobody"), "report_to"),
    ],
    ids=["unknown cooperating agency", "lead and cooperating at once", "unknown recipient"],
)
def test_a_file_with_a_bad_role_is_refused_naming_the_field(
    tmp_path: Path, duties: str, field: str
) -> None:
    with pytest.raises(WorkflowError) as caught:
        load_workflow(mini_with(tmp_path, duties))
    assert field in str(caught.value)


def test_kien_giang_iii4_is_led_by_the_office_and_its_second_clause_binds_36(
    kien_giang: LoadedPlan,
) -> None:
    specs = expand(kien_giang.workflow, kien_giang.calendar)
    iii4 = {(s.agency, s.role) for s in specs if s.duty == "III.4"}
    assert iii4 == {
        ("vp-ubnd", "lead"),
        ("dai-ptth", "cooperating"),
        ("bao-kien-giang", "cooperating"),
    }
    # The Office's lead task keeps the id it had before roles existed.
    assert task_id(PLAN, "III.4", "vp-ubnd", "2022") in {s.id for s in specs}
    second = [s for s in specs if s.duty == "III.4-b"]
    assert len(second) == 36 and {s.role for s in second} == {"lead"}
    assert not {s.agency for s in second} & {"vp-ubnd", *PRESS}


def test_kien_giang_cost_estimates_go_to_the_finance_agency_at_the_same_level(
    kien_giang: LoadedPlan,
) -> None:
    specs = expand(kien_giang.workflow, kien_giang.calendar)
    to = {s.agency: s.recipient for s in specs if s.duty == "IV.2.b"}
    assert all(s.completion is Completion.REPORT for s in specs if s.duty == "IV.2.b")
    assert to["so-tu-phap"] == to["bql-kkt"] == "so-tai-chinh"
    assert to["h-kien-hai"] == "tckh-kien-hai" and to["tp-phu-quoc"] == "tckh-phu-quoc"
    assert to["so-tai-chinh"] is None  # not its own reviewer: the Office reviews it
    assert {s.recipient for s in specs if s.duty == "IV.1.a.2"} == {None}  # the Office
    assert {s.recipient for s in specs if s.duty == "IV.1.b.2"} == {"ubnd-tinh"}
    personal = {s.duty for s in specs if s.personal_responsibility}
    assert personal == {f"IV.1.a.{n}" for n in range(1, 8)}


# --- tasks, chasing, the board and the ledger --------------------------------------------------


@pytest.fixture
def loaded(any_app: PlanflowApp, kien_giang: LoadedPlan) -> PlanflowApp:
    any_app.load_plan(kien_giang, actor="loader", at=utc(2022, 2, 15))
    return any_app


def test_an_assigned_event_stored_before_roles_replays_as_a_lead_task() -> None:
    with clock.at(utc(2022, 2, 15)):
        task = _assign()
    stored = dict(task.collect_events()[0].__dict__)
    for key in ("role", "recipient", "personal_responsibility"):
        stored.pop(key)
    old = object.__new__(Task.Assigned)
    object.__setattr__(old, "__dict__", stored)  # how the mapper rebuilds a stored event
    replayed = old.mutate(None)
    assert replayed is not None
    assert (replayed.role, replayed.recipient, replayed.personal_responsibility) == (
        "lead",
        "",
        False,
    )
    assert replayed.is_chaseable


def _assign() -> Task:
    return Task.assign(
        plan="p",
        duty="d",
        agency="a",
        period="2022",
        due=date(2022, 3, 31),
        completion=Completion.ACTIVITY,
        title="t",
        actor="loader",
    )


def test_the_ladder_never_names_the_press_bodies_heads_for_iii4(loaded: PlanflowApp) -> None:
    play(loaded, date(2022, 3, 20), date(2022, 4, 20), twice=False)
    office = task_id(PLAN, "III.4", "vp-ubnd", "2022")
    assert [e.level for e in loaded.task_events(office) if isinstance(e, Task.Escalated)] == [
        1,
        2,
        3,
    ]
    for agency in PRESS:
        ref = task_id(PLAN, "III.4~coop", agency, "2022")
        task = loaded.get_task(ref)
        assert task.is_cooperating and not task.is_chaseable
        assert [type(e).__name__ for e in loaded.task_events(ref)] == ["Assigned"]
    with loaded.engine.connect() as connection:
        from planflow.application.tables import chases

        named = {row.recipient_agency for row in connection.execute(chases.select())}
    assert not named & set(PRESS)


def test_a_cooperating_task_has_nothing_pending_even_when_late(
    loaded: PlanflowApp, kien_giang: LoadedPlan
) -> None:
    rules = rules_from_workflow(kien_giang.workflow, kien_giang.calendar)
    coop = loaded.get_task(task_id(PLAN, "III.4~coop", "bao-kien-giang", "2022"))
    lead = loaded.get_task(task_id(PLAN, "III.4", "vp-ubnd", "2022"))
    assert pending(coop, rules) == []
    assert pending(lead, rules)
    fired = Ticker(loaded).tick(morning(date(2022, 6, 1))).fired
    assert fired and not [f for f in fired if f.agency in PRESS]


def test_the_board_counts_cooperating_tasks_apart(loaded: PlanflowApp) -> None:
    rows = {r.agency: r for r in counts_by_agency(loaded.engine, utc(2022, 3, 1), plan=PLAN)}
    assert rows["bao-kien-giang"].total == 0 and rows["bao-kien-giang"].cooperating == 1
    assert rows["vp-ubnd"].cooperating == 0
    assert rows["so-tu-phap"].total == 14


def test_an_escalation_above_the_head_names_the_head_who_bears_personal_responsibility(
    loaded: PlanflowApp,
) -> None:
    play(loaded, date(2022, 3, 1), date(2022, 3, 28), twice=False)
    heads = ledger(loaded.engine, utc(2022, 3, 28))
    director = next(h for h in heads if h.agency == "vp-ubnd")
    report = next(
        e for e in director.entries if e.task_agency == "so-tu-phap" and e.duty == "IV.1.a.2"
    )
    assert report.personal_responsibility
    assert report.responsible_title == "Giám đốc Sở Tư pháp"
    assert report.as_json()["responsible"] == {"title": "Giám đốc Sở Tư pháp", "name": None}
    office_own = [e for e in director.entries if e.duty == "IV.1.b.2"]
    assert office_own and not any(e.personal_responsibility for e in office_own)


# --- who reviews, and the letters --------------------------------------------------------------


def user(role: Role, agency: str | None = None) -> User:
    return User(username="u", role=role, agency=agency)


def test_the_recipient_accepts_and_returns_and_the_office_does_not() -> None:
    finance = user(Role.AGENCY_OFFICER, "so-tai-chinh")
    sender = user(Role.AGENCY_OFFICER, "so-tu-phap")
    staff = user(Role.OFFICE_STAFF)
    for command in (Command.ACCEPT, Command.RETURN):
        assert may(finance, command, "so-tu-phap", "so-tai-chinh")
        assert not may(sender, command, "so-tu-phap", "so-tai-chinh")
        assert not may(staff, command, "so-tu-phap", "so-tai-chinh")
        assert may(staff, command, "so-tu-phap", "")  # no recipient of its own: the Office
        assert not may(finance, command, "so-tu-phap", "")
    assert not may(finance, Command.REPORT, "so-tu-phap", "so-tai-chinh")


def view(duty: str, *, role: str = "lead", personal: bool = False) -> TaskView:
    from planflow.domain.status import TaskStatus

    return TaskView(
        id="x",
        plan=PLAN,
        duty=duty,
        agency="so-tu-phap",
        period="2022",
        due=date(2022, 3, 31),
        status=TaskStatus.OPEN_OVERDUE,
        state="assigned",
        completion="activity",
        title="Nhiệm vụ",
        completed_at=None,
        cancelled=False,
        open_difficulties=0,
        version=1,
        role=role,
        personal_responsibility=personal,
    )


def test_a_chase_up_letter_carries_personal_responsibility_and_leaves_out_cooperation(
    kien_giang: LoadedPlan,
) -> None:
    document = kien_giang.workflow.model_dump(mode="json")
    calendar: WorkingCalendar = kien_giang.calendar
    views = [view("IV.1.a.1", personal=True), view("IV.2.b"), view("III.4", role="cooperating")]
    letter = build_letter(document, "so-tu-phap", views, calendar, utc(2022, 4, 20))
    assert [t.section for t in letter.tasks] == ["IV.1.a.1", "IV.2.b"]
    assert letter.personal_responsibility_line == (
        "Theo Kế hoạch, Giám đốc Sở Tư pháp trực tiếp chỉ đạo và chịu trách nhiệm cá nhân về "
        "nhiệm vụ IV.1.a.1."
    )
    plain = build_letter(document, "so-tu-phap", [view("IV.2.b")], calendar, utc(2022, 4, 20))
    assert plain.personal_responsibility_line == ""


def test_agency_rows_of_the_store_carry_role_recipient_and_responsibility(
    loaded: PlanflowApp,
) -> None:
    views = list_tasks(
        loaded.engine, utc(2022, 3, 1), BoardFilter(recipient="so-tai-chinh"), as_of=False
    )
    assert len(views) == 20 and {v.duty for v in views} == {"IV.2.b"}
    coop = list_tasks(loaded.engine, utc(2022, 3, 1), BoardFilter(role="cooperating"), as_of=False)
    assert {v.agency for v in coop} == set(PRESS)
    assert all(not v.personal_responsibility for v in coop)
    assert UUID(views[0].id)
