"""The package keeps its layers (import-linter contracts in pyproject.toml, [tool.importlinter]):
entry points over the composition root over the application over the domain; a pure domain; a CLI
that reaches the other entry points only through planflow.bootstrap; entry points without SQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib

import pytest

from conftest import ROOT

CONTRACTS = {
    "layers": "cli > bootstrap > web | scheduler | notify > application > workflow : adapters > domain",
    "pure-domain": "the domain imports no sqlalchemy, fastapi, typer, httpx, apscheduler, …",
    "cli-through-bootstrap": "the CLI imports web, scheduler and notify only via bootstrap",
    "entry-points-hold-no-sql": "web and scheduler import no sqlalchemy",
}


def _lint_imports(contract: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which("lint-imports")
    if command is None:
        pytest.fail("import-linter is not installed: pip install -e '.[test]'")
    # Analyse this checkout's sources, whichever copy of planflow is installed.
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    return subprocess.run(
        [command, "--no-cache", "--contract", contract],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_pyproject_declares_every_contract_this_suite_checks() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    assert linter["root_package"] == "planflow"
    assert linter["include_external_packages"] is True
    assert {c["id"] for c in linter["contracts"]} == set(CONTRACTS)


@pytest.mark.parametrize(
    "contract",
    [
        "layers",
        "pure-domain",
        "cli-through-bootstrap",
        "entry-points-hold-no-sql",
    ],
)
def test_the_import_contract_is_kept(contract: str) -> None:
    result = _lint_imports(contract)
    assert result.returncode == 0, f"{CONTRACTS[contract]}\n{result.stdout}\n{result.stderr}"
    assert "0 broken" in result.stdout


def test_no_package_imports_itself_back_through_others() -> None:
    """No cycle between planflow's packages (also those outside the layers contract: audit,
    ingest, reports): the package graph sorts topologically."""
    import graphlib
    import sys

    import grimp

    sys.path.insert(0, str(ROOT / "src"))
    graph = grimp.build_graph("planflow")
    deps: dict[str, set[str]] = {}
    for module in graph.modules:
        if module.count(".") < 1:
            continue
        package = module.split(".")[1]
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.count(".") >= 1 and imported.split(".")[1] != package:
                deps.setdefault(package, set()).add(imported.split(".")[1])
    try:
        order = list(graphlib.TopologicalSorter(deps).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"packages import each other in a cycle: {exc.args[1]}")
    assert order.index("domain") < order.index("application") < order.index("cli")
