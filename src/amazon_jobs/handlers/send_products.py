"""Sending Products: find each product's ASIN by EAN/UPC, then offer it on that ASIN.

Assembling the job (while ``reserved``, still cancelable, nothing sent) looks
up the ASINs with searchCatalogItems, 20 codes a request under that
operation's own bucket. A code that matches no Amazon product, or several,
fails its item with a message naming the code; the others go into one
JSON_LISTINGS_FEED of ``UPDATE`` messages with ``LISTING_OFFER_ONLY``
requirements and the ASIN as ``merchant_suggested_asin``. Done: the listing
is active under its ASIN.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Row, select

from amazon_jobs.amazon.catalog_api import MAX_IDENTIFIERS, CatalogItem
from amazon_jobs.amazon.client import SpApiClient
from amazon_jobs.domain.catalog import gtin13, identifier_type
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.domain.marketplaces import marketplace
from amazon_jobs.feeds.listings_feed import offer_message
from amazon_jobs.handlers.feed_job import ListingsFeedJob, ShopValues, Started
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.jobs import append_log, lock_job
from amazon_jobs.store.models import Account, Job, JobItem

__all__ = ["SendProducts", "match_codes"]

MATCH_TYPES = frozenset({"EAN", "UPC", "GTIN"})
NO_CODE = "no ASIN and no EAN/UPC to find one with"


def _batches(todo: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    """Batches of up to 20 items whose codes have one identifier type (EAN or UPC)."""
    by_type: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for item in todo:
        by_type[identifier_type(item[1])].append(item)
    for items in by_type.values():
        for start in range(0, len(items), MAX_IDENTIFIERS):
            yield items[start : start + MAX_IDENTIFIERS]


def match_codes(codes: Iterable[str], items: Iterable[CatalogItem]) -> dict[str, list[str]]:
    """The ASINs whose EAN/UPC/GTIN identifiers equal each code (UPC-A = EAN-13 with 0)."""
    by_gtin: dict[str, set[str]] = defaultdict(set)
    for item in items:
        for kind, value in item.identifiers:
            if kind in MATCH_TYPES and value.isdigit():
                by_gtin[gtin13(value)].add(item.asin)
    return {code: sorted(by_gtin.get(gtin13(code), ())) for code in codes}


class SendProducts(ListingsFeedJob):
    job_type: ClassVar[JobType] = JobType.SEND_PRODUCTS
    eligible: ClassVar[frozenset[ListingState]] = frozenset(
        {ListingState.NOT_LISTED, ListingState.ERROR}
    )

    def requested(self, row: Row[Any]) -> dict[str, Any]:
        return {
            "asin": row.Listing.asin,
            "ean": row.ean,
            "quantity": row.quantity,
            "price": str(row.price),
        }

    def sent_values(self, product: ShopValues, requested: dict[str, Any]) -> dict[str, Any]:
        return {"asin": requested["asin"], **product.quantity_trace(), **product.price_trace()}

    def message(
        self, number: int, sku: str, sent: dict[str, Any], account: Account
    ) -> dict[str, Any]:
        return offer_message(
            number,
            sku,
            asin=sent["asin"],
            quantity=int(sent["quantity"]),
            price=Decimal(sent["price"]),
            currency=marketplace(account.marketplace_id).currency,
            marketplace_id=account.marketplace_id,
        )

    def api_operation(self) -> Operation:
        """On the Listings Items API the offer is created by putListingsItem."""
        return Operation.PUT_LISTINGS_ITEM

    def confirmed_columns(self, sent: dict[str, Any]) -> dict[str, Any]:
        return {
            "state": ListingState.ACTIVE.value,
            "asin": sent["asin"],
            "confirmed_quantity": int(sent["quantity"]),
            "confirmed_price": Decimal(sent["price"]),
        }

    def sending_columns(self) -> dict[str, Any]:
        return {"state": ListingState.PENDING.value}

    def error_columns(self, text: str) -> dict[str, Any]:
        return {"state": ListingState.ERROR.value, "last_error": text}

    # Assembling: the ASIN lookup

    def _assemble(self, rt: Runtime, job: Job, account: Account) -> Started | None:
        job_id = job.id
        client = self.client(rt, job_id, account)
        for batch in _batches(self._codes_to_search(rt, job_id)):
            if not self.spend(rt, job_id, [Operation.SEARCH_CATALOG_ITEMS]):
                return None
            if not self._search(rt, job_id, account, client, batch):
                return None
        job, _ = self.load(rt, job_id)  # items may have failed in the lookup
        return super()._assemble(rt, job, account)

    def _codes_to_search(self, rt: Runtime, job_id: int) -> list[tuple[int, str]]:
        """(item id, EAN/UPC) of the items still without an ASIN.

        Items with neither ASIN nor code fail here.
        """
        with rt.db.transaction() as session:
            rows = session.execute(
                select(JobItem.id, JobItem.requested).where(
                    JobItem.job_id == job_id, JobItem.outcome == "pending"
                )
            ).all()
            missing = [r for r in rows if not r.requested.get("asin")]
            unsearchable = [r.id for r in missing if not r.requested.get("ean")]
            self._fail_items(session, job_id, rt, dict.fromkeys(unsearchable, NO_CODE))
            return [(r.id, r.requested["ean"]) for r in missing if r.requested.get("ean")]

    def _search(
        self,
        rt: Runtime,
        job_id: int,
        account: Account,
        client: SpApiClient,
        batch: list[tuple[int, str]],
    ) -> bool:
        """Look the batch up (every page) and record each item's ASIN or error."""
        codes = sorted({code for _, code in batch})
        kind = identifier_type(codes[0])
        found: list[CatalogItem] = []
        page = client.search_catalog_items(codes, kind, account.marketplace_id)
        found.extend(page.items)
        while page.next_token:
            if not self.spend(rt, job_id, [Operation.SEARCH_CATALOG_ITEMS]):
                return False
            page = client.search_catalog_items(codes, kind, account.marketplace_id, page.next_token)
            found.extend(page.items)
        self._record_matches(rt, job_id, batch, match_codes(codes, found))
        return True

    def _record_matches(
        self,
        rt: Runtime,
        job_id: int,
        batch: list[tuple[int, str]],
        matches: dict[str, list[str]],
    ) -> None:
        with rt.db.transaction() as session:
            rows = session.execute(
                select(JobItem.id, JobItem.requested).where(
                    JobItem.id.in_([item_id for item_id, _ in batch])
                )
            )
            requested: dict[int, dict[str, Any]] = {row.id: row.requested for row in rows}
            found: list[dict[str, Any]] = []
            failed: dict[int, str] = {}
            for item_id, code in batch:
                asins = matches.get(code, [])
                if len(asins) == 1:
                    found.append(
                        {"id": item_id, "requested": {**requested[item_id], "asin": asins[0]}}
                    )
                elif not asins:
                    failed[item_id] = f"no Amazon product has {identifier_type(code)} {code}"
                else:
                    failed[item_id] = (
                        f"{identifier_type(code)} {code} matches {len(asins)} Amazon products "
                        f"({', '.join(asins)}): set the ASIN of this listing yourself"
                    )
            update_rows(session, JobItem, found)
            self._fail_items(session, job_id, rt, failed)
            append_log(
                session,
                job_id,
                rt.clock.now(),
                f"Catalog search: {len(found)} of {len(batch)} code(s) matched one ASIN",
            )

    @staticmethod
    def _fail_items(session: Any, job_id: int, rt: Runtime, reasons: dict[int, str]) -> None:
        """Fail items before sending; their listings stay held until the job ends."""
        if not reasons:
            return
        update_rows(
            session,
            JobItem,
            [{"id": i, "outcome": "error", "error_message": why} for i, why in reasons.items()],
        )
        job = lock_job(session, job_id)
        job.items_failed += len(reasons)
