"""Settings: one typed object, loaded as defaults ⊕ TOML file ⊕ environment ⊕ overrides.

The TOML file is ``$AMAZON_JOBS_CONFIG`` if set, else ``amazon-jobs.toml`` in
the data directory, if it exists. Every top-level setting can also be given as
an environment variable ``AMAZON_JOBS_<NAME>`` (for example
``AMAZON_JOBS_DATABASE_URL``); the environment wins over the file.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from amazon_jobs.clock import Clock, ScaledClock, SystemClock, VirtualClock
from amazon_jobs.crypto import KEY_FORMAT, is_valid_key
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.limits import (
    DEFAULT_PROFILE,
    Limit,
    Operation,
    application_limits_for,
    limits_for,
)
from amazon_jobs.errors import ConfigError

__all__ = ["ENV_PREFIX", "Settings", "load_settings"]

ENV_PREFIX = "AMAZON_JOBS_"


def default_home() -> Path:
    return Path(os.environ.get(f"{ENV_PREFIX}HOME", "~/.local/share/amazon-jobs")).expanduser()


class Settings(BaseModel):
    """Everything amazon-jobs can be configured with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Where the default SQLite database and generated files live.
    home: Path = Field(default_factory=default_home)
    #: SQLAlchemy URL; defaults to a SQLite file in ``home``.
    database_url: str | None = None
    #: Key that encrypts Amazon credentials at rest: ``amazon-jobs keygen`` prints one
    #: (a Fernet key; or at least 32 random bytes as base64 or hex). No passphrases.
    secret_key: SecretStr | None = None
    #: ``system``, ``scaled`` (``clock_scale`` times faster) or ``virtual``.
    clock: Literal["system", "scaled", "virtual"] = "system"
    clock_scale: float = Field(default=1.0, gt=0)
    #: The instant at which a scaled clock reads the wall clock; share it between processes.
    clock_anchor: datetime | None = None
    #: Throttling profile: ``sp-api`` (Amazon's usage plans) or ``seed`` (the manual's).
    limits_profile: str = DEFAULT_PROFILE
    #: Per-operation overrides, e.g. ``{"createFeed": {"burst": 5}}``.
    limits: dict[str, dict[str, float]] = Field(default_factory=dict)
    #: Per-operation overrides of the application-wide limits, shared by every account
    #: with the same LWA client id, e.g. ``{"patchListingsItem": {"burst": 100, "rate": 100}}``.
    application_limits: dict[str, dict[str, float]] = Field(default_factory=dict)
    #: Messages per JSON_LISTINGS_FEED (Amazon's maximum is 25 000).
    feed_max_messages: int = Field(default=25_000, ge=1, le=25_000)
    #: First and longest interval between polls of a submitted feed, in seconds.
    poll_first_s: float = Field(default=30.0, gt=0)
    poll_max_s: float = Field(default=600.0, gt=0)
    #: Orders per page of an import; default: 20 with the seed profile, else 100.
    orders_page_size: int | None = Field(default=None, ge=1, le=100)
    #: How far back the first orders import of an account reaches, in days.
    orders_initial_days: float = Field(default=7.0, gt=0)
    #: How often the scheduler looks for work to create, in seconds.
    scheduler_interval_s: float = Field(default=60.0, gt=0)
    #: Gather changed quantities and prices into update jobs automatically.
    auto_sync: bool = True
    #: Import orders of each account this often, in seconds (0: never).
    orders_import_every_s: float = Field(default=900.0, ge=0)
    #: Reconcile each account's orders this often, in seconds (0: never): an Orders Import
    #: that compares the orders Amazon lists with those imported and imports the gaps.
    orders_reconcile_every_s: float = Field(default=86_400.0, ge=0)
    #: How far back a reconciliation looks, in days of order creation.
    orders_reconcile_days: float = Field(default=3.0, gt=0)
    #: Import the inventory report of each account this often, in seconds (0: never).
    inventory_report_every_s: float = Field(default=86_400.0, ge=0)
    #: Sync each active shop's catalog (changed products, all stock) this often, in
    #: seconds (0: never).
    shop_catalog_sync_every_s: float = Field(default=900.0, ge=0)
    #: Make a shop's periodic catalog sync a full pass (which also notices products
    #: deleted in the shop) when the last one is older than this, in seconds (0: never).
    shop_catalog_full_every_s: float = Field(default=86_400.0, ge=0)
    #: Products read per shop Webservice request of a catalog sync.
    shop_page_size: int = Field(default=100, ge=1, le=1000)
    #: Done and canceled jobs (and acknowledged error jobs) are pruned after this many days.
    retention_days: float = Field(default=30.0, gt=0)
    #: A feed or report Amazon has not finished after this long is flagged stuck (8 h).
    stuck_after_s: float = Field(default=8 * 3600.0, gt=0)
    #: An item Amazon accepted must show its sent value (getListingsItem, or a newer
    #: inventory report) within this many seconds of its job's end, or it is a mismatch:
    #: resent once, then flagged. Items are looked at before, at growing intervals.
    verify_after_s: float = Field(default=1800.0, gt=0)
    #: How listings jobs reach Amazon for an account that sets no channel of its own:
    #: ``auto`` (the faster per job), ``feed`` or ``listings-api``.
    channel: Channel = Channel.AUTO
    #: The channel choice's guess of a feed's queue and processing time (seconds)
    #: until the account has feeds of its own to take the median of.
    feed_turnaround_s: float = Field(default=300.0, gt=0)
    #: The channel choice's guess of one Listings Items call's round trip (seconds).
    api_call_s: float = Field(default=0.2, gt=0)
    #: Real seconds added to every wait for quota: a call reaches Amazon a little
    #: after its token is taken, and Amazon's bucket must have refilled by then.
    throttle_margin_s: float = Field(default=0.05, ge=0)
    #: A claimed job's lease; a worker renews it while the step runs.
    lease_s: float = Field(default=60.0, gt=0)
    #: Retries of a failing call (5xx, timeout) before the job step gives up.
    max_attempts: int = Field(default=5, ge=1)
    #: Logins Amazon refuses in a row (each fails its job) before the account is
    #: paused: its jobs then wait, and no new one is made, until it is resumed.
    auth_failures_before_pause: int = Field(default=3, ge=1)
    #: HTTP timeout for calls to Amazon, in seconds.
    http_timeout_s: float = Field(default=30.0, gt=0)
    #: Accounts may use an SP-API endpoint or LWA token URL that is not Amazon's own
    #: (the simulator, a test double). Off, such URLs are refused when an account is
    #: added or changed, and an account stored with one is not called at all.
    allow_custom_endpoints: bool = False
    #: How long a dashboard login lasts at most, in seconds.
    session_lifetime_s: float = Field(default=8 * 3600.0, gt=0)
    #: A dashboard login not used for this long is over, in seconds.
    session_idle_s: float = Field(default=3600.0, gt=0)
    #: Wrong passwords for one user name within ``login_window_s`` before its
    #: logins are refused for ``login_window_s``.
    login_max_failures: int = Field(default=5, ge=1)
    #: Wrong passwords from one client address (any user name) within the window.
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_window_s: float = Field(default=900.0, gt=0)
    #: Demo mode: the demo's user may log in. Only ``amazon-jobs demo`` sets it;
    #: neither the file nor the environment can.
    demo: bool = False
    #: Where ``amazon-jobs serve`` listens.
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    #: Addresses or networks (``10.0.0.1``, ``10.0.0.0/8``) of the reverse proxies whose
    #: ``X-Forwarded-For``/``-Proto``/``-Host`` and ``Forwarded`` headers are believed.
    #: Default: none; every other peer's forwarded headers are ignored.
    trusted_proxies: tuple[str, ...] = ()
    #: Host names the dashboard and API answer to (``*.example.com`` matches subdomains);
    #: any other ``Host`` gets 400. Default: ``127.0.0.1``, ``localhost`` and ``web_host``.
    allowed_hosts: tuple[str, ...] = ()

    @field_validator("trusted_proxies", "allowed_hosts", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        """The environment gives a list as one comma-separated string."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        return value

    @property
    def hosts(self) -> tuple[str, ...]:
        """The host names requests may address (``allowed_hosts`` or its default)."""
        if self.allowed_hosts:
            return self.allowed_hosts
        return tuple(dict.fromkeys(("127.0.0.1", "localhost", self.web_host.lower())))

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'amazon-jobs.db'}"

    @property
    def page_size(self) -> int:
        """Orders per page of an import."""
        if self.orders_page_size is not None:
            return self.orders_page_size
        return 20 if self.limits_profile == "seed" else 100

    def require_secret_key(self, what: str) -> None:
        """Refuse to run *what* without a secret key, outside the demo (which makes its own)."""
        key = self.secret_key.get_secret_value().strip() if self.secret_key else ""
        if not key and not self.demo:
            raise ConfigError(
                f"{what} needs the secret key that encrypts the Amazon credentials: set "
                f"{ENV_PREFIX}SECRET_KEY (or secret_key in the configuration file) to the key "
                "the accounts were added with; for a new installation create one with "
                f"`export {ENV_PREFIX}SECRET_KEY=$(amazon-jobs keygen)`"
            )
        if key and not is_valid_key(key):
            raise ConfigError(
                f"{what} cannot start: {ENV_PREFIX}SECRET_KEY is not {KEY_FORMAT}. "
                "Passphrases are not accepted any more: if the accounts were saved under "
                f"one, keep it set and run `{ENV_PREFIX}NEW_SECRET_KEY=$(amazon-jobs keygen) "
                "amazon-jobs keys rotate` once, then use the new key"
            )

    def make_clock(self) -> Clock:
        if self.clock == "virtual":
            return VirtualClock()
        if self.clock == "scaled":
            return ScaledClock(self.clock_scale, self.clock_anchor)
        return SystemClock()

    def operation_limits(self) -> dict[Operation, Limit]:
        try:
            return limits_for(self.limits_profile, self.limits)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid limits: {exc}") from exc

    def application_operation_limits(self) -> dict[Operation, Limit]:
        try:
            return application_limits_for(self.limits_profile, self.application_limits)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid application_limits: {exc}") from exc

    def with_overrides(self, **overrides: Any) -> Settings:
        return load_settings(base=self, **overrides)


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    base: Settings | None = None,
    **overrides: Any,
) -> Settings:
    """Build :class:`Settings` from the file, the environment and *overrides*."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = base.model_dump() if base else {}
    if base is None:
        from_file = _read_toml(config_file, env)
        if "demo" in from_file:
            raise ConfigError(
                "demo is not a setting of the configuration file: demo mode is only "
                "`amazon-jobs demo`, on its own database"
            )
        values.update(from_file)
        values.update(_from_env(env))
    values.update({k: v for k, v in overrides.items() if v is not None})
    if isinstance(values.get("secret_key"), SecretStr):
        values["secret_key"] = values["secret_key"].get_secret_value()
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    settings.operation_limits()
    settings.application_operation_limits()
    return settings


def _read_toml(config_file: Path | None, env: Mapping[str, str]) -> dict[str, Any]:
    path = config_file or _default_config_file(env)
    if path is None or not path.exists():
        if config_file is not None:
            raise ConfigError(f"configuration file {config_file} does not exist")
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _default_config_file(env: Mapping[str, str]) -> Path | None:
    if f"{ENV_PREFIX}CONFIG" in env:
        return Path(env[f"{ENV_PREFIX}CONFIG"]).expanduser()
    home = Path(env.get(f"{ENV_PREFIX}HOME", "~/.local/share/amazon-jobs")).expanduser()
    return home / "amazon-jobs.toml"


#: Settings the environment cannot set: ``limits`` and ``application_limits`` are tables,
#: and demo mode (which lets the demo's well-known login in) is only ever switched on by
#: ``amazon-jobs demo``.
_NOT_FROM_ENV = frozenset({"limits", "application_limits", "demo"})


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    if f"{ENV_PREFIX}DEMO" in env:
        raise ConfigError(
            f"{ENV_PREFIX}DEMO is not a setting: demo mode is only `amazon-jobs demo`, "
            "on its own database; unset it"
        )
    fields = set(Settings.model_fields) - _NOT_FROM_ENV
    found: dict[str, Any] = {}
    for key, value in env.items():
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in fields:
            found[key[len(ENV_PREFIX) :].lower()] = value
    return found


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "settings"
        parts.append(f"{where}: {error['msg']}")
    return "invalid configuration: " + "; ".join(parts)
