"""A PrestaShop shop's connector settings for Amazon orders: defaults, validation, changes.

They live in ``Shop.settings`` (JSON). Every key is optional; what is left out is
read from the shop itself when a job runs (``configurations`` ``PS_OS_*``,
``PS_CARRIER_DEFAULT``, ``PS_CURRENCY_DEFAULT``, ``PS_LANG_DEFAULT``,
``PS_CUSTOMER_GROUP``; the states with ``shipped=1``), never hard-coded
(``prestashop-facts.md`` §3.2). States are given as a ``PS_OS_*`` key or an id.

===================  ================================================================
key                  meaning (default)
===================  ================================================================
payment_module       technical name of an installed, active payment module the order
                     names (``ps_wirepayment``: PrestaShop has no Amazon module; an
                     unknown name makes the shop answer HTTP 500, §3.1)
payment_label        the payment shown in the back office (``Amazon``)
new_order_state      the state a new Amazon order is moved to (``PS_OS_PAYMENT``)
shipped_states       states meaning *shipped* (every state with ``shipped=1``)
canceled_state       the state an Amazon cancellation writes (``PS_OS_CANCELED``)
carrier_id           the carrier of the cart (``PS_CARRIER_DEFAULT``)
shipping_cost        what that carrier costs, tax included (0), part of ``total_paid``
carriers             carrier ``id_reference`` → ``{"code": Amazon carrier code,
                     "name": carrier name}`` (unmapped: code ``Other`` + the shop's name)
countries            ISO country code → ``id_country`` (else ``countries?filter[iso_code]``)
currency_id          the orders' currency (``PS_CURRENCY_DEFAULT``)
language_id          the orders' language (``PS_LANG_DEFAULT``)
shipments_every_s    how often Shipments from Shop runs (300; 0: never on its own)
===================  ================================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.models import Shop

__all__ = [
    "SETTING_KEYS",
    "ConnectorSettings",
    "SettingsError",
    "change_settings",
    "parse_settings",
    "settings_problems",
]

_MODULE = re.compile(r"^[a-zA-Z0-9_-]+$")
_STATE = re.compile(r"^(PS_OS_[A-Z_]+|[1-9][0-9]*)$")
#: The largest value of each number: more is a typo (and a period past this would
#: overflow the scheduler's arithmetic).
_MAX = {"shipping_cost": 1_000_000.0, "shipments_every_s": 2_592_000.0}


class SettingsError(AmazonJobsError):
    """A connector setting has a value the connector cannot use."""


@dataclass(frozen=True)
class ConnectorSettings:
    """The Amazon-orders settings of one shop (see the module docstring)."""

    payment_module: str = "ps_wirepayment"
    payment_label: str = "Amazon"
    new_order_state: str = "PS_OS_PAYMENT"
    shipped_states: tuple[str, ...] | None = None
    canceled_state: str = "PS_OS_CANCELED"
    carrier_id: int | None = None
    shipping_cost: float = 0.0
    carriers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    countries: Mapping[str, int] = field(default_factory=dict)
    currency_id: int | None = None
    language_id: int | None = None
    shipments_every_s: float = 300.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.shipped_states is not None:
            data["shipped_states"] = list(self.shipped_states)
        return {k: v for k, v in data.items() if v is not None}


_KEYS = frozenset(ConnectorSettings.__dataclass_fields__)
#: Every setting's key, in the order of the module docstring.
SETTING_KEYS = tuple(ConnectorSettings.__dataclass_fields__)


def parse_settings(raw: Mapping[str, Any] | None) -> ConnectorSettings:
    """The settings in *raw* (``Shop.settings``), checked; unknown keys of other
    connector duties (the catalog sync's) are left to them."""
    values = {k: v for k, v in (raw or {}).items() if k in _KEYS}
    try:
        return _checked(values)
    except (TypeError, ValueError, AttributeError) as exc:
        raise SettingsError(f"shop settings: {exc}") from None


def _checked(values: dict[str, Any]) -> ConnectorSettings:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if key == "payment_module":
            if not _MODULE.match(str(value)):
                raise ValueError(f"payment_module {value!r} is not a module name ([a-zA-Z0-9_-])")
            out[key] = str(value)
        elif key == "payment_label":
            if not str(value).strip() or re.search(r"[<>={}]", str(value)):
                raise ValueError("payment_label must be a name without <>={}")
            out[key] = str(value).strip()
        elif key in ("new_order_state", "canceled_state"):
            out[key] = _state(key, value)
        elif key == "shipped_states":
            items = value.split(",") if isinstance(value, str) else list(value)
            out[key] = tuple(_state(key, item) for item in items if str(item).strip())
            if not out[key]:
                raise ValueError("shipped_states needs at least one state")
        elif key in ("carrier_id", "currency_id", "language_id"):
            out[key] = _positive_int(key, value)
        elif key in ("shipping_cost", "shipments_every_s"):
            number = float(value)
            if number < 0 or number != number:
                raise ValueError(f"{key} must be 0 or more, not {value!r}")
            if number > _MAX[key]:
                raise ValueError(f"{key} must be at most {_MAX[key]:g}, not {value!r}")
            out[key] = number
        elif key == "carriers":
            out[key] = _carriers(value)
        elif key == "countries":
            if not isinstance(value, Mapping):
                raise ValueError("countries must map an ISO country code to an id_country")
            out[key] = {
                str(iso).upper(): _positive_int(f"countries.{iso}", v) for iso, v in value.items()
            }
    return ConnectorSettings(**out)


def _state(key: str, value: Any) -> str:
    text = str(value).strip()
    if not _STATE.match(text):
        raise ValueError(f"{key}: {value!r} is neither a PS_OS_* key nor a state id")
    return text


def _positive_int(key: str, value: Any) -> int:
    text = str(value).strip()
    number = int(text) if text.isascii() and text.lstrip("-").isdigit() else 0
    if number <= 0:
        raise ValueError(f"{key} must be a positive id, not {value!r}")
    return number


def _carriers(value: Any) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping):
        raise ValueError("carriers must map a carrier id_reference to {code, name}")
    out: dict[str, dict[str, str]] = {}
    for reference, target in value.items():
        _positive_int(f"carriers.{reference}", reference)
        if isinstance(target, str):
            target = {"code": target}
        code = str((target or {}).get("code") or "").strip()
        if not code:
            raise ValueError(f"carriers.{reference} needs an Amazon carrier code")
        entry = {"code": code}
        if (target or {}).get("name"):
            entry["name"] = str(target["name"])
        out[str(reference)] = entry
    return out


def settings_problems(changes: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with each key of *changes*, by key (empty: nothing), so that every
    form, the API and the CLI can say which value to fix."""
    problems: dict[str, str] = {}
    for key, value in changes.items():
        if key not in _KEYS:
            problems[key] = f"unknown setting {key!r}; known: {', '.join(SETTING_KEYS)}"
            continue
        try:
            parse_settings({key: value})
        except SettingsError as exc:
            problems[key] = exc.message.removeprefix("shop settings: ")
    return problems


def change_settings(shop: Shop, changes: Mapping[str, Any], now: datetime) -> ConnectorSettings:
    """Merge *changes* into the shop's settings (None removes a key, back to its
    default); refused as a whole if any value is wrong. For the CLI, the API and the page."""
    unknown = sorted(set(changes) - _KEYS)
    if unknown:
        raise SettingsError(
            f"unknown shop setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}"
        )
    merged = {**(shop.settings or {}), **changes}
    merged = {k: v for k, v in merged.items() if v is not None}
    parsed = parse_settings(merged)
    normalized = {k: v for k, v in parsed.to_json().items() if k in merged}
    shop.settings = {**{k: v for k, v in merged.items() if k not in _KEYS}, **normalized}
    shop.updated_at = now
    return parsed
