"""The composition root: the one place that builds planflow's parts and wires them together.

The application (``PlanflowApp``) is built here and nowhere else in the program; so are the
outbox with its channels, the ticker, the background runner and the web app. The CLI reaches the
other entry points (web, scheduler, delivery) only through this module, which keeps them
independent of each other (the layer contracts in pyproject.toml). Nothing heavy happens at
import time: the web app, in particular, is imported only when it is built.
"""

from __future__ import annotations

import importlib
import os
import socket
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from planflow.application.app import PlanflowApp
from planflow.domain.errors import InvalidArgument

if TYPE_CHECKING:
    from fastapi import FastAPI

    from planflow.application.accounts_store import User
    from planflow.domain.calendar import WorkingCalendar
    from planflow.notify.channels import Channel
    from planflow.notify.checkpoints import CheckpointOutbox
    from planflow.notify.config import NotifyConfig
    from planflow.notify.digest import DigestSender
    from planflow.notify.ical import agency_feed
    from planflow.notify.letterbox import FORMATS as LETTER_FORMATS
    from planflow.notify.letterbox import NothingOverdue, UnknownPlan, letter_for
    from planflow.notify.letterbox import render as render_letter
    from planflow.notify.outbox import Outbox
    from planflow.scheduler.runner import Clock, clock_starting_at, start_background, wall_clock
    from planflow.scheduler.tick import Fired, Ticker, TickReport
    from planflow.web.demo import DemoAccount
    from planflow.web.settings import WebSettings

