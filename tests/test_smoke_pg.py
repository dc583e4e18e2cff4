from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.workflow.loader import LoadedPlan

from conftest import utc


def test_a_plan_loads_on_each_database(any_app: PlanflowApp, mini_plan: LoadedPlan) -> None:
    result = any_app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    assert result.assigned == 10
    views = list_tasks(any_app.engine, utc(2022, 3, 20), BoardFilter(), as_of=False)
    assert {v.status.value for v in views} == {"open_overdue", "open_in_time"}
