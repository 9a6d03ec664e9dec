"""Shop Catalog Sync: a PrestaShop shop's products, combinations, stock and prices into
``products``.

A job belongs to an account (every job does): a shop's job is attached to its
first active linked account (lowest id), and ``job.data["shop_id"]`` names the
shop. One catalog sync per shop runs at a time.

Phases, each a loop of pages; every page is read from the shop, then written in
one transaction together with the cursor of the next page (``job.data``), so a
worker killed anywhere resumes at the first page not written, and a page read
twice changes nothing the second time:

1. ``products``: products by id (keyset), an incremental sync only those with
   ``date_upd`` ≥ the last sync minus :data:`OVERLAP` (shop-local time, converted with
   ``PS_TIMEZONE``), each page with its combinations and stock rows;
2. ``stock`` (incremental): every stock row, since stock changes leave no date; only
   quantities that differ are written, and a combination we do not know yet sends
   its product to
3. ``refresh``: those products read again, whole;
4. ``removals`` (full pass): the shop's products the pass did not find are gone
   from the shop: quantity 0, inactive, ``deleted_at`` (see
   :mod:`amazon_jobs.store.shop_catalog`).

Only changed or refused SKUs become job items (at most :data:`ITEM_CAP` of each;
the log counts every one), so a 100,000-SKU catalog does not write 100,000 items.
A shop that does not answer (5xx, timeout) is retried with backoff by the runner;
a refused key fails the job with the shop's reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import ACTIVE_STATUSES, JobStatus, JobType
from amazon_jobs.errors import AmazonJobsError, SelectionError
from amazon_jobs.handlers.steps import StepHandler, record
from amazon_jobs.runtime import Runtime
from amazon_jobs.shop import prestashop_catalog as ps
from amazon_jobs.shop.webservice import WebserviceClient
from amazon_jobs.shops import webservice
from amazon_jobs.store.jobs import append_log, create_job, insert_items, lock_job, move
from amazon_jobs.store.models import Job, Shop
from amazon_jobs.store.shop_catalog import (
    Change,
    PageResult,
    apply_items,
    apply_stock,
    remove_unseen,
)
from amazon_jobs.store.shops import job_account_id
from amazon_jobs.testing import checkpoint

__all__ = ["ITEM_CAP", "OVERLAP", "ShopCatalogSync", "running_sync"]

#: How far before the last sync an incremental sync starts reading: shop dates have
#: one-second resolution and many products share a second (facts §3.5).
OVERLAP = timedelta(minutes=10)
#: Stock rows read per request (three short fields each).
STOCK_PAGE = 1000
#: Products removed per transaction at the end of a full pass.
REMOVAL_BATCH = 1000
#: Most items listed per job of each kind (changes, refusals); the log counts them all.
ITEM_CAP = 1000
#: Products read again after the stock scan, at most (the next full pass does the rest).
REFRESH_CAP = 5000


def running_sync(session: Session, shop_id: int) -> int | None:
    """The id of the shop's active catalog sync, if any."""
    jobs = session.execute(
        select(Job.id, Job.data).where(
            Job.type == JobType.SHOP_CATALOG_SYNC.value,
            Job.status.in_([s.value for s in ACTIVE_STATUSES]),
        )
    )
    return next((job_id for job_id, data in jobs if (data or {}).get("shop_id") == shop_id), None)


@dataclass
class _Page:
    """A page read from the shop, ready to be written."""

    kind: str
    cursor: dict[str, Any]
    products: list[dict[str, Any]]
    combinations: list[dict[str, Any]]
    stock: list[dict[str, Any]]
    requests: int


