"""deploy/compose.yaml is not started in CI; this checks its shape and that every planflow
command in it and in docs/deploy.md is one the CLI accepts (options and values included)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from planflow.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "deploy" / "compose.yaml"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"


def _compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _accepts(argv: list[str]) -> None:
    """Parse ``planflow ARGV`` as the CLI would, without running it (click raises on an
    unknown command, option or value)."""
    group: Any = typer.main.get_command(app)  # Typer's own click: groups resolve commands
    context = group.make_context("planflow", list(argv), resilient_parsing=False)
    args = [*context._protected_args, *context.args]
    while args:
        name, command, rest = group.resolve_command(context, args)
        assert command is not None, argv
        context = command.make_context(name, rest, parent=context)
        if not hasattr(command, "resolve_command"):
            assert not context.args, (argv, context.args)
            return
        group, args = command, [*context._protected_args, *context.args]


def test_the_compose_file_runs_a_primary_a_streaming_replica_web_schedulers_and_a_proxy() -> None:
    services = _compose()["services"]
    assert set(services) == {"primary", "replica", "migrate", "web", "scheduler", "proxy"}
    primary = " ".join(services["primary"]["command"])
    assert "wal_level=replica" in primary and "max_wal_senders" in primary
    replica_start = (ROOT / "deploy" / "postgres" / "replica-start.sh").read_text()
    assert "pg_basebackup" in replica_start and "--write-recovery-conf" in replica_start
    assert "REPLICATION" in (ROOT / "deploy" / "postgres" / "primary-init.sh").read_text()
    for role in ("web", "scheduler"):
        assert services[role]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert "primary:5432" in services[role]["environment"]["PLANFLOW_DATABASE_URL"]
    assert services["web"]["command"][:2] == ["planflow", "serve"]
    assert "--workers" in services["web"]["command"]
    assert services["scheduler"]["command"][:2] == ["planflow", "run"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000" in nginx and "location = /metrics" in nginx
    for mount in services["proxy"]["volumes"] + services["primary"]["volumes"]:
        source = mount.split(":", 1)[0]
        if source.startswith("./"):
            assert (COMPOSE.parent / source).is_file(), source


@pytest.mark.parametrize("service", ["migrate", "web", "scheduler"])
def test_each_planflow_command_in_the_compose_file_is_accepted_by_the_cli(service: str) -> None:
    command = _compose()["services"][service]["command"]
    assert command[0] == "planflow"
    _accepts([str(part) for part in command[1:]])


def _documented_commands() -> list[str]:
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", text, re.DOTALL)
    lines = [line.strip() for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    return [line for line in lines if line.startswith("planflow ")]


def test_the_deploy_guide_shows_the_commands_for_each_part_and_the_cli_accepts_them() -> None:
    commands = _documented_commands()
    assert any(" serve " in f" {c} " and "--workers" in c for c in commands)
    assert any(c.split()[1:2] == ["run"] or " run " in c for c in commands)
    assert any("db upgrade" in c for c in commands)
    for line in commands:
        argv = shlex.split(line.split("#", 1)[0])[1:]
        argv = [a for a in argv if not a.startswith("$")]
        _accepts(argv)
