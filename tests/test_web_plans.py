"""Plans in the browser: upload a plan document → review its draft → dry run → load; the refusals
(wrong role, bad file, invalid draft) write nothing; every load records who and when, and the
uploaded document is kept with its SHA-256."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import ROOT
from planflow.application import plan_drafts, plan_records
from planflow.application.plan_drafts import drafts
from planflow.application.plan_records import documents, loads
from planflow.application.tables import board
from test_web_pages import sign_in
from webkit import WebWorld

PLAN_TEXT = ROOT / "tests" / "fixtures" / "plans" / "kien-giang-2023-cds.txt"
PLAN_ID = "kien-giang-2023-kh-52"


@pytest.fixture(scope="session")
def plan_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    sys.path.insert(0, str(ROOT / "tests" / "corpus"))
    from build import make_docx

    target = tmp_path_factory.mktemp("plans") / "ke-hoach-52.docx"
    return make_docx(PLAN_TEXT, target).read_bytes()


def _counts(world: WebWorld) -> tuple[int, int, int, int, int]:
    plan_drafts.ensure_tables(world.app)
    with world.app.engine.connect() as connection:

        def count(table: object) -> int:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]

        return (
            count(documents),
            count(drafts),
            count(loads),
            count(board),
            world.event_count(),
        )


def _upload(world: WebWorld, csrf: str, name: str, data: bytes) -> object:
    return world.client.post(
        "/plans/upload",
        data={"csrf_token": csrf},
        files={"file": (name, data)},
        follow_redirects=False,
    )


def _draft_id(response: object) -> str:
    location = response.headers["location"]  # type: ignore[attr-defined]
    match = re.fullmatch(r"/plans/drafts/([0-9a-f]+)", location)
    assert match, location
    return match.group(1)


def _form(html: str) -> dict[str, str]:
    """The review form's fields as the browser would send them (checked boxes and radios only)."""
    form = html[
        html.index('id="draft-form"') : html.index("</form>", html.index('id="draft-form"'))
    ]
    out: dict[str, str] = {}
    for tag in re.finditer(r"<(input|textarea|select)\b([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(2)))
        name = attrs.get("name")
        if not name or name == "next":
            continue
        kind = attrs.get("type", "")
        if kind in ("checkbox", "radio") and " checked" not in tag.group(2):
            continue
        if tag.group(1) == "textarea":
            out[name] = form[tag.end() : form.index("</textarea>", tag.end())]
        elif tag.group(1) == "select":
            chosen = re.search(
                r'<option value="([^"]*)" selected',
                form[tag.end() : form.index("</select>", tag.end())],
            )
            out[name] = chosen.group(1) if chosen else ""
        else:
            out[name] = attrs.get("value", "")
    import html as html_lib

    return {k: html_lib.unescape(v) for k, v in out.items()}


def test_the_office_uploads_a_docx_plan_reviews_it_sees_the_dry_run_and_loads_it(
    world: WebWorld, plan_docx: bytes
) -> None:
    csrf = sign_in(world, "director")
    before = _counts(world)
    response = _upload(world, csrf, "ke-hoach-52.docx", plan_docx)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    ref = _draft_id(response)
    page = world.client.get(f"/plans/drafts/{ref}")
    assert page.status_code == 200
    # The source text beside the draft; the low-confidence field listed first.
    assert "Sở Tư pháp hằng tháng báo cáo" in page.text
    first = re.search(r'data-testid="field" data-path="([^"]+)" data-confidence="(\w+)"', page.text)
    assert first and first.groups() == ("duties[1].schedule", "low")
    assert page.text.index('data-duty="II.2"') < page.text.index('data-duty="II.1"')
    # Live validation of a bad edit: nothing is saved.
    form = _form(page.text)
    bad = {**form, "duties[1].assignees": "no-such-agency", "csrf_token": csrf}
    checked = world.client.post(f"/plans/drafts/{ref}/validate", data=bad).json()
    assert not checked["valid"]
    assert any(p["field"].startswith("duties[1].assignees") for p in checked["problems"])
    assert plan_drafts.get_draft(world.app, ref).fields[0].reviewed is False
    early = world.client.get(f"/plans/drafts/{ref}/preview")
    assert 'data-testid="unreviewed-low"' in early.text and "duties[1].schedule" in early.text
    # Fix the low field: six-month and yearly reports besides the quarterly ones.
    fixed = {
        **form,
        "duties[1].schedule.every.half_year": "1",
        "duties[1].schedule.every.year": "1",
        "csrf_token": csrf,
    }
    assert world.client.post(f"/plans/drafts/{ref}/validate", data=fixed).json()["valid"]
    saved = world.client.post(
        f"/plans/drafts/{ref}", data={**fixed, "next": "preview"}, follow_redirects=False
    )
    assert saved.status_code == 303
    draft = plan_drafts.get_draft(world.app, ref)
    assert draft.data()["duties"][1]["schedule"]["every"] == ["quarter", "half_year", "year"]
    assert next(f for f in draft.fields if f.path == "duties[1].schedule").reviewed
    # The dry run: what loading would do; nothing written yet.
    preview = world.client.get(saved.headers["location"])
    assert preview.status_code == 200
    assigned = int(re.search(r'data-assigned="(\d+)"', preview.text).group(1))  # type: ignore[union-attr]
    assert assigned > 2  # II.1, II.3 and II.2's reports, one per period
    assert 'data-testid="new-plan"' in preview.text
    assert 'data-testid="unreviewed-low"' not in preview.text
    after_preview = _counts(world)
    assert after_preview[2:] == before[2:]
    # Load: tasks on the board, the load recorded with who, when and the document's SHA-256.
    loaded = world.client.post(
        f"/plans/drafts/{ref}/load", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert loaded.status_code == 303
    assert loaded.headers["location"] == f"/plans/{PLAN_ID}?ok=1"
    records = plan_records.plan_loads(world.app, PLAN_ID)
    assert len(records) == 1
    record = records[0]
    assert record.loaded_by == "director" and record.loaded_at == world.clock()
    assert record.document_sha256 == hashlib.sha256(plan_docx).hexdigest()
    assert record.counts["assigned"] == assigned
    plan_page = world.client.get(f"/plans/{PLAN_ID}")
    assert record.document_sha256 in plan_page.text
    document = world.client.get(f"/plans/documents/{record.document_sha256}")
    assert document.content == plan_docx
    with world.app.engine.connect() as connection:
        tasks = connection.execute(
            select(func.count()).select_from(board).where(board.c.plan == PLAN_ID)
        ).scalar_one()
    assert tasks == assigned
    assert plan_drafts.get_draft(world.app, ref).status == "loaded"


def test_a_revised_plan_shows_its_difference_from_the_plan_in_force_before_it_is_loaded(
    world: WebWorld, plan_docx: bytes
) -> None:
    csrf = sign_in(world, "director")
    ref = _draft_id(_upload(world, csrf, "ke-hoach-52.docx", plan_docx))
    world.client.post(f"/plans/drafts/{ref}/load", data={"csrf_token": csrf})
    revised = plan_drafts.get_draft(world.app, ref).yaml_text.replace("2023-06-30", "2023-09-29")
    ref2 = _draft_id(_upload(world, csrf, "revised.yaml", revised.encode()))
    assert 'data-testid="revises"' in world.client.get(f"/plans/drafts/{ref2}").text
    preview = world.client.get(f"/plans/drafts/{ref2}/preview")
    assert preview.status_code == 200
    assert "duties[II.3].schedule" in preview.text
    assert 'data-moved="1"' in preview.text and 'data-assigned="0"' in preview.text
    assert 'data-testid="changes-move"' in preview.text


def test_agency_officers_auditors_and_admins_may_not_bring_plans_in(
    world: WebWorld, plan_docx: bytes
) -> None:
    before = _counts(world)
    for username in ("officer-a", "admin", "auditor"):
        world.client.cookies.clear()
        csrf = sign_in(world, username)
        response = _upload(world, csrf, "ke-hoach-52.docx", plan_docx)
        assert response.status_code == 403, username  # type: ignore[attr-defined]
    world.client.cookies.clear()
    sign_in(world, "officer-a")
    assert world.client.get("/plans").status_code == 403
    world.client.cookies.clear()
    sign_in(world, "auditor")  # reads the plans, brings none in
    listing = world.client.get("/plans")
    assert listing.status_code == 200 and 'data-testid="plan-upload"' not in listing.text
    assert _counts(world) == before


def test_office_staff_review_but_only_the_director_loads(world: WebWorld, plan_docx: bytes) -> None:
    csrf = sign_in(world, "staff")
    ref = _draft_id(_upload(world, csrf, "ke-hoach-52.docx", plan_docx))
    assert world.client.get(f"/plans/drafts/{ref}/preview").status_code == 200
    before = _counts(world)
    refused = world.client.post(f"/plans/drafts/{ref}/load", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert _counts(world) == before


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("plan.exe", b"MZ\x90\x00", 415),
        ("plan.docx", b"not a zip at all", 415),
        ("plan.pdf", b"%PDF-1.4\n<html><script>x</script>", 415),
        ("plan.txt", b"Bien ban hop giao ban\nNoi dung: khong co gi", 422),
        ("plan.yaml", b"- just\n- a list\n", 422),
        ("plan.yaml", b"a: [unclosed\n", 422),
        ("empty.txt", b"", 415),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(
    world: WebWorld, name: str, data: bytes, status: int
) -> None:
    csrf = sign_in(world, "director")
    before = _counts(world)
    response = _upload(world, csrf, name, data)
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert "Lỗi" in response.text or "Error" in response.text or "/" in response.text  # type: ignore[attr-defined]
    assert _counts(world) == before


def test_a_file_over_the_limit_is_refused_before_it_is_read(world: WebWorld) -> None:
    csrf = sign_in(world, "director")
    before = _counts(world)
    big = b"K" * (world.settings.max_upload_bytes + 10)
    assert _upload(world, csrf, "big.txt", big).status_code == 413  # type: ignore[attr-defined]
    assert _counts(world) == before


def test_an_invalid_draft_cannot_be_loaded_and_nothing_is_written(
    world: WebWorld, plan_docx: bytes
) -> None:
    csrf = sign_in(world, "director")
    ref = _draft_id(_upload(world, csrf, "ke-hoach-52.docx", plan_docx))
    form = _form(world.client.get(f"/plans/drafts/{ref}").text)
    saved = world.client.post(
        f"/plans/drafts/{ref}", data={**form, "duties[0].assignees": "", "csrf_token": csrf}
    )
    assert saved.status_code == 422
    assert 'data-field="duties[0].assignees"' in saved.text
    before = _counts(world)
    refused = world.client.post(f"/plans/drafts/{ref}/load", data={"csrf_token": csrf})
    assert refused.status_code == 422
    assert "không hợp lệ" in refused.text
    assert world.client.get(f"/plans/drafts/{ref}/preview").status_code == 422
    assert _counts(world) == before


def test_next_year_from_a_plan_in_force_is_a_draft_that_goes_through_the_same_review(
    world: WebWorld,
) -> None:
    csrf = sign_in(world, "director")
    code = world.app.plan_codes()[0]
    year = world.web.state.ctx.app.get_plan(code).document["plan"]["year"] + 1
    response = world.client.post(
        f"/plans/{code}/next-year",
        data={"csrf_token": csrf, "year": str(year)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    ref = _draft_id(response)
    draft = plan_drafts.get_draft(world.app, ref)
    assert draft.origin == "next-year" and f"year: {year}" in draft.yaml_text
    page = world.client.get(f"/plans/drafts/{ref}")
    assert 'data-testid="draft-valid"' in page.text
    assert "plan.id →" in page.text
    assert world.client.get(f"/plans/drafts/{ref}/preview").status_code == 200


def test_the_cli_load_dry_run_prints_what_load_does_and_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from planflow.cli.main import app as cli

    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'p.db'}"
    plan = ROOT / "tests" / "fixtures" / "mini.yaml"
    dry = runner.invoke(cli, ["--db", db, "load", str(plan), "--at", "2022-02-15", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing written" in dry.output and "assigned:" in dry.output
    status = runner.invoke(cli, ["--db", db, "status", "--format", "json"])
    assert '"tasks": []' in status.output or "[]" in status.output
    real = runner.invoke(cli, ["--db", db, "load", str(plan), "--at", "2022-02-15"])
    assert real.exit_code == 0, real.output
    assigned = int(re.search(r"(\d+) assigned", dry.output).group(1))  # type: ignore[union-attr]
    assert f"{assigned} assigned" in real.output
    from planflow.application.app import PlanflowApp

    app = PlanflowApp(db)
    try:
        (record,) = plan_records.plan_loads(app, app.plan_codes()[0])
    finally:
        app.close()
    assert record.loaded_by == "planflow-loader" and record.counts["assigned"] == assigned
    assert record.workflow_sha256 == hashlib.sha256(plan.read_bytes()).hexdigest()


def test_a_hostile_or_broken_yaml_typed_into_the_editor_is_refused_by_name_not_a_crash(
    world: WebWorld,
) -> None:
    csrf = sign_in(world, "director")
    ref = _draft_id(
        _upload(world, csrf, "mini.yaml", (ROOT / "tests/fixtures/mini.yaml").read_bytes())
    )
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    for text in (laughs, "plan: [unclosed\n", "- a list\n"):
        saved = world.client.post(
            f"/plans/drafts/{ref}", data={"csrf_token": csrf, "yaml_text": text}
        )
        assert saved.status_code == 422, text
        page = world.client.get(f"/plans/drafts/{ref}")
        assert page.status_code == 200
        form = world.client.post(
            f"/plans/drafts/{ref}", data={"csrf_token": csrf, "plan.title_vi": "Kế hoạch"}
        )
        assert form.status_code == 422
        assert plan_drafts.get_draft(world.app, ref).yaml_text == text  # not overwritten
        refused = world.client.post(f"/plans/drafts/{ref}/load", data={"csrf_token": csrf})
        assert refused.status_code == 422


def test_a_revision_that_moves_a_deadline_earlier_is_refused_by_the_dry_run_and_the_load(
    world: WebWorld, plan_docx: bytes
) -> None:
    csrf = sign_in(world, "director")
    ref = _draft_id(_upload(world, csrf, "ke-hoach-52.docx", plan_docx))
    world.client.post(f"/plans/drafts/{ref}/load", data={"csrf_token": csrf})
    kept = sorted((world.settings.upload_dir / "plans").rglob("plan.yaml"))
    earlier = plan_drafts.get_draft(world.app, ref).yaml_text.replace("2023-06-30", "2023-05-31")
    ref2 = _draft_id(_upload(world, csrf, "earlier.yaml", earlier.encode()))
    preview = world.client.get(f"/plans/drafts/{ref2}/preview")
    assert preview.status_code == 409 and "sớm hơn" in preview.text
    before = _counts(world)
    refused = world.client.post(f"/plans/drafts/{ref2}/load", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert _counts(world) == before
    assert sorted((world.settings.upload_dir / "plans").rglob("plan.yaml")) == kept


def test_the_plans_pages_speak_english_when_asked(world: WebWorld, plan_docx: bytes) -> None:
    csrf = sign_in(world, "director")
    ref = _draft_id(_upload(world, csrf, "ke-hoach-52.docx", plan_docx))
    code = world.app.plan_codes()[0]
    for path, words in (
        ("/plans", "Bring a plan in"),
        (f"/plans/drafts/{ref}", "confidence (low first)"),
        (f"/plans/drafts/{ref}/preview", "What loading would do"),
        (f"/plans/{code}", "Draft next year"),
    ):
        page = world.client.get(path, params={"lang": "en"})
        assert page.status_code == 200 and words in page.text, path


def test_saving_the_form_unchanged_marks_no_field_reviewed(
    world: WebWorld, plan_docx: bytes
) -> None:
    csrf = sign_in(world, "director")
    ref = _draft_id(_upload(world, csrf, "ke-hoach-52.docx", plan_docx))
    before = plan_drafts.get_draft(world.app, ref)
    form = _form(world.client.get(f"/plans/drafts/{ref}").text)
    assert (
        world.client.post(f"/plans/drafts/{ref}", data={**form, "csrf_token": csrf}).status_code
        == 200
    )
    after = plan_drafts.get_draft(world.app, ref)
    assert not any(f.reviewed for f in after.fields)
    assert after.data() == before.data()


def test_a_document_with_a_vietnamese_name_downloads_under_its_name(
    world: WebWorld, plan_docx: bytes
) -> None:
    csrf = sign_in(world, "director")
    ref = _draft_id(_upload(world, csrf, "Kế hoạch số 52 Đề án.docx", plan_docx))
    digest = plan_drafts.get_draft(world.app, ref).document_sha256
    response = world.client.get(f"/plans/documents/{digest}")
    assert response.status_code == 200 and response.content == plan_docx
    disposition = response.headers["content-disposition"]
    assert 'filename="Ke hoach so 52 De an.docx"' in disposition
    assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch" in disposition
