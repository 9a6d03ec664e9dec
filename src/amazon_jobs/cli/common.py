"""What every command shares: settings, the runtime, output and error handling."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from amazon_jobs.config import Settings, load_settings
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.runtime import Runtime

__all__ = [
    "console",
    "err_console",
    "fmt_time",
    "friendly_errors",
    "runtime",
    "settings",
    "setup_logging",
    "state",
]

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


class _State:
    config_file: Path | None = None


state = _State()


def settings(**overrides: Any) -> Settings:
    return load_settings(config_file=state.config_file, **overrides)


@contextmanager
def runtime(**overrides: Any) -> Iterator[Runtime]:
    rt = Runtime.build(settings(**overrides))
    try:
        yield rt
    finally:
        rt.close()


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print our errors as one red line and exit 1, instead of a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except AmazonJobsError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
