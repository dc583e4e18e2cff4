"""Hostile and broken workflow files: each is refused quickly with a WorkflowError naming the file,
the line and the field, the CLI exits 2 and the store is untouched.

The corpus is tests/hostile/ (made by tests/hostile/generate.py from mini.yaml and the Kiên Giang
plan); ``CASES`` says what each file must be refused with. Files too large to commit, FIFOs,
directories and symlinks are made here, in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import planflow.cli.common as cli_main
import planflow.cli.main  # noqa: F401  (registers the commands on the shared app)
from conftest import KIEN_GIANG, MINI, ROOT
from planflow.workflow import yamlsource
from planflow.workflow.errors import WorkflowError
from planflow.workflow.loader import load_workflow
from planflow.workflow.yamlsource import MAX_FILE_BYTES

HOSTILE = ROOT / "tests" / "hostile"
SECONDS = 1.0  # the pathological files used to take minutes; each must now be refused within this


@dataclass(frozen=True)
class Case:
    name: str
    line: int | None  # the line named in the message, None for a whole-file problem
    field: str  # "" for a problem of the whole file
    fragment: str  # a piece of the message


CASES = [
    # Bytes: refused before any YAML is parsed.
    Case("bom.yaml", 1, "", "byte-order mark (BOM)"),
    Case("utf16.yaml", 1, "", "UTF-16 byte-order mark"),
    Case("not-utf8.yaml", 22, "", "not UTF-8: byte 0xf4"),
    Case("kg-latin1.yaml", 56, "", "not UTF-8: byte 0xe0"),
    Case("nul-byte.yaml", 6, "", "NUL byte"),
    Case("control-char.yaml", 18, "", "control character U+0007"),
    # YAML the guarded composer refuses.
    Case("billion-laughs.yaml", 55, "x-laughs.lol5[0]", "alias *lol4 expands too far"),
    Case("laughs-as-title.yaml", 9, "x-anchors.l5[0]", "expands too far"),
    Case("kg-laughs-in-ladder.yaml", 617, "e5[0]", "alias *e4 expands too far"),
    Case("alias-fan-out.yaml", 40, "duties[1].assignees[48]", "alias *big expands too far"),
    Case("deep-flow.yaml", 8, "plan.title_en[0][0][0][0][0][0][0][0][0][0]…", "nested too deeply"),
    Case("deep-flow-unclosed.yaml", 8, "plan.title_en.a.a.a.a.a.a.a.a.a.a…", "nested too deeply"),
    Case("deep-block.yaml", 71, "plan.signer_x.k0.k1.k2.k3.k4.k5.k6.k7.k8.k9…", "more than 64 levels"),
    Case("recursive-alias.yaml", 9, "plan.legal_bases[0]", "recursive alias *lb"),
    Case("recursive-alias-map.yaml", 16, "agencies[0].head.deputy", "recursive alias *h"),
    Case("undefined-alias.yaml", 33, "duties[0].assignees", "undefined alias *nobody"),
    Case("duplicate-anchor.yaml", 22, "agencies[2].name_vi", "duplicate anchor &n (first on line 18)"),
    Case("duplicate-top-key.yaml", 49, "plan", "duplicate key 'plan' (first on line 3)"),
    Case("duplicate-nested-key.yaml", 8, "plan.year", "duplicate key 'year' (first on line 7)"),
    Case("duplicate-flow-key.yaml", 35, "duties[0].schedule.due", "duplicate key 'due'"),
    Case("duplicate-quoted-key.yaml", 16, "agencies[0].kind", "duplicate key 'kind'"),
    Case("kg-duplicate-issuer.yaml", 16, "plan.issuer", "duplicate key 'issuer' (first on line 15)"),
    Case("python-object-tag.yaml", 6, "plan.number", "tag not allowed: !!python/object/apply:os.system"),
    Case("custom-tag.yaml", 6, "plan.number", "tag not allowed: !include"),
    Case("binary-tag.yaml", 6, "plan.number", "tag not allowed: !!binary"),
    Case("multi-document.yaml", 49, "", "more than one YAML document"),
    Case("scalar-document.yaml", 2, "", "must be a YAML mapping: tìm thấy một giá trị đơn / found a single str"),
    Case("list-document.yaml", 2, "", "must be a YAML mapping: tìm thấy một danh sách / found a list"),
    Case("empty.yaml", None, "", "the file is empty"),
    Case("complex-key.yaml", 8, "plan", "a mapping key must be a plain scalar"),
    Case("unclosed-quote.yaml", 49, "", "broken YAML"),
    Case("tab-indent.yaml", 15, "", "broken YAML"),
    Case("escaped-nul.yaml", 6, "plan.number", "control character U+0000"),
    Case("escaped-bell.yaml", 18, "agencies[1].name_vi", "control character U+0007"),
    Case("huge-integer.yaml", 7, "plan.year", "invalid value: Exceeds the limit (4300 digits)"),
    Case("impossible-date.yaml", 35, "duties[0].schedule.due", "invalid date"),
    # The models' limits.
    Case("long-plan-number.yaml", 6, "plan.number", "chuỗi quá dài / String should have at most 200 characters"),
    Case("long-duty-title.yaml", 32, "duties[0].title_vi", "at most 4000 characters"),
    Case("long-agency-name.yaml", 18, "agencies[1].name_vi", "at most 1000 characters"),
    Case("kg-long-issuer.yaml", 15, "plan.issuer", "at most 1000 characters"),
    Case("long-code.yaml", 4, "plan.id", "at most 64 characters"),
    Case("long-contact.yaml", 12, "plan.signer.contact", "at most 200 characters"),
    Case("many-agencies.yaml", 12, "agencies", "danh sách quá dài / List should have at most 2000 items"),
    Case("many-assignees.yaml", 33, "duties[0].assignees", "at most 2000 items"),
    Case("many-legal-bases.yaml", 9, "plan.legal_bases", "at most 100 items"),
    Case("too-many-tasks.yaml", 329, "duties", "too many tasks: up to 102982, at most 100000"),
    Case("huge-ladder-days.yaml", 48, "escalation.ladder[2].working_days_after_due", "less than or equal to 366"),
    Case("huge-reminder-days.yaml", 45, "escalation.reminders_working_days_before[0]", "less than or equal to 366"),
    Case("huge-level.yaml", 48, "escalation.ladder[2].level", "less than or equal to 100"),
    Case("repeated-recurrence.yaml", 42, "duties[1].schedule.every[2]", "period kind 'quarter' is listed twice"),
    Case("long-key.yaml", 8, "plan." + "k" * 80 + "…", "trường không được phép / Extra inputs are not permitted"),
    Case("number-as-list.yaml", 6, "plan.number", "phải là một chuỗi / Input should be a valid string"),
    # The calendar overrides path, and hostile overrides files inside the folder.
    Case("overrides-dotdot.yaml", 13, "calendar.overrides", "outside the workflow file's folder: '../../../etc/passwd'"),
    Case("overrides-sneaky-dotdot.yaml", 13, "calendar.overrides", "outside the workflow file's folder"),
    Case("kg-overrides-escape.yaml", 61, "calendar.overrides", "outside the workflow file's folder"),
    Case("overrides-absolute.yaml", 13, "calendar.overrides", "an absolute path is not allowed: '/etc/passwd'"),
    Case("overrides-directory.yaml", 13, "calendar.overrides", "this is a directory"),
    Case("overrides-bomb.yaml", 13, "calendar.overrides", "bomb.yaml:6: d5[0]: bí danh *d4"),
    Case("overrides-python-tag.yaml", 13, "calendar.overrides", "python-tag.yaml:1: working_days: thẻ YAML"),
    Case("overrides-long-reason.yaml", 13, "calendar.overrides", "long-reason.yaml:2: days_off[0].reason:"),
]  # fmt: skip

# The real console script, run as a subprocess on a handful of cases (each start costs seconds):
# the file name and the commands run.
SCRIPT_CASES = [
    ("billion-laughs.yaml", ("validate", "load")),
    ("deep-flow.yaml", ("load",)),
    ("overrides-dotdot.yaml", ("load",)),
]


def refuse(path: Path) -> tuple[WorkflowError, float]:
    started = time.perf_counter()
    with pytest.raises(WorkflowError) as info:
        load_workflow(path)
    return info.value, time.perf_counter() - started


def where(path: Path, line: int | None, field: str) -> str:
    """How a problem starts: ``file:line: field:``."""
    return f"{path}:{line}: {field or '(file)'}:" if line else f"{path}: {field or '(file)'}:"


def assert_vietnamese_then_english(error: WorkflowError) -> None:
    for problem in error.problems:
        vietnamese, slash, english = problem.message.partition(" / ")
        assert slash and english, problem
        assert any(ord(c) > 127 for c in vietnamese), problem


def events_in(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM planflow_events").fetchone()[0])


def run_planflow(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PLANFLOW_DATABASE_URL"}
    env.update(COLUMNS="250", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "planflow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store with the mini plan loaded: hostile files must not add a row to it."""
    db = tmp_path_factory.mktemp("store") / "planflow.db"
    args = ["--db", str(db), "load", str(MINI), "--at", "2022-02-15"]
    result = CliRunner().invoke(cli_main.app, args)
    assert result.exit_code == 0, result.output
    assert events_in(db) > 0
    return db


