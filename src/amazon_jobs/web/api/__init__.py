"""The REST API under /api/v1, one router per resource; /healthz and /metrics.

Every route but /healthz needs ``Authorization: Bearer <token>``; every error
has the one shape of :mod:`amazon_jobs.web.errors`. Lists are keyset pages:
newest first with ``before_id`` -> ``next_before_id`` (jobs, products,
listings, orders), or in order with ``after_id`` -> ``next_after_id`` (a
job's items and log, the inventory report); no request counts a whole table.
A request body larger than :data:`~amazon_jobs.web.errors.MAX_API_BODY_BYTES`
is refused with 413 as it arrives, before it is read whole.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from amazon_jobs.web.api import (
    accounts,
    health,
    inventory,
    jobs,
    listings,
    metrics,
    orders,
    products,
    quota,
    shops,
)
from amazon_jobs.web.api.auth import require_token
from amazon_jobs.web.api.schemas.common import error
from amazon_jobs.web.errors import MAX_API_BODY_BYTES

__all__ = ["api_router", "health_router", "metrics_router"]

COMMON_ERRORS = (
    error(400, "The body cannot be read, or the request cannot be carried out")
    | error(401, "No valid API token")
    | error(403, "The token's role (its scope, or its user's role) does not allow it")
    | error(413, f"The request body is larger than {MAX_API_BODY_BYTES // 2**20} MiB")
    | error(422, "The request is not valid")
)

api_router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(require_token)],
    responses=COMMON_ERRORS,
    max_body_size=MAX_API_BODY_BYTES,
)
for _module in (jobs, accounts, shops, products, listings, orders, inventory, quota):
    api_router.include_router(_module.router)

health_router = health.router
metrics_router = metrics.router
