"""The auditor's page shows the log's integrity: the latest checkpoint, the last verification and
the backdated events (commands recorded with a time well before the moment they were recorded)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from planflow.audit import bundle, planbundle, store
from planflow.audit.note import Signer
from planflow.workflow.loader import LoadedPlan
from test_web_pages import sign_in
from webkit import WebWorld, make_world, seed_database


@pytest.fixture
def world(tmp_path: Path, mini_plan: LoadedPlan) -> Iterator[WebWorld]:
    (tmp_path / "seed").mkdir()
    template = seed_database(tmp_path / "seed" / "seed.db", mini_plan)
    yield from make_world(tmp_path, template)


def test_the_auditor_sees_the_checkpoint_the_last_verification_and_backdated_events(
    world: WebWorld,
) -> None:
    sign_in(world, "auditor")
    page = world.client.get("/audit").text
    assert "Chưa có điểm kiểm nào" in page and "Chưa xác minh lần nào" in page
    task = world.task_id("D1", "so-a")
    world.app.execute_activity(
        UUID(task), actor="officer-a", at=datetime(2022, 3, 10, 2, tzinfo=UTC), note=""
    )
    engine = world.app.engine
    events = world.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    with world.app.transaction() as session:
        signed = store.sign_checkpoint(session, Signer.generate("t"), datetime.now(UTC))
    store.record_verification(engine, store.verify_store(engine, events, [], []), datetime.now(UTC))
    page = world.client.get("/audit").text
    assert f"Điểm kiểm mới nhất: {signed.size} sự kiện" in page
    assert "toàn vẹn," in page
    assert 'data-testid="backdated"' in page and "ActivityExecuted" in page


def test_the_auditor_downloads_a_bundle_that_its_checkpoint_alone_proves(
    world: WebWorld, tmp_path: Path
) -> None:
    sign_in(world, "auditor")
    signer = Signer.generate("planflow.test/log")
    with world.app.transaction() as session:
        signed = store.sign_checkpoint(session, signer, datetime.now(UTC))
    task = world.task_id("D1", "so-a")
    world.app.execute_activity(  # after the checkpoint: not in the bundle
        UUID(task), actor="officer-a", at=datetime(2022, 3, 10, 2, tzinfo=UTC), note=""
    )
    response = world.client.get("/audit/bundle.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    files = bundle.read_bundle(_saved(tmp_path, response.content))
    assert bundle.SIGNATURE not in files
    check = bundle.verify_bundle(files, [signer.verifier])
    assert check.report.ok and check.report.count == signed.size
    stranger = Signer.generate("planflow.test/log").verifier
    with pytest.raises(bundle.BundleError, match="no signature by the given key"):
        bundle.verify_bundle(files, [stranger])


def _saved(folder: Path, data: bytes) -> Path:
    path = folder / "downloaded.zip"
    path.write_bytes(data)
    return path


def test_the_auditor_downloads_one_plans_bundle_and_an_unknown_plan_names_the_valid_ones(
    world: WebWorld, tmp_path: Path
) -> None:
    sign_in(world, "auditor")
    signer = Signer.generate("planflow.test/log")
    with world.app.transaction() as session:
        store.sign_checkpoint(session, signer, datetime.now(UTC))
    page = world.client.get("/audit").text
    assert "/audit/plan-bundle.zip?plan=mini-2022" in page
    response = world.client.get("/audit/plan-bundle.zip?plan=mini-2022")
    assert response.status_code == 200, response.text
    files = bundle.read_bundle(_saved(tmp_path, response.content))
    check = planbundle.verify_plan_bundle(files, [signer.verifier])
    assert check.report.ok and check.manifest["plan"] == "mini-2022"
    assert check.report.count == check.checkpoint.size  # one plan: every event is its own
    wrong = world.client.get("/audit/plan-bundle.zip?plan=mini-2O22")
    assert wrong.status_code == 422 and "mini-2022" in wrong.text
