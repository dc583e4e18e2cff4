"""``create_app(settings, clock)``: the FastAPI application, with an injected clock.

Tests pass a clock they can move; ``planflow serve`` passes the wall clock.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException as StarletteHTTPException

from planflow.application.app import PlanflowApp
from planflow.domain.errors import PlanflowError
from planflow.web import observe, security
from planflow.web.accounts import AccountStore
from planflow.web.api import commands, plans, session, summary, tasks
from planflow.web.auth import Signer
from planflow.web.context import Clock, WebContext
from planflow.web.pages import (
    accounts,
    agency,
    audit,
    board,
    inbox,
    login,
    password,
    plan_review,
)
from planflow.web.pages import plans as plan_pages
from planflow.web.pages import tasks as task_pages
from planflow.web.pages.common import error_page
from planflow.web.problems import (
    NotFound,
    document_problems,
    domain_error_handler,
    http_error_handler,
    validation_error_handler,
)
from planflow.web.settings import WebSettings
from planflow.web.throttle import SignInThrottle

STATIC = Path(__file__).resolve().parent / "static"
NO_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}
API_PREFIX = "/api/v1"

DESCRIPTION = """
API theo dõi nhiệm vụ của kế hoạch / the plan-tracking API.

Sign in with `POST /api/v1/token` (form fields `username`, `password`), then send
`Authorization: Bearer <token>`. Errors are `application/problem+json` (RFC 9457) whose `detail`
carries the message in Vietnamese, then English.
"""


def create_app(
    settings: WebSettings,
    clock: Clock,
    *,
    application: PlanflowApp | None = None,
) -> FastAPI:
    """Build the web app. It owns (and closes) the PlanflowApp unless one is passed in."""
    owned = application is None
    planflow = application or PlanflowApp(settings.database_url)
    ctx = WebContext(
        app=planflow,
        accounts=AccountStore(planflow.engine, cache_seconds=settings.session_cache_seconds),
        settings=settings,
        clock=clock,
    )
    ctx.account_admin()  # its tables made now, not by the first concurrent requests

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            planflow.close()

    web = FastAPI(
        title="planflow",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from vendored assets: no CDN
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        # planflow reports through /metrics and its JSON logs, not OpenTelemetry: FastAPI's own
        # hooks asked the OpenTelemetry providers (and the environment) on every request.
        telemetry=NO_TELEMETRY,
    )

    @web.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return security.docs_page()  # vendored assets, no CDN, no inline script

    web.state.ctx = ctx
    web.state.signer = Signer(settings)
    web.add_exception_handler(PlanflowError, domain_error_handler)
    web.add_exception_handler(RequestValidationError, validation_error_handler)

    async def not_found_page(request: Request, exc: Exception) -> Response:
        """An unknown page gets the site's own 404 page; the API keeps its problem+json."""
        assert isinstance(exc, StarletteHTTPException)
        # A GET of a page address that only takes POST (/tasks/…/accept) is a missing page too.
        missing_page = exc.status_code == 404 or (
            exc.status_code == 405 and request.method in ("GET", "HEAD")
        )
        if not missing_page or request.url.path.startswith((API_PREFIX, "/static/")):
            return await http_error_handler(request, exc)
        missing = NotFound(
            f"Không có trang {request.url.path}", f"there is no page {request.url.path}"
        )
        return error_page(request, ctx, missing, None, None)

    web.add_exception_handler(StarletteHTTPException, not_found_page)
    web.state.throttle = SignInThrottle()
    security.install(web, settings.max_upload_bytes)  # oversized bodies, headers, outages
    web.add_middleware(observe.RequestIds)  # outermost: X-Request-ID, access log, latency
    web.include_router(observe.router(ctx))  # /healthz, /readyz, /metrics
    # The task commands first: the routes most often asked for are matched first (each request
    # is tried against the routes in order). No other router answers POST /tasks/{task}/….
    for router in (commands.router, session.router, plans.router, tasks.router, summary.router):
        web.include_router(router, prefix=API_PREFIX)
    web.include_router(summary.pages)
    for router in (
        login.router,
        board.router,
        agency.router,
        audit.router,
        inbox.router,
        accounts.router,
        password.router,
        task_pages.router,
        plan_review.router,
        plan_pages.router,
    ):
        web.include_router(router)
    document_problems(web)  # every error documented as problem+json
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    return web


def freeze_startup_objects() -> None:
    """Once per serving process, after its app is built (``planflow serve``, each worker): the
    objects made so far (modules, the app, its tables and templates, about 190,000) are moved out
    of the garbage collector's sight, so its full collections under traffic walk only what the
    requests made. Not called by tests, which build many apps in one process."""
    gc.collect()
    gc.freeze()
