"""``amazon-jobs users`` and ``amazon-jobs tokens``: who may use the dashboard and the API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from amazon_jobs.cli.common import console, fmt_time, friendly_errors, runtime
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.models import User
from amazon_jobs.store.users import add_user, create_api_token

users = typer.Typer(help="Dashboard and API users.")
tokens = typer.Typer(help="API tokens (Authorization: Bearer …).")


@users.command("add")
@friendly_errors
def add(
    username: Annotated[str, typer.Argument(help="The user name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="AMAZON_JOBS_NEW_PASSWORD",
            help="At least 10 characters (prompted for).",
        ),
    ],
) -> None:
    """Add a user; the password is stored hashed (scrypt)."""
    with runtime() as rt, rt.db.transaction() as session:
        add_user(session, username, password, rt.clock.now())
    console.print(f"User [bold]{username}[/] added.")


@users.command("list")
@friendly_errors
def list_() -> None:
    with runtime() as rt, rt.db.read() as session:
        rows = list(session.scalars(select(User).order_by(User.username)))
    table = Table("User", "Added", "Last login", "Demo")
    for user in rows:
        table.add_row(
            user.username,
            fmt_time(user.created_at),
            fmt_time(user.last_login_at),
            "yes" if user.is_demo else "",
        )
    console.print(table)


@tokens.command("create")
@friendly_errors
def create(
    user: Annotated[str, typer.Option(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
) -> None:
    """Create an API token; it is shown once and stored only as a hash."""
    with runtime() as rt, rt.db.transaction() as session:
        found = session.scalars(select(User).where(User.username == user)).one_or_none()
        if found is None:
            raise AmazonJobsError(f"no user {user!r}: add one with `amazon-jobs users add`")
        token = create_api_token(session, found, name, rt.clock.now())
    console.print(f"API token for {user} ({name}), shown only now:\n{token}", highlight=False)