@pytest.fixture
def wide_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's error console, wide enough that no message is wrapped."""
    monkeypatch.setattr(
        cli_main, "err_console", Console(highlight=False, soft_wrap=False, width=400, stderr=True)
    )


# --- the corpus --------------------------------------------------------------------------------


def test_the_corpus_and_the_table_agree() -> None:
    files = {p.name for p in HOSTILE.glob("*.yaml")}
    assert files == {c.name for c in CASES}
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_hostile_file_is_refused_quickly_naming_file_line_and_field(case: Case) -> None:
    path = HOSTILE / case.name
    load_workflow(MINI)  # imports and the holiday calendar warmed up, not timed
    error, elapsed = refuse(path)
    assert elapsed < SECONDS, f"{case.name} took {elapsed:.2f} s"
    first = error.problems[0]
    assert (first.file, first.line, first.field) == (path, case.line, case.field), first
    text = str(error)
    assert text.startswith(where(path, case.line, case.field)), text[:300]
    assert case.fragment in text, text[:300]
    assert all(len(str(p)) < 1000 for p in error.problems), "a message must stay readable"
    assert_vietnamese_then_english(error)


@pytest.mark.skipif(not yamlsource.USE_LIBYAML, reason="the pure-Python parser is the default")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_without_libyaml_the_same_files_are_refused_on_the_same_lines(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the parser's own wording of broken YAML may differ; not timed (pure Python is slower).
    monkeypatch.setattr(yamlsource, "USE_LIBYAML", False)
    path = HOSTILE / case.name
    error, _ = refuse(path)
    first = error.problems[0]
    assert (first.line, first.field) == (case.line, case.field), first
    assert case.fragment in str(error)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_cli_exits_2_and_writes_nothing(case: Case, store: Path, wide_errors: None) -> None:
    path = HOSTILE / case.name
    before = events_in(store)
    runner = CliRunner()
    for command in ("validate", "load"):
        result = runner.invoke(cli_main.app, ["--db", str(store), command, str(path)])
        assert result.exit_code == 2, (command, result.output)
        assert "Tệp kế hoạch không hợp lệ / Invalid workflow file" in result.output
        assert where(path, case.line, case.field) in result.output
        assert case.fragment in result.output
        assert "Không có gì được ghi / Nothing was written." in result.output
    assert events_in(store) == before


@pytest.mark.parametrize(("name", "commands"), SCRIPT_CASES)
def test_the_console_script_exits_2_and_writes_nothing(
    name: str, commands: tuple[str, ...], store: Path
) -> None:
    case = next(c for c in CASES if c.name == name)
    path = HOSTILE / name
    before = events_in(store)
    for command in commands:
        result = run_planflow("--db", str(store), command, str(path))
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert where(path, case.line, case.field) in result.stderr
        assert case.fragment in result.stderr
        assert "Nothing was written" in result.stderr
    assert events_in(store) == before


# --- what the corpus cannot hold ---------------------------------------------------------------


def test_a_10_mb_plan_number_is_refused_by_size_before_reading(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "huge-number.yaml"
    text = MINI.read_text(encoding="utf-8")
    path.write_text(text.replace("number: 1/KH-UBND", "number: " + "1" * 10_000_000), "utf-8")
    error, elapsed = refuse(path)
    assert elapsed < SECONDS
    [problem] = error.problems
    assert (problem.line, problem.field) == (None, "")
    assert f"file too large: {path.stat().st_size} bytes, the limit is {MAX_FILE_BYTES}" in str(
        error
    )
    before = events_in(store)
    result = run_planflow("--db", str(store), "load", str(path))
    assert result.returncode == 2, result.stderr
    assert f"{path}: (file): tệp quá lớn" in result.stderr
    assert events_in(store) == before


def test_a_file_of_exactly_the_limit_loads_and_one_byte_more_does_not(tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8")
    padding = MAX_FILE_BYTES - len(text.encode("utf-8"))
    lines, rest = divmod(padding, 100)
    path = tmp_path / "padded.yaml"
    path.write_text(text + ("#" * 99 + "\n") * lines + "#" * rest, encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_workflow(path).workflow.plan.id == "mini-2022"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("#")
    error, _ = refuse(path)
    assert "file too large" in str(error)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    error, elapsed = refuse(fifo)
    assert elapsed < SECONDS
    assert "not a regular file" in str(error)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    error, _ = refuse(tmp_path)
    assert f"{tmp_path}: (file): đây là một thư mục" in str(error)


def overrides_plan(folder: Path, overrides: str) -> Path:
    path = folder / "plan.yaml"
    text = MINI.read_text(encoding="utf-8")
    path.write_text(
        text.replace("agencies:\n", f"calendar:\n  overrides: {overrides}\nagencies:\n", 1),
        encoding="utf-8",
    )
    return path


def test_a_symlink_out_of_the_folder_is_resolved_and_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("working_days: []\n", encoding="utf-8")
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "overrides.yaml").symlink_to(outside)
    error, _ = refuse(overrides_plan(folder, "overrides.yaml"))
    [problem] = error.problems
    assert (problem.line, problem.field) == (13, "calendar.overrides")
    assert "outside the workflow file's folder: 'overrides.yaml'" in problem.message


def test_overrides_inside_the_folder_still_load_through_a_symlink_and_a_subfolder(
    tmp_path: Path,
) -> None:
    (tmp_path / "calendars").mkdir()
    real = tmp_path / "calendars" / "vn.yaml"
    real.write_text(
        "days_off:\n  - {date: 2022-03-30, reason: Nghỉ thử / a test day off}\n", encoding="utf-8"
    )
    (tmp_path / "link.yaml").symlink_to(real)
    for name in ("calendars/vn.yaml", "link.yaml", "calendars/../link.yaml"):
        loaded = load_workflow(overrides_plan(tmp_path, name))
        assert not loaded.calendar.is_working_day(dt.date(2022, 3, 30))


# --- what stays allowed ------------------------------------------------------------------------


def test_the_shipped_files_still_load() -> None:
    assert len(load_workflow(KIEN_GIANG).workflow.agencies) == 55
    assert [d.id for d in load_workflow(MINI).workflow.duties] == ["D1", "D2"]


def test_small_anchors_merge_keys_and_plain_tags_are_allowed(tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8")
    text = text.replace(
        "    head: {title_vi: Giám đốc Sở A}\n", "    head: &giam-doc {title_vi: Giám đốc Sở A}\n"
    )
    text = text.replace("    head: {title_vi: Giám đốc Sở B}\n", "    head: *giam-doc\n")
    text = text.replace(
        "    - {level: 1, recipient: assignee_head, working_days_after_due: 0}",
        "    - &step {level: 1, recipient: assignee_head, working_days_after_due: 0}",
    )
    text = text.replace(
        "    - {level: 2, recipient: vp,", "    - {<<: *step, level: 2, recipient: vp,"
    )
    text = text.replace("  number: 1/KH-UBND\n", "  number: !!str 1/KH-UBND\n")
    path = tmp_path / "anchors.yaml"
    path.write_text(text, encoding="utf-8")
    workflow = load_workflow(path).workflow
    assert workflow.agencies[2].head.title_vi == "Giám đốc Sở A"
    assert [s.working_days_after_due for s in workflow.escalation.ladder] == [0, 3, 7]
    assert workflow.plan.number == "1/KH-UBND"
