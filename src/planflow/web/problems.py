"""Errors → HTTP, here and nowhere deeper: RFC 9457 problem details for the API.

Status codes:
- 400 a body that cannot be parsed at all (not JSON, not a form);
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

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from planflow.application.accounts_admin import AccountRefused, NoSuchAccount
from planflow.application.errors import (
    AmbiguousTaskId,
    ConcurrencyConflict,
    PlanNotFound,
    StoreBusy,
    StoreUnavailable,
    TaskNotFound,
)
from planflow.domain.errors import (
    FactConflict,
    InvalidArgument,
    InvalidDeadline,
    PlanflowError,
    UnknownDifficulty,
)
from planflow.web.access import Forbidden, Unauthenticated
from planflow.web.accounts import AccountExists
from planflow.web.errors import WebError
from planflow.web.throttle import TooManyAttempts
from planflow.web.uploads import UploadRejected, UploadTooLarge
from planflow.web.views import FileNotStored

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://planflow.invalid/problems/"


class NotFound(WebError):
    """A plan, a file or a page that does not exist."""


class BadCredentials(WebError):
    def __init__(self) -> None:
        super().__init__("Sai tên đăng nhập hoặc mật khẩu", "wrong username or password")


class PasswordChangeRequired(BadCredentials):
    """The account holds a one-time password: it must choose its own on the sign-in page."""

    def __init__(self) -> None:
        WebError.__init__(
            self,
            "Tài khoản đang dùng mật khẩu một lần; hãy đăng nhập trên trang web để đặt mật khẩu mới",
            "the account holds a one-time password; sign in on the web page to choose a new one",
        )


# Most specific first.
_STATUS: list[tuple[type[PlanflowError], int, str, str]] = [
    (Unauthenticated, 401, "unauthenticated", "Chưa đăng nhập / Not signed in"),
    (BadCredentials, 401, "bad-credentials", "Sai thông tin đăng nhập / Bad credentials"),
    (Forbidden, 403, "forbidden", "Không có quyền / Forbidden"),
    (TaskNotFound, 404, "not-found", "Không tìm thấy / Not found"),
    (AmbiguousTaskId, 404, "not-found", "Không tìm thấy / Not found"),
    (NotFound, 404, "not-found", "Không tìm thấy / Not found"),
    (FileNotStored, 404, "not-found", "Không tìm thấy / Not found"),
    (ConcurrencyConflict, 409, "conflict", "Xung đột phiên bản / Version conflict"),
    (PlanNotFound, 404, "not-found", "Không tìm thấy / Not found"),
    (FactConflict, 409, "conflict", "Đã ghi nhận khác / Recorded otherwise"),
    (TooManyAttempts, 429, "too-many-attempts", "Quá nhiều lần thử / Too many attempts"),
    (UploadTooLarge, 413, "upload-too-large", "Tệp quá lớn / File too large"),
    (UploadRejected, 415, "upload-rejected", "Tệp không hợp lệ / File rejected"),
    (InvalidArgument, 422, "invalid-input", "Dữ liệu không hợp lệ / Invalid input"),
    (InvalidDeadline, 422, "invalid-input", "Dữ liệu không hợp lệ / Invalid input"),
    (UnknownDifficulty, 422, "invalid-input", "Dữ liệu không hợp lệ / Invalid input"),
    (AccountExists, 409, "account-exists", "Tài khoản đã có / Account exists"),
    (NoSuchAccount, 404, "not-found", "Không tìm thấy / Not found"),
    (AccountRefused, 409, "refused", "Không thực hiện được / Refused"),
    (StoreBusy, 503, "store-busy", "Cơ sở dữ liệu đang bận / Database busy"),
    (StoreUnavailable, 503, "store-unavailable", "Cơ sở dữ liệu không sẵn sàng / Unavailable"),
]
RETRY_AFTER_SECONDS = 5
REFUSED = (409, "refused", "Trạng thái nhiệm vụ không cho phép / Refused by the task's state")


def classify(exc: PlanflowError) -> tuple[int, str, str]:
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
    assert isinstance(exc, PlanflowError)
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


_HTTP_ERRORS = {
    400: (
        "bad-request",
        "Yêu cầu không hợp lệ / Bad request",
        "Không đọc được yêu cầu",
        "the request could not be read",
    ),
    404: ("not-found", "Không tìm thấy / Not found", "Không có địa chỉ này", "no such address"),
    405: (
        "method-not-allowed",
        "Phương thức không được phép / Method not allowed",
        "Địa chỉ này không nhận phương thức đó",
        "this address does not take that method",
    ),
}


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """FastAPI's own refusals (a body it cannot parse: 400) as problems on the API; the pages
    keep FastAPI's answer."""
    assert isinstance(exc, StarletteHTTPException)
    if not request.url.path.startswith("/api/"):
        return await http_exception_handler(request, exc)
    slug, title, vi, en = _HTTP_ERRORS.get(exc.status_code, _HTTP_ERRORS[400])
    response = problem(
        exc.status_code,
        slug,
        title,
        f"{vi} ({exc.detail})",
        f"{en} ({exc.detail})",
        request.url.path,
    )
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


