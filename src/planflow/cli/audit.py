"""Audit commands: keys, signed checkpoints, verification, proofs, export and import.

``planflow audit verify`` exits 0 when everything recomputes, 1 when it names a problem, 2 when
its input cannot be read (a malformed bundle, key or checkpoint file).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from planflow.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_REFUSED,
    FormatOption,
    app,
    check_format,
    console,
    edge,
    err_console,
    fail,
    open_app,
    wall_now,
)
from planflow.cli.group import PlanflowGroup

if TYPE_CHECKING:  # the chain's store, keys and bundles are imported when a command runs
    from sqlalchemy import Table

    from planflow.application.app import PlanflowApp
    from planflow.audit import chain as core
    from planflow.audit.note import Signer, Verifier

EXIT_PROBLEM = 1
KEY_ENV = "PLANFLOW_AUDIT_KEY"

audit_app = typer.Typer(
    cls=PlanflowGroup,
    no_args_is_help=True,
    help="Kiểm toán: chuỗi băm, điểm kiểm có chữ ký, xác minh / audit: hash chain, signed "
    "checkpoints, verification.",
)
app.add_typer(audit_app, name="audit")

KeyOption = Annotated[
    Path,
    typer.Option("--key", envvar=KEY_ENV, help="Signer key file (never stored in the database)"),
]
PublicKeyOption = Annotated[
    Path | None, typer.Option("--public-key", help="Verifier key file (name+hash+key)")
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Also write the checkpoint into this folder")
]


@contextmanager
def audit_edge() -> Iterator[None]:
    from eventsourcing.persistence import PersistenceError
    from sqlalchemy.exc import SQLAlchemyError

    from planflow.audit import bundle
    from planflow.audit.importer import ImportRefused
    from planflow.audit.note import NoteError

    with edge():
        try:
            yield
        except (NoteError, bundle.BundleError) as exc:
            raise fail(EXIT_BAD_INPUT, str(exc)) from None
        except ImportRefused as exc:
            raise fail(EXIT_REFUSED, f"{exc}") from None
        except OSError as exc:
            raise fail(EXIT_BAD_INPUT, f"{exc.filename}: {exc.strerror}") from None
        except (SQLAlchemyError, PersistenceError) as exc:
            detail = str(exc).splitlines()[0]
            raise fail(
                EXIT_BAD_INPUT, f"không đọc được kho / cannot read the store: {detail}"
            ) from None


@contextmanager
def opened() -> Iterator[PlanflowApp]:
    application = open_app()
    try:
        yield application
    finally:
        application.close()


def _events(application: PlanflowApp) -> Table:
    table: Table = application.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    return table


def _signer(path: Path) -> Signer:
    from planflow.audit.note import Signer

    return Signer.parse(path.read_text(encoding="utf-8"))


def _verifiers(path: Path | None) -> list[Verifier]:
    from planflow.audit.note import Verifier

    return [] if path is None else [Verifier.parse(path.read_text(encoding="utf-8"))]


@audit_app.command()
def keygen(
    name: Annotated[str, typer.Option(help="Key name = checkpoint origin")] = "planflow-audit",
    out: Annotated[Path, typer.Option(help="Folder for NAME.key and NAME.pub")] = Path("."),
) -> None:
    """Tạo cặp khóa Ed25519 / create an Ed25519 key pair (keep NAME.key out of the database)."""
    from planflow.audit.note import Signer

    with audit_edge():
        signer = Signer.generate(name)
        stem = name.replace("/", "_")
        key, pub = out / f"{stem}.key", out / f"{stem}.pub"
        if key.exists() or pub.exists():
            raise fail(
                EXIT_REFUSED, f"{key} đã có, không ghi đè / {key} already exists, not overwritten"
            )
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(signer.encode() + "\n")
        pub.write_text(signer.verifier.encode() + "\n", encoding="utf-8")
        console.print(f"{key}\n{pub}\n{signer.verifier.encode()}", markup=False)


def _sign(application: PlanflowApp, signer: Signer, out: Path | None) -> None:
    """Chain what a store from before the chain holds, verify, then sign the tree head."""
    from planflow.audit import store

    now = wall_now()
    with application.transaction() as session:
        chained = store.chain_unchained(session, _events(application), now.isoformat())
    # Roots only: checkpoints signed by an earlier key must not block signing with a new one.
    report = store.verify_store(application.engine, _events(application), [], [])
    if not report.ok:
        _print_report(report, "table", True)
        raise fail(
            EXIT_PROBLEM, "nhật ký không toàn vẹn, không ký / the log does not verify: not signed"
        )
    with application.transaction() as session:
        signed = store.sign_checkpoint(session, signer, now)
    if chained:
        console.print(f"Đã đưa {chained} sự kiện vào chuỗi / chained {chained} events")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"checkpoint-{signed.size}.txt"
        path.write_text(signed.note, encoding="utf-8")
        console.print(f"→ {path}", markup=False)
    sys.stdout.write(signed.note)


@audit_app.command()
def init(key: KeyOption, out: OutOption = None) -> None:
    """Chuỗi hóa kho hiện có và ký điểm kiểm đầu / chain an existing store, sign a first checkpoint."""
    with audit_edge(), opened() as application:
        _sign(application, _signer(key), out)


@audit_app.command()
def checkpoint(key: KeyOption, out: OutOption = None) -> None:
    """Ký điểm kiểm của nhật ký hiện tại / sign a checkpoint of the log as it is now."""
    with audit_edge(), opened() as application:
        _sign(application, _signer(key), out)


def _print_report(report: core.Report, fmt: str, signed: bool) -> None:
    if fmt == "json":
        payload = {
            "ok": report.ok,
            "count": report.count,
            "head": report.head,
            "root": report.root,
            "signatures_checked": signed,
            "first": None if report.first is None else vars(report.first),
            "findings": [vars(f) for f in report.findings],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif report.ok:
        console.print(
            f"[green]Toàn vẹn: {report.count} sự kiện / Verified: {report.count} events[/]\n"
            f"chain head {report.head}\nmerkle root {report.root}"
        )
    else:
        first = report.first
        err_console.print(f"[bold red]KHÔNG toàn vẹn / NOT verified:[/] {first}", markup=True)
        for finding in report.findings[:20]:
            err_console.print(f"  {finding}", markup=False)
    if not signed:
        err_console.print(
            "Chưa kiểm chữ ký: hãy đưa --public-key / signatures not checked: give --public-key"
        )


@audit_app.command()
def verify(
    against: Annotated[
        list[Path] | None, typer.Option("--against", help="Checkpoint files kept outside")
    ] = None,
    public_key: PublicKeyOption = None,
    bundle_file: Annotated[
        Path | None, typer.Option("--bundle", help="Verify an export instead of the database")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Tính lại toàn bộ chuỗi / recompute everything; name the first bad position (exit 1)."""
    from planflow.audit import bundle, planbundle, store

    with audit_edge():
        check_format(fmt)
        verifiers = _verifiers(public_key)
        notes = [(str(p), p.read_text(encoding="utf-8")) for p in against or []]
        if bundle_file is not None:
            report = planbundle.verify_any(bundle.read_bundle(bundle_file), verifiers).report
        else:
            with opened() as application:
                events = _events(application)
                report = store.verify_store(application.engine, events, notes, verifiers)
                store.record_verification(application.engine, report, wall_now())
        _print_report(report, fmt, bool(verifiers))
        if not report.ok:
            raise typer.Exit(EXIT_PROBLEM)


