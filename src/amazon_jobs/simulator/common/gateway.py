"""The SP-API front door: access token, throttling, counters and the answer's headers.

Every SP-API request goes through :func:`run_operation` under the simulator's
lock:

1. the state is brought up to the clock's now, and the request is counted; a
   queued or random fault (``simulator.common.faults``) answers 5xx (or an injected 429)
   here;
2. the ``x-amz-access-token`` must be live, else 403 (no token taken); an
   injected expiry (:meth:`.Faults.expire_access_tokens`) ends every token
   issued so far first. The token names the seller *and* the application
   (LWA client) it was issued to;
3. the operation's buckets must hold a token, the seller-application pair's
   and, where the operation has one, the application's
   (``simulator.common.throttling``), else 429 (nothing taken);
4. the operation runs. It may :meth:`Call.require` further buckets (createFeed
   of a JSON_LISTINGS_FEED needs that feed type's own quota); if one is empty
   the answer is 429 and no bucket loses a token. A 400 or 404 takes the
   operation's token, as Amazon's gateway meters every request it lets through;
   a success takes every bucket involved.

An injected delay (:meth:`.Faults.delay_answers`) or a slow answer
(:meth:`.Faults.set_slow_answers`) then holds the answer for real seconds,
outside the lock, and an injected reset
(:meth:`.Faults.reset_next`) cuts it off after its status line. Answers carry
``x-amzn-RequestId`` always, and ``x-amzn-RateLimit-Limit`` on 2xx, 400 and
404 as in the models.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.errors import FAULT_ANSWERS, ApiError, Throttled
from amazon_jobs.simulator.common.throttling import Caller, format_rate, quota_refusal
from amazon_jobs.simulator.state import Simulator

__all__ = [
    "ACCESS_TOKEN_HEADER",
    "RATE_HEADER",
    "REQUEST_ID_HEADER",
    "Action",
    "Answer",
    "Call",
    "Gateway",
    "Reply",
    "run_operation",
    "sp_response",
]

ACCESS_TOKEN_HEADER = "x-amz-access-token"
REQUEST_ID_HEADER = "x-amzn-RequestId"
RATE_HEADER = "x-amzn-RateLimit-Limit"


@dataclass(slots=True)
class Call:
    """One admitted request: who asks (a seller through an application), when, and
    from which base URL."""

    simulator: Simulator
    seller_id: str
    now: datetime
    base_url: str
    #: LWA client id of the application the access token was issued to.
    client_id: str
    #: Extra buckets to take a token from when the operation succeeds.
    extra: list[Operation] = field(default_factory=list)

    @property
    def caller(self) -> Caller:
        return Caller(self.seller_id, self.client_id)

    def require(self, operation: Operation) -> None:
        """Also need a token of *operation*; Throttled if there is none."""
        level = self.simulator.throttle.empty_level(self.caller, operation, self.now)
        if level is not None:
            raise quota_refusal(operation, level)
        self.extra.append(operation)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a successful operation answers; a None body is an empty one."""

    status: int
    body: Any = None


@dataclass(frozen=True, slots=True)
class Answer:
    """The whole answer; *rate* is set when the rate header belongs on it."""

    status: int
    body: Any
    rate: float | None = None


Action = Callable[[Call], Reply]


def run_operation(
    simulator: Simulator,
    operation: Operation,
    access_token: str | None,
    base_url: str,
    action: Action,
) -> Answer:
    """Authenticate, throttle and run *action*; see the module docstring."""
    with simulator.lock:
        now = simulator.sync()
        simulator.counters.request(operation)
        fault = simulator.faults.next_error(operation)
        if fault is not None:
            return Answer(fault, FAULT_ANSWERS[fault])
        if simulator.faults.take_token_expiry():
            simulator.tokens.expire_all(now)
        try:
            caller = simulator.tokens.caller_for(access_token, now)
        except ApiError as refused:
            return Answer(refused.status, refused.body)
        level = simulator.throttle.empty_level(caller, operation, now)
        if level is not None:
            return _throttled(simulator, operation, quota_refusal(operation, level))
        call = Call(simulator, caller.seller_id, now, base_url, caller.client_id)
        return _admitted(call, operation, action)


def _admitted(call: Call, operation: Operation, action: Action) -> Answer:
    throttle = call.simulator.throttle
    rate = throttle.limit(operation).rate
    try:
        reply = action(call)
    except Throttled as refusal:
        return _throttled(call.simulator, operation, refusal)
    except ApiError as refused:
        throttle.take(call.caller, operation, call.now)
        return Answer(refused.status, refused.body, rate)
    for taken in (operation, *call.extra):
        throttle.take(call.caller, taken, call.now)
    return Answer(reply.status, reply.body, rate)


def _throttled(simulator: Simulator, operation: Operation, refusal: Throttled) -> Answer:
    simulator.counters.throttle(operation, refusal.application)
    return Answer(429, refusal.body)


def sp_response(answer: Answer, request_id: str) -> Response:
    """The HTTP response for *answer*, with Amazon's headers."""
    headers = {REQUEST_ID_HEADER: request_id}
    if answer.rate is not None:
        headers[RATE_HEADER] = format_rate(answer.rate)
    if answer.body is None:
        return Response(status_code=answer.status, headers=headers)
    return JSONResponse(answer.body, answer.status, headers=headers)


class Gateway:
    """Runs SP-API operations for HTTP requests, off the event loop."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    async def handle(self, request: Request, operation: Operation, action: Action) -> Response:
        request_id = str(uuid.uuid4())
        token = request.headers.get(ACCESS_TOKEN_HEADER)
        base_url = str(request.base_url).rstrip("/")
        answer = await run_in_threadpool(
            run_operation, self.simulator, operation, token, base_url, action
        )
        delay_s = self.simulator.faults.take_delay(operation)
        if delay_s > 0:
            await asyncio.sleep(delay_s)  # real seconds: an injected slow answer
        response = sp_response(answer, request_id)
        if self.simulator.faults.take_reset(operation):
            return CutOff(response)
        return response


class CutOff(Response):
    """*response* lost on the way (an injected reset): its status line and headers
    go out, announcing a chunked body that never comes, and the connection closes
    (an ASGI response that never completes makes the server close it)."""

    def __init__(self, response: Response) -> None:
        super().__init__(status_code=response.status_code)
        self.raw_headers = [
            (name, value) for name, value in response.raw_headers if name != b"content-length"
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
