"""Rendering pages: the Jinja2 environment, the language, the session cookie, error pages."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from planflow.application.commands import BY_NAME
from planflow.application.queries import list_plans
from planflow.domain import clock
from planflow.domain.errors import PlanflowError
from planflow.domain.labels import EVENT_LABELS
from planflow.domain.status import TaskStatus
from planflow.web import inbox
from planflow.web.access import Command, CsrfFailed, Unauthenticated, may
from planflow.web.accounts import User
from planflow.web.auth import LANG_COOKIE, SESSION_COOKIE, Session, Signer, csrf_ok
from planflow.web.context import WebContext
from planflow.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, pick, translations
from planflow.web.names import Names
from planflow.web.problems import classify
from planflow.web.service import Upload

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["localtime"] = _localtime
    env.filters["vndate"] = _vndate
    env.filters["dmy"] = _dmy
    return env


def _localtime(value: datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(clock.LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def _vndate(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y")


def _dmy(value: date | str | None) -> str:
    """A date field's value as the user reads and types it (dd/mm/yyyy); what the user typed
    that is not an ISO date is kept as typed (so a refused form shows it again)."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


LABELS: dict[str, tuple[str, str]] = {
    **EVENT_LABELS,  # the Task aggregate's event types (planflow.domain.labels)
    # Report states and lifecycle words.
    "none": ("chưa gửi", "none"),
    "submitted": ("đã gửi, chờ xem xét", "submitted, awaiting review"),
    "accepted": ("đã chấp nhận", "accepted"),
    "returned": ("bị trả lại", "returned"),
    "assigned": ("đã giao", "assigned"),
    "executed": ("đã thực hiện", "executed"),
    "cancelled": ("đã hủy", "cancelled"),
}


def label(lang: str, word: str) -> str:
    vi, en = LABELS.get(word, (word, word))
    return pick(lang, vi, en)


FLASHES: dict[str, tuple[str, str]] = {
    # What pages other than a task command report after a redirect (``?ok=…``).
    "account-created": ("Đã tạo tài khoản", "Account created"),
    "accounts-imported": ("Đã tạo các tài khoản từ tệp CSV", "Accounts created from the CSV"),
    "account-deactivated": ("Đã khóa tài khoản", "Account deactivated"),
    "account-reactivated": ("Đã mở lại tài khoản", "Account reactivated"),
    "password-changed": ("Đã đổi mật khẩu", "Password changed"),
}


def flash_text(lang: str, ok: str | None) -> str | None:
    """The banner after an action: what was done, per command (its declared ``done`` label),
    never a generic "done"."""
    if not ok:
        return None
    spec = BY_NAME.get(ok)
    if spec is not None:
        vi, en = spec.done_vi, spec.done_en
    elif ok in FLASHES:
        vi, en = FLASHES[ok]
    else:
        return None
    text = pick(lang, vi, en)
    return f"{text[:1].upper()}{text[1:]}."


def language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def status_label(lang: str, status: TaskStatus | str) -> str:
    s = TaskStatus(status)
    return pick(lang, s.label_vi, s.label_en)


def render(
    request: Request,
    ctx: WebContext,
    template: str,
    user: User | None,
    session: Session | None,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    lang = language(request)
    tr = translations(lang)
    if "n" not in values:
        values["n"] = Names.of(lang, list_plans(ctx.app.engine))
    # The header's unread count, unless the page counted it already (the inbox's own page).
    if "inbox_count" not in values:
        values["inbox_count"] = inbox.count(ctx, user)
    html = (
        environment()
        .get_template(template)
        .render(
            _=tr.gettext,
            lang=lang,
            user=user,
            csrf=session.csrf if session else "",
            now=ctx.now(),
            path=request.url.path,
            query=str(request.url.query),
            status_label=lambda s: status_label(lang, s),
            label=lambda word: label(lang, word),
            pick=lambda vi, en: pick(lang, vi, en),
            may=lambda command, agency=None, recipient=None: (
                user is not None and may(user, Command(command), agency, recipient)
            ),
            statuses=list(TaskStatus),
            flash=flash_text(lang, request.query_params.get("ok")),
            **values,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def error_page(
    request: Request,
    ctx: WebContext,
    exc: PlanflowError,
    user: User | None,
    session: Session | None,
    back: str = "/",
) -> HTMLResponse:
    status, _slug, title = classify(exc)
    lang = language(request)
    return render(
        request,
        ctx,
        "error.html",
        user,
        session,
        status_code=status,
        title=title,
        message_vi=exc.vi,
        message_en=exc.en,
        message=pick(lang, exc.vi, exc.en),
        back=back,
    )


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def put_session(response: Response, signer: Signer, cookie: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=signer.settings.secure_cookies,
        max_age=signer.settings.session_max_age,
    )


async def checked_form(
    request: Request, ctx: WebContext, user: User | None, session: Session | None
) -> tuple[User, dict[str, str], dict[str, Upload]]:
    """The submitted form, once the account is signed in and the CSRF token matches.

    Files come back read (at most the upload limit plus one byte, so an oversized file is
    refused without being kept) and the form's spooled files are closed.
    """
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    async with request.form() as form:
        if user is None:
            raise Unauthenticated()
        token = form.get("csrf_token")
        if not csrf_ok(session, token if isinstance(token, str) else None):
            raise CsrfFailed()
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields[key] = value
            elif value.filename:
                data = await value.read(ctx.settings.max_upload_bytes + 1)
                files[key] = Upload(value.filename, data)
    return user, fields, files
