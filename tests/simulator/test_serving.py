from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from amazon_jobs.serving import serve_in_thread


def hello_app() -> FastAPI:
    app = FastAPI()
    app.add_api_route("/hello", lambda: PlainTextResponse("hi"))
    return app


def test_serves_on_loopback_with_a_free_port_until_stopped():
    with serve_in_thread(hello_app()) as server:
        assert server.host == "127.0.0.1"
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert httpx.get(f"{server.url}/hello").text == "hi"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/hello", timeout=2)


def test_stop_can_be_called_directly():
    server = serve_in_thread(hello_app())
    assert httpx.get(f"{server.url}/hello").status_code == 200
    server.stop()
    assert "127.0.0.1" in repr(server)


def test_a_taken_port_fails_at_once():
    with serve_in_thread(hello_app()) as first, pytest.raises(OSError):
        serve_in_thread(hello_app(), port=first.port)
