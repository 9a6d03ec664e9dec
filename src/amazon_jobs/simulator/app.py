"""The simulator's ASGI app: LWA, the SP-APIs it knows (Feeds, Reports, Catalog Items,
Orders, Listings Items), document URLs, inspection, faults."""

from __future__ import annotations

import uuid

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from amazon_jobs.simulator.common.errors import SERVER_ERRORS, error_list
from amazon_jobs.simulator.common.gateway import REQUEST_ID_HEADER, Gateway
from amazon_jobs.simulator.routes.catalog import catalog_router
from amazon_jobs.simulator.routes.faults import faults_router
from amazon_jobs.simulator.routes.feeds import feeds_router
from amazon_jobs.simulator.routes.inspect import inspect_router
from amazon_jobs.simulator.routes.listings import listings_router
from amazon_jobs.simulator.routes.lwa import lwa_router
from amazon_jobs.simulator.routes.orders import orders_router
from amazon_jobs.simulator.routes.reports import reports_router
from amazon_jobs.simulator.routes.s3 import s3_router
from amazon_jobs.simulator.state import Simulator

__all__ = ["create_app"]


def create_app(simulator: Simulator) -> FastAPI:
    """An app serving *simulator* over HTTP."""
    app = FastAPI(
        title="amazon-jobs SP-API simulator", openapi_url=None, docs_url=None, redoc_url=None
    )
    app.state.simulator = simulator
    gateway = Gateway(simulator)
    app.include_router(lwa_router(simulator))
    app.include_router(feeds_router(gateway))
    app.include_router(reports_router(gateway))
    app.include_router(catalog_router(gateway))
    app.include_router(orders_router(gateway))
    app.include_router(listings_router(gateway))
    app.include_router(faults_router(simulator))
    app.include_router(s3_router(simulator))
    app.include_router(inspect_router(simulator))
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = "NotFound" if status == 404 else "InvalidInput"
    message = f"{request.method} {request.url.path} is not a resource of this API."
    return JSONResponse(
        error_list(code, message), status, headers={REQUEST_ID_HEADER: str(uuid.uuid4())}
    )


async def _internal_error(_request: Request, _exc: Exception) -> Response:
    return JSONResponse(SERVER_ERRORS[500], 500, headers={REQUEST_ID_HEADER: str(uuid.uuid4())})