class FieldIssue(BaseModel):
    """One thing wrong with a request (a 422 from request validation lists them)."""

    field: str = Field(description="Where: the parameter or form field, dotted")
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str = Field(description="Vietnamese, then English")
    detail_vi: str
    detail_en: str
    instance: str = Field(description="The path asked for")
    current_version: int | None = Field(
        None, description="409 version conflict: the task's version now"
    )
    errors: list[FieldIssue] | None = Field(None, description="422 from request validation")


_DESCRIBED = {
    400: "A body that cannot be parsed / Không đọc được nội dung",
    401: "Not signed in / Chưa đăng nhập",
    403: "Forbidden by role or agency / Không có quyền",
    404: "Not found / Không tìm thấy",
    409: "Refused by the task's state, or a version conflict / Xung đột",
    413: "Upload too large / Tệp quá lớn",
    415: "Upload rejected / Tệp không hợp lệ",
    422: "Invalid input / Dữ liệu không hợp lệ",
    429: "Too many failed sign-ins / Quá nhiều lần đăng nhập sai",
    503: "Database unavailable or busy / Cơ sở dữ liệu không sẵn sàng",
}
_RETRY_AFTER = {
    "description": "Seconds to wait",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "`Bearer`",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {"Retry-After": _RETRY_AFTER},
    503: {"Retry-After": _RETRY_AFTER},
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting each status as problem+json (with Retry-After on 429
    and 503, WWW-Authenticate on 401). Every API operation also gets 503: an outage can strike
    anywhere (``document_problems``)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {
            "description": _DESCRIBED[status],
            "model": Problem,
            "content": _problem_content(),
        }
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        out[status] = entry
    return out


COMMAND_ERRORS = problem_responses(401, 403, 404, 409, 413, 415, 422, 503)


def document_problems(web: FastAPI) -> None:
    """Make /openapi.json say what the server does: every error of every operation is
    ``application/problem+json`` with the Problem schema (FastAPI would add application/json and
    its own 422 shape), every operation may answer 503, and multipart fields are not nullable
    (a form field cannot carry a null: leaving it out is how to send none)."""
    build = web.openapi

    def openapi() -> dict[str, Any]:
        if web.openapi_schema is not None:
            return web.openapi_schema
        schema = build()
        _rewrite(schema)
        web.openapi_schema = schema
        return schema

    web.openapi = openapi  # type: ignore[method-assign]


def _rewrite(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            responses.setdefault("503", problem_responses(503)[503])
            if "requestBody" in operation:
                responses.setdefault("400", problem_responses(400)[400])
            for code, response in responses.items():
                if code[0] in "45":
                    response.pop("model", None)
                    response["content"] = _problem_content()
                    if code == "422":
                        response["description"] = _DESCRIBED[422]
                    if int(code) in _HEADERS:
                        response["headers"] = _HEADERS[int(code)]
            multipart = (
                operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            )
            if multipart:
                _not_nullable(components, multipart["schema"])
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def _not_nullable(components: dict[str, Any], schema: dict[str, Any]) -> None:
    ref = schema.get("$ref", "")
    target = components.get(ref.rsplit("/", 1)[-1], schema) if ref else schema
    for name, prop in target.get("properties", {}).items():
        options = prop.get("anyOf")
        if options and {"type": "null"} in options:
            kept = [o for o in options if o != {"type": "null"}]
            rest = {k: v for k, v in prop.items() if k != "anyOf"}
            target["properties"][name] = {**kept[0], **rest} if len(kept) == 1 else prop
