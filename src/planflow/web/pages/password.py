"""Choosing one's own password: after a one-time password (a new account, a reset) the sign-in
leads here instead of opening a session; any signed-in account may also change its password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planflow.domain.errors import InvalidArgument, PlanflowError
from planflow.web.access import CsrfFailed
from planflow.web.accounts import User
from planflow.web.auth import Session, csrf_ok
from planflow.web.context import WebContext
from planflow.web.deps import Ctx, PageUser, SessionDep, SignerDep, ThrottleDep, client_address
from planflow.web.pages.accounts import admin_of
from planflow.web.pages.common import put_session, render, to_login
from planflow.web.pages.login import safe_next
from planflow.web.throttle import TooManyAttempts

router = APIRouter(include_in_schema=False)


def password_form(
    request: Request,
    ctx: WebContext,
    user: User | None,
    session: Session | None,
    *,
    username: str,
    next_: str,
    first: bool,
    error: PlanflowError | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        ctx,
        "password.html",
        user,
        session,
        status_code=status_code,
        username=username,
        next=next_,
        first=first,
        error=error,
    )


@router.get("/password")
def password_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    return password_form(request, ctx, user, session, username=user.username, next_="", first=False)


@router.post("/password")
async def change_password(
    request: Request,
    ctx: Ctx,
    user: PageUser,
    session: SessionDep,
    signer: SignerDep,
    throttle: ThrottleDep,
) -> Response:
    """The current (or one-time) password, then the new one twice. Signed out, this is the end of
    a sign-in with a one-time password: it is throttled like the sign-in form."""
    async with request.form() as form:
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    username = user.username if user else fields.get("username", "").strip().lower()
    first = user is None
    address = client_address(request)
    try:
        if not csrf_ok(session, fields.get("csrf_token")):
            raise CsrfFailed()
        if first:
            throttle.check(username, address, ctx.now())
        new = fields.get("new_password", "")
        if new != fields.get("repeat_password", ""):
            raise InvalidArgument(
                "Hai lần nhập mật khẩu mới không giống nhau", "the two new passwords differ"
            )
        try:
            admin_of(ctx).change_own_password(
                username, fields.get("current_password", ""), new, ctx.now()
            )
        except InvalidArgument:
            if first:
                throttle.failed(username, address, ctx.now())
            raise
    except TooManyAttempts as exc:
        response = password_form(
            request,
            ctx,
            user,
            session,
            username=username,
            next_=fields.get("next", ""),
            first=first,
            error=exc,
            status_code=429,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except PlanflowError as exc:
        return password_form(
            request,
            ctx,
            user,
            session,
            username=username,
            next_=fields.get("next", ""),
            first=first,
            error=exc,
            status_code=422,
        )
    account = ctx.accounts.get(username)
    assert account is not None
    if first:
        throttle.succeeded(username, address)
        admin_of(ctx).record_signin(username, "page", ctx.now(), address)
    # Changing the password ended every session, this one too: a fresh one.
    target = safe_next(fields.get("next") or None, account)
    sep = "&" if "?" in target else "?"
    response = RedirectResponse(f"{target}{sep}ok=password-changed", status_code=303)
    session_id = ctx.accounts.open_session(
        username, "page", ctx.now(), ctx.settings.session_max_age
    )
    _session, cookie = signer.new_session(username, session_id)
    put_session(response, signer, cookie)
    return response
