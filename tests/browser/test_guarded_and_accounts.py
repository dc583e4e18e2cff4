"""In Chromium: the director's cancel asks for confirmation first; the administrator creates
accounts from a CSV and a new officer chooses a password at the first sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from .conftest import LiveServer
from .test_pages_in_chromium import shot, sign_in, task_of


def test_the_director_cancels_a_task_only_after_confirming_what_will_happen(
    page: Any, live: LiveServer
) -> None:
    task = task_of(live, "IV.1.a.2", "so-tu-phap", "2022-Q1")
    sign_in(page, live, "director")
    page.goto(f"{live.url}/tasks/{task}")
    page.fill("[data-testid=cancel] textarea[name=reason]", "Trùng với nhiệm vụ khác")
    page.click("[data-testid=cancel-send]")
    page.wait_for_load_state()
    confirm = page.locator("[data-testid=confirm]")
    assert confirm.count() == 1
    said = page.inner_text("[data-testid=what-will-happen]")
    assert "Hủy nhiệm vụ: Trùng với nhiệm vụ khác" in said
    assert "không thể hoàn tác" in said
    events = [type(e).__name__ for e in live.app.task_events(UUID(task))]
    assert "Cancelled" not in events  # nothing yet
    shot(page, live, "cancel-confirm.png")
    page.click("[data-testid=confirm-yes]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/tasks/{task}?ok=cancel")
    assert page.inner_text("[data-testid=flash]") == "Đã hủy."
    assert [type(e).__name__ for e in live.app.task_events(UUID(task))].count("Cancelled") == 1


def test_the_administrator_creates_accounts_from_a_csv_and_one_signs_in(
    page: Any, live: LiveServer, tmp_path: Path
) -> None:
    csv = tmp_path / "tai-khoan.csv"
    csv.write_text(
        "Họ tên,Thư điện tử,Mã cơ quan\n"
        "Nguyễn Văn Bình,binh.nv@stp.kiengiang.gov.vn,so-tu-phap\n"
        "Trần Thị Cúc,cuc.tt@snv.kiengiang.gov.vn,so-noi-vu\n",
        encoding="utf-8",
    )
    sign_in(page, live, "admin")
    assert page.url.endswith("/accounts")
    page.set_input_files("[data-testid=csv-file]", str(csv))
    page.click("[data-testid=import-send]")
    page.wait_for_load_state()
    rows = page.locator("[data-testid=created-row]")
    assert rows.count() == 2
    one_time = page.inner_text(
        "[data-testid=created-row][data-username='binh.nv'] [data-testid=one-time-password]"
    )
    shot(page, live, "accounts-created.png")
    listed = page.locator("[data-testid=account][data-username='cuc.tt']")
    assert "Sở Nội vụ" in listed.inner_text()
    page.context.clear_cookies()
    page.goto(f"{live.url}/login")
    page.fill("input[name=username]", "binh.nv")
    page.fill("input[name=password]", one_time)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=password-form]").count() == 1
    page.fill("input[name=current_password]", one_time)
    page.fill("input[name=new_password]", "mat-khau-cua-binh")
    page.fill("input[name=repeat_password]", "mat-khau-cua-binh")
    page.click("[data-testid=password-send]")
    page.wait_for_load_state()
    assert "/agency" in page.url
    assert page.inner_text("[data-testid=flash]") == "Đã đổi mật khẩu."
    assert "binh.nv" in page.inner_text("[data-testid=who]")
