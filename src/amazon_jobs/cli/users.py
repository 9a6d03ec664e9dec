"""``amazon-jobs users`` and ``amazon-jobs tokens``: who may use the dashboard and the API.

Roles: viewer (reads), operator (and changes selling data), admin (and users,
tokens, accounts). ``users add`` without ``--role`` makes an admin while the
installation has no enabled admin, else an operator.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from amazon_jobs.cli.common import console, fmt_time, friendly_errors, runtime
from amazon_jobs.domain.roles import Role
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store import user_admin
from amazon_jobs.store.api_tokens import list_tokens, revoke_token
from amazon_jobs.store.users import add_user, create_api_token

users = typer.Typer(help="Dashboard and API users, their roles and sessions.")
tokens = typer.Typer(help="API tokens (Authorization: Bearer …).")

Username = Annotated[str, typer.Argument(help="The user name.")]
_UNITS = {"m": 60, "h": 3600, "d": 86400}


def _password_option(help_text: str) -> object:
    return typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="AMAZON_JOBS_NEW_PASSWORD",
        help=help_text,
    )


@users.command("add")
@friendly_errors
def add(
    username: Username,
    password: Annotated[str, _password_option("At least 10 characters (prompted for).")],
    role: Annotated[
        Role | None,
        typer.Option(
            help="viewer, operator or admin (default: admin if none exists, else operator)."
        ),
    ] = None,
) -> None:
    """Add a user; the password is stored hashed."""
    with runtime() as rt, rt.db.transaction() as session:
        chosen = role or user_admin.default_role(session)
        add_user(session, username, password, rt.clock.now(), role=chosen)
    console.print(f"User [bold]{username}[/] added as {chosen}.")


@users.command("list")
@friendly_errors
def list_() -> None:
    """Every user with their role, state, last login and open sessions."""
    with runtime() as rt, rt.db.read() as session:
        rows = user_admin.list_users(session)
    table = Table("User", "Role", "State", "Added", "Last login", "Sessions", "Tokens", "Demo")
    for row in rows:
        user = row.user
        table.add_row(
            user.username,
            user.role,
            f"disabled {fmt_time(user.disabled_at)}" if user.disabled_at else "active",
            fmt_time(user.created_at),
            fmt_time(user.last_login_at),
            str(row.sessions),
            str(row.tokens),
            "yes" if user.is_demo else "",
        )
    console.print(table)


@users.command("set-role")
@friendly_errors
def set_role(
    username: Username, role: Annotated[Role, typer.Argument(help="The new role.")]
) -> None:
    """Give a user another role; their sessions and tokens follow at once."""
    with runtime() as rt, rt.db.transaction() as session:
        user_admin.set_role(session, user_admin.user_named(session, username), role)
    console.print(f"{username} is now {role}.")


@users.command("disable")
@friendly_errors
def disable(username: Username) -> None:
    """No more logins; the user's sessions end and their tokens are refused."""
    with runtime() as rt, rt.db.transaction() as session:
        user = user_admin.user_named(session, username)
        user_admin.disable_user(session, user, rt.clock.now())
    console.print(f"{username} is disabled.")


@users.command("enable")
@friendly_errors
def enable(username: Username) -> None:
    with runtime() as rt, rt.db.transaction() as session:
        user_admin.enable_user(user_admin.user_named(session, username))
    console.print(f"{username} is enabled.")


