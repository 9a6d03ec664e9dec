"""SP-API routes as data: each path names its operation and the function that runs it.

Every SP-API route has the same shape: read the request's inputs, then hand
the operation to the :class:`Gateway`, which authenticates, throttles and runs
it. :func:`operations_router` builds that endpoint for each
:class:`OperationRoute`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import APIRouter, Request, Response

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.gateway import Gateway, Reply

__all__ = ["OperationRoute", "Reads", "operations_router"]


class Reads(Enum):
    """What an operation reads from the request besides its path parameters."""

    NOTHING = "nothing"
    #: The query string, as ``(name, value)`` pairs.
    QUERY = "query"
    #: The raw body.
    BODY = "body"
    #: The query string, then the raw body.
    QUERY_AND_BODY = "query_and_body"


@dataclass(frozen=True, slots=True)
class OperationRoute:
    """One path of an SP-API and the operation behind it."""

    method: str
    path: str
    operation: Operation
    #: Called with the admitted Call, the path parameters in order, then what *reads* names.
    run: Callable[..., Reply]
    reads: Reads = Reads.NOTHING


def operations_router(prefix: str, gateway: Gateway, routes: Iterable[OperationRoute]) -> APIRouter:
    """A router serving *routes* under *prefix* through *gateway*."""
    router = APIRouter(prefix=prefix)
    for route in routes:
        router.add_api_route(route.path, _endpoint(gateway, route), methods=[route.method])
    return router


def _endpoint(gateway: Gateway, route: OperationRoute) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        args: list[Any] = list(request.path_params.values())
        if route.reads in (Reads.QUERY, Reads.QUERY_AND_BODY):
            args.append(list(request.query_params.multi_items()))
        if route.reads in (Reads.BODY, Reads.QUERY_AND_BODY):
            args.append(await request.body())
        return await gateway.handle(request, route.operation, lambda call: route.run(call, *args))

    return endpoint
