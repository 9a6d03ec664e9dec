"""The shop simulator's ASGI app: ``/api/…``, ``/webservice/dispatcher.php?url=…`` and
``/_sim/faults`` (not part of PrestaShop, no key)."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amazon_jobs.shop_simulator.dispatch import WsRequest, handle
from amazon_jobs.shop_simulator.fault_control import apply_faults
from amazon_jobs.shop_simulator.state import ShopSimulator

__all__ = ["FAULTS_PATH", "create_app"]

FAULTS_PATH = "/_sim/faults"
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


def create_app(sim: ShopSimulator) -> Starlette:
    """An app serving *sim* over HTTP."""

    async def webservice(request: Request) -> Response:
        params = list(request.query_params.multi_items())
        if request.url.path.startswith("/webservice/"):
            url = request.query_params.get("url", "")
            params = [(k, v) for k, v in params if k != "url"]
        else:
            url = request.url.path[len("/api") :]
        ws_request = WsRequest(
            method=request.method,
            url=url,
            params=params,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
            base_url=str(request.base_url).rstrip("/"),
        )
        answer = await run_in_threadpool(handle, sim, ws_request)
        headers = dict(answer.headers)
        if answer.content_type:
            headers["Content-Type"] = answer.content_type
        return Response(answer.body.encode("utf-8"), answer.status, headers=headers)

    async def read_faults(_request: Request) -> JSONResponse:
        return JSONResponse(sim.faults.snapshot())

    async def set_faults(request: Request) -> JSONResponse:
        try:
            apply_faults(sim.faults, json.loads(await request.body() or b"{}"))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(sim.faults.snapshot())

    return Starlette(
        routes=[
            Route(FAULTS_PATH, read_faults, methods=["GET"]),
            Route(FAULTS_PATH, set_faults, methods=["POST"]),
            Route("/api", webservice, methods=_METHODS),
            Route("/api/{path:path}", webservice, methods=_METHODS),
            Route("/webservice/dispatcher.php", webservice, methods=_METHODS),
        ]
    )