class ShopCatalogSync(StepHandler):
    job_type: ClassVar[JobType] = JobType.SHOP_CATALOG_SYNC

    def create(self, rt: Runtime, shop_id: int, *, full: bool = False) -> Job:
        """A new catalog sync of the shop (a full pass if *full*); one per shop at a time."""
        now = rt.clock.now()
        with rt.db.transaction() as session:
            shop = session.get(Shop, shop_id)
            if shop is None:
                raise AmazonJobsError(f"no shop with id {shop_id}")
            if shop.status != "active":
                raise SelectionError(f"shop {shop.name} is disabled: enable it first")
            running = running_sync(session, shop_id)
            if running:
                raise SelectionError(f"job {running} is syncing this shop's catalog already")
            account_id = job_account_id(session, shop_id)
            if account_id is None:
                raise SelectionError(
                    f"no active account is linked to shop {shop.name}: link one with "
                    f"`amazon-jobs accounts link ACCOUNT --shop {shop.name}`"
                )
            job = create_job(session, account_id, self.job_type, now)
            job.data = {"shop_id": shop_id, "full": full}
            kind = "full catalog pass" if full else "catalog sync"
            append_log(session, job.id, now, f"Shop {shop.name}: {kind} requested")
            return job

    # Steps

    def step(self, rt: Runtime, job_id: int) -> None:
        job, _ = self.load(rt, job_id)
        if job.status == JobStatus.RESERVED:
            self.assemble(rt, job_id, "queued for the worker")
        elif job.status == JobStatus.CREATED:
            if self._begin(rt, job_id):
                self._run(rt, job_id)
        elif job.status == JobStatus.PROCESSING:
            self._run(rt, job_id)

    def fail(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        if job.status in (JobStatus.RESERVED, JobStatus.CREATED):
            self.cancel(session, job, now, f"nothing was read from the shop: {reason}")
            return
        job.error = reason
        move(session, job, JobStatus.ERROR, now, reason, level="error")

    def _begin(self, rt: Runtime, job_id: int) -> bool:
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status != JobStatus.CREATED:
                return False
            move(session, job, JobStatus.PROCESSING, rt.clock.now(), "reading the shop")
            return True

    def _run(self, rt: Runtime, job_id: int) -> None:
        job, _ = self.load(rt, job_id)
        with rt.db.read() as session:
            shop = session.get(Shop, int(job.data.get("shop_id", 0)))
        if shop is None:
            raise AmazonJobsError("the shop of this job was deleted")
        with webservice(rt, shop) as client:
            if "phase" not in job.data:
                self._setup(rt, job_id, shop, client)
            while self._next(rt, job_id, shop, client):
                pass

    def _setup(self, rt: Runtime, job_id: int, shop: Shop, client: WebserviceClient) -> None:
        context = ps.read_context(client)
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            full = bool(job.data.get("full")) or shop.catalog_synced_until is None
            since = None
            if not full and shop.catalog_synced_until is not None:
                since = ps.shop_time_text(shop.catalog_synced_until - OVERLAP, context.zone)
            record(
                job,
                now,
                phase="products",
                full=full,
                after=0,
                since=since,
                zone=context.zone_name,
                language=context.language_id,
                started=now.isoformat(),
                requests=1,
            )
            what = (
                "full pass (every product; deletions noticed)"
                if full
                else (
                    f"products changed since {since} shop time ({context.zone_name}), "
                    "then all stock"
                )
            )
            append_log(session, job_id, now, f"Shop {shop.name}: {what}")

    def _next(self, rt: Runtime, job_id: int, shop: Shop, client: WebserviceClient) -> bool:
        """Read and write one page; False once the job is done (or not processing)."""
        job, _ = self.load(rt, job_id)
        if job.status != JobStatus.PROCESSING:
            return False
        phase = job.data["phase"]
        if phase == "removals":
            return self._removals(rt, job_id, shop)
        if phase == "done":
            self._finish(rt, job_id, shop)
            return False
        page = self._read(rt, job, client)
        checkpoint("catalog:read")
        self._write(rt, job_id, shop, page)
        checkpoint("catalog:written")
        return True

    # Reading

    def _read(self, rt: Runtime, job: Job, client: WebserviceClient) -> _Page:
        data = job.data
        context = ps.ShopContext(ps.zone_named(data["zone"]), data["zone"], int(data["language"]))
        phase, after = data["phase"], int(data.get("after", 0))
        if phase == "stock":
            rows = ps.stock_page(client, after_id=after, size=STOCK_PAGE)
            last = max((int(r["id"]) for r in rows), default=after)
            return _Page("stock", {"after": last}, [], [], rows, 1)
        size = rt.settings.shop_page_size
        if phase == "refresh":
            ids = [int(i) for i in data.get("refresh", [])][:size]
            products = ps.product_page(client, context, after_id=0, size=size, ids=ids)
            cursor: dict[str, Any] = {"refresh": data["refresh"][len(ids) :]}
        else:
            products = ps.product_page(
                client, context, after_id=after, size=size, since=data.get("since")
            )
            cursor = {"after": max((int(p["id"]) for p in products), default=after)}
        ids = [int(p["id"]) for p in products]
        combinations = ps.combinations_of(client, ids)
        stock = ps.stock_of(client, ids)
        return _Page(phase, cursor, products, combinations, stock, 1 + 2 * bool(ids))

    # Writing

    def _write(self, rt: Runtime, job_id: int, shop: Shop, page: _Page) -> None:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if page.kind == "stock":
                changes, unknown = apply_stock(session, shop.id, page.stock, now)
                result = PageResult(changes=changes)
                refresh = sorted({*job.data.get("refresh", []), *unknown})[:REFRESH_CAP]
                cursor = {**page.cursor, "refresh": refresh or None}
                line = f"Stock: {len(page.stock)} row(s), {len(changes)} quantity change(s)"
            else:
                items, errors = ps.map_page(page.products, page.combinations, page.stock)
                ids = [int(p["id"]) for p in page.products]
                pass_id = job.id if job.data.get("full") else None
                result = apply_items(session, shop.id, items, ids, now, pass_job_id=pass_id)
                result.errors[:0] = errors
                cursor = dict(page.cursor)
                line = _page_line(page, items, result) if page.products else ""
            self._items(session, job, result)
            counts = _counts(job.data.get("counts"), result)
            done = not (page.stock if page.kind == "stock" else page.products)
            if page.kind == "refresh":
                done = not cursor.get("refresh")
            if done:
                cursor["after"] = 0
            record(
                job,
                now,
                **cursor,
                phase=_after_phase(job, page.kind) if done else page.kind,
                counts=counts,
                requests=int(job.data.get("requests", 0)) + page.requests,
            )
            if page.products or page.stock:
                append_log(session, job_id, now, line)

    def _items(self, session: Session, job: Job, result: PageResult) -> None:
        listed = dict(job.data.get("listed") or {"ok": 0, "error": 0})
        rows: list[dict[str, Any]] = []
        for change in result.changes[: max(0, ITEM_CAP - listed["ok"])]:
            rows.append(_change_item(job.id, change))
        for error in result.errors[: max(0, ITEM_CAP - listed["error"])]:
            rows.append(
                {
                    "job_id": job.id,
                    "ref": error.ref[:60],
                    "prior": {},
                    "requested": {
                        "product_id": error.product_id,
                        "combination_id": error.combination_id,
                    },
                    "outcome": "error",
                    "error_code": "shop_item",
                    "error_message": error.message,
                }
            )
        ok = sum(1 for r in rows if r["outcome"] == "ok")
        insert_items(session, rows)
        job.items_total += len(rows)
        job.items_ok += ok
        job.items_failed += len(rows) - ok
        record(
            job,
            job.updated_at,
            listed={"ok": listed["ok"] + ok, "error": listed["error"] + len(rows) - ok},
        )

    def _removals(self, rt: Runtime, job_id: int, shop: Shop) -> bool:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            changes = remove_unseen(session, shop.id, job.id, now, REMOVAL_BATCH)
            result = PageResult(changes=changes)
            self._items(session, job, result)
            record(
                job,
                now,
                counts=_counts(job.data.get("counts"), result),
                phase="removals" if len(changes) == REMOVAL_BATCH else "done",
            )
            if changes:
                append_log(
                    session, job_id, now, f"{len(changes)} SKU(s) no longer in the shop: removed"
                )
        return True

    def _finish(self, rt: Runtime, job_id: int, shop_id_holder: Shop) -> None:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            shop = session.get_one(Shop, shop_id_holder.id)
            started = datetime.fromisoformat(job.data["started"])
            shop.catalog_synced_until = started
            if job.data.get("full"):
                shop.catalog_full_at = started
            move(session, job, JobStatus.DONE, now, _summary(job.data))


def _after_phase(job: Job, phase: str) -> str:
    if phase == "products":
        return "removals" if job.data.get("full") else "stock"
    if phase == "stock":
        return "refresh" if job.data.get("refresh") else "done"
    return "done"


def _change_item(job_id: int, change: Change) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "ref": change.sku,
        "prior": change.prior,
        "requested": {"change": change.kind, **change.values},
        "outcome": "ok",
        "confirmed": {"change": change.kind},
    }


