"""A port someone else already listens on: one line saying so, not a traceback."""

from __future__ import annotations

import errno
import socket

from amazon_jobs.errors import AmazonJobsError

__all__ = ["check_port_free"]


def check_port_free(host: str, port: int, how_to_choose: str) -> None:
    """Raise AmazonJobsError naming the reason if *host*:*port* cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As uvicorn binds (SO_REUSEADDR): a port in TIME_WAIT is free, one listened on is not.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                problem = f"port {port} on {host} is taken (another program listens on it)"
            elif exc.errno == errno.EACCES:
                problem = f"this user may not listen on port {port} on {host}"
            else:
                problem = f"cannot listen on port {port} on {host} ({exc.strerror or exc})"
            raise AmazonJobsError(f"{problem}: {how_to_choose}") from None
