"""Import commands: read a plan document into a draft workflow file; the agency register."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planflow.cli.common import app, console, edge, err_console, open_app
from planflow.cli.group import PlanflowGroup


@app.command("import-plan")
def import_plan_command(
    file: Path,
    agencies: Annotated[
        Path | None, typer.Option("--agencies", help="Agency register (CSV); default: bundled")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Draft file")] = None,
) -> None:
    """Đọc kế hoạch thành tệp nháp / read a plan (text, DOCX, PDF, scan) into a draft workflow."""
    from planflow.ingest.pipeline import check_draft, import_plan

    with edge():
        result = import_plan(file, agencies)
        problems = check_draft(result.draft.text)
        target = output or Path(f"{file.stem}.draft.yaml")
        target.write_text(result.draft.text, encoding="utf-8")
        draft = result.draft
        console.print(
            f"[green]Đã ghi bản nháp / Draft written:[/] {target} — {len(result.duties)} nhiệm vụ "
            f"/ duties, {draft.chosen} giá trị tự chọn / CHOSEN values, {len(draft.reviews)} "
            "mục cần xem lại / REVIEW marks"
        )
        for review in draft.reviews[:20]:
            console.print(f"  REVIEW: {review}", markup=False)
        if problems:
            err_console.print(
                "Bản nháp chưa hợp lệ; cần điền / The draft does not validate yet; fill in:"
            )
            for problem in problems:
                err_console.print(f"  {problem}", markup=False)
            raise typer.Exit(2)


agencies_app = typer.Typer(
    cls=PlanflowGroup, help="Sổ đăng ký cơ quan / the agency register.", no_args_is_help=True
)
app.add_typer(agencies_app, name="agencies")


@agencies_app.command("import")
def agencies_import(
    file: Path,
    register: Annotated[str | None, typer.Option("--register", help="Register name")] = None,
) -> None:
    """Nhập sổ đăng ký cơ quan từ CSV / import an agency register from CSV."""
    from planflow.application.agencies import import_register
    from planflow.ingest.register import read_register

    with edge():
        parsed = read_register(file)
        application = open_app()
        count = import_register(application, register or file.stem, parsed)
        console.print(
            f"[green]Đã nhập / Imported[/] {count} cơ quan / agencies into {register or file.stem}"
        )


@agencies_app.command("list")
def agencies_list(register: Annotated[str | None, typer.Option("--register")] = None) -> None:
    """Liệt kê cơ quan trong sổ đăng ký / list the registered agencies."""
    from planflow.application.agencies import list_agencies

    with edge():
        for row in list_agencies(open_app(), register):
            until = row.valid_until.isoformat() if row.valid_until else ""
            console.print(
                f"{row.register}\t{row.code}\t{row.kind}\t{row.name_vi}\t{until}\t{row.successor}",
                markup=False,
            )


plan_app = typer.Typer(
    cls=PlanflowGroup, help="Chuỗi kế hoạch / plan series.", no_args_is_help=True
)
app.add_typer(plan_app, name="plan")


@plan_app.command("next-year")
def plan_next_year(
    file: Path,
    year: Annotated[int, typer.Option("--year", help="The new plan's year")],
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    agencies: Annotated[
        Path | None,
        typer.Option("--agencies", help="The agencies of the new year (register CSV)"),
    ] = None,
) -> None:
    """Kế hoạch năm sau từ kế hoạch năm nay / draft next year's plan from this year's."""
    from planflow.ingest.nextyear import next_year
    from planflow.ingest.pipeline import check_draft
    from planflow.ingest.register import read_register

    with edge():
        target = output or Path(f"{file.stem}-{year}.yaml")
        register = read_register(agencies) if agencies else None
        result = next_year(file, year, target.parent, register)
        text = result.text(file.name)
        problems = check_draft(text, target.parent)
        target.write_text(text, encoding="utf-8")
        console.print(
            f"[green]Đã ghi / Written:[/] {target} — {len(result.changes)} thay đổi / changes"
        )
        for change in result.changes:
            console.print(f"  {change}", markup=False)
        if problems:
            err_console.print("Bản nháp chưa hợp lệ / The draft does not validate yet:")
            for problem in problems:
                err_console.print(f"  {problem}", markup=False)
            raise typer.Exit(2)
