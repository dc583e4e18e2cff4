"""A checkpoint at each day's first scheduler tick, when the scheduler has the signer key."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conftest import MINI
from planflow.application.app import PlanflowApp
from planflow.audit import store
from planflow.cli.main import app as cli
from test_audit_tamper import keys


def test_the_first_tick_of_each_day_signs_one_checkpoint_and_files_it(tmp_path: Path) -> None:
    key, _ = keys(tmp_path)
    db = str(tmp_path / "planflow.db")
    folder = tmp_path / "auditors"
    env = {"PLANFLOW_AUDIT_KEY": str(key), "PLANFLOW_AUDIT_CHECKPOINTS": str(folder)}
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(cli, ["--db", db, *args], env={**env, "COLUMNS": "200"})
        assert result.exit_code == 0, result.output

    run("load", str(MINI), "--at", "2022-02-15")
    run("tick", "--now", "2022-03-14T08:00")
    run("tick", "--now", "2022-03-14T09:00")
    run("tick", "--now", "2022-03-15T08:00")
    app = PlanflowApp(f"sqlite:///{db}")
    notes = store.stored_notes(app.engine)
    sizes = [int(n.split("\n")[1]) for n in notes]
    assert len(notes) == 2 and sizes == sorted(sizes)
    assert sizes[-1] == len(store.chain_rows(app.engine))
    assert sorted(p.name for p in folder.iterdir()) == [f"checkpoint-{s}.txt" for s in sizes]
    app.close()


def test_without_a_key_the_tick_signs_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "planflow.db")
    runner = CliRunner()
    for args in (("load", str(MINI), "--at", "2022-02-15"), ("tick", "--now", "2022-03-14")):
        assert (
            runner.invoke(cli, ["--db", db, *args], env={"PLANFLOW_AUDIT_KEY": ""}).exit_code == 0
        )
    app = PlanflowApp(f"sqlite:///{db}")
    assert store.stored_notes(app.engine) == []
    app.close()
