"""``planflow summary``: the Office's consolidated report (báo cáo tổng hợp) on a plan for a
period, as HTML, PDF, DOCX or XLSX. (``planflow report`` stays the agency's command that submits a
report.)"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planflow.application.timeparse import parse_moment
from planflow.cli.choices import check_plan
from planflow.cli.common import app, console, edge, open_app, wall_now
from planflow.domain.clock import LOCAL_TZ


@app.command()
def summary(
    plan: Annotated[str, typer.Option(help="Plan id, e.g. kien-giang-2022-tthc")],
    period: Annotated[
        str, typer.Option(help="2022-Q1 … 2022-Q4, 2022-H1, 2022-9M, 2022 (the year)")
    ],
    fmt: Annotated[str, typer.Option("--format", help="html, pdf, docx or xlsx")] = "html",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: a name)")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The board as it stood then (a bare date = end of day). Default: the end of the "
            "day the Office's own report on the period falls due",
        ),
    ] = None,
) -> None:
    """Báo cáo tổng hợp / the Office's consolidated report for a period."""
    from planflow.application.summary import build_summary, default_moment, summary_period
    from planflow.reports import check_format, filename, render

    with edge():
        check_format(fmt)
        wanted = summary_period(period)
        application = open_app()
        check_plan(application.engine, plan)
        if as_of:
            moment = parse_moment(as_of, bare_date="end")
        else:
            moment = default_moment(application, plan, wanted, wall_now())
        figures = build_summary(application, plan, wanted, moment)
        data = render(figures, fmt)
        target = output or Path(filename(plan, wanted.code, fmt))
        target.write_bytes(data)
        t = figures.totals
        when = f"{moment.astimezone(LOCAL_TZ):%d/%m/%Y %H:%M}"
        console.print(
            f"{target} — {wanted.label_vi}, số liệu đến {when} (giờ Việt Nam): {t.total} nhiệm "
            f"vụ, {len(figures.missing)} báo cáo chưa nhận được / figures as of {when} (Vietnam "
            f"time): {t.total} tasks, {len(figures.missing)} reports missing",
            markup=False,
        )
