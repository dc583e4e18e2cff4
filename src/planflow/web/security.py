"""What every response carries, and what a database outage looks like from outside.

- ``SecurityHeaders`` (an ASGI middleware) adds to every response: a Content-Security-Policy
  without inline scripts or styles and with ``frame-ancestors 'none'`` (the task pages' one-click
  forms cannot be framed), X-Frame-Options DENY, X-Content-Type-Options nosniff, a
  Referrer-Policy, and ``Cache-Control: no-store`` on everything but the static files (pages and
  API answers may be personal). Over HTTPS it adds Strict-Transport-Security.
- ``OversizedBodies`` (an ASGI middleware) refuses a request whose declared Content-Length is far
  over the upload limit (413 problem+json) before its body is read and spooled to disk.
- ``outage_handler``: while the database cannot be reached, the API answers 503
  ``application/problem+json`` and the pages a maintenance page (Vietnamese and English), both
  with Retry-After — not plain-text 500s.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planflow.application.outage import DATABASE_ERRORS, is_outage
from planflow.web.pages.common import environment, language
from planflow.web.problems import domain_error_handler, problem
from planflow.web.uploads import UploadTooLarge

log = logging.getLogger(__name__)

RETRY_AFTER = 10  # seconds: a database restart usually takes a few
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI (/docs) sets style attributes from its script; its own script is a static file.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000"
STATIC_PREFIX = "/static/"
FORM_ALLOWANCE = 1024 * 1024  # the other form fields and multipart framing


def _raw(name: str, value: str) -> tuple[bytes, bytes]:
    return name.lower().encode("latin-1"), value.encode("latin-1")


_ALWAYS = [_raw(name, value) for name, value in HEADERS.items()]
_CSP = _raw("Content-Security-Policy", CSP)
_DOCS_CSP = _raw("Content-Security-Policy", DOCS_CSP)
_NO_STORE = _raw("Cache-Control", "no-store")
_HSTS = _raw("Strict-Transport-Security", HSTS)


class SecurityHeaders:
    """The headers above on every response, replacing any of the same name the app set. Built
    once as raw header pairs: per response, one pass over the app's headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        ours = [_DOCS_CSP if path == "/docs" else _CSP, *_ALWAYS]
        if not path.startswith(STATIC_PREFIX):
            ours.append(_NO_STORE)
        if scope.get("scheme") == "https":
            ours.append(_HSTS)
        names = {name for name, _ in ours}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers") or []
                kept = [pair for pair in given if bytes(pair[0]).lower() not in names]
                message["headers"] = [*kept, *ours]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class OversizedBodies:
    """Refuse a body far over the upload limit before it is read and spooled to disk. Plain ASGI
    (Starlette's BaseHTTPMiddleware ran every request through a task group and streams)."""

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.limit = max_upload_bytes + FORM_ALLOWANCE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = _content_length(scope)
            if declared.isdigit() and int(declared) > self.limit:
                size = self.max_upload_bytes
                exc = UploadTooLarge(
                    f"Dữ liệu gửi lên quá lớn; tệp tối đa {size} byte",
                    f"the request is too large; files may be at most {size} bytes",
                )
                response = await domain_error_handler(Request(scope), exc)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _content_length(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return str(value.decode("latin-1"))
    return ""


def docs_page() -> HTMLResponse:
    """Swagger UI from vendored assets, started by a static script (no inline script)."""
    return HTMLResponse(environment().get_template("docs.html").render())


def maintenance_page(request: Request) -> HTMLResponse:
    """Rendered without the database: no account, no session."""
    html = environment().get_template("maintenance.html").render(lang=language(request))
    return HTMLResponse(html, status_code=503, headers={"Retry-After": str(RETRY_AFTER)})


def _internal(request: Request) -> JSONResponse:
    response = problem(
        500,
        "internal",
        "Lỗi máy chủ / Server error",
        "Lỗi không mong đợi; không có gì được ghi",
        "an unexpected error; nothing was recorded",
        request.url.path,
    )
    response.headers.update(HEADERS)  # answered outside SecurityHeaders
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response


async def unexpected_handler(request: Request, exc: Exception) -> Response:
    """A bug: a problem document rather than plain text (the server still logs the trace)."""
    return _internal(request)


async def outage_handler(request: Request, exc: Exception) -> Response:
    if not is_outage(exc):
        log.exception("unexpected database error at %s", request.url.path, exc_info=exc)
        return _internal(request)
    log.warning("database unreachable at %s: %s", request.url.path, type(exc).__name__)
    if not request.url.path.startswith("/api/"):
        return maintenance_page(request)
    response: JSONResponse = problem(
        503,
        "unavailable",
        "Tạm ngừng phục vụ / Service unavailable",
        "Cơ sở dữ liệu tạm thời không truy cập được; không có gì được ghi, hãy thử lại sau",
        "the database cannot be reached for now; nothing was recorded, try again shortly",
        request.url.path,
    )
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def install(web: FastAPI, max_upload_bytes: int) -> None:
    """Oversized bodies refused unread, the headers on every response, and outages answered as
    such."""
    web.add_middleware(OversizedBodies, max_upload_bytes=max_upload_bytes)
    web.add_middleware(SecurityHeaders)
    for kind in DATABASE_ERRORS:
        web.add_exception_handler(kind, outage_handler)
    web.add_exception_handler(Exception, unexpected_handler)
