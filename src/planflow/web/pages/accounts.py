"""Accounts in the browser, for the Office's administrator (issue 10, point 7): list them, create
one or many from a CSV (name, e-mail, agency code), reset a password, deactivate or reactivate,
and see who signed in when and every change with its actor.

A new account, and a reset, get a one-time password shown once on the page that made it (never
stored in clear, never sent by e-mail: the outbox keeps what it sends); the person chooses their
own password at the next sign-in (pages/password.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planflow.application.account_csv import CsvRejected
from planflow.application.accounts_admin import ACTIONS, AccountAdmin, Created
from planflow.domain.errors import InvalidArgument, PlanflowError
from planflow.web import catalog
from planflow.web.access import Forbidden, may_manage_accounts
from planflow.web.accounts import Role, User
from planflow.web.auth import Session
from planflow.web.context import WebContext
from planflow.web.deps import Ctx, PageUser, SessionDep
from planflow.web.pages.common import checked_form, error_page, render, to_login

router = APIRouter(include_in_schema=False)

SHOWN = 200


def admin_of(ctx: WebContext) -> AccountAdmin:
    return ctx.account_admin()


class NotAdministrator(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Chỉ quản trị viên được quản lý tài khoản", "only the administrator manages accounts"
        )


def _page(
    request: Request,
    ctx: WebContext,
    user: User,
    session: Session | None,
    status_code: int = 200,
    **values: Any,
) -> Response:
    admin = admin_of(ctx)
    return render(
        request,
        ctx,
        "accounts.html",
        user,
        session,
        status_code=status_code,
        accounts=admin.accounts(),
        signins=admin.signins(SHOWN),
        changes=admin.changes(SHOWN),
        actions=ACTIONS,
        roles=list(Role),
        agencies=catalog.agencies(ctx),
        created=values.pop("created", []),
        problems=values.pop("problems", []),
        csv_text=values.pop("csv_text", ""),
        one=values.pop("one", {}),
        **values,
    )


@router.get("/accounts")
def accounts_page(request: Request, ctx: Ctx, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return to_login(request)
    if not may_manage_accounts(user):
        return error_page(request, ctx, NotAdministrator(), user, session)
    return _page(request, ctx, user, session)


async def _admin_form(
    request: Request, ctx: WebContext, user: User | None, session: Session | None
) -> tuple[User, dict[str, str], dict[str, bytes]]:
    signed_in, fields, files = await checked_form(request, ctx, user, session)
    if not may_manage_accounts(signed_in):
        raise NotAdministrator()
    return signed_in, fields, {k: f.data for k, f in files.items()}


def _known(ctx: WebContext) -> set[str]:
    return {a.code for a in catalog.agencies(ctx)}


@router.post("/accounts/create")
async def create_account(
    request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    fields: dict[str, str] = {}
    try:
        admin_user, fields, _files = await _admin_form(request, ctx, user, session)
        try:
            role = Role(fields.get("role", ""))
        except ValueError:
            raise InvalidArgument("Hãy chọn vai trò", "please choose a role") from None
        made = admin_of(ctx).create(
            admin_user.username,
            ctx.now(),
            fields.get("username", ""),
            role,
            fields.get("agency") or None,
            full_name=fields.get("full_name", "").strip(),
            email=fields.get("email", "").strip(),
            known_agencies=_known(ctx),
        )
    except PlanflowError as exc:
        if user is None or not may_manage_accounts(user):
            return error_page(request, ctx, exc, user, session, back="/accounts")
        return _page(request, ctx, user, session, 422, error=exc, one=fields)
    return _page(request, ctx, admin_user, session, created=[made])


@router.post("/accounts/import")
async def import_accounts(
    request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    text = ""
    try:
        admin_user, fields, files = await _admin_form(request, ctx, user, session)
        data = files.get("file")
        try:
            text = data.decode("utf-8-sig") if data else fields.get("csv", "")
        except UnicodeDecodeError:
            raise InvalidArgument(
                "Tệp CSV phải được lưu ở dạng UTF-8", "the CSV must be saved as UTF-8"
            ) from None
        made: list[Created] = admin_of(ctx).import_csv(
            admin_user.username, ctx.now(), text, _known(ctx)
        )
    except CsvRejected as exc:
        assert user is not None
        return _page(request, ctx, user, session, 422, problems=exc.problems, csv_text=text)
    except PlanflowError as exc:
        if user is None or not may_manage_accounts(user):
            return error_page(request, ctx, exc, user, session, back="/accounts")
        return _page(request, ctx, user, session, 422, error=exc, csv_text=text)
    return _page(request, ctx, admin_user, session, created=made)


@router.post("/accounts/{username}/{action}")
async def change_account(
    username: str, action: str, request: Request, ctx: Ctx, user: PageUser, session: SessionDep
) -> Response:
    try:
        admin_user, _fields, _files = await _admin_form(request, ctx, user, session)
        admin = admin_of(ctx)
        if action == "reset":
            password = admin.reset_password(admin_user.username, ctx.now(), username)
            found = next(a for a in admin.accounts() if a.username == username)
            made = Created(User(found.username, found.role, found.agency), password)
            return _page(request, ctx, admin_user, session, created=[made], reset=True)
        if action in ("deactivate", "reactivate"):
            admin.set_active(admin_user.username, ctx.now(), username, action == "reactivate")
            return RedirectResponse(f"/accounts?ok=account-{action}d", status_code=303)
        raise InvalidArgument(f"Không có thao tác {action!r}", f"no action {action!r}")
    except PlanflowError as exc:
        return error_page(request, ctx, exc, user, session, back="/accounts")
