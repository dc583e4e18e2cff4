"""A checkpoint at each day's first scheduler tick.

Enabled when the scheduler's environment names the signer key (``PLANFLOW_AUDIT_KEY``); with
``PLANFLOW_AUDIT_CHECKPOINTS`` (a folder) each checkpoint is also written there as a file, for
copies outside the database. The day is the Vietnam calendar day of the tick's time. Two
schedulers ticking the same store may both sign on one day: a duplicate checkpoint is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from planflow.audit import store
from planflow.audit.note import Signer
from planflow.domain.clock import local_date

KEY_ENV = "PLANFLOW_AUDIT_KEY"
FOLDER_ENV = "PLANFLOW_AUDIT_CHECKPOINTS"

log = logging.getLogger(__name__)


def sign_if_first_today(
    app: Any, signer: Signer, now: datetime, folder: Path | None = None
) -> store.Signed | None:
    """Sign a checkpoint unless one was already signed on ``now``'s local day, and the log
    verifies (roots only). Returns what was signed."""
    latest = store.latest_checkpoint(app.engine)
    if latest is not None and local_date(datetime.fromisoformat(latest["signed_at"])) == local_date(
        now
    ):
        return None
    events: Table = app.recorder.events_record_cls.__table__
    with app.transaction() as session:
        store.chain_unchained(session, events, now.isoformat())
    report = store.verify_store(app.engine, events, [], [])
    if not report.ok:
        log.error("audit: the log does not verify, no checkpoint signed: %s", report.first)
        return None
    with app.transaction() as session:
        signed = store.sign_checkpoint(session, signer, now)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"checkpoint-{signed.size}.txt").write_text(signed.note, encoding="utf-8")
    return signed


def daily_checkpoints(app: Any, environ: Mapping[str, str]) -> Callable[[datetime], None]:
    """What a tick calls after its work: a no-op unless the environment names a key."""
    key = environ.get(KEY_ENV)
    if not key:
        return lambda now: None
    signer = Signer.parse(Path(key).read_text(encoding="utf-8"))
    folder = Path(environ[FOLDER_ENV]) if environ.get(FOLDER_ENV) else None

    def after_tick(now: datetime) -> None:
        try:
            sign_if_first_today(app, signer, now, folder)
        except Exception as exc:  # never let the audit stop the reminders
            log.warning("audit: daily checkpoint not signed: %r", exc)

    return after_tick
