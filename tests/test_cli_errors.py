"""The CLI never looks successful when it failed: an unknown filter, a missing file, a bad database
path or a short task id is an error that says so, with its exit code; dates are accepted as
Vietnamese users write them; messages are Vietnamese, then English."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from conftest import KIEN_GIANG
from planflow.cli import common
from planflow.cli.main import app as cli
from planflow.domain.task import task_id

KG = "kien-giang-2022-tthc"
SO_TU_PHAP_Q1 = str(task_id(KG, "IV.1.a.2", "so-tu-phap", "2022-Q1"))
SO_TU_PHAP_PLAN = str(task_id(KG, "IV.1.a.1", "so-tu-phap", "2022"))

runner = CliRunner()


def invoke(db: Path, *args: str) -> Result:
    return runner.invoke(cli, ["--db", str(db), *args])


def ok(db: Path, *args: str) -> str:
    result = invoke(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def events_in(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM planflow_events").fetchone()[0])


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    """Tables are printed 250 columns wide, so a cell's words stay on one line."""
    before = common.console.width
    common.console.width = 250
    yield
    common.console.width = before


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "planflow.db"
    ok(db, "load", str(KIEN_GIANG), "--at", "2022-02-15")
    return db


@pytest.fixture
def kg(tmp_path: Path, loaded_db: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{loaded_db}{suffix}")
        if source.exists():
            shutil.copy(source, tmp_path / f"planflow.db{suffix}")
    return tmp_path / "planflow.db"


def refused(result: Result, code: int, *phrases: str) -> str:
    """The command failed with ``code``, said so on stderr (Vietnamese first), printed nothing."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    message = result.stderr
    assert message.startswith("Lỗi / Error:"), message
    assert "Traceback" not in message
    for phrase in phrases:
        assert phrase in message, message
    return message


# --- filters that match nothing known are errors, not empty tables -------------------------------


def test_an_unknown_agency_on_the_board_is_an_error_naming_the_agencies(kg: Path) -> None:
    message = refused(
        invoke(kg, "status", "--agency", "so-tu-phapp"),
        2,
        "Mã cơ quan không hợp lệ 'so-tu-phapp'",
        "unknown agency 'so-tu-phapp'; choose one of:",
    )
    assert "so-tu-phap," in message and "vp-ubnd" in message
    assert message.index("Mã cơ quan") < message.index("unknown agency")


def test_an_unknown_period_is_an_error_naming_the_periods(kg: Path) -> None:
    refused(
        invoke(kg, "status", "--period", "Q1-2022"),
        2,
        "Kỳ không hợp lệ 'Q1-2022'",
        "unknown period 'Q1-2022'",
        "2022-Q1",
    )


def test_an_unknown_duty_plan_or_status_is_an_error_naming_the_choices(kg: Path) -> None:
    refused(invoke(kg, "status", "--duty", "IV.9.z"), 2, "unknown duty 'IV.9.z'", "IV.1.a.2")
    refused(invoke(kg, "status", "--plan", "kg-2021"), 2, "unknown plan 'kg-2021'", KG)
    refused(
        invoke(kg, "status", "--status", "late"),
        2,
        "Tình trạng không hợp lệ 'late'",
        "open_overdue",
    )


def test_the_ledger_and_the_summary_check_their_agency_and_plan(kg: Path, tmp_path: Path) -> None:
    refused(invoke(kg, "ledger", "--agency", "so-tu-phapp"), 2, "unknown agency 'so-tu-phapp'")
    target = tmp_path / "summary.html"
    refused(
        invoke(kg, "summary", "--plan", "kg", "--period", "2022-Q1", "-o", str(target)),
        2,
        "unknown plan 'kg'",
        KG,
    )
    assert not target.exists()


def test_known_filters_still_give_the_board(kg: Path) -> None:
    data = json.loads(
        ok(kg, "status", "--agency", "so-tu-phap", "--period", "2022-Q1", "--format", "json")
    )
    assert [t["id"] for t in data["tasks"]] == [SO_TU_PHAP_Q1]


def test_letter_and_ical_for_an_unknown_agency_are_errors_and_write_nothing(
    kg: Path, tmp_path: Path
) -> None:
    letter = tmp_path / "letter.html"
    refused(
        invoke(kg, "letter", "--agency", "so-tu-phapp", "-o", str(letter), "--now", "2022-04-20"),
        2,
        "unknown agency 'so-tu-phapp'",
        "so-tu-phap",
    )
    feed = tmp_path / "feed.ics"
    refused(invoke(kg, "ical", "--agency", "so-khong-co", "-o", str(feed)), 2, "unknown agency")
    assert not letter.exists() and not feed.exists()


# --- a missing report file, a bad database, a short task id --------------------------------------


def test_a_report_whose_file_does_not_exist_is_an_error_and_records_nothing(kg: Path) -> None:
    before = events_in(kg)
    refused(
        invoke(kg, "report", SO_TU_PHAP_Q1, "--actor", "so-tu-phap", "--document", "missing.pdf"),
        2,
        "Không có tệp 'missing.pdf'",
        "no file 'missing.pdf'",
    )
    assert events_in(kg) == before


def test_a_database_path_that_cannot_be_opened_is_one_line_not_a_traceback() -> None:
    message = refused(
        runner.invoke(cli, ["--db", "/nonexistent/dir/x.db", "status"]),
        2,
        "Không mở được cơ sở dữ liệu '/nonexistent/dir/x.db': thư mục /nonexistent/dir không "
        "tồn tại",
        "cannot open the database '/nonexistent/dir/x.db': its folder /nonexistent/dir does not "
        "exist",
    )
    assert message.count("\n") == 1


def test_a_too_short_task_prefix_says_six_characters_are_needed(kg: Path) -> None:
    refused(invoke(kg, "history", "f1be"), 2, "ít nhất 6 ký tự", "at least its first 6 characters")
    refused(
        invoke(kg, "execute", "xyz", "--actor", "so-tu-phap"),
        2,
        "task id 'xyz' is not valid",
    )
    refused(invoke(kg, "show", "abcdef12"), 4, "no task 'abcdef12'")


# --- a completed task cannot be cancelled --------------------------------------------------------


def test_a_completed_task_cannot_be_cancelled_and_stays_in_the_counts(
    kg: Path, tmp_path: Path
) -> None:
    report = tmp_path / "bao-cao.pdf"
    report.write_bytes(b"%PDF")
    ok(kg, "report", SO_TU_PHAP_Q1, "--actor", "so-tu-phap", "--document", str(report))
    ok(kg, "accept", SO_TU_PHAP_Q1, "--actor", "vp-ubnd")
    before = events_in(kg)
    refused(
        invoke(kg, "cancel", SO_TU_PHAP_Q1, "--actor", "vp-ubnd", "--reason", "nhầm"),
        3,
        "Nhiệm vụ đã hoàn thành: không thể hủy",
        "the task is already done: cannot cancel",
    )
    assert events_in(kg) == before
    data = json.loads(ok(kg, "status", "--agency", "so-tu-phap", "--format", "json"))
    done = [t for t in data["tasks"] if t["id"] == SO_TU_PHAP_Q1]
    assert [t["cancelled"] for t in done] == [False]


# --- dates as Vietnamese users write them; times in Vietnam time --------------------------------


def test_dates_typed_dd_mm_yyyy_are_accepted_like_iso(kg: Path) -> None:
    ok(kg, "execute", SO_TU_PHAP_PLAN, "--actor", "so-tu-phap", "--at", "10/03/2022 14:30")
    ok(
        kg,
        "extend",
        SO_TU_PHAP_Q1,
        "--actor",
        "vp-ubnd",
        "--to",
        "25/03/2022",
        "--reason",
        "bổ sung",
    )
    shown = json.loads(ok(kg, "show", SO_TU_PHAP_Q1, "--format", "json"))
    assert shown["due"] == "2022-03-25"
    history = json.loads(ok(kg, "history", SO_TU_PHAP_PLAN, "--format", "json"))
    assert history["events"][-1]["timestamp"] == "2022-03-10T07:30:00+00:00"
    board = json.loads(
        ok(kg, "status", "--as-of", "17/03/2022", "--agency", "so-tu-phap", "--format", "json")
    )
    assert board["as_of"].startswith("2022-03-17T23:59:59")
    refused(invoke(kg, "status", "--as-of", "31/13/2022"), 2, "invalid time '31/13/2022'")
    refused(
        invoke(kg, "extend", SO_TU_PHAP_Q1, "--actor", "x", "--to", "32/03/2022", "--reason", "r"),
        2,
        "invalid date '32/03/2022' (use dd/mm/yyyy",
    )


def test_a_time_before_the_last_event_is_told_in_vietnam_time(kg: Path) -> None:
    ok(kg, "execute", SO_TU_PHAP_PLAN, "--actor", "so-tu-phap", "--at", "10/03/2022 14:30")
    refused(
        invoke(kg, "execute", SO_TU_PHAP_PLAN, "--actor", "so-tu-phap", "--at", "09/03/2022"),
        3,
        "Thời điểm 09/03/2022 08:00:00 sớm hơn sự kiện cuối của nhiệm vụ (10/03/2022 14:30:00, "
        "giờ Việt Nam)",
        "(10/03/2022 14:30:00, Vietnam time)",
    )


# --- bilingual output, one word for escalation --------------------------------------------------


def test_history_names_each_event_in_vietnamese_then_english(kg: Path) -> None:
    out = ok(kg, "history", SO_TU_PHAP_Q1[:8])
    assert "Giao nhiệm vụ / Assigned" in out
    data = json.loads(ok(kg, "history", SO_TU_PHAP_Q1, "--format", "json"))
    assert data["events"][0]["type"] == "Assigned"
    assert data["events"][0]["type_vi"] == "Giao nhiệm vụ"


def test_totals_and_escalations_read_vietnamese_then_english(kg: Path) -> None:
    out = ok(kg, "simulate", "--from", "01/04/2022", "--to", "15/04/2022")
    total = next(line for line in out.splitlines() if line.startswith("Tổng cộng"))
    vi, en = total.split(" / ")
    assert vi.startswith("Tổng cộng: ") and vi.endswith(" ngày") and "bước trong" in vi
    assert en.startswith("Total: ") and en.endswith(" days") and "steps over" in en
    assert "Báo cáo cấp trên / escalation" in out and "Vượt cấp" not in out
    tick = ok(kg, "tick", "--now", "20/04/2022 08:00")
    assert "Đã ghi " in tick and " / recorded " in tick


def test_a_tick_is_titled_in_vietnam_time(kg: Path) -> None:
    tick = ok(kg, "tick", "--now", "07/03/2022 10:00")
    assert "Lượt lúc 07/03/2022 10:00 (giờ Việt Nam) / Tick at 07/03/2022 10:00 (Vietnam time)" in (
        tick
    )
