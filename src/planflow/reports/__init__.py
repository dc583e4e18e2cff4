"""The Office's consolidated report (báo cáo tổng hợp) in the formats the Committee reads.

``application.summary.build_summary`` gathers the figures; ``content.build_report`` turns them into
the report's words and tables, once; ``render`` lays that out as HTML, PDF, DOCX or XLSX.
"""

from __future__ import annotations

from planflow.application.summary_model import Summary
from planflow.domain.errors import InvalidArgument
from planflow.reports.content import build_report

FORMATS = ("html", "pdf", "docx", "xlsx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidArgument(
            f"Định dạng không hợp lệ {fmt!r}; dùng: {', '.join(FORMATS)}",
            f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}",
        )
    return fmt


def render(summary: Summary, fmt: str) -> bytes:
    """The report in one format, as the bytes of its file."""
    report = build_report(summary)
    check_format(fmt)
    if fmt == "html":
        from planflow.reports.html import render_html

        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        from planflow.reports.html import render_pdf

        return render_pdf(report)
    if fmt == "docx":
        from planflow.reports.docx_report import render_docx

        return render_docx(report)
    from planflow.reports.xlsx import render_xlsx

    return render_xlsx(report)


def filename(plan: str, period: str, fmt: str) -> str:
    return f"bao-cao-tong-hop-{plan}-{period}.{fmt}"
