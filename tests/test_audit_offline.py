"""The verifier core stands alone: standard library and cryptography, nothing of planflow.

An auditor copies ``src/planflow/audit/{__init__,__main__,merkle,note,chain,bundle,planbundle}.py`` into a
folder of any name and runs it on an export, with no database and no planflow installed.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from test_audit_bundle import exported, small  # noqa: F401  (the fixture)

AUDIT = Path(__file__).resolve().parent.parent / "src" / "planflow" / "audit"
CORE = (
    "__init__.py",
    "__main__.py",
    "merkle.py",
    "note.py",
    "chain.py",
    "bundle.py",
    "planbundle.py",
)


def test_the_core_modules_import_only_the_standard_library_and_cryptography() -> None:
    for name in CORE:
        tree = ast.parse((AUDIT / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: a sibling core module
                    assert node.module in (
                        None,
                        "merkle",
                        "note",
                        "chain",
                        "bundle",
                        "planbundle",
                    ), name
                    continue
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            for root in roots:
                assert root == "cryptography" or root in sys.stdlib_module_names, (name, root)


def test_a_copied_verifier_checks_a_bundle_without_planflow(small: str, tmp_path: Path) -> None:  # noqa: F811
    path, _, public = exported(small, tmp_path)
    folder = tmp_path / "auditor" / "verifier"
    folder.mkdir(parents=True)
    for name in CORE:
        shutil.copy(AUDIT / name, folder / name)
    blocker = "import sys; sys.modules['planflow'] = None; import runpy; runpy.run_module('verifier', run_name='__main__')"
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", blocker, str(path), str(public)],
        cwd=folder.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Verified" in result.stdout
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(path.read_bytes()[:-200])
    result = subprocess.run(
        [sys.executable, "-c", blocker, str(damaged), str(public)],
        cwd=folder.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "Error" in result.stderr
