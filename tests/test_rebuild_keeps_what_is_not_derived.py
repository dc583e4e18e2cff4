"""`planflow rebuild` recreates the read models from the events and keeps the tables that are not
derived from them: the agency register, accounts, outbox positions, inbox read marks."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, utc
from planflow.application.agencies import import_register, list_agencies
from planflow.application.app import PlanflowApp
from planflow.application.tables import kept_on_rebuild, metadata
from planflow.ingest.register import read_register
from planflow.workflow.loader import LoadedPlan

CSV = ROOT.parent / "shared" / "data" / "kien-giang-agencies-2022.csv"


def test_the_agency_register_survives_a_rebuild(app: PlanflowApp, mini_plan: LoadedPlan) -> None:
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    source = CSV if CSV.exists() else Path(ROOT / "src/planflow/data/registers/kien-giang-2022.csv")
    count = import_register(app, "kien-giang-2022", read_register(source))
    assert count == len(list_agencies(app, "kien-giang-2022")) > 0
    app.rebuild_read_models()
    assert len(list_agencies(app, "kien-giang-2022")) == count


def test_only_tables_derived_from_events_are_rebuilt() -> None:
    import planflow.application.accounts_store
    import planflow.application.agencies
    import planflow.application.outbox_store
    import planflow.application.queries.inbox  # noqa: F401  (their tables join the metadata)

    kept = {t.name for t in metadata.sorted_tables if kept_on_rebuild(t)}
    assert {"planflow_agencies", "planflow_users", "planflow_outbox"} <= kept
    assert {"planflow_board", "planflow_task_events", "planflow_due"}.isdisjoint(kept)
