"""``/api/v1/shops``: the shops the catalog comes from; their key can be set, never read.

Every rule of :mod:`amazon_jobs.shops` holds here as on the CLI and the
dashboard: a URL the key may not go to is refused (422, on ``url``), a new URL
needs the key again in the same request, and the connection test answers in
our words, never with the shop's body. An account is linked to a shop with
``PUT /api/v1/accounts/{id}/shop`` (see :mod:`amazon_jobs.web.api.accounts`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs import shops
from amazon_jobs.domain.shop_urls import shop_url_problem
from amazon_jobs.errors import AmazonJobsError, CredentialsRequired, SelectionError
from amazon_jobs.runtime import Runtime
from amazon_jobs.shop.settings import change_settings, parse_settings, settings_problems
from amazon_jobs.store.models import Account, Shop
from amazon_jobs.store.shops import linked_accounts, list_shops
from amazon_jobs.web.access import ADMINISTER, OPERATE, READ
from amazon_jobs.web.api.schemas.accounts import ConnectionTest
from amazon_jobs.web.api.schemas.common import MAX_ID, error
from amazon_jobs.web.api.schemas.jobs import JobPublic
from amazon_jobs.web.api.schemas.shops import (
    LinkedAccount,
    ShopCreate,
    ShopDeleted,
    ShopPublic,
    ShopSettingsPublic,
    ShopSettingsUpdate,
    ShopsPublic,
    ShopSync,
    ShopUpdate,
)
from amazon_jobs.web.deps import ApiUser, RuntimeDep
from amazon_jobs.web.errors import ApiError

__all__ = ["router", "shop_by_id"]

router = APIRouter(prefix="/shops", tags=["shops"])

ShopId = Annotated[int, Path(ge=1, le=MAX_ID, description="The shop id")]
NOT_FOUND = error(404, "No shop has that id")
CONFLICT = error(409, "Another shop has that name")
REFUSED = error(
    422,
    "Invalid input; a URL the key may not be sent to (plain http to another host than "
    "127.0.0.1 where the server does not allow custom endpoints); or a new URL without the key",
)
BUSY = error(
    409,
    "The shop's state does not allow it: disabled, no active account linked, or a "
    "catalog sync of it runs already",
)


def shop_by_id(session: Session, shop_id: int) -> Shop:
    """The shop a path names; 404 if there is none."""
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise ApiError(404, f"shop {shop_id} does not exist: GET /api/v1/shops lists them")
    return shop


def _public(session: Session, shop: Shop) -> ShopPublic:
    return ShopPublic.of(shop, linked_accounts(session, shop.id))


@router.get("", dependencies=READ)
def read_shops(rt: RuntimeDep) -> ShopsPublic:
    with rt.db.read() as session:
        return ShopsPublic(items=[_public(session, s) for s in list_shops(session)])


@router.post("", status_code=201, responses=CONFLICT | REFUSED, dependencies=ADMINISTER)
def create_shop(rt: RuntimeDep, body: ShopCreate, caller: ApiUser) -> ShopPublic:
    """Add a shop; its Webservice key is stored encrypted and never answered."""
    _check_url(rt, body.url)
    with rt.db.transaction() as session:
        _name_free(session, body.name)
        try:
            shop = shops.add_shop(rt, session, body.spec(), actor=caller.user.username)
        except AmazonJobsError as exc:
            raise ApiError(422, exc.message) from None
        return _public(session, shop)


@router.get("/{shop_id}", responses=NOT_FOUND, dependencies=READ)
def read_shop(rt: RuntimeDep, shop_id: ShopId) -> ShopPublic:
    with rt.db.read() as session:
        return _public(session, shop_by_id(session, shop_id))


@router.patch("/{shop_id}", responses=NOT_FOUND | CONFLICT | REFUSED, dependencies=ADMINISTER)
def update_shop(rt: RuntimeDep, shop_id: ShopId, body: ShopUpdate, caller: ApiUser) -> ShopPublic:
    """Change the name, URL, key or status. A new URL needs the key again in the same
    request; otherwise 422 and nothing changes."""
    _check_url(rt, body.url)
    with rt.db.transaction() as session:
        shop = shop_by_id(session, shop_id)
        if body.name is not None and body.name.strip() != shop.name:
            _name_free(session, body.name)
        try:
            changed = shops.update_shop(
                rt, session, shop, body.changes(), actor=caller.user.username
            )
        except CredentialsRequired as exc:
            where = [{"where": "body.key", "problem": exc.message}]
            raise ApiError(422, exc.message, where) from None
        except AmazonJobsError as exc:
            raise ApiError(422, exc.message) from None
        return _public(session, changed)


@router.delete("/{shop_id}", responses=NOT_FOUND | BUSY, dependencies=ADMINISTER)
def delete_shop(rt: RuntimeDep, shop_id: ShopId, caller: ApiUser) -> ShopDeleted:
    """Delete a shop: its accounts use the manual shop (CSV/API catalog) again and its
    products stay, entered by hand from now on. Refused (409) while its catalog syncs."""
    with rt.db.transaction() as session:
        shop = shop_by_id(session, shop_id)
        moved = [LinkedAccount(id=a.id, name=a.name) for a in linked_accounts(session, shop_id)]
        deleted = ShopDeleted(id=shop.id, name=shop.name, accounts=moved)
        try:
            shops.delete_shop(rt, session, shop, actor=caller.user.username)
        except SelectionError as exc:
            raise ApiError(409, exc.message) from None
        return deleted


@router.post("/{shop_id}/test", responses=NOT_FOUND, dependencies=OPERATE)
def probe_shop(rt: RuntimeDep, shop_id: ShopId) -> ConnectionTest:
    """Ask the shop's Webservice for one product id with the stored key. The answer is
    summed up in our words; the shop's own body is never repeated."""
    with rt.db.read() as session:
        shop_by_id(session, shop_id)
    ok, message = shops.test_connection(rt, shop_id)
    return ConnectionTest(ok=ok, message=message)


