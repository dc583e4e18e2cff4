"""Accounts in the browser for the Office's administrator (issue 10, point 7): create one or many
from a CSV, one-time passwords that must be replaced, reset, deactivate, the sign-in log and the
log of changes with their actors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from planflow.application.accounts_admin import AccountAdmin, changes, signins
from planflow.application.accounts_store import users
from test_web_pages import _csrf, sign_in
from webkit import PASSWORD, WebWorld

CSV_GOOD = (
    "name,email,agency\n"
    "Nguyễn Văn Bình,binh.nv@so-a.gov.vn,so-a\n"
    "Trần Thị Cúc,cuc.tt@so-b.gov.vn,so-b\n"
)


def _count(world: WebWorld, table: object) -> int:
    with world.app.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _one_time(page: str, username: str) -> str:
    row = page.split(f'data-username="{username}"')[1]
    match = re.search(r'data-testid="one-time-password">([^<]+)<', row)
    assert match, page
    return match.group(1)


def _sign_in_raw(world: WebWorld, username: str, password: str) -> tuple[int, str]:
    world.client.cookies.clear()
    page = world.client.get("/login")
    response = world.client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    return response.status_code, response.text


@pytest.mark.parametrize("username", ["director", "staff", "officer-a", "auditor"])
def test_only_the_administrator_reaches_the_accounts_pages(world: WebWorld, username: str) -> None:
    csrf = sign_in(world, username)
    assert world.client.get("/accounts").status_code == 403
    before = _count(world, users)
    refused = world.client.post(
        "/accounts/import", data={"csrf_token": csrf, "csv": CSV_GOOD}, follow_redirects=False
    )
    assert refused.status_code == 403
    refused = world.client.post(
        "/accounts/officer-b/deactivate", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert _count(world, users) == before and world.web.state.ctx.accounts.get("officer-b")


def test_the_administrator_creates_accounts_from_a_csv_and_each_chooses_a_password(
    world: WebWorld,
) -> None:
    csrf = sign_in(world, "admin")
    page = world.client.post(
        "/accounts/import",
        data={"csrf_token": csrf},
        files={"file": ("tai-khoan.csv", CSV_GOOD.encode(), "text/csv")},
    )
    assert page.status_code == 200
    assert 'data-testid="created"' in page.text and "Đã tạo 2 tài khoản" in page.text
    one_time = _one_time(page.text, "binh.nv")
    listed = world.client.get("/accounts").text
    assert 'data-username="binh.nv"' in listed and "Nguyễn Văn Bình" in listed
    assert one_time not in listed  # shown once
    changed = world.client.get("/accounts").text.split('data-testid="changes"')[1]
    assert changed.count('data-action="imported"') == 2 and "admin" in changed
    # The one-time password leads to choosing one's own; no session before that.
    status, text = _sign_in_raw(world, "binh.nv", one_time)
    assert status == 200 and 'data-testid="password-form"' in text
    assert world.client.get("/agency", follow_redirects=False).status_code == 303
    chosen = world.client.post(
        "/password",
        data={
            "csrf_token": _csrf(text),
            "username": "binh.nv",
            "current_password": one_time,
            "new_password": "mat-khau-moi-1",
            "repeat_password": "mat-khau-moi-1",
        },
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and "ok=password-changed" in chosen.headers["location"]
    assert "Đã đổi mật khẩu." in world.client.get(chosen.headers["location"]).text
    assert world.client.get("/agency").status_code == 200
    assert _sign_in_raw(world, "binh.nv", one_time)[0] == 401  # the one-time password is gone
    assert _sign_in_raw(world, "binh.nv", "mat-khau-moi-1")[0] == 303
    log = AccountAdmin(world.app.engine).signins()
    assert [s.username for s in log[:2]] == ["binh.nv", "binh.nv"]


def test_a_csv_with_bad_rows_names_each_line_and_creates_nothing(world: WebWorld) -> None:
    csrf = sign_in(world, "admin")
    before = (_count(world, users), _count(world, changes))
    bad = (
        "name,email,agency\n"
        "Nguyễn Văn Bình,binh.nv@so-a.gov.vn,so-a\n"
        ",khong-ten@so-a.gov.vn,so-a\n"
        "Lê Văn Dũng,khong-phai-email,so-a\n"
        "Phạm Thị E,e@so-x.gov.vn,so-x\n"
        "Ngô Văn F,officer-a@so-a.gov.vn,so-a\n"
        "Bình khác,binh.nv@khac.gov.vn,so-b\n"
    )
    page = world.client.post("/accounts/import", data={"csrf_token": csrf, "csv": bad})
    assert page.status_code == 422
    problems = page.text.split('data-testid="csv-problems"')[1].split("</section>")[0]
    lines = sorted({int(n) for n in re.findall(r'data-line="(\d+)"', problems)})
    assert lines == [3, 4, 5, 6, 7]
    assert "Dòng 3: thiếu họ tên" in problems
    assert "Dòng 5: không có mã cơ quan &#39;so-x&#39;" in problems
    assert "Dòng 6: tài khoản &#39;officer-a&#39; đã tồn tại" in problems
    assert "trùng với dòng 2" in problems
    assert "khong-phai-email" in page.text  # the pasted text is kept to correct
    assert (_count(world, users), _count(world, changes)) == before


def test_create_one_reset_deactivate_and_reactivate_each_recorded_with_its_actor(
    world: WebWorld,
) -> None:
    csrf = sign_in(world, "admin")
    page = world.client.post(
        "/accounts/create",
        data={
            "csrf_token": csrf,
            "username": "lan.pt",
            "full_name": "Phạm Thị Lan",
            "email": "lan.pt@so-b.gov.vn",
            "role": "agency_head",
            "agency": "so-b",
        },
    )
    assert page.status_code == 200 and _one_time(page.text, "lan.pt")
    reset = world.client.post("/accounts/officer-a/reset", data={"csrf_token": csrf})
    assert reset.status_code == 200 and "Đã đặt lại mật khẩu" in reset.text
    assert _sign_in_raw(world, "officer-a", PASSWORD)[0] == 401
    csrf = sign_in(world, "admin")
    gone = world.client.post(
        "/accounts/officer-b/deactivate", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert gone.headers["location"] == "/accounts?ok=account-deactivated"
    assert "Đã khóa tài khoản." in world.client.get(gone.headers["location"]).text
    assert _sign_in_raw(world, "officer-b", PASSWORD)[0] == 401
    csrf = sign_in(world, "admin")
    world.client.post("/accounts/officer-b/reactivate", data={"csrf_token": csrf})
    assert _sign_in_raw(world, "officer-b", PASSWORD)[0] == 303
    csrf = sign_in(world, "admin")
    own = world.client.post("/accounts/admin/deactivate", data={"csrf_token": csrf})
    assert own.status_code == 409
    log = [(c.actor, c.username, c.action) for c in AccountAdmin(world.app.engine).changes()]
    assert log[::-1] == [
        ("admin", "lan.pt", "created"),
        ("admin", "officer-a", "password_reset"),
        ("admin", "officer-b", "deactivated"),
        ("admin", "officer-b", "reactivated"),
    ]
    page = world.client.get("/accounts").text
    assert "Ai đăng nhập lúc nào" in page
    signed = page.split('data-testid="signins"')[1].split("</table>")[0]
    assert "officer-b" in signed and "admin" in signed


def test_an_api_token_is_refused_while_the_account_holds_a_one_time_password(
    world: WebWorld,
) -> None:
    password = AccountAdmin(world.app.engine).reset_password("admin", world.clock(), "staff")
    response = world.client.post("/api/v1/token", data={"username": "staff", "password": password})
    assert response.status_code == 401 and "mật khẩu một lần" in response.json()["detail"]
    assert _count(world, signins) == 0


def test_the_logs_survive_a_rebuild(world: WebWorld) -> None:
    admin = AccountAdmin(world.app.engine)
    admin.record_signin("director", "page", world.clock(), "127.0.0.1")
    admin.set_active("admin", world.clock(), "staff", False)
    world.app.rebuild_read_models()
    assert [s.username for s in admin.signins()] == ["director"]
    assert [c.action for c in admin.changes()] == ["deactivated"]


def test_account_changes_from_the_cli_are_logged_with_the_operating_system_user(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from planflow.application.app import PlanflowApp
    from planflow.cli.main import app

    db = str(tmp_path / "planflow.db")
    runner = CliRunner()
    for args in (
        ["users", "add", "kt", "--role", "auditor", "--password", "12345678"],
        ["users", "passwd", "kt", "--password", "87654321"],
    ):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
    application = PlanflowApp(f"sqlite:///{db}")
    try:
        log = AccountAdmin(application.engine).changes()
    finally:
        application.close()
    assert [(c.username, c.action) for c in log] == [
        ("kt", "password_changed"),
        ("kt", "created"),
    ]
    assert all(c.actor.startswith("cli") for c in log)


def test_a_one_time_password_is_hashed_lighter_and_the_chosen_one_at_full_cost(
    world: WebWorld,
) -> None:
    admin = AccountAdmin(world.app.engine)
    [made] = admin.import_csv(
        "admin", world.clock(), "Lê Văn Hải,hai.lv@so-a.gov.vn,so-a\n", {"so-a"}
    )

    def stored() -> str:
        with world.app.engine.connect() as c:
            return str(
                c.execute(
                    select(users.c.password_hash).where(users.c.username == "hai.lv")
                ).scalar_one()
            )

    assert stored().startswith("$argon2id$v=19$m=8192,t=1,")  # random, replaced at first use
    admin.change_own_password("hai.lv", made.password, "mat-khau-cua-hai", world.clock())
    assert stored().startswith("$argon2id$v=19$m=65536,t=3,")
    assert not admin.must_change_password("hai.lv")


def test_the_account_logs_work_on_postgresql_too(postgres_url: str) -> None:
    from datetime import UTC, datetime

    from planflow.application.account_csv import CsvRejected
    from planflow.application.app import PlanflowApp

    application = PlanflowApp(postgres_url)
    try:
        admin = AccountAdmin(application.engine)
        at = datetime(2022, 2, 21, 1, tzinfo=UTC)
        made = admin.import_csv("admin", at, CSV_GOOD, {"so-a", "so-b"})
        with pytest.raises(CsvRejected) as refused:
            admin.import_csv("admin", at, CSV_GOOD, {"so-a", "so-b"})
        assert [p[0] for p in refused.value.problems] == [2, 3]  # both exist now
        admin.record_signin("binh.nv", "page", at, "10.0.0.1")
        admin.set_active("admin", at, "cuc.tt", False)
        assert [a.username for a in admin.accounts() if not a.active] == ["cuc.tt"]
        assert [s.at for s in admin.signins()] == [at]
        assert [c.action for c in admin.changes()][:1] == ["deactivated"]
        assert len(made) == 2 and all(admin.must_change_password(m.user.username) for m in made)
    finally:
        application.close()


def test_a_signed_in_account_changes_its_own_password_and_the_admin_cannot_reset_its_own(
    world: WebWorld,
) -> None:
    csrf = sign_in(world, "admin")
    own = world.client.post("/accounts/admin/reset", data={"csrf_token": csrf})
    assert own.status_code == 409 and "/password" in own.text
    csrf = sign_in(world, "director")
    form = world.client.get("/password")
    assert form.status_code == 200 and 'data-testid="password-form"' in form.text
    wrong = world.client.post(
        "/password",
        data={
            "csrf_token": csrf,
            "current_password": "not-it-at-all",
            "new_password": "mat-khau-moi-2",
            "repeat_password": "mat-khau-moi-2",
        },
    )
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.text
    done = world.client.post(
        "/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": "mat-khau-moi-2",
            "repeat_password": "mat-khau-moi-2",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/board?ok=password-changed"
    assert world.client.get("/board").status_code == 200  # a fresh session
    assert _sign_in_raw(world, "director", "mat-khau-moi-2")[0] == 303
    log = [(c.actor, c.action) for c in AccountAdmin(world.app.engine).changes()]
    assert log[0] == ("director", "password_changed")
