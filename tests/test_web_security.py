"""Sessions, sign-in limits, response headers, upload structure and settings, as a careful site."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from planflow.cli.main import app as cli
from planflow.web.accounts import AccountStore
from planflow.web.security import CSP
from planflow.web.settings import SettingsError, WebSettings
from planflow.workflow.loader import LoadedPlan
from webkit import JPG, PASSWORD, PDF, PNG, WebWorld, make_world, seed_database

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, mini_plan: LoadedPlan) -> Path:
    return seed_database(tmp_path_factory.mktemp("seed") / "seed.db", mini_plan)


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, template)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _sign_in(world: WebWorld, username: str, password: str = PASSWORD) -> Any:
    page = world.client.get("/login")
    return world.client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )


# --- sessions -------------------------------------------------------------------------------


def test_a_session_cookie_copied_before_sign_out_is_refused_afterwards(world: WebWorld) -> None:
    assert _sign_in(world, "director").status_code == 303
    copied = world.client.cookies["planflow_session"]
    board = world.client.get("/board", follow_redirects=False)
    assert board.status_code == 200
    world.client.post("/logout", data={"csrf_token": _csrf(board.text)}, follow_redirects=False)

    world.client.cookies.set("planflow_session", copied)  # the replay
    replay = world.client.get("/board", follow_redirects=False)
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/login?next=")


def test_a_password_change_ends_every_session_and_token_of_the_account(world: WebWorld) -> None:
    assert _sign_in(world, "director").status_code == 303
    token = world.client.post(
        "/api/v1/token", data={"username": "director", "password": PASSWORD}
    ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/me", headers=bearer).status_code == 200
    assert world.client.get("/board", follow_redirects=False).status_code == 200

    accounts: AccountStore = world.web.state.ctx.accounts
    accounts.set_password("director", "a-new-password-2", world.clock())

    assert world.client.get("/board", follow_redirects=False).status_code == 303
    assert world.client.get("/api/v1/me", headers=bearer).status_code == 401
    assert _sign_in(world, "director", "a-new-password-2").status_code == 303


def test_a_revoked_api_token_is_refused_but_other_tokens_still_work(world: WebWorld) -> None:
    def token() -> dict[str, str]:
        response = world.client.post(
            "/api/v1/token", data={"username": "auditor", "password": PASSWORD}
        )
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    first, second = token(), token()
    assert world.client.delete("/api/v1/token", headers=first).status_code == 204
    assert world.client.get("/api/v1/me", headers=first).status_code == 401
    assert world.client.get("/api/v1/me", headers=second).status_code == 200


def test_users_passwd_on_the_command_line_signs_the_account_out_everywhere(
    world: WebWorld,
) -> None:
    assert _sign_in(world, "staff").status_code == 303
    db = world.settings.database_url.removeprefix("sqlite:///")
    args = ["--db", db, "users", "passwd", "staff", "--password", "another-pass-3"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert world.client.get("/board", follow_redirects=False).status_code == 303
    unknown = runner.invoke(cli, ["--db", db, "users", "passwd", "nobody", "--password", "x" * 9])
    assert unknown.exit_code == 2


def test_rebuilding_the_read_models_keeps_accounts_and_sessions(world: WebWorld) -> None:
    assert _sign_in(world, "director").status_code == 303
    world.app.rebuild_read_models()
    assert world.client.get("/board", follow_redirects=False).status_code == 200
    assert len(world.web.state.ctx.accounts.all()) == 7


def test_a_forged_session_id_in_a_validly_shaped_cookie_is_refused(world: WebWorld) -> None:
    signer = world.web.state.signer
    _session, cookie = signer.new_session("director", "made-up-session-id")
    world.client.cookies.set("planflow_session", cookie)
    assert world.client.get("/board", follow_redirects=False).status_code == 303


# --- sign-in rate limiting --------------------------------------------------------------------


def test_120_wrong_passwords_on_the_sign_in_page_meet_429_with_retry_after(
    world: WebWorld,
) -> None:
    statuses = [_sign_in(world, "director", f"wrong-{n}").status_code for n in range(120)]
    assert statuses[:5] == [401] * 5  # the threshold: five wrong passwords for one account
    assert set(statuses[5:]) == {429}
    refused = _sign_in(world, "director", PASSWORD)  # even the right one waits
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "thử lại sau" in refused.text

    world.clock.advance(seconds=int(refused.headers["Retry-After"]))
    assert _sign_in(world, "director", PASSWORD).status_code == 303


def test_the_token_endpoint_backs_off_and_the_wait_doubles(world: WebWorld) -> None:
    def attempt(password: str) -> Any:
        return world.client.post(
            "/api/v1/token", data={"username": "auditor", "password": password}
        )

    assert [attempt("nope-nope").status_code for _ in range(5)] == [401] * 5
    first = attempt("nope-nope")
    assert first.status_code == 429
    assert first.headers["content-type"].startswith("application/problem+json")
    wait = int(first.headers["Retry-After"])
    world.clock.advance(seconds=wait)
    assert attempt("still-wrong").status_code == 401  # one more try, then a longer wait
    again = attempt("still-wrong")
    assert again.status_code == 429 and int(again.headers["Retry-After"]) == 2 * wait


def test_one_address_guessing_many_accounts_is_limited_too(world: WebWorld) -> None:
    names = [f"nobody-{n}" for n in range(25)]
    statuses = [
        world.client.post("/api/v1/token", data={"username": n, "password": "x-x-x-x-x"})
        for n in names
    ]
    assert statuses[-1].status_code == 429
    assert sum(r.status_code == 401 for r in statuses) == 20


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/board", "/api/v1/me", "/api/v1/plans", "/docs"])
def test_every_page_and_api_answer_carries_the_security_headers(world: WebWorld, path: str) -> None:
    assert _sign_in(world, "director").status_code == 303
    response = world.client.get(path, headers=world.token("director"), follow_redirects=False)
    assert response.status_code == 200, response.text
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unexpected_error_is_a_problem_document_not_plain_text(world: WebWorld) -> None:
    from fastapi.testclient import TestClient

    @world.web.get("/api/v1/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(world.web, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "không có gì được ghi" in response.json()["detail"]


def test_the_templates_hold_no_inline_script_style_or_event_handler() -> None:
    templates = Path(__file__).resolve().parent.parent / "src" / "planflow" / "web" / "templates"
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.I)
    for template in templates.glob("*.html"):
        assert not inline.search(template.read_text()), template.name
    assert "style-src 'self';" in CSP


def test_session_cookies_are_secure_when_the_settings_say_so(
    tmp_path: Path, template: Path
) -> None:
    for world in make_world(tmp_path, template, secure_cookies=True):
        page = world.client.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
        assert "httponly" in page.headers["set-cookie"].lower()


# --- uploads ----------------------------------------------------------------------------------


def _zip(*members: tuple[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members:
            archive.writestr(name, text)
    return out.getvalue()


ODT = _zip(("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<o/>"))
XLSX = _zip(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<w/>"))
HTML = b"<!DOCTYPE html><html><body><script>document.forms[0].submit()</script></body></html>"


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("bc.pdf", PDF, 200),
        ("bc.pdf", b"%PDF-1.4\n" + HTML, 415),  # the observed case: a PDF header, then HTML
        ("bc.pdf", PDF + HTML, 415),
        ("bc.pdf", PDF.replace(b"startxref\n110", b"startxref\n3"), 415),
        ("bc.pdf", PDF[:-8], 415),
        ("bc.png", PNG, 200),
        ("bc.png", PNG + HTML, 415),
        ("bc.png", PNG[:23] + b"\x02" + PNG[24:], 415),  # a height the CRC does not match
        ("bc.jpg", JPG, 200),
        ("bc.jpg", JPG[:2] + HTML, 415),
        ("bc.odt", ODT, 200),
        ("bc.odt", _zip(("content.xml", "<o/>")), 415),
        ("bc.xlsx", XLSX, 200),
        ("bc.xlsx", b"PK\x03\x04" + HTML, 415),
        ("bc.docx", XLSX, 415),
    ],
)
def test_uploads_are_checked_by_their_structure_and_a_refusal_writes_nothing(
    world: WebWorld, name: str, data: bytes, status: int
) -> None:
    task = world.task_id("D2", "so-a", "2022-Q1")
    before = world.event_count()
    response = world.client.post(
        f"/api/v1/tasks/{task}/report",
        files={"file": (name, data)},
        headers=world.token("officer-a"),
    )
    assert response.status_code == status, response.text
    if status == 415:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert world.event_count() == before
        assert not (world.settings.upload_dir / task).exists()


# --- settings ---------------------------------------------------------------------------------


def test_outside_demo_a_missing_secret_stops_the_server_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        WebSettings.from_env(None, {})
    with pytest.raises(SettingsError):
        WebSettings(database_url="sqlite://")
    result = runner.invoke(
        cli,
        ["--db", str(tmp_path / "s.db"), "serve"],
        env={"PLANFLOW_SECRET_KEY": ""},
    )
    assert result.exit_code == 2
    assert "PLANFLOW_SECRET_KEY" in result.output
    assert not (tmp_path / "s.db").exists()  # nothing was started


def test_demo_may_run_without_a_secret_on_plain_http_and_real_runs_get_secure_cookies() -> None:
    demo = WebSettings.from_env(None, {}, demo=True)
    assert demo.secret_key and not demo.secure_cookies
    real = WebSettings.from_env(None, {"PLANFLOW_SECRET_KEY": "k" * 32})
    assert real.secure_cookies
    assert "k" * 32 not in repr(real)
    plain = WebSettings.from_env(
        None, {"PLANFLOW_SECRET_KEY": "k" * 32, "PLANFLOW_SECURE_COOKIES": "0"}
    )
    assert not plain.secure_cookies
    with pytest.raises(SettingsError):
        WebSettings.from_env(None, {"PLANFLOW_SECRET_KEY": "k", "PLANFLOW_MAX_UPLOAD_BYTES": "-1"})