def _counts(current: dict[str, int] | None, result: PageResult) -> dict[str, int]:
    counts = dict(current or {})
    for change in result.changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    if result.errors:
        counts["refused"] = counts.get("refused", 0) + len(result.errors)
    if result.unchanged:
        counts["unchanged"] = counts.get("unchanged", 0) + result.unchanged
    return counts


def _page_line(page: _Page, items: list[ps.ShopItem], result: PageResult) -> str:
    first, last = page.products[0]["id"], page.products[-1]["id"]
    kinds: dict[str, int] = {}
    for change in result.changes:
        kinds[change.kind] = kinds.get(change.kind, 0) + 1
    done = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "nothing changed"
    refused = f", {len(result.errors)} refused" if result.errors else ""
    what = "Products read again" if page.kind == "refresh" else "Products"
    return f"{what} {first} to {last}: {len(items)} SKU(s); {done}{refused}"


def _summary(data: dict[str, Any]) -> str:
    counts = data.get("counts") or {}
    parts = [
        f"{counts[k]} {k}"
        for k in ("created", "updated", "restored", "removed", "refused")
        if counts.get(k)
    ]
    kind = "Full pass" if data.get("full") else "Catalog sync"
    body = ", ".join(parts) or "nothing changed"
    unchanged, requests = counts.get("unchanged", 0), data.get("requests", 0)
    return f"{kind} done: {body} ({unchanged} unchanged; {requests} request(s))"
