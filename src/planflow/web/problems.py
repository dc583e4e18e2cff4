"""Errors → HTTP, here and nowhere deeper: RFC 9457 problem details for the API.

Status codes:
- 401 not signed in; 403 the role or agency does not allow it (nothing is recorded);
- 404 no such task, plan or file;
- 409 the task's state refuses the command (cancelled, done, report not awaiting review, a time
  before the last event) or someone changed the task first (``current_version`` is included);
- 413 the upload is too large; 415 its type is not accepted or its content is not what its name
  says;
- 422 the input is malformed or incomplete (missing fields, a deadline not later than the current
  one, an unknown difficulty number or agency);
- 429 too many failed sign-ins for the account or from the address (with Retry-After);
- 503 the database cannot be reached for now (with Retry-After; web/security.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from planflow.application.errors import (
    AmbiguousTaskId,
    ConcurrencyConflict,
    StoreBusy,
    StoreUnavailable,
    TaskNotFound,
)
from planflow.domain.errors import (
    DomainError,
    InvalidArgument,
    InvalidDeadline,
    UnknownDifficulty,
)
from planflow.web.access import Forbidden, Unauthenticated
from planflow.web.accounts import AccountExists
from planflow.web.throttle import TooManyAttempts
from planflow.web.uploads import UploadRejected, UploadTooLarge
from planflow.web.views import FileNotStored

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://planflow.invalid/problems/"


class NotFound(DomainError):
    """A plan, a file or a page that does not exist."""


class BadCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__("Sai tên đăng nhập hoặc mật khẩu", "wrong username or password")


# Most specific first.
_STATUS: list[tuple[type[DomainError], int, str, str]] = [
    (Unauthenticated, 401, "unauthenticated", "Chưa đăng nhập / Not signed in"),
    (BadCredentials, 401, "bad-credentials", "Sai thông tin đăng nhập / Bad credentials"),
    (Forbidden, 403, "forbidden", "Không có quyền / Forbidden"),
    (TaskNotFound, 404, "not-found", "Không tìm thấy / Not found"),
    (AmbiguousTaskId, 404, "not-found", "Không tìm thấy / Not found"),
    (NotFound, 404, "not-found", "Không tìm thấy / Not found"),
    (FileNotStored, 404, "not-found", "Không tìm thấy / Not found"),
    (ConcurrencyConflict, 409, "conflict", "Xung đột phiên bản / Version conflict"),
    (TooManyAttempts, 429, "too-many-attempts", "Quá nhiều lần thử / Too many attempts"),
    (UploadTooLarge, 413, "upload-too-large", "Tệp quá lớn / File too large"),
    (UploadRejected, 415, "upload-rejected", "Tệp không hợp lệ / File rejected"),
    (InvalidArgument, 422, "invalid-input", "Dữ liệu không hợp lệ / Invalid input"),
    (InvalidDeadline, 422, "invalid-input", "Dữ liệu không hợp lệ / Invalid input"),
    (UnknownDifficulty, 422, "invalid-input", "Dữ liệu không hợp lệ / Invalid input"),
    (AccountExists, 409, "account-exists", "Tài khoản đã có / Account exists"),
    (StoreBusy, 503, "store-busy", "Cơ sở dữ liệu đang bận / Database busy"),
    (StoreUnavailable, 503, "store-unavailable", "Cơ sở dữ liệu không sẵn sàng / Unavailable"),
]
RETRY_AFTER_SECONDS = 5
REFUSED = (409, "refused", "Trạng thái nhiệm vụ không cho phép / Refused by the task's state")


def classify(exc: DomainError) -> tuple[int, str, str]:
    for kind, status, slug, title in _STATUS:
        if isinstance(exc, kind):
            return status, slug, title
    return REFUSED


def problem(
    status: int, slug: str, title: str, detail_vi: str, detail_en: str, instance: str, **extra: Any
) -> JSONResponse:
    body = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": f"{detail_vi} / {detail_en}",
        "detail_vi": detail_vi,
        "detail_en": detail_en,
        "instance": instance,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status, slug, title = classify(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, ConcurrencyConflict):
        extra["current_version"] = exc.current_version
    response = problem(status, slug, title, exc.vi, exc.en, request.url.path, **extra)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
            "message": str(err.get("msg", "")),
        }
        for err in exc.errors()
    ]
    fields = ", ".join(e["field"] for e in errors) or "?"
    return problem(
        422,
        "invalid-input",
        "Dữ liệu không hợp lệ / Invalid input",
        f"Dữ liệu gửi lên không hợp lệ ở: {fields}",
        f"the request is invalid at: {fields}",
        request.url.path,
        errors=errors,
    )


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    detail_vi: str
    detail_en: str
    instance: str
    current_version: int | None = None
    errors: list[dict[str, str]] | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting each status as problem+json."""
    described = {
        400: "Bad request",
        401: "Not signed in / Chưa đăng nhập",
        403: "Forbidden by role or agency / Không có quyền",
        404: "Not found / Không tìm thấy",
        409: "Refused by the task's state, or a version conflict / Xung đột",
        413: "Upload too large / Tệp quá lớn",
        415: "Upload rejected / Tệp không hợp lệ",
        422: "Invalid input / Dữ liệu không hợp lệ",
        503: "Database unavailable or busy / Cơ sở dữ liệu không sẵn sàng",
    }
    return {
        status: {
            "description": described[status],
            "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


COMMAND_ERRORS = problem_responses(401, 403, 404, 409, 413, 415, 422, 503)