@audit_app.command()
def prove(
    position: Annotated[
        int | None, typer.Option("--position", help="Inclusion of this entry")
    ] = None,
    old_size: Annotated[
        int | None, typer.Option("--old-size", help="Consistency from this size")
    ] = None,
    size: Annotated[int | None, typer.Option("--size", help="Tree size (default: all)")] = None,
) -> None:
    """Bằng chứng Merkle / an inclusion proof (--position) or a consistency proof (--old-size)."""
    from planflow.audit import chain as core
    from planflow.audit import merkle, store

    with audit_edge():
        if (position is None) == (old_size is None):
            raise fail(
                EXIT_BAD_INPUT, "cần đúng một: --position hoặc --old-size / give one of them"
            )
        with opened() as application:
            rows = store.chain_rows(application.engine)
        n = len(rows) if size is None else size
        leaves = [core.as_hash(r.leaf_hash) for r in rows[:n]]
        if n > len(rows) or n < 1:
            raise fail(EXIT_BAD_INPUT, f"kích thước {n} ngoài 1..{len(rows)} / size out of range")
        root = merkle.root(leaves)
        out: dict[str, Any] = {"size": n, "root": root.hex()}
        try:
            if position is not None:
                path = merkle.inclusion_proof(position - 1, leaves)
                merkle.verify_inclusion(position - 1, n, leaves[position - 1], path, root)
                out |= {"position": position, "leaf_hash": leaves[position - 1].hex()}
            else:
                assert old_size is not None
                path = merkle.consistency_proof(old_size, leaves)
                old_root = merkle.root(leaves[:old_size])
                merkle.verify_consistency(old_size, n, old_root, root, path)
                out |= {"old_size": old_size, "old_root": old_root.hex()}
        except merkle.ProofError as exc:
            raise fail(EXIT_BAD_INPUT, str(exc)) from None
        out["path"] = [p.hex() for p in path]
        sys.stdout.write(json.dumps(out, indent=2) + "\n")


