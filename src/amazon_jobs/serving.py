"""Run any ASGI app with uvicorn: in a daemon thread, or in the foreground.

:func:`serve_in_thread` is for tests, demos and benchmarks: it binds the socket
itself (port 0 picks a free one), so the port is known before the server
answers, and returns once uvicorn has started::

    with serve_in_thread(app) as server:
        httpx.get(f"{server.url}/health")

:func:`serve_forever` blocks until the process is interrupted. Both bind to
127.0.0.1 unless told otherwise, log at warning level and keep no access log.
Neither believes forwarded headers: :mod:`amazon_jobs.web.proxies` does, for the
proxies the settings name.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when a server starts: most commands never serve
    import uvicorn

__all__ = ["DEFAULT_HOST", "RunningServer", "serve_forever", "serve_in_thread"]

DEFAULT_HOST = "127.0.0.1"
_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 10.0
_POLL_S = 0.005


class RunningServer:
    """A uvicorn server running in a daemon thread; a context manager that stops it."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, sock: socket.socket):
        self._server = server
        self._thread = thread
        self._socket = sock
        address = sock.getsockname()
        self.host: str = address[0]
        self.port: int = address[1]

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        """Ask uvicorn to shut down and wait for its thread."""
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT_S)
        self._socket.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningServer(url={self.url!r})"


def serve_in_thread(app: Any, host: str = DEFAULT_HOST, port: int = 0) -> RunningServer:
    """Start *app* on *host*:*port* in a daemon thread and return once it answers."""
    import uvicorn

    sock = _bind(host, port)
    server = uvicorn.Server(_config(app, host, port, log_config=None))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
    )
    thread.start()
    running = RunningServer(server, thread, sock)
    _wait_started(running, server, thread)
    return running


def serve_forever(app: Any, host: str = DEFAULT_HOST, port: int = 8000) -> None:
    """Serve *app* on *host*:*port* until the process is interrupted."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    uvicorn.Server(_config(app, host, port, log_config=LOGGING_CONFIG)).run()


def _config(app: Any, host: str, port: int, log_config: dict[str, Any] | None) -> uvicorn.Config:
    # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1 by default.
    # The web app decides which peers are proxies (the trusted_proxies setting).
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=log_config,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        forwarded_allow_ips="",
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def _wait_started(running: RunningServer, server: uvicorn.Server, thread: threading.Thread) -> None:
    waiter = threading.Event()
    for _ in range(int(_START_TIMEOUT_S / _POLL_S)):
        if server.started:
            return
        if not thread.is_alive():
            break
        waiter.wait(_POLL_S)
    running.stop()
    raise RuntimeError(f"uvicorn did not start on {running.url}")
