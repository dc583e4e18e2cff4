"""FastAPI dependencies, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from planflow.web.access import Unauthenticated
from planflow.web.accounts import User
from planflow.web.auth import SESSION_COOKIE, Session, Signer
from planflow.web.context import WebContext
from planflow.web.throttle import SignInThrottle

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/token")


def get_ctx(request: Request) -> WebContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, WebContext)
    return ctx


def get_signer(request: Request) -> Signer:
    signer = request.app.state.signer
    assert isinstance(signer, Signer)
    return signer


Ctx = Annotated[WebContext, Depends(get_ctx)]
SignerDep = Annotated[Signer, Depends(get_signer)]


def get_throttle(request: Request) -> SignInThrottle:
    throttle = request.app.state.throttle
    assert isinstance(throttle, SignInThrottle)
    return throttle


ThrottleDep = Annotated[SignInThrottle, Depends(get_throttle)]


def client_address(request: Request) -> str:
    """The peer's address (uvicorn resolves X-Forwarded-For only from trusted proxies)."""
    return request.client.host if request.client else "unknown"


def api_user(
    ctx: Ctx,
    signer: SignerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The API authenticates by bearer token only (no cookies, so no CSRF to worry about)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    user = signer.token_user(credentials.credentials, ctx.accounts)
    if user is None:
        raise Unauthenticated()
    return user


ApiUser = Annotated[User, Depends(api_user)]


def page_session(request: Request, signer: SignerDep) -> Session | None:
    return signer.read_session(request.cookies.get(SESSION_COOKIE))


SessionDep = Annotated[Session | None, Depends(page_session)]


def page_user(ctx: Ctx, session: SessionDep) -> User | None:
    """The signed-in account, while its session row counts (not signed out)."""
    if session is None or session.username is None or session.session_id is None:
        return None
    user = ctx.accounts.session_user(session.session_id)
    return user if user is not None and user.username == session.username else None


PageUser = Annotated[User | None, Depends(page_user)]
