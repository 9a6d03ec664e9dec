"""A shop's connector settings page: how Amazon orders go into the shop and shipments
come back (see :mod:`amazon_jobs.shop.settings` for what each one means).

Everyone may read them; an admin changes them. The form shows the settings in
force; a field left empty goes back to its default (most are then read from the
shop when a job runs). Only the fields that changed are saved, all or nothing:
a wrong value shows the form again with the problem next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs import shops
from amazon_jobs.shop.settings import (
    ConnectorSettings,
    SettingsError,
    change_settings,
    parse_settings,
    settings_problems,
)
from amazon_jobs.store.models import Shop
from amazon_jobs.web.access import AdminForm, Viewer
from amazon_jobs.web.deps import RuntimeDep, SignedIn
from amazon_jobs.web.pages.common import not_found, redirect, render
from amazon_jobs.web.pages.params import PageId

__all__ = ["FIELDS", "SettingsForm", "router"]

router = APIRouter()

Line = Annotated[str, Form(max_length=200)]
Lines = Annotated[str, Form(max_length=20_000)]


@dataclass(frozen=True)
class Field:
    """One setting on the form: its key, label, help and kind of value."""

    key: str
    label: str
    help: str
    kind: str = "text"  # text, states, id, number, carriers, countries


FIELDS = (
    Field("payment_module", "Payment module", "technical name of an installed, active module"),
    Field("payment_label", "Payment label", "the payment shown in the back office"),
    Field("new_order_state", "New order state", "PS_OS_* key or state id"),
    Field(
        "shipped_states",
        "Shipped states",
        "comma-separated; empty: every state with shipped=1",
        "states",
    ),
    Field("canceled_state", "Canceled state", "written when Amazon cancels an order"),
    Field("carrier_id", "Carrier id", "empty: the shop's default carrier", "id"),
    Field("shipping_cost", "Shipping cost", "that carrier's cost, tax included", "number"),
    Field(
        "carriers",
        "Carrier map",
        "one per line: id_reference = Amazon carrier code | carrier name (optional)",
        "carriers",
    ),
    Field("countries", "Countries", "one per line: ISO code = id_country", "countries"),
    Field("currency_id", "Currency id", "empty: the shop's default currency", "id"),
    Field("language_id", "Language id", "empty: the shop's default language", "id"),
    Field(
        "shipments_every_s",
        "Read shipments every (s)",
        "how often Shipments from Shop runs; 0: never on its own",
        "number",
    ),
)
DEFAULTS = ConnectorSettings()


@dataclass(frozen=True)
class SettingsForm:
    """The form's texts, by key."""

    texts: Mapping[str, str]

    @classmethod
    def of(cls, settings: ConnectorSettings) -> SettingsForm:
        values = settings.to_json()
        return cls({f.key: _text(f, values.get(f.key)) for f in FIELDS})


def settings_form(
    payment_module: Line = "",
    payment_label: Line = "",
    new_order_state: Line = "",
    shipped_states: Line = "",
    canceled_state: Line = "",
    carrier_id: Line = "",
    shipping_cost: Line = "",
    carriers: Lines = "",
    countries: Lines = "",
    currency_id: Line = "",
    language_id: Line = "",
    shipments_every_s: Line = "",
) -> SettingsForm:
    given = locals()
    return SettingsForm({f.key: given[f.key].strip() for f in FIELDS})


FormDep = Annotated[SettingsForm, Depends(settings_form)]


def _text(field: Field, value: Any) -> str:
    if value is None:
        return ""
    if field.kind == "states":
        return ", ".join(value)
    if field.kind == "number":
        return f"{value:g}"
    if field.kind == "carriers":
        return "\n".join(
            f"{ref} = {c['code']}" + (f" | {c['name']}" if c.get("name") else "")
            for ref, c in value.items()
        )
    if field.kind == "countries":
        return "\n".join(f"{iso} = {cid}" for iso, cid in value.items())
    return str(value)


def _value(field: Field, text: str) -> Any:
    """The setting a field's text stands for (None: back to the default); ValueError says
    what is wrong in words for the form."""
    if not text:
        return None
    if field.kind == "id":
        if not text.isascii() or not text.isdigit():
            raise ValueError("must be a positive id (a number)")
        return text
    if field.kind == "number":
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise ValueError("must be a number") from None
    if field.kind in ("carriers", "countries"):
        return _pairs(field, text)
    return text


def _pairs(field: Field, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        left, sep, right = line.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ValueError(f"line {number}: write {field.help.split(': ', 1)[1]}")
        if field.kind == "countries":
            out[left.strip()] = right.strip()
        else:
            code, _, name = right.partition("|")
            out[left.strip()] = {"code": code.strip(), "name": name.strip()}
    return out


def changes_of(form: SettingsForm, current: SettingsForm) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings that changed on the form, and the problems by key."""
    changes: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in FIELDS:
        text = form.texts.get(field.key, "")
        if _same(text, current.texts.get(field.key, "")):
            continue
        try:
            changes[field.key] = _value(field, text)
        except ValueError as exc:
            problems[field.key] = _sentence(str(exc))
    checked = settings_problems({k: v for k, v in changes.items() if v is not None})
    problems.update({key: _sentence(text) for key, text in checked.items()})
    return changes, problems


def _same(a: str, b: str) -> bool:
    return re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b).strip()


def _page(
    request: Request,
    me: SignedIn,
    shop: Shop,
    form: SettingsForm,
    problems: dict[str, str] | None = None,
) -> Response:
    context = {
        "me": me,
        "shop": shop,
        "fields": FIELDS,
        "form": form,
        "defaults": SettingsForm.of(DEFAULTS),
        "stored": set(shop.settings or {}),
        "problems": problems or {},
    }
    return render(request, "shop_settings.html", context, status_code=422 if problems else 200)


@router.get("/shops/{shop_id}/settings", response_class=HTMLResponse)
def settings_page(request: Request, rt: RuntimeDep, me: Viewer, shop_id: PageId) -> Response:
    with rt.db.read() as session:
        shop = session.get(Shop, shop_id)
    if shop is None:
        return not_found(request, me, f"Shop {shop_id} does not exist.")
    try:
        form = SettingsForm.of(parse_settings(shop.settings))
    except SettingsError as exc:
        return _page(request, me, shop, SettingsForm.of(DEFAULTS), {"": exc.message})
    return _page(request, me, shop, form)


@router.post("/shops/{shop_id}/settings", response_model=None)
def save_settings(
    request: Request, rt: RuntimeDep, me: AdminForm, shop_id: PageId, form: FormDep
) -> Response:
    with rt.db.transaction() as session:
        shop = session.get(Shop, shop_id, with_for_update=True)
        if shop is None:
            return not_found(request, me, f"Shop {shop_id} does not exist.")
        try:
            current = SettingsForm.of(parse_settings(shop.settings))
        except SettingsError:  # stored by hand and wrong: every field is a change
            current = SettingsForm({})
        changes, problems = changes_of(form, current)
        if not problems and changes:
            try:
                change_settings(shop, changes, rt.clock.now())
            except SettingsError as exc:
                problems[""] = _sentence(exc.message)
        if problems:
            return _page(request, me, shop, form, problems)
        if changes:
            shops.record_settings_change(rt, session, shop, sorted(changes), me.user.username)
        name = shop.name
    what = ", ".join(sorted(changes)) if changes else "nothing changed"
    return redirect(request, "/shops", f"Settings of shop {name} saved: {what}.")


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
