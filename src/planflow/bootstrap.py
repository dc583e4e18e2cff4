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
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from planflow.application.app import PlanflowApp
from planflow.domain.errors import InvalidArgument

if TYPE_CHECKING:
    from fastapi import FastAPI

    from planflow.application.accounts_store import User
    from planflow.notify.channels import Channel
    from planflow.notify.config import NotifyConfig
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
    "clock_starting_at",
    "deliverer",
    "letter_for",
    "notify_config",
    "outbox_for",
    "render_letter",
    "seed_demo",
    "start_background",
    "ticker",
    "wall_clock",
    "web_app",
    "web_settings",
]


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
    application: PlanflowApp, config: NotifyConfig, clock: Clock | None = None
) -> Outbox:
    from planflow.notify.outbox import Outbox
    from planflow.scheduler.runner import wall_clock

    return Outbox(
        application,
        channels_for(application, config),
        retry_base_seconds=config.retry_base_seconds,
        retry_max_seconds=config.retry_max_seconds,
        clock=clock or wall_clock,
    )


def deliverer(
    application: PlanflowApp, config_path: Path | None = None
) -> Callable[[datetime], list[str]]:
    """For ``planflow run`` and ``serve``: one call delivers what is pending on every channel."""
    outbox = outbox_for(application, notify_config(config_path))

    def run(now: datetime) -> list[str]:
        return [result.summary() for result in outbox.run(now)]

    return run


def ticker(application: PlanflowApp, on_fired: Callable[[Fired], None] | None = None) -> Ticker:
    from planflow.scheduler.tick import Ticker

    return Ticker(application, on_fired=on_fired)


def background(
    application: PlanflowApp, clock: Clock, interval_seconds: float
) -> Callable[[], None]:
    """Tick and deliver every ``interval_seconds`` on ``clock``; returns how to stop."""
    from planflow.scheduler.runner import start_background

    tick = ticker(application)
    deliver = deliverer(application)

    def job(moment: datetime) -> None:
        tick.tick(moment)
        deliver(moment)

    return start_background(job, clock, interval_seconds)


def web_app(settings: WebSettings, clock: Clock, application: PlanflowApp) -> FastAPI:
    """The FastAPI app over ``application`` (imported here, only when a web app is wanted)."""
    from planflow.web.factory import create_app

    return create_app(settings, clock, application=application)


def web_settings(db_option: str | None, *, demo: bool = False) -> WebSettings:
    """The web app's settings from ``--db`` and PLANFLOW_* variables; outside ``--demo`` a
    missing secret key is an error."""
    from planflow.web.settings import WebSettings

    return WebSettings.from_env(db_option, demo=demo)


def seed_demo(application: PlanflowApp, at: datetime, *, force: bool) -> list[DemoAccount]:
    """With ``force`` or an empty store: the Kiên Giang plan and one account per role."""
    from planflow.web import demo
    from planflow.web.accounts import AccountStore

    if not (force or demo.is_empty(application)):
        return []
    return demo.seed(application, AccountStore(application.engine), at)


def api_token(settings: WebSettings, user: User, session_id: str) -> str:
    """A bearer token for ``user``, signed with the server's secret."""
    from planflow.web.auth import Signer

    return Signer(settings).token(user, session_id)


def bad_credentials() -> Exception:
    from planflow.web.problems import BadCredentials

    return BadCredentials()
