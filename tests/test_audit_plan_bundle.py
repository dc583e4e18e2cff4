"""Per-plan bundles: one plan's events, each with its inclusion proof in the signed log, verified
without a database; another plan's events are not in it; tampering is named; it cannot be
imported as if it were the whole log."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI, utc
from planflow.application.app import PlanflowApp
from planflow.audit import bundle
from planflow.workflow.loader import LoadedPlan, load_workflow
from test_audit_bundle import tamper, verify_bundle
from test_audit_tamper import REPORT, invoke, keys


@pytest.fixture
def two_plans(sqlite_url: str, mini_plan: LoadedPlan, tmp_path: Path) -> str:
    other = tmp_path / "other.yaml"
    other.write_text(MINI.read_text(encoding="utf-8").replace("id: mini-2022", "id: other-2022", 1))
    app = PlanflowApp(sqlite_url)
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    app.load_plan(load_workflow(other), actor="loader", at=utc(2022, 2, 16))
    app.submit_report(REPORT, actor="so-a", at=utc(2022, 3, 15, 3), document="bc.pdf")
    app.accept_report(REPORT, actor="vp", at=utc(2022, 3, 18, 3), note="đạt")
    app.close()
    return sqlite_url


def plan_bundle(url: str, tmp_path: Path, plan: str = "mini-2022") -> tuple[Path, Path]:
    key, public = keys(tmp_path)
    target = tmp_path / f"{plan}.zip"
    result = invoke(url, "export", str(target), "--key", str(key), "--plan", plan, "--plan-only")
    assert result.exit_code == 0, result.output
    return target, public


def lines_of(path: Path) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("events.jsonl")
    return [json.loads(line) for line in data.splitlines()]


def test_a_plan_bundle_holds_only_that_plans_events_and_verifies_without_a_database(
    two_plans: str, tmp_path: Path
) -> None:
    path, public = plan_bundle(two_plans, tmp_path)
    lines = lines_of(path)
    plans = {
        line["state"].get("plan") or line["state"].get("code")
        for line in lines
        if line["stream_version"] == 1
    }
    assert plans == {"mini-2022"}
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    # The other plan's events exist in the log, after and between these positions.
    assert manifest["checkpoint_size"] > len(lines)
    assert manifest["count"] == len(lines) and manifest["plan"] == "mini-2022"
    assert all(line["inclusion"] for line in lines)
    accepted = [line for line in lines if line["topic"].endswith("ReportAccepted")]
    assert len(accepted) == 1
    code, report, output = verify_bundle(path, public)
    assert code == 0 and report["ok"], output
    assert report["count"] == len(lines)


def test_the_standalone_verifier_checks_a_plan_bundle_too(two_plans: str, tmp_path: Path) -> None:
    path, public = plan_bundle(two_plans, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "planflow.audit", str(path), str(public)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Toàn vẹn / Verified" in done.stdout


def _edit_state(data: bytes, position_of: int) -> bytes:
    lines = data.split(b"\n")
    item = json.loads(lines[position_of])
    state = json.loads(base64.b64decode(item["state_b64"]))
    state["actor"] = "someone-else"
    raw = json.dumps(state).encode()
    item["state_b64"] = base64.b64encode(raw).decode()
    item["state"] = state
    lines[position_of] = json.dumps(item).encode()
    return b"\n".join(lines)


def _drop_line(data: bytes, index: int) -> bytes:
    lines = data.split(b"\n")
    del lines[index]
    return b"\n".join(lines)


def _forge_proof(data: bytes, index: int) -> bytes:
    lines = data.split(b"\n")
    item = json.loads(lines[index])
    item["inclusion"] = ["00" * 32 for _ in item["inclusion"]]
    lines[index] = json.dumps(item).encode()
    return b"\n".join(lines)


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda d: _edit_state(d, 3), "altered"),
        (lambda d: _drop_line(d, 2), "bundle file changed"),
        (lambda d: _forge_proof(d, 1), "not in the signed log"),
    ],
    ids=["state edited", "event left out", "proof forged"],
)
def test_a_tampered_plan_bundle_is_named(
    two_plans: str, tmp_path: Path, change: Any, kind: str
) -> None:
    path, public = plan_bundle(two_plans, tmp_path)
    code, report, output = verify_bundle(tamper(path, change), public)
    assert code == 1, output
    assert kind in [f["kind"] for f in report["findings"]], report["findings"]


def test_an_event_left_out_is_a_gap_in_its_task_even_when_the_manifest_is_unsigned(
    two_plans: str, tmp_path: Path
) -> None:
    path, public = plan_bundle(two_plans, tmp_path)
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    lines = files["events.jsonl"].split(b"\n")
    second = next(
        i for i, raw in enumerate(lines) if raw and json.loads(raw)["stream_version"] == 2
    )
    files["events.jsonl"] = _drop_line(files["events.jsonl"], second)
    del files["manifest.sig"]
    manifest = json.loads(files["manifest.json"])
    manifest["count"] -= 1
    manifest["files"]["events.jsonl"]["sha256"] = (
        __import__("hashlib").sha256(files["events.jsonl"]).hexdigest()
    )
    files["manifest.json"] = json.dumps(manifest).encode()
    out = tmp_path / "gap.zip"
    out.write_bytes(bundle.zipped(files))
    code, report, _ = verify_bundle(out, public)
    assert code == 1
    assert [f["kind"] for f in report["findings"]] == ["deleted"]


def test_a_plan_bundle_is_refused_by_import_and_nothing_is_written(
    two_plans: str, tmp_path: Path
) -> None:
    path, public = plan_bundle(two_plans, tmp_path)
    target = f"sqlite:///{tmp_path / 'empty.db'}"
    result = invoke(target, "audit", "import", str(path), "--public-key", str(public))
    assert result.exit_code == 3, result.output
    assert "per-plan bundle" in result.output
    app = PlanflowApp(target)
    assert app.plan_codes() == []
    app.close()


def test_plan_only_without_a_plan_or_with_an_unknown_plan_is_bad_input(
    two_plans: str, tmp_path: Path
) -> None:
    key, _ = keys(tmp_path)
    result = invoke(two_plans, "export", str(tmp_path / "x.zip"), "--key", str(key), "--plan-only")
    assert result.exit_code == 2 and "--plan-only" in result.output
    result = invoke(
        two_plans,
        "export",
        str(tmp_path / "x.zip"),
        "--key",
        str(key),
        "--plan",
        "mini-2O22",
        "--plan-only",
    )
    assert result.exit_code == 2 and "mini-2022" in result.output and "other-2022" in result.output
    assert not (tmp_path / "x.zip").exists()
