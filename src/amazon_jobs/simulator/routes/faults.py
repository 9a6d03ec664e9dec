"""``/_sim/faults``: read and set faults over HTTP; not part of the SP-API, no token."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from amazon_jobs.simulator.common.fault_control import apply_faults
from amazon_jobs.simulator.routes.inspect import INSPECT_PREFIX
from amazon_jobs.simulator.state import Simulator

__all__ = ["faults_router"]


def faults_router(simulator: Simulator) -> APIRouter:
    """``GET /_sim/faults`` answers the faults in force; ``POST`` sets some (see fault_control)."""
    router = APIRouter(prefix=INSPECT_PREFIX)

    @router.get("/faults")
    async def read_faults() -> JSONResponse:
        return JSONResponse(simulator.faults.snapshot())

    @router.post("/faults")
    async def set_faults(request: Request) -> JSONResponse:
        try:
            apply_faults(simulator.faults, json.loads(await request.body() or b"{}"))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(simulator.faults.snapshot())

    return router
