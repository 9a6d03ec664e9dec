"""The web app factory: the dashboard pages, the REST API and /healthz."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from amazon_jobs import __version__
from amazon_jobs.runtime import Runtime
from amazon_jobs.web.access import DOCS, install_forbidden_page
from amazon_jobs.web.api import api_router, health_router, metrics_router
from amazon_jobs.web.api_reference import endpoints
from amazon_jobs.web.errors import install_error_handlers
from amazon_jobs.web.headers import SecurityHeaders
from amazon_jobs.web.hosts import AllowedHosts
from amazon_jobs.web.pages import pages_router
from amazon_jobs.web.proxies import ProxyHeaders
from amazon_jobs.web.templating import templates

__all__ = ["KEY_USER", "create_app"]

HERE = Path(__file__).parent

OPENAPI_URL = "/api/v1/openapi.json"
DOCS_URL = "/api/docs"


#: What needs the secret key, as the refusal names it.
KEY_USER = "the dashboard (amazon-jobs serve)"


def create_app(rt: Runtime) -> FastAPI:
    """The app; refuses to be built without a secret key outside the demo."""
    rt.settings.require_secret_key(KEY_USER)
    app = FastAPI(
        title="amazon-jobs",
        version=__version__,
        description="Amazon Jobs: durable, visible jobs that keep a shop in sync with Amazon.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.runtime = rt
    # Added innermost first: a request meets ProxyHeaders, SecurityHeaders, AllowedHosts,
    # then the error handlers (so the 400 of a wrong host and the 413 get the headers).
    install_error_handlers(app)
    install_forbidden_page(app)
    app.add_middleware(AllowedHosts, hosts=rt.settings.hosts)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ProxyHeaders, trusted=rt.settings.trusted_proxies)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(health_router)
    app.include_router(api_router)
    app.include_router(metrics_router)
    app.include_router(pages_router)
    _add_docs(app)
    return app


def _add_docs(app: FastAPI) -> None:
    """The OpenAPI schema and its docs page, for a logged-in browser or an API token."""

    @app.get(OPENAPI_URL, include_in_schema=False, dependencies=DOCS)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get(DOCS_URL, include_in_schema=False, dependencies=DOCS)
    def docs(request: Request) -> Response:
        context = {
            "endpoints": endpoints(app.openapi()),
            "openapi_url": OPENAPI_URL,
            "version": __version__,
        }
        return templates.TemplateResponse(request, "api_docs.html", context)