@router.post("/{shop_id}/sync", status_code=201, responses=NOT_FOUND | BUSY, dependencies=OPERATE)
def sync_shop(
    rt: RuntimeDep, shop_id: ShopId, caller: ApiUser, body: ShopSync | None = None
) -> JobPublic:
    """Create a Shop Catalog Sync job (``full``: a full pass, which notices products
    deleted in the shop). It runs for the shop's first active linked account."""
    with rt.db.read() as session:
        shop_by_id(session, shop_id)
    full = body.full if body is not None else False
    try:
        job = shops.create_catalog_sync(rt, shop_id, full=full, actor=caller.user.username)
    except SelectionError as exc:
        raise ApiError(409, exc.message) from None
    with rt.db.read() as session:
        account = session.get_one(Account, job.account_id)
        return JobPublic.of(job, account.name)


@router.get("/{shop_id}/settings", responses=NOT_FOUND, dependencies=READ)
def read_settings(rt: RuntimeDep, shop_id: ShopId) -> ShopSettingsPublic:
    """The connector settings in force (Amazon orders into the shop, shipments back)."""
    with rt.db.read() as session:
        return _settings(shop_by_id(session, shop_id))


@router.patch("/{shop_id}/settings", responses=NOT_FOUND | REFUSED, dependencies=ADMINISTER)
def update_settings(
    rt: RuntimeDep, shop_id: ShopId, body: ShopSettingsUpdate, caller: ApiUser
) -> ShopSettingsPublic:
    """Change connector settings: only the keys sent; ``null`` puts one back to its
    default. A wrong value refuses the whole request (422, each wrong key in details)."""
    changes = body.changes()
    problems = settings_problems({k: v for k, v in changes.items() if v is not None})
    if problems:
        details = [{"where": f"body.{key}", "problem": text} for key, text in problems.items()]
        summary = "; ".join(f"{key}: {text}" for key, text in problems.items())
        raise ApiError(422, f"the settings are not valid: {summary}", details)
    with rt.db.transaction() as session:
        shop = shop_by_id(session, shop_id)
        change_settings(shop, changes, rt.clock.now())
        shops.record_settings_change(rt, session, shop, sorted(changes), caller.user.username)
        return _settings(shop)


def _settings(shop: Shop) -> ShopSettingsPublic:
    stored = sorted(k for k in (shop.settings or {}) if k in ShopSettingsPublic.model_fields)
    return ShopSettingsPublic.of(parse_settings(shop.settings), stored)


def _check_url(rt: Runtime, url: str | None) -> None:
    problem = (
        shop_url_problem(url, allow_custom=rt.settings.allow_custom_endpoints) if url else None
    )
    if problem is not None:
        raise ApiError(422, problem, [{"where": "body.url", "problem": problem}])


def _name_free(session: Session, name: str) -> None:
    if session.scalar(select(Shop.id).where(Shop.name == name.strip())) is not None:
        raise ApiError(409, f"a shop named {name.strip()!r} exists already: choose another name")
