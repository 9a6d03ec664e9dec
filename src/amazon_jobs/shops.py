"""Adding, changing and using shops: the rules every entry point goes through.

The API, the dashboard and the CLI all go through here, so each gets the same
protections of the Webservice key, which is write-only:

- a shop URL must be ``https://`` (``http://`` only to 127.0.0.0/8, or with the
  ``allow_custom_endpoints`` setting), see :mod:`amazon_jobs.domain.shop_urls`;
- a shop's URL changes only together with its key, entered again in the same
  request (:class:`~amazon_jobs.errors.CredentialsRequired`): otherwise anyone
  who may edit a shop could have the stored key sent to a host of their choice;
- the key goes only to the shop's URL; an answer from the shop is summed up,
  never repeated (it could be a page of any content).

Every change is recorded as the person's action in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.endpoints import same_url
from amazon_jobs.domain.jobs import ACTIVE_STATUSES, JobType
from amazon_jobs.domain.shop_urls import shop_url_problem
from amazon_jobs.errors import CredentialsRequired, EndpointNotAllowed, SelectionError
from amazon_jobs.runtime import Runtime
from amazon_jobs.shop.webservice import ShopError, ShopUnavailable, WebserviceClient
from amazon_jobs.store import shops as store
from amazon_jobs.store.actions import cli_actor, record_action
from amazon_jobs.store.models import Account, Job, Product, Shop

__all__ = [
    "CONNECTED",
    "add_shop",
    "check_shop_url",
    "create_catalog_sync",
    "delete_shop",
    "link_account",
    "record_settings_change",
    "test_connection",
    "update_shop",
    "webservice",
]

CONNECTED = "the shop's Webservice accepts the key and lists its products"
REPOINT_NEEDS_KEY = (
    "changing a shop's URL needs its Webservice key again, in the same request: the stored "
    "key is never sent to a new address"
)


def check_shop_url(rt: Runtime, url: str | None) -> None:
    """Refuse a URL the key may not be sent to (see :mod:`amazon_jobs.domain.shop_urls`)."""
    if url is None:
        return
    problem = shop_url_problem(url, allow_custom=rt.settings.allow_custom_endpoints)
    if problem is not None:
        raise EndpointNotAllowed("shop URL", url, problem)


def add_shop(
    rt: Runtime, session: Session, spec: store.ShopSpec, *, actor: str | None = None
) -> Shop:
    """Add a shop (its key encrypted), if its URL is allowed here."""
    check_shop_url(rt, spec.url)
    shop = store.add_shop(session, spec, rt.cipher, rt.clock.now())
    _record(rt, session, "shop_add", f"added shop {shop.name} ({shop.url})", actor)
    return shop


def update_shop(
    rt: Runtime,
    session: Session,
    shop: Shop,
    changes: store.ShopChanges,
    *,
    actor: str | None = None,
) -> Shop:
    """Apply *changes*; a new URL needs the key in *changes* too."""
    new_url = (
        changes.url if changes.url is not None and not same_url(changes.url, shop.url) else None
    )
    if new_url is not None and changes.key is None:
        raise CredentialsRequired(REPOINT_NEEDS_KEY)
    check_shop_url(rt, new_url)
    named = [
        name
        for name in ("name", "url", "key", "status")
        if getattr(changes, name) is not None
        and (name == "key" or getattr(changes, name) != getattr(shop, name))
    ]
    updated = store.update_shop(session, shop, changes, rt.cipher, rt.clock.now())
    detail = f"changed shop {updated.name}: {', '.join(named) or 'nothing'}"
    _record(rt, session, "shop_change", detail, actor)
    return updated


def link_account(
    rt: Runtime,
    session: Session,
    account: Account,
    shop: Shop | None,
    *,
    actor: str | None = None,
) -> None:
    """Make *shop* the account's shop; None: the manual shop (CSV/API catalog)."""
    store.link_account(session, account, shop)
    where = f"shop {shop.name}" if shop is not None else "the manual shop (CSV/API)"
    now = rt.clock.now()
    detail = f"linked account {account.name} to {where}"
    record_action(session, now, actor or cli_actor(), "account_link", detail, account_id=account.id)


def record_settings_change(
    rt: Runtime, session: Session, shop: Shop, keys: list[str], actor: str | None = None
) -> None:
    """Record that *actor* changed the connector settings *keys* of *shop* (names only:
    the values are in the shop's settings)."""
    detail = f"changed the settings of shop {shop.name}: {', '.join(keys) or 'nothing'}"
    _record(rt, session, "shop_settings", detail, actor)


