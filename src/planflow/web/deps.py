"""FastAPI dependencies, as Annotated aliases.

The cheap ones are ``async``: FastAPI runs a plain ``def`` dependency on the thread pool, a hop
that cost more than the dependency itself. The session check asks the database (on the thread
pool) only when the account store's short memory of sessions does not answer
(application/session_cache.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from planflow.web.access import Unauthenticated
from planflow.web.accounts import User
from planflow.web.auth import SESSION_COOKIE, Session, Signer
from planflow.web.context import WebContext
from planflow.web.throttle import SignInThrottle

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/token")


def ctx_of(request: Request) -> WebContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, WebContext)
    return ctx


def signer_of(request: Request) -> Signer:
    signer = request.app.state.signer
    assert isinstance(signer, Signer)
    return signer


async def get_ctx(request: Request) -> WebContext:
    return ctx_of(request)


async def get_signer(request: Request) -> Signer:
    return signer_of(request)


Ctx = Annotated[WebContext, Depends(get_ctx)]
SignerDep = Annotated[Signer, Depends(get_signer)]


async def get_throttle(request: Request) -> SignInThrottle:
    throttle = request.app.state.throttle
    assert isinstance(throttle, SignInThrottle)
    return throttle


ThrottleDep = Annotated[SignInThrottle, Depends(get_throttle)]


def client_address(request: Request) -> str:
    """The peer's address (uvicorn resolves X-Forwarded-For only from trusted proxies)."""
    return request.client.host if request.client else "unknown"


async def session_user(ctx: WebContext, username: str, session_id: str) -> User | None:
    """The account of a session that still counts and names ``username``, else None."""
    user = ctx.accounts.kept_session_user(session_id)
    if user is None:
        user = await run_in_threadpool(ctx.accounts.session_user, session_id)
    return user if user is not None and user.username == username else None


async def api_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The API authenticates by bearer token only (no cookies, so no CSRF to worry about)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    found = signer_of(request).token_session(credentials.credentials)
    user = None if found is None else await session_user(ctx_of(request), *found)
    if user is None:
        raise Unauthenticated()
    return user


ApiUser = Annotated[User, Depends(api_user)]


async def page_session(request: Request, signer: SignerDep) -> Session | None:
    return signer.read_session(request.cookies.get(SESSION_COOKIE))


SessionDep = Annotated[Session | None, Depends(page_session)]


async def page_user(ctx: Ctx, session: SessionDep) -> User | None:
    """The signed-in account, while its session row counts (not signed out)."""
    if session is None or session.username is None or session.session_id is None:
        return None
    return await session_user(ctx, session.username, session.session_id)


PageUser = Annotated[User | None, Depends(page_user)]
