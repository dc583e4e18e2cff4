"""Signing in and out, the language switch, and the start page for each role."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from planflow.domain.errors import PlanflowError
from planflow.web.access import CsrfFailed
from planflow.web.accounts import Role, User
from planflow.web.auth import LANG_COOKIE, SESSION_COOKIE, Session, csrf_ok
from planflow.web.deps import Ctx, PageUser, SessionDep, SignerDep, ThrottleDep, client_address
from planflow.web.i18n import LANGUAGES
from planflow.web.pages.accounts import admin_of
from planflow.web.pages.common import error_page, put_session, render
from planflow.web.problems import BadCredentials
from planflow.web.throttle import TooManyAttempts

router = APIRouter(include_in_schema=False)

HOME = {
    Role.OFFICE_DIRECTOR: "/board",
    Role.OFFICE_STAFF: "/board",
    Role.ADMIN: "/accounts",
    Role.AGENCY_OFFICER: "/agency",
    Role.AGENCY_HEAD: "/agency",
    Role.AUDITOR: "/audit",
}


def safe_next(value: str | None, user: User | None) -> str:
    """Only local paths: an open redirect would let a link send people elsewhere."""
    if value:
        parts = urlsplit(value)
        local = value.startswith("/") and "//" not in value and "\\" not in value
        if local and not parts.scheme and not parts.netloc:
            return value
    return HOME[user.role] if user else "/login"


@router.get("/")
def home(user: PageUser) -> RedirectResponse:
    return RedirectResponse(HOME[user.role] if user else "/login", status_code=303)


@router.get("/login")
def login_form(
    request: Request, ctx: Ctx, signer: SignerDep, session: SessionDep, user: PageUser
) -> Response:
    cookie = None
    if session is None:
        session, cookie = signer.new_session(None)
    next_ = request.query_params.get("next", "")
    response = render(request, ctx, "login.html", user, session, next=next_, failed=False)
    if cookie:
        put_session(response, signer, cookie)
    return response


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    signer: SignerDep,
    session: SessionDep,
    throttle: ThrottleDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not csrf_ok(session, csrf_token):
        return error_page(request, ctx, CsrfFailed(), None, session, back="/login")
    address = client_address(request)
    try:
        throttle.check(username, address, ctx.now())
    except TooManyAttempts as exc:
        response = _form_again(request, ctx, session, next, exc, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    user = ctx.accounts.authenticate(username, password) if username and password else None
    if user is None:
        if username:
            throttle.failed(username, address, ctx.now())
        return _form_again(request, ctx, session, next, BadCredentials(), 401)
    throttle.succeeded(username, address)
    if admin_of(ctx).must_change_password(user.username):  # a one-time password: no session yet
        from planflow.web.pages.password import password_form  # it imports safe_next from here

        return password_form(
            request, ctx, None, session, username=user.username, next_=next, first=True
        )
    admin_of(ctx).record_signin(user.username, "page", ctx.now(), address)
    response = RedirectResponse(safe_next(next, user), status_code=303)
    # A fresh session row and CSRF token per sign-in (no session fixation); the one this
    # browser held before ends.
    if session is not None and session.session_id is not None:
        ctx.accounts.revoke_session(session.session_id, ctx.now())
    session_id = ctx.accounts.open_session(
        user.username, "page", ctx.now(), ctx.settings.session_max_age
    )
    _session, cookie = signer.new_session(user.username, session_id)
    put_session(response, signer, cookie)
    return response


def _form_again(
    request: Request,
    ctx: Ctx,
    session: Session | None,
    next_: str,
    exc: PlanflowError,
    status: int,
) -> Response:
    return render(
        request,
        ctx,
        "login.html",
        None,
        session,
        status_code=status,
        next=next_,
        failed=True,
        message=exc,
    )


@router.post("/logout")
def logout(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    if not csrf_ok(session, csrf_token):
        return error_page(request, ctx, CsrfFailed(), None, session)
    if session is not None and session.session_id is not None:
        ctx.accounts.revoke_session(session.session_id, ctx.now())  # copies of the cookie die too
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, user: PageUser, next: str = "/") -> RedirectResponse:
    response = RedirectResponse(safe_next(next, user), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, samesite="lax", max_age=365 * 86400)
    return response