def _record(rt: Runtime, session: Session, action: str, detail: str, actor: str | None) -> None:
    record_action(session, rt.clock.now(), actor or cli_actor(), action, detail)


def webservice(rt: Runtime, shop: Shop) -> WebserviceClient:
    """A client of the shop's Webservice holding its key; refused (never called) when the
    stored URL is not allowed here any more."""
    check_shop_url(rt, shop.url)
    key = store.shop_key(shop, rt.cipher)
    return WebserviceClient(shop.url, key, timeout_s=rt.settings.http_timeout_s)


def test_connection(rt: Runtime, shop_id: int) -> tuple[bool, str]:
    """Whether the shop's Webservice accepts the key and lets it read products.

    Reads one product id (``products?limit=1``); the answer is summed up in words
    of ours: the shop's body (an error page, a login form) is never repeated.
    """
    with rt.db.read() as session:
        shop = store.find_shop(session, shop_id)
    try:
        client = webservice(rt, shop)
    except EndpointNotAllowed as exc:
        return False, exc.message
    with client:
        try:
            client.list("products", display="", limit=1)
        except ShopError as exc:
            return False, _refusal(exc)
    return True, CONNECTED


def _refusal(exc: ShopError) -> str:
    if exc.code == 22:
        return "the shop's Webservice is disabled: enable it in the back office"
    if isinstance(exc, ShopUnavailable):
        return "the shop cannot be reached or did not answer in time: try again later"
    if exc.status == 401:
        return "the shop refused the Webservice key: check it and that it is enabled"
    if exc.status == 405 or exc.code in (25, 26):
        return "the key may not read products: grant it GET on products (see the README)"
    if exc.status in (301, 302, 303, 307, 308):
        return "the shop redirects: set its URL to where it answers (e.g. https://)"
    return f"the shop answered HTTP {exc.status}: is the URL the shop's base address?"


def delete_shop(rt: Runtime, session: Session, shop: Shop, *, actor: str | None = None) -> None:
    """Delete a shop: its accounts go back to the manual shop and its products stay,
    entered by hand from now on (nothing is sent to Amazon because of it). Refused
    while one of its jobs runs."""
    accounts = store.linked_accounts(session, shop.id)
    running = _running_shop_job(session, shop.id, [a.id for a in accounts])
    if running is not None:
        job_id, job_type = running
        raise SelectionError(
            f"job {job_id} ({job_type.label}) is working with this shop: wait for it to end "
            "or cancel it"
        )
    name = shop.name
    for account in accounts:
        account.shop_id = None
    session.execute(update(Product).where(Product.shop_id == shop.id).values(shop_id=None))
    session.delete(shop)
    session.flush()
    _record(rt, session, "shop_delete", f"deleted shop {name}", actor)


#: The jobs that talk to a shop.
SHOP_JOB_TYPES = (JobType.SHOP_CATALOG_SYNC, JobType.ORDERS_TO_SHOP, JobType.SHIPMENTS_FROM_SHOP)


def _running_shop_job(
    session: Session, shop_id: int, account_ids: list[int]
) -> tuple[int, JobType] | None:
    """An active job of the shop (its own, or one of its linked accounts' shop jobs)."""
    rows = session.execute(
        select(Job.id, Job.type, Job.account_id, Job.data)
        .where(
            Job.type.in_([t.value for t in SHOP_JOB_TYPES]),
            Job.status.in_([s.value for s in ACTIVE_STATUSES]),
        )
        .order_by(Job.id)
    )
    for job_id, job_type, account_id, data in rows:
        if (data or {}).get("shop_id") == shop_id or (
            JobType(job_type) is JobType.ORDERS_TO_SHOP and account_id in account_ids
        ):
            return job_id, JobType(job_type)
    return None


def create_catalog_sync(
    rt: Runtime, shop_id: int, *, full: bool = False, actor: str | None = None
) -> Job:
    """A Shop Catalog Sync of the shop (a full pass if *full*), recorded as *actor*'s."""
    from amazon_jobs.handlers.shop_catalog_sync import ShopCatalogSync

    job = ShopCatalogSync().create(rt, shop_id, full=full)
    what = "full catalog pass" if full else "catalog sync"
    with rt.db.transaction() as session:
        record_action(
            session,
            rt.clock.now(),
            actor or cli_actor(),
            "job_create",
            f"created {what}",
            job_id=job.id,
        )
    return job