# Re-exported for the CLI, imported on first use: a command that only reads the board starts
# without the delivery channels (DOCX, SMTP, iCalendar) or the scheduler (APScheduler).
_LAZY = {
    "LETTER_FORMATS": ("planflow.notify.letterbox", "FORMATS"),
    "NothingOverdue": ("planflow.notify.letterbox", "NothingOverdue"),
    "UnknownPlan": ("planflow.notify.letterbox", "UnknownPlan"),
    "letter_for": ("planflow.notify.letterbox", "letter_for"),
    "render_letter": ("planflow.notify.letterbox", "render"),
    "NotifyConfig": ("planflow.notify.config", "NotifyConfig"),
    "agency_feed": ("planflow.notify.ical", "agency_feed"),
    "Clock": ("planflow.scheduler.runner", "Clock"),
    "clock_starting_at": ("planflow.scheduler.runner", "clock_starting_at"),
    "start_background": ("planflow.scheduler.runner", "start_background"),
    "wall_clock": ("planflow.scheduler.runner", "wall_clock"),
    "Fired": ("planflow.scheduler.tick", "Fired"),
    "Ticker": ("planflow.scheduler.tick", "Ticker"),
    "TickReport": ("planflow.scheduler.tick", "TickReport"),
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value: object = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


__all__ = [
    "LETTER_FORMATS",
    "MULTIPROC_ENV",
    "Clock",
    "Fired",
    "NothingOverdue",
    "NotifyConfig",
    "TickReport",
    "Ticker",
    "UnknownPlan",
    "agency_feed",
    "api_token",
    "background",
    "bad_credentials",
    "bootstrap",
    "checkpoint_outbox_for",
    "clock_from",
    "clock_settings",
    "clock_starting_at",
    "deliverer",
    "demo_clock_start",
    "digests_for",
    "letter_for",
    "node_name",
    "notify_config",
    "outbox_for",
    "recorded_tick",
    "render_letter",
    "seed_demo",
    "start_background",
    "ticker",
    "wall_clock",
    "web_app",
    "web_settings",
    "web_worker",
    "worker_environment",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # web/metrics.py: metrics shared by web workers
ENV_CLOCK_START = "PLANFLOW_CLOCK_START"
ENV_CLOCK_RATE = "PLANFLOW_CLOCK_RATE"
ENV_CLOCK_ANCHOR = "PLANFLOW_CLOCK_ANCHOR"


def bootstrap(database_url: str) -> PlanflowApp:
    """The application on the store at ``database_url`` (SQLite file or PostgreSQL)."""
    return PlanflowApp(database_url)


def notify_config(
    path: Path | None = None, environ: Mapping[str, str] = os.environ
) -> NotifyConfig:
    """The delivery settings (a TOML file, PLANFLOW_* variables); a bad value is bad input."""
    from planflow.notify.config import ConfigError, load_config

    try:
        return load_config(environ, path)
    except ConfigError as exc:
        raise InvalidArgument(str(exc), str(exc)) from None


def channels_for(application: PlanflowApp, config: NotifyConfig) -> list[Channel]:
    from planflow.notify.channels import SmtpChannel, WebhookChannel
    from planflow.notify.ical import FeedChannel
    from planflow.notify.letterbox import FORMATS, LetterChannel
    from planflow.reports.drafts import DraftChannel

    channels: list[Channel] = []
    if config.smtp is not None:
        channels.append(SmtpChannel(config.smtp, config.language))
    if config.webhook is not None:
        channels.append(WebhookChannel(config.webhook))
    if config.ical_dir is not None:
        channels.append(FeedChannel(application.engine, config.ical_dir))
    if config.letters_dir is not None:
        channels.append(LetterChannel(application, config.letters_dir, formats=FORMATS))
    if config.drafts_dir is not None:
        channels.append(DraftChannel(application, config.drafts_dir))
    return channels


def outbox_for(
    application: PlanflowApp,
    config: NotifyConfig,
    clock: Clock | None = None,
    per_run: int | None = None,
) -> Outbox:
    from planflow.notify.outbox import Outbox
    from planflow.scheduler.runner import wall_clock

    return Outbox(
        application,
        channels_for(application, config),
        retry_base_seconds=config.retry_base_seconds,
        retry_max_seconds=config.retry_max_seconds,
        clock=clock or wall_clock,
        per_run=per_run,
    )


def checkpoint_outbox_for(
    application: PlanflowApp, config: NotifyConfig, clock: Clock | None = None
) -> CheckpointOutbox:
    """The auditors' channels: every signed checkpoint by mail and/or webhook, once each."""
    from planflow.application.outbox_store import OutboxStore
    from planflow.notify.checkpoints import (
        CheckpointChannel,
        CheckpointMail,
        CheckpointOutbox,
        CheckpointWebhook,
    )
    from planflow.notify.outbox import default_holder
    from planflow.scheduler.runner import wall_clock

    channels: list[CheckpointChannel] = []
    if config.smtp is not None and config.audit_mail_to:
        channels.append(CheckpointMail(config.smtp, config.audit_mail_to))
    if config.audit_webhook is not None:
        channels.append(CheckpointWebhook(config.audit_webhook))
    return CheckpointOutbox(
        OutboxStore(application.engine, default_holder(), clock or wall_clock),
        channels,
        retry_base_seconds=config.retry_base_seconds,
        retry_max_seconds=config.retry_max_seconds,
    )


def digests_for(application: PlanflowApp, config: NotifyConfig) -> DigestSender | None:
    """The daily inbox digests by e-mail, when an SMTP server is configured."""
    from planflow.application.digests import DigestStore
    from planflow.notify.digest import DigestSender
    from planflow.notify.outbox import default_holder

    if config.smtp is None:
        return None
    return DigestSender(
        DigestStore(application.engine),
        config.smtp,
        _national_calendar,
        hour=config.digest_hour,
        holder=default_holder(),
    )


@lru_cache(maxsize=8)
def _national_calendar(year: int) -> WorkingCalendar:
    from planflow.adapters.holidays_vn import vietnam_calendar

    return vietnam_calendar([year])


def deliverer(
    application: PlanflowApp, config_path: Path | None = None, per_run: int | None = None
) -> Callable[[datetime], list[str]]:
    """For ``planflow run`` and ``serve``: one call delivers what is pending on every channel
    (at most ``per_run`` notifications per channel, so that a pass ends soon and the next tick,
    or a shutdown, is not held up by a long backlog), the auditors' checkpoint channels and the
    daily inbox digests included."""
    config = notify_config(config_path)
    outbox = outbox_for(application, config, per_run=per_run)
    checkpoints = checkpoint_outbox_for(application, config)
    digest = digests_for(application, config)

    def run(now: datetime) -> list[str]:
        results = [*outbox.run(now), *checkpoints.run(now)]
        return [result.summary() for result in results] + (digest.run(now) if digest else [])

    return run


def ticker(application: PlanflowApp, on_fired: Callable[[Fired], None] | None = None) -> Ticker:
    from planflow.scheduler.tick import Ticker

    return Ticker(application, on_fired=on_fired)


def node_name() -> str:
    """How a scheduler node names itself in the heartbeat table: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def recorded_tick(
    tick: Ticker, node: str, wall: Clock | None = None
) -> Callable[[datetime], TickReport]:
    """``tick.tick``, then the node's heartbeat row (its duration and what it recorded), which
    /readyz and /metrics read."""
    from planflow.application.heartbeat import TickRecord, record_tick
    from planflow.scheduler.runner import wall_clock

    now = wall or wall_clock

    def run(moment: datetime) -> TickReport:
        started = time.perf_counter()
        report = tick.tick(moment)
        record_tick(
            tick.app.engine,
            TickRecord(
                node=node,
                at=moment,
                finished_at=now(),
                duration_seconds=time.perf_counter() - started,
                tasks_due=report.tasks_due,
                fired=len(report.fired),
                errors=len(report.errors),
            ),
        )
        return report

    return run


def clock_from(start: str | None, rate: float = 1.0, anchor: str | None = None) -> Clock:
    """The wall clock, or a rehearsal clock reading ``start`` at the real moment ``anchor``
    (default: now) and running ``rate`` times the real pace."""
    from planflow.application.timeparse import parse_moment
    from planflow.scheduler.runner import clock_starting_at, wall_clock

    if not start:
        if rate != 1.0 or anchor:
            raise InvalidArgument(
                "--clock-rate và --clock-anchor cần --clock-start",
                "--clock-rate and --clock-anchor need --clock-start",
            )
        return wall_clock
    if rate <= 0:
        raise InvalidArgument("--clock-rate phải lớn hơn 0", "--clock-rate must be above 0")
    moment = parse_moment(start, bare_date="start")
    real_anchor = parse_moment(anchor, bare_date="start") if anchor else None
    return clock_starting_at(moment, rate=rate, anchor=real_anchor)


def clock_settings(start: str | None, rate: float, anchor: str | None) -> dict[str, str]:
    """The environment that gives web workers the same clock as their parent (a fixed anchor)."""
    from planflow.scheduler.runner import wall_clock

    if not start:
        return {}
    fixed = anchor or wall_clock().isoformat()
    return {ENV_CLOCK_START: start, ENV_CLOCK_RATE: repr(rate), ENV_CLOCK_ANCHOR: fixed}


def background(
    application: PlanflowApp, clock: Clock, interval_seconds: float
) -> Callable[[], None]:
    """Tick, sign the day's checkpoint (when PLANFLOW_AUDIT_KEY names a key) and deliver every
    ``interval_seconds`` on ``clock``; returns how to stop."""
    from planflow.audit.daily import daily_checkpoints
    from planflow.scheduler.runner import start_background

    tick = recorded_tick(ticker(application), node_name())
    deliver = deliverer(application)
    daily = daily_checkpoints(application, os.environ)

    def job(moment: datetime) -> None:
        tick(moment)
        daily(moment)
        deliver(moment)

    return start_background(job, clock, interval_seconds)


def web_app(settings: WebSettings, clock: Clock, application: PlanflowApp) -> FastAPI:
    """The FastAPI app ``planflow serve`` serves over ``application`` (imported here, only when a
    web app is wanted), with the objects made so far frozen (web/factory.py)."""
    from planflow.web.factory import create_app, freeze_startup_objects

    web = create_app(settings, clock, application=application)
    freeze_startup_objects()
    return web


def web_worker() -> FastAPI:
    """One web worker of ``planflow serve --workers N`` (uvicorn imports it in each worker
    process): its settings, clock and log format come from the environment the parent set."""
    from planflow import logs
    from planflow.web.factory import create_app, freeze_startup_objects

    logs.configure(logs.log_format(None))
    settings = web_settings(None)
    clock = clock_from(
        os.environ.get(ENV_CLOCK_START),
        float(os.environ.get(ENV_CLOCK_RATE, "1.0")),
        os.environ.get(ENV_CLOCK_ANCHOR),
    )
    web = create_app(settings, clock)  # owns its application: closed at shutdown
    freeze_startup_objects()
    return web


def worker_environment(settings: WebSettings, log_format: str) -> dict[str, str]:
    """What each web worker reads its settings from (the secret too: a --demo secret is invented
    once, in the parent, and must be the same in every worker), and a folder for the workers'
    shared metrics unless PROMETHEUS_MULTIPROC_DIR names one."""
    from planflow import logs

    environment = {
        "PLANFLOW_DATABASE_URL": settings.database_url,
        "PLANFLOW_SECRET_KEY": settings.secret_key,
        "PLANFLOW_SECURE_COOKIES": "1" if settings.secure_cookies else "0",
        "PLANFLOW_UPLOAD_DIR": str(settings.upload_dir),
        logs.ENV_LOG_FORMAT: log_format,
    }
    if not os.environ.get(MULTIPROC_ENV):
        environment[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="planflow-metrics-")
    return environment


def web_settings(db_option: str | None, *, demo: bool = False) -> WebSettings:
    """The web app's settings from ``--db`` and PLANFLOW_* variables; outside ``--demo`` a
    missing secret key is an error."""
    from planflow.web.settings import WebSettings

    return WebSettings.from_env(db_option, demo=demo)


def demo_clock_start() -> datetime:
    """Where ``serve --demo`` starts its clock when given none (the README's moment)."""
    from planflow.web.demo import DEMO_CLOCK_START

    return DEMO_CLOCK_START


def seed_demo(application: PlanflowApp, at: datetime, *, force: bool) -> list[DemoAccount]:
    """With ``force`` or an empty store: the Kiên Giang plan and one account per role. With
    ``force`` (``--demo``), on the first start: the days from the plan's start to ``at`` played
    (web/demo_story.py), so the past has something to show."""
    from planflow.web import demo, demo_story
    from planflow.web.accounts import AccountStore

    if not (force or demo.is_empty(application)):
        return []
    accounts = demo.seed(application, AccountStore(application.engine), at)
    if force and any(a.created for a in accounts) and at > demo.DEMO_START:
        tick = ticker(application).tick
        demo_story.play(application, demo.DEMO_START, at, demo.DEMO_AGENCY, tick)
    return accounts


def api_token(settings: WebSettings, user: User, session_id: str) -> str:
    """A bearer token for ``user``, signed with the server's secret."""
    from planflow.web.auth import Signer

    return Signer(settings).token(user, session_id)


def bad_credentials() -> Exception:
    from planflow.web.problems import BadCredentials

    return BadCredentials()
