"""``POST /auth/o2/token``: Login with Amazon's token endpoint (form-encoded)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from amazon_jobs.simulator.common.gateway import REQUEST_ID_HEADER
from amazon_jobs.simulator.lwa.auth import Grant, LwaRefusal
from amazon_jobs.simulator.state import Simulator

__all__ = ["TOKEN_PATH", "lwa_router"]

TOKEN_PATH = "/auth/o2/token"
_FORM = "application/x-www-form-urlencoded"
_NO_STORE = {"Cache-Control": "no-cache, no-store, must-revalidate", "Pragma": "no-cache"}


def lwa_router(simulator: Simulator) -> APIRouter:
    """The token endpoint; neither authenticated nor throttled."""
    router = APIRouter()

    @router.post(TOKEN_PATH)
    async def token(request: Request) -> Response:
        form: dict[str, str] = {}
        if request.headers.get("content-type", "").startswith(_FORM):
            body = (await request.body()).decode("utf-8", "replace")
            form = dict(parse_qsl(body, keep_blank_values=True))
        result = await run_in_threadpool(_grant, simulator, form)
        status = 200 if isinstance(result, Grant) else result.status
        headers = {REQUEST_ID_HEADER: str(uuid.uuid4()), **_NO_STORE}
        return JSONResponse(result.to_json(), status, headers=headers)

    return router


def _grant(simulator: Simulator, form: dict[str, str]) -> Grant | LwaRefusal:
    with simulator.lock:
        result = simulator.tokens.grant(form, simulator.sync())
        if isinstance(result, Grant):
            simulator.counters.tokens_issued += 1
        return result
