"""The report as HTML (Jinja2) and as PDF (WeasyPrint, from that same HTML)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from planflow.reports import chart
from planflow.reports.content import MOTTO, NATIONAL_TITLE, Report, percent


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("planflow", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = lambda v: percent(v if isinstance(v, float) else None)
    env.globals["national_title"] = NATIONAL_TITLE
    env.globals["motto"] = MOTTO
    return env


def render_html(report: Report) -> str:
    template = environment().get_template("summary/bao-cao.html.j2")
    return template.render(r=report, chart_svg=Markup(chart.svg(report.trend)))


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which the other formats skip

    pdf = HTML(string=render_html(report)).write_pdf()
    assert pdf is not None
    return bytes(pdf)
