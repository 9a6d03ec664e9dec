"""What every command shares: settings, the runtime, output and error handling."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError

from amazon_jobs.config import ENV_PREFIX, Settings, load_settings
from amazon_jobs.errors import AmazonJobsError, ConfigError
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import undecryptable

__all__ = [
    "console",
    "database_error",
    "err_console",
    "fmt_time",
    "friendly_errors",
    "require_secret_key",
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
def runtime(needs_key: str | None = None, **overrides: Any) -> Iterator[Runtime]:
    """The runtime of a command; *needs_key* names a command that uses the credentials,
    which refuses to start without the secret key that decrypts them."""
    rt = Runtime.build(settings(**overrides))
    try:
        if needs_key:
            require_secret_key(rt, needs_key)
        yield rt
    finally:
        rt.close()


def require_secret_key(rt: Runtime, what: str) -> None:
    """Refuse to start *what* without a secret key, or with one that is not the accounts'."""
    rt.settings.require_secret_key(what)
    try:
        with rt.db.read() as session:
            wrong = undecryptable(session, rt.cipher)
    except DBAPIError:
        return  # no database or no schema (yet): the command itself says so
    if wrong:
        names = ", ".join(repr(name) for name in wrong)
        raise ConfigError(
            f"{what} cannot start: {ENV_PREFIX}SECRET_KEY does not decrypt the credentials "
            f"of account(s) {names}; set it to the key they were added with"
        )


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print our errors as one red line and exit 1, instead of a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except AmazonJobsError as exc:
            _fail(str(exc))
        except DBAPIError as exc:
            _fail(database_error(exc))

    return wrapper


def _fail(message: str) -> NoReturn:
    # One line, however long: the terminal wraps it, not rich.
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1) from None


_NO_SCHEMA = ("no such table", "no such column", "does not exist")


def database_error(exc: DBAPIError) -> str:
    """What a person can do about a database error (the URL, which may hold a password,
    is not repeated): a missing schema is created by ``init``; anything else is the
    driver's own first line."""
    text = str(exc.orig).strip()
    first = text.splitlines()[0] if text else type(exc.orig).__name__
    if any(marker in text for marker in _NO_SCHEMA):
        return (
            f"the database has no amazon-jobs schema, or an older one ({first}): "
            "run `amazon-jobs init` to create or upgrade it"
        )
    return f"the database cannot be used: {first}"


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