@users.command("delete")
@friendly_errors
def delete(
    username: Username,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Delete a user with their sessions and tokens (their jobs stay)."""
    if not yes:
        typer.confirm(f"Delete {username} and their tokens?", abort=True)
    with runtime() as rt, rt.db.transaction() as session:
        user_admin.delete_user(session, user_admin.user_named(session, username))
    console.print(f"{username} is deleted.")


@users.command("passwd")
@friendly_errors
def passwd(
    username: Username,
    password: Annotated[str, _password_option("The new password (prompted for).")],
) -> None:
    """Set a user's password; all their sessions end."""
    with runtime() as rt, rt.db.transaction() as session:
        ended = user_admin.set_password(session, user_admin.user_named(session, username), password)
    console.print(f"Password of {username} changed; {ended} session(s) ended.")


@users.command("logout")
@friendly_errors
def logout(username: Username) -> None:
    """End every session of a user (their API tokens are not touched)."""
    with runtime() as rt, rt.db.transaction() as session:
        ended = user_admin.end_sessions(session, user_admin.user_named(session, username))
    console.print(f"{ended} session(s) of {username} ended.")


def parse_expiry(expires_in: str | None, expires: str | None, now: datetime) -> datetime | None:
    """``--expires-in 30d|12h|90m`` or ``--expires 2027-01-31[T12:00]`` (UTC) as a time."""
    if expires_in and expires:
        raise AmazonJobsError("give --expires-in or --expires, not both")
    if expires_in:
        found = re.fullmatch(r"\s*(\d{1,6})\s*([mhd])\s*", expires_in.lower())
        if not found:
            raise AmazonJobsError(f"--expires-in {expires_in!r}: write e.g. 90m, 12h or 30d")
        return now + timedelta(seconds=int(found[1]) * _UNITS[found[2]])
    if expires:
        try:
            when = datetime.fromisoformat(expires.strip())
        except ValueError:
            raise AmazonJobsError(f"--expires {expires!r}: write e.g. 2027-01-31") from None
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return None


@tokens.command("create")
@friendly_errors
def create(
    user: Annotated[str, typer.Option(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    scope: Annotated[
        Role | None, typer.Option(help="The token's role; at most its user's (default: theirs).")
    ] = None,
    expires_in: Annotated[str | None, typer.Option(help="Valid for e.g. 90m, 12h, 30d.")] = None,
    expires: Annotated[str | None, typer.Option(help="Valid until this UTC date/time.")] = None,
) -> None:
    """Create an API token; it is shown once and stored only as a hash."""
    with runtime() as rt, rt.db.transaction() as session:
        now = rt.security_clock.now()  # token expiry is a security timer: real time
        expires_at = parse_expiry(expires_in, expires, now)
        found = user_admin.user_named(session, user)
        token = create_api_token(session, found, name, now, scope=scope, expires_at=expires_at)
        acts_as = scope or Role(found.role)
    until = f", until {fmt_time(expires_at)} UTC" if expires_at else ""
    console.print(
        f"API token for {user} ({name}, {acts_as}{until}), shown only now:\n{token}",
        highlight=False,
    )


@tokens.command("list")
@friendly_errors
def list_tokens_(
    user: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None,
) -> None:
    """Every API token (never the token itself): id, user, scope, expiry, state."""
    with runtime() as rt, rt.db.read() as session:
        now = rt.security_clock.now()
        user_id = user_admin.user_named(session, user).id if user else None
        rows = list_tokens(session, user_id)
    table = Table("Id", "User", "Name", "Scope", "Created", "Expires", "Last used", "State")
    for token, owner in rows:
        expired = token.expires_at is not None and token.expires_at <= now
        state = "revoked" if token.revoked_at else "expired" if expired else "active"
        table.add_row(
            str(token.id),
            owner.username,
            token.name,
            token.scope,
            fmt_time(token.created_at),
            fmt_time(token.expires_at) if token.expires_at else "never",
            fmt_time(token.last_used_at),
            state,
        )
    console.print(table)


@tokens.command("revoke")
@friendly_errors
def revoke(token_id: Annotated[int, typer.Argument(help="The token's id (tokens list).")]) -> None:
    """Revoke a token: it is refused from the next request on."""
    with runtime() as rt, rt.db.transaction() as session:
        if not revoke_token(session, token_id, rt.security_clock.now()):
            raise AmazonJobsError(f"no live token {token_id} (see `amazon-jobs tokens list`)")
    console.print(f"Token {token_id} revoked.")
