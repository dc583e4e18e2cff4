"""``planflow status`` draws at most ``--limit`` rows (1,000 by default) and says how many more
there are; its counts and its JSON still cover every task."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from planflow.cli.main import app as cli

AT = "2022-10-03T09:00"


def status(url: str, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["--db", url, "status", *args], env={"COLUMNS": "250", "NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def counted(output: str) -> int:
    """The summary table's counts, added up."""
    summary = output.split("Tổng hợp / Summary", 1)[1]
    return sum(int(n) for n in re.findall(r"\(\w+\)\s*│\s*(\d+)", summary))


def test_the_table_stops_at_the_limit_and_names_how_many_more(kg_sqlite_url: str) -> None:
    everything = json.loads(status(kg_sqlite_url, "--format", "json", "--as-of", AT))["count"]
    output = status(kg_sqlite_url, "--limit", "5", "--as-of", AT)
    rows = [line for line in output.splitlines() if re.match(r"│ [0-9a-f]{8} ", line)]
    assert len(rows) == 5
    assert f"và {everything - 5} nhiệm vụ nữa" in output
    assert f"and {everything - 5} more tasks" in output
    assert counted(output) == everything > 400


def test_limit_zero_and_the_default_draw_every_row_of_a_plan_this_size(
    kg_sqlite_url: str,
) -> None:
    everything = json.loads(status(kg_sqlite_url, "--format", "json"))["count"]
    for args in (["--limit", "0"], []):
        output = status(kg_sqlite_url, *args)
        rows = [line for line in output.splitlines() if re.match(r"│ [0-9a-f]{8} ", line)]
        assert len(rows) == everything
        assert "more tasks" not in output
