"""Fixtures: a shop simulator on a virtual clock, served over real HTTP on 127.0.0.1.

One uvicorn server runs for the whole session; each test plugs its own fresh
shop into it, so tests stay isolated without paying a server start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from amazon_jobs.clock import VirtualClock
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig, create_app

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class SwitchableApp:
    """An ASGI app that forwards to whichever app the current test plugged in."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await self.app(scope, receive, send)


@dataclass
class Shop:
    """A running shop: the simulator, its base URL and a client holding the key."""

    sim: ShopSimulator
    clock: VirtualClock
    url: str
    http: httpx.Client


@pytest.fixture(scope="session")
def switch() -> Iterator[tuple[SwitchableApp, RunningServer]]:
    app = SwitchableApp()
    with serve_in_thread(app) as server:
        yield app, server


@pytest.fixture
def shop_config() -> ShopSimulatorConfig:
    return ShopSimulatorConfig(products=20, seed=3)


@pytest.fixture
def shop(
    switch: tuple[SwitchableApp, RunningServer], shop_config: ShopSimulatorConfig
) -> Iterator[Shop]:
    app, server = switch
    clock = VirtualClock(START)
    sim = ShopSimulator(shop_config, clock)
    app.app = create_app(sim)
    with httpx.Client(base_url=server.url, auth=(DEFAULT_KEY, ""), timeout=30) as http:
        yield Shop(sim, clock, server.url, http)
