"""Tokens: POST /api/v1/token with a username and password; GET /api/v1/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from planflow.web.api.models import MeOut, TokenForm, TokenOut
from planflow.web.deps import ApiUser, Ctx, SignerDep, ThrottleDep, bearer, client_address
from planflow.web.problems import BadCredentials, PasswordChangeRequired, problem_responses

router = APIRouter(tags=["auth"])


@router.post(
    "/token",
    summary="Lấy mã truy cập / get a bearer token",
    response_model=TokenOut,
    responses=problem_responses(401, 413, 422, 429, 503),
)
def token(
    request: Request,
    ctx: Ctx,
    signer: SignerDep,
    throttle: ThrottleDep,
    form: Annotated[TokenForm, Form()],
) -> TokenOut:
    """Too many wrong passwords for an account or from an address: 429 with Retry-After."""
    username, password = form.username, form.password
    address = client_address(request)
    throttle.check(username, address, ctx.now())
    user = ctx.accounts.authenticate(username, password)
    if user is None:
        throttle.failed(username, address, ctx.now())
        raise BadCredentials()
    throttle.succeeded(username, address)
    admin = ctx.account_admin()
    if admin.must_change_password(user.username):
        raise PasswordChangeRequired()
    admin.record_signin(user.username, "token", ctx.now(), address)
    session_id = ctx.accounts.open_session(
        user.username, "token", ctx.now(), ctx.settings.token_max_age
    )
    return TokenOut(
        access_token=signer.token(user, session_id),
        token_type="bearer",
        expires_in=ctx.settings.token_max_age,
        username=user.username,
        role=user.role.value,
        agency=user.agency,
    )


@router.get(
    "/me",
    summary="Tài khoản hiện tại / the signed-in account",
    response_model=MeOut,
    responses=problem_responses(401, 503),
)
def me(user: ApiUser) -> MeOut:
    return MeOut(
        username=user.username, role=user.role.value, role_vi=user.role.label_vi, agency=user.agency
    )


@router.delete(
    "/token",
    status_code=204,
    summary="Thu hồi mã truy cập / revoke this token",
    response_class=Response,
    responses={204: {"description": "Revoked; no content"}, **problem_responses(401, 503)},
)
def revoke(
    ctx: Ctx,
    signer: SignerDep,
    user: ApiUser,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Response:
    """Signing out of the API: the token stops working at once, everywhere."""
    found = signer.token_session(credentials.credentials) if credentials else None
    if found is not None and found[0] == user.username:
        ctx.accounts.revoke_session(found[1], ctx.now())
    return Response(status_code=204)
