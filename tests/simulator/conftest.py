"""Fixtures: a simulator on a virtual clock, served over real HTTP on 127.0.0.1.

One uvicorn server runs for the whole session; each test plugs its own fresh
simulator app into it, so tests stay isolated without paying a server start.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from amazon_jobs.clock import VirtualClock
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app

from .helpers import START, SpApi


class SwitchableApp:
    """An ASGI app that forwards to whichever app the current test plugged in."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        await self.app(scope, receive, send)


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


@pytest.fixture(scope="session")
def switch() -> Iterator[tuple[SwitchableApp, RunningServer]]:
    app = SwitchableApp()
    with serve_in_thread(app) as server:
        yield app, server


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def config() -> SimulatorConfig:
    return SimulatorConfig.focused()


@pytest.fixture
def simulator(config: SimulatorConfig, clock: VirtualClock) -> Simulator:
    simulator = Simulator(config, clock)
    simulator.seed_listings(
        [
            {"sku": "SKU-A", "asin": "B000000001", "quantity": 5, "price": "10.00"},
            {"sku": "SKU-B", "asin": "B000000002", "quantity": 0, "price": "20.50"},
        ]
    )
    return simulator


@pytest.fixture
def server(
    switch: tuple[SwitchableApp, RunningServer], simulator: Simulator
) -> Iterator[RunningServer]:
    app, running = switch
    app.app = create_app(simulator)
    yield running
    app.app = None


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


@pytest.fixture
def sp(http: httpx.Client, config: SimulatorConfig, clock: VirtualClock) -> SpApi:
    return SpApi(http, config, clock)
