"""A tiny HTTP server on 127.0.0.1 that records every request: the attacker's host.

It answers like a willing impostor (a token for any token request, an empty
feed list for anything else, or whatever status and body a test sets), so a
client that trusted it would go on and send it everything it has. Requests are
recorded before they are answered: once a client call returns, what it sent
is in :attr:`RecordingListener.requests`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

__all__ = ["Recorded", "RecordingListener"]

ISSUED_TOKEN = "Atza|token-issued-by-the-impostor"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: str

    def text(self) -> str:
        """Everything the request carried, to look for a secret in."""
        headers = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"{self.method} {self.path}\n{headers}\n\n{self.body}"


class RecordingListener:
    """``with RecordingListener() as host:`` serves on ``host.url`` until the block ends."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.status: int | None = None  # None: behave like Login with Amazon and the SP-API
        self.body = b""
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def answer(self, status: int, body: dict[str, object] | str = "") -> None:
        """Answer every request from now on with *status* and *body*."""
        self.status = status
        self.body = (json.dumps(body) if isinstance(body, dict) else body).encode()

    def everything(self) -> str:
        with self._lock:
            return "\n\n".join(r.text() for r in self.requests)

    def _record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)

    def _reply(self, path: str) -> tuple[int, bytes]:
        if self.status is not None:
            return self.status, self.body
        if path.endswith("/auth/o2/token"):
            token = {"access_token": ISSUED_TOKEN, "token_type": "bearer", "expires_in": 3600}
            return 200, json.dumps(token).encode()
        return 200, json.dumps({"feeds": []}).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                listener._record(Recorded(self.command, self.path, dict(self.headers), body))
                status, content = listener._reply(self.path.split("?", 1)[0])
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, format: str, *args: object) -> None:
                return None

        return Handler

    def __enter__(self) -> RecordingListener:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