@app.command("export")
def export_bundle(
    file: Annotated[Path, typer.Argument(help="The bundle to write (.zip)")],
    key: KeyOption,
    plan: Annotated[str | None, typer.Option(help="Plan shown in the readable sheets")] = None,
    plan_only: Annotated[
        bool,
        typer.Option(
            "--plan-only",
            help="With --plan: only that plan's events, each with its inclusion proof",
        ),
    ] = False,
) -> None:
    """Xuất gói kiểm toán có chữ ký / write a signed, verifiable audit bundle (JSONL, CSV, XLSX)."""
    from planflow.audit import store
    from planflow.audit.export import export as write_export
    from planflow.audit.export import export_plan as write_plan_export
    from planflow.cli.choices import check_plan

    with audit_edge():
        if plan_only and plan is None:
            raise fail(
                EXIT_BAD_INPUT,
                "--plan-only cần --plan KẾ_HOẠCH / --plan-only needs --plan PLAN",
            )
        with opened() as application:
            signer = _signer(key)
            check_plan(application.engine, plan)
            if not store.latest_covers_log(application.engine):
                _sign(application, signer, None)
            write = write_plan_export if plan_only else write_export
            manifest = write(
                application.engine,
                _events(application),
                file,
                signer=signer,
                plan=plan,  # type: ignore[arg-type]
                created_at=wall_now(),
            )
        if plan_only:
            console.print(
                f"{file}: {manifest['count']} events of {plan} in {manifest['streams']} streams, "
                f"checkpoint {manifest['checkpoint_size']}",
                markup=False,
            )
            return
        console.print(
            f"{file}: {manifest['count']} events, root {manifest['root']}, head {manifest['head']}",
            markup=False,
        )


@audit_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A bundle from planflow export")],
    public_key: Annotated[Path, typer.Option("--public-key", help="Verifier key of the bundle")],
) -> None:
    """Nhập gói vào cơ sở dữ liệu trống / import a bundle into an empty database."""
    from planflow.audit import bundle
    from planflow.audit.importer import import_bundle

    with audit_edge():
        files = bundle.read_bundle(file)
        verifiers = _verifiers(public_key)
        with opened() as application, application.transaction() as session:
            check = import_bundle(
                session,
                _events(application),
                files,
                verifiers,
                at=wall_now(),
                rebuild=application.rebuild_read_models,
            )
        report = check.report
        console.print(
            f"Đã nhập {report.count} sự kiện / imported {report.count} events; "
            f"head {report.head}; root {report.root}",
            markup=False,
        )
