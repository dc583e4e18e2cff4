"""Hình 1 as SVG: one row per agency, one bar per quarter, the bar's length its on-time share.

Drawn here, with no network and no plotting library, so HTML and PDF show the same picture; the
Word document shows the same shares as a table of bars (``docx_report``).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from planflow.reports.content import Table, percent

ROW = 16
LABEL = 230
COLUMN = 88
BAR = COLUMN - 8
TOP = 22


def _colour(rate: float) -> str:
    if rate >= 0.8:
        return "#81c784"
    if rate >= 0.5:
        return "#ffd54f"
    return "#e57373"


def svg(trend: Table) -> str:
    """The trend table (STT, agency, one share per quarter) as an SVG bar chart."""
    periods = list(trend.headers[2:])
    width = LABEL + COLUMN * len(periods) + 4
    height = TOP + ROW * len(trend.rows) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Liberation Serif, Times New Roman, serif" '
        f'font-size="10" role="img" aria-label="{escape(trend.title)}">'
    ]
    for j, code in enumerate(periods):
        x = LABEL + j * COLUMN
        parts.append(f'<text x="{x}" y="12" font-weight="bold">{escape(code)}</text>')
    for i, row in enumerate(trend.rows):
        y = TOP + i * ROW
        name = str(row[1])
        if len(name) > 42:
            name = name[:41] + "…"
        parts.append(f'<text x="0" y="{y + 10}">{escape(name)}</text>')
        for j, value in enumerate(row[2:]):
            x = LABEL + j * COLUMN
            parts.append(f'<rect x="{x}" y="{y}" width="{BAR}" height="{ROW - 4}" fill="#eeeeee"/>')
            if isinstance(value, float):
                length = max(1.5, BAR * value)
                parts.append(
                    f'<rect x="{x}" y="{y}" width="{length:.1f}" height="{ROW - 4}" '
                    f'fill="{_colour(value)}"/>'
                )
            label = percent(value if isinstance(value, float) else None)
            parts.append(f'<text x="{x + 3}" y="{y + 10}" font-size="9">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)
