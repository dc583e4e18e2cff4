"""``planflow users …`` and ``planflow serve`` (with uvicorn.run replaced, so nothing listens)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from planflow.application.app import PlanflowApp
from planflow.cli.main import app
from planflow.web.accounts import AccountStore, Role
from planflow.web.auth import Signer
from planflow.web.settings import WebSettings

runner = CliRunner()


def _db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def test_users_add_creates_an_account_with_a_hashed_password(tmp_path: Path) -> None:
    db = _db(tmp_path)
    result = runner.invoke(
        app,
        [
            "--db",
            db,
            "users",
            "add",
            "Nguyen.Van.A",
            "--role",
            "agency_officer",
            "--agency",
            "so-tu-phap",
            "--password",
            "mat-khau-123",
        ],
    )
    assert result.exit_code == 0, result.output
    application = PlanflowApp(f"sqlite:///{db}")
    try:
        store = AccountStore(application.engine)
        user = store.authenticate("nguyen.van.a", "mat-khau-123")
        assert user is not None and (user.role, user.agency) == (Role.AGENCY_OFFICER, "so-tu-phap")
        assert store.authenticate("nguyen.van.a", "wrong-password") is None
    finally:
        application.close()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["x1", "--role", "king", "--password", "12345678"], 2, "Vai trò không hợp lệ"),
        (["x2", "--role", "agency_head", "--password", "12345678"], 2, "cần mã cơ quan"),
        (["x3", "--role", "auditor", "--password", "short"], 2, "ít nhất 8 ký tự"),
        (["Tên có dấu", "--role", "auditor", "--password", "12345678"], 2, "Tên đăng nhập"),
    ],
)
def test_users_add_refuses_bad_input(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = runner.invoke(app, ["--db", _db(tmp_path), "users", "add", *args])
    assert result.exit_code == code
    assert message in result.output


def test_users_add_twice_is_refused(tmp_path: Path) -> None:
    args = [
        "--db",
        _db(tmp_path),
        "users",
        "add",
        "kt",
        "--role",
        "auditor",
        "--password",
        "12345678",
    ]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 3 and "đã tồn tại" in again.output


def test_users_token_prints_a_token_the_server_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _db(tmp_path)
    runner.invoke(
        app, ["--db", db, "users", "add", "kt", "--role", "auditor", "--password", "12345678"]
    )
    monkeypatch.setenv("PLANFLOW_SECRET_KEY", "shared-secret")
    result = runner.invoke(app, ["--db", db, "users", "token", "kt", "--password", "12345678"])
    assert result.exit_code == 0, result.output
    settings = WebSettings(database_url=f"sqlite:///{db}", secret_key="shared-secret")
    application = PlanflowApp(settings.database_url)
    try:
        user = Signer(settings).token_user(result.output.strip(), AccountStore(application.engine))
        assert user is not None and user.username == "kt"
    finally:
        application.close()
    wrong = runner.invoke(app, ["--db", db, "users", "token", "kt", "--password", "nope-nope"])
    assert wrong.exit_code == 3


def test_serve_seeds_an_empty_store_and_prints_the_demo_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(web: Any, **options: Any) -> None:
        served.update(options)
        with TestClient(web) as client:
            token = client.post(
                "/api/v1/token", data={"username": "director", "password": "planflow-demo"}
            ).json()["access_token"]
            served["plans"] = client.get(
                "/api/v1/plans", headers={"Authorization": f"Bearer {token}"}
            ).json()

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    monkeypatch.setenv("PLANFLOW_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("PLANFLOW_SECRET_KEY", "serve-secret")  # outside --demo it is required
    result = runner.invoke(
        app, ["--db", _db(tmp_path), "serve", "--port", "8123", "--tick-interval", "3600"]
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/" in result.output
    for username in ("director", "staff", "officer", "head", "auditor", "admin"):
        assert username in result.output
    assert served["port"] == 8123
    assert served["plans"]["plans"][0]["code"] == "kien-giang-2022-tthc"
