"""Date fields as Vietnamese users write them (issue 10, point 5): the task page's date inputs
are text fields that show and take dd/mm/yyyy with a hint in the page's language — not the
browser's own date picker, whose format follows the browser's locale, not the page's — and the
plan review form reads dd/mm/yyyy too."""

from __future__ import annotations

import re

from planflow.application.draft_fields import apply_form
from test_web_pages import sign_in
from webkit import WebWorld


def _date_input(html: str, name: str) -> str:
    found = re.search(rf'<input name="{name}"[^>]*>', html)
    assert found is not None, name
    return found.group(0)


def test_the_extend_form_takes_day_month_year_with_a_hint_in_the_pages_language(
    world: WebWorld,
) -> None:
    task = world.task_id("D1", "so-a")
    sign_in(world, "director")
    page = world.client.get(f"/tasks/{task}").text
    field = _date_input(page, "new_due")
    assert 'type="text"' in field and 'type="date"' not in field
    assert 'placeholder="ngày/tháng/năm"' in field and 'inputmode="numeric"' in field
    assert "ngày/tháng/năm, ví dụ 15/04/2022" in page
    world.client.get(f"/lang/en?next=/tasks/{task}")
    english = world.client.get(f"/tasks/{task}").text
    assert 'placeholder="dd/mm/yyyy"' in _date_input(english, "new_due")
    assert "day/month/year, e.g. 15/04/2022" in english


def test_the_plan_review_form_reads_day_month_year_and_keeps_what_it_cannot_read() -> None:
    data = {
        "plan": {"id": "p", "date": "2023-01-05"},
        "duties": [{"id": "D1", "schedule": {"due": "2023-03-31"}}],
    }
    changed = apply_form(
        data,
        {
            "plan.date": "05/02/2023",
            "duties[0].schedule.kind": "due",
            "duties[0].schedule.due": "30/06/2023",
        },
    )
    assert str(data["plan"]["date"]) == "2023-02-05"
    assert str(data["duties"][0]["schedule"]["due"]) == "2023-06-30"
    assert changed
    apply_form(data, {"duties[0].schedule.kind": "due", "duties[0].schedule.due": "31/13/2023"})
    assert data["duties"][0]["schedule"]["due"] == "31/13/2023"
