"""The Office's own report task offers the period's consolidated report, drafted by planflow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from planflow.application.queries import BoardFilter, list_tasks
from planflow.workflow.loader import LoadedPlan
from webkit import WebWorld, make_world, seed_database


@pytest.fixture(scope="module")
def kg_web_template(tmp_path_factory: pytest.TempPathFactory, kien_giang: LoadedPlan) -> Path:
    return seed_database(
        tmp_path_factory.mktemp("kg-web") / "seed.db", kien_giang, "so-tu-phap", "so-tai-chinh"
    )


@pytest.fixture
def kg_world(tmp_path: Path, kg_web_template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, kg_web_template)


def _report_task(world: WebWorld, agency: str) -> str:
    views = list_tasks(
        world.app.engine,
        datetime(2022, 3, 1, tzinfo=UTC),
        BoardFilter(agency=agency, period="2022-Q1"),
        as_of=False,
    )
    return next(v.id for v in views if v.completion == "report")


def test_the_offices_report_task_links_the_drafted_consolidated_report(
    kg_world: WebWorld, tmp_path: Path
) -> None:
    from test_web_pages import sign_in

    sign_in(kg_world, "director")
    office_task = _report_task(kg_world, "vp-ubnd")
    page = kg_world.client.get(f"/tasks/{office_task}").text
    assert 'data-testid="summary-draft"' in page and "Dự thảo báo cáo tổng hợp" in page
    link = "/board/summary?plan=kien-giang-2022-tthc&amp;period=2022-Q1&amp;format=docx"
    assert link in page
    response = kg_world.client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    out = tmp_path / "draft.docx"
    out.write_bytes(response.content)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "BÁO CÁO" in text
    agency_task = _report_task(kg_world, "so-tu-phap")
    assert 'data-testid="summary-draft"' not in kg_world.client.get(f"/tasks/{agency_task}").text
