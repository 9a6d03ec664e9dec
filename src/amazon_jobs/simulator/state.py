"""The simulator's in-memory state: sellers, listings, catalog, documents, feeds, reports.

One re-entrant lock guards everything; the HTTP layer runs each request under
it in a worker thread. Time is read only from the injected clock, and
:meth:`Simulator.sync` finishes every feed and report whose end has passed and
makes visible every accepted change whose delay has passed, in time order
(orders placed meanwhile take their units from the visible listings' quantities
in between, ``simulator.orders.stock``), so the state is always the state at the
clock's "now" when it is looked at (a report reads the listings as the changes
visible before it ended left them). Accepted changes and their delays:
:meth:`Simulator.accept_changes`, ``simulator.listings.visibility``.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import random
import secrets
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from amazon_jobs.clock import Clock, SystemClock
from amazon_jobs.domain.limits import application_limits_for, limits_for
from amazon_jobs.simulator.catalog.generator import configured_catalog
from amazon_jobs.simulator.catalog.items import Catalog, CatalogItem, catalog_item
from amazon_jobs.simulator.common.faults import MISNUMBER_OFFSET, Faults
from amazon_jobs.simulator.common.locales import locale_of
from amazon_jobs.simulator.common.presign import UrlSigner
from amazon_jobs.simulator.common.stats import Counters
from amazon_jobs.simulator.common.throttling import Throttle
from amazon_jobs.simulator.config import SimulatorConfig
from amazon_jobs.simulator.feeds.processing import FeedContext, FeedOutcome, aborted, process_feed
from amazon_jobs.simulator.feeds.processing_report import misnumbered
from amazon_jobs.simulator.feeds.timeline import Slot, due_feeds, schedule, status_at
from amazon_jobs.simulator.listings import visibility
from amazon_jobs.simulator.listings.issues import Issue
from amazon_jobs.simulator.listings.seed import listings_from_rows, read_listings_csv
from amazon_jobs.simulator.listings.updates import OfferContext
from amazon_jobs.simulator.lwa.auth import TokenBook
from amazon_jobs.simulator.models import SellerData, SimFeed, SimListing, StoredDocument
from amazon_jobs.simulator.orders.book import OrderBook
from amazon_jobs.simulator.reports.listings_report import ListingsReport
from amazon_jobs.simulator.reports.report_types import render_report
from amazon_jobs.simulator.reports.requests import ReportBook, ReportStatus, SimReport

__all__ = ["Simulator"]

_FIRST_FEED_ID = 50_000_018_001
#: Spread (sigma of the underlying normal) of the log-normal visibility delays: a
#: choice that puts one change in ten above 3.6 times the median.
_DELAY_SIGMA = 1.0
#: Finishes one feed or report, or makes one accepted change visible.
Finish = Callable[[], None]


class Simulator:
    """A fake Amazon's memory, driven by *clock*."""

    def __init__(self, config: SimulatorConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.clock: Clock = clock or SystemClock()
        self.lock = threading.RLock()
        self.tokens = TokenBook(self.config)
        self.throttle = Throttle(
            limits_for(self.config.profile, self.config.limit_overrides),
            application_limits_for(self.config.profile, self.config.application_limit_overrides),
        )
        self.signer = UrlSigner(secrets.token_bytes(32), self.config.url_ttl_s)
        self.counters = Counters()
        self.faults = Faults(
            self.config.error_seed,
            self.config.error_rate,
            self.config.answer_delay_s,
            self.config.slow_answer_rate,
            self.config.slow_answer_s,
        )
        self.documents: dict[str, StoredDocument] = {}
        self.reports = ReportBook()
        #: The open date of listings seeded without one.
        self.started_at = self.clock.now()
        self._catalogs: dict[str, Catalog] = {}
        self.seed_catalog(configured_catalog(self.config).items)
        self._sellers: dict[str, SellerData] = {}
        self._feed_numbers = itertools.count(_FIRST_FEED_ID)
        #: Acceptance order of listing changes, across sellers.
        self._change_numbers = itertools.count(1)
        #: Per seller, the seeded draws of visibility delays and downstream failures.
        self._visibility_draws: dict[str, random.Random] = {}
        self.add_seller(self.config.seller_id, self.config.refresh_token)
        self.orders = OrderBook(self)

    # -- sellers and listings -------------------------------------------------

    def add_application(self, client_id: str, client_secret: str) -> None:
        """Add an application (an LWA client) that sellers can authorize; each has its
        own application-wide buckets (``simulator.common.throttling``)."""
        with self.lock:
            self.tokens.add_application(client_id, client_secret)

    def add_seller(self, seller_id: str, refresh_token: str, client_id: str | None = None) -> None:
        """Add a seller (if new) who authorized the application *client_id* (the
        config's by default): *refresh_token* reaches the seller through it."""
        with self.lock:
            self.tokens.add_refresh_token(refresh_token, seller_id, client_id)
            self._sellers.setdefault(seller_id, SellerData(seller_id))

    def seed_listings(
        self, rows: Iterable[Mapping[str, Any]], seller_id: str | None = None
    ) -> None:
        """Add or replace listings from rows with sku, asin, quantity and price."""
        listings = listings_from_rows(rows)
        with self.lock:
            self.seller(seller_id).listings.update(listings)

    def number_feeds_after(self, feed_id: int) -> None:
        """Give the next feeds ids above *feed_id* (a restarted demo's earlier feeds)."""
        with self.lock:
            self._feed_numbers = itertools.count(max(_FIRST_FEED_ID, feed_id + 1))

    def load_listings_csv(self, path: str | Path, seller_id: str | None = None) -> int:
        """Add or replace listings from a CSV file; return how many rows it held."""
        listings = read_listings_csv(path)
        with self.lock:
            self.seller(seller_id).listings.update(listings)
        return len(listings)

    def revoke_refresh_token(self, refresh_token: str) -> None:
        """The seller revokes the application's authorization: LWA refuses
        *refresh_token* (``invalid_grant``); access tokens already issued with it
        work until they expire, as with Amazon."""
        with self.lock:
            self.tokens.revoke(refresh_token)

    def listings(self, seller_id: str | None = None) -> dict[str, SimListing]:
        """A copy of the seller's listings by SKU, as of now."""
        with self.lock:
            self.sync()
            return dict(self.seller(seller_id).listings)

    def restrict_brand(self, brand: str, seller_id: str | None = None) -> None:
        """The seller needs Amazon's approval for *brand*: offers on its ASINs are 6024."""
        with self.lock:
            self.seller(seller_id).restricted_brands.add(brand.casefold())

    def offer_context(
        self, seller_id: str, marketplace_id: str | None, now: datetime
    ) -> OfferContext:
        """What the seller's listings messages are checked against in *marketplace_id*."""
        return OfferContext(
            self.catalog(marketplace_id),
            now,
            frozenset(self.seller(seller_id).restricted_brands),
            self.config.silent_unknown_skus,
        )

    # -- accepted changes and what is visible -----------------------------------

    def accept_changes(
        self,
        seller_id: str,
        changes: Mapping[str, SimListing | None],
        accepted_at: datetime,
        *,
        quantity_set: Collection[str] | None = None,
        issues: Mapping[str, Sequence[Issue]] | None = None,
    ) -> None:
        """Accept *changes* (the new listing per SKU, None: deleted) at *accepted_at*.

        Each becomes visible after its own seeded delay (at once when
        ``visibility_delay_s`` is 0), unless it fails downstream. *quantity_set* names
        the SKUs whose quantity the changes set (None: those whose quantity differs
        from the accepted one); *issues* are what each listing shows once its change is
        visible (its warnings).
        """
        with self.lock:
            seller = self.seller(seller_id)
            for sku, listing in changes.items():
                delay, fails = self._draw_visibility(seller_id)
                visibility.schedule(
                    seller,
                    sku,
                    listing,
                    sequence=next(self._change_numbers),
                    visible_at=accepted_at + timedelta(seconds=delay),
                    sets_quantity=_sets_quantity(seller, sku, listing, quantity_set),
                    fails=fails,
                    issues=tuple(issue.for_listing() for issue in (issues or {}).get(sku, ())),
                    at_once=delay == 0,
                )

    def accepted_listing(self, seller_id: str, sku: str) -> SimListing | None:
        """The latest accepted state of *sku*, visible or not yet."""
        with self.lock:
            self.sync()
            return visibility.accepted(self.seller(seller_id), sku)

    def listing_issues(self, seller_id: str, sku: str) -> list[Issue]:
        """The issues Amazon shows on the listing after acceptance: a 5002 per change that
        failed downstream, the warnings of the change last made visible."""
        with self.lock:
            self.sync()
            return list(self.seller(seller_id).issues.get(sku, ()))

    def _draw_visibility(self, seller_id: str) -> tuple[float, bool]:
        """The seeded delay of the next accepted change of the seller, and whether it fails."""
        draws = self._visibility_draws.get(seller_id)
        if draws is None:
            draws = random.Random(f"{self.config.visibility_seed}:{seller_id}")
            self._visibility_draws[seller_id] = draws
        median, delay = self.config.visibility_delay_s, 0.0
        if median > 0:
            delay = median * math.exp(_DELAY_SIGMA * draws.gauss(0.0, 1.0))
            delay = min(delay, self.config.visibility_delay_max_s)
        return delay, draws.random() < self.config.downstream_failure_rate

    def seller(self, seller_id: str | None = None) -> SellerData:
        """The seller's data (the config's seller by default); KeyError if unknown."""
        key = seller_id or self.config.seller_id
        try:
            return self._sellers[key]
        except KeyError:
            raise KeyError(f"unknown seller {key!r}") from None

    def has_seller(self, seller_id: str) -> bool:
        return seller_id in self._sellers

    # -- Amazon's catalog -----------------------------------------------------

    def seed_catalog(
        self,
        items: Iterable[CatalogItem | Mapping[str, Any]],
        marketplace_id: str | None = None,
    ) -> int:
        """Add items to the catalog of *marketplace_id* (the config's); return how many.

        Items are :class:`CatalogItem` or mappings with asin, item_name, brand,
        product_type, ean and upc. An item whose ASIN is known replaces the old one. See
        ``simulator.catalog.generator`` for a generated catalog with ambiguous and
        unknown EANs.
        """
        parsed = [catalog_item(item) for item in items]
        with self.lock:
            self.catalog(marketplace_id).add(parsed)
        return len(parsed)

    def catalog(self, marketplace_id: str | None = None) -> Catalog:
        """The catalog of *marketplace_id* (the config's by default); empty until seeded."""
        key = marketplace_id or self.config.marketplace_id
        with self.lock:
            if key not in self._catalogs:
                self._catalogs[key] = Catalog(key)
            return self._catalogs[key]

    # -- inspection -----------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """What happened so far: requests, 429s, feeds, reports and catalog searches."""
        with self.lock:
            now = self.sync()
            feeds = [
                entry
                for seller in self._sellers.values()
                for entry in self._feeds_stats(seller, now)
            ]
            feeds.sort(key=lambda entry: entry["sequence"])
            reports = [_report_stats(report, now) for report in self.reports.all()]
            return {
                "requests": dict(self.counters.requests),
                "throttled": dict(self.counters.throttled),
                "throttled_application": dict(self.counters.throttled_application),
                "tokens_issued": self.counters.tokens_issued,
                "feeds_created": len(feeds),
                "feeds": feeds,
                "reports_created": len(reports),
                "reports": reports,
                "changes_pending": sum(
                    visibility.pending_count(seller) for seller in self._sellers.values()
                ),
                "changes_failed": sum(seller.failed_changes for seller in self._sellers.values()),
                "catalog_searches": self.counters.catalog_searches,
                "catalog_identifiers": self.counters.catalog_identifiers,
            }

    def _feeds_stats(self, seller: SellerData, now: datetime) -> list[dict[str, Any]]:
        slots = schedule(seller, self.config)
        return [
            {
                "sequence": feed.sequence,
                "feed_id": feed.feed_id,
                "seller_id": feed.seller_id,
                "feed_type": feed.feed_type,
                "status": str(status_at(feed, slots.get(feed.feed_id), now)),
                "messages": feed.message_count,
            }
            for feed in seller.feeds
        ]

    # -- documents and feeds --------------------------------------------------

    def new_document(
        self,
        seller_id: str,
        content_type: str,
        now: datetime,
        content: bytes | None = None,
        compressed: bool = False,
        result: bool = False,
        report: bool = False,
    ) -> StoredDocument:
        """Store a new feed document (or, with *report*, a report document) and return it."""
        kind = "spdoc.1.4" if report else "tortuga.4"
        document_id = f"amzn1.{kind}.na.{uuid.uuid4()}.T{secrets.token_hex(6).upper()}"
        document = StoredDocument(
            document_id, seller_id, content_type, now, content, compressed, result, report
        )
        self.documents[document_id] = document
        return document

    def add_feed(
        self,
        seller_id: str,
        feed_type: str,
        marketplace_ids: tuple[str, ...],
        document: StoredDocument,
        now: datetime,
    ) -> SimFeed:
        """Queue a feed of *document*'s current content."""
        number = next(self._feed_numbers)
        feed = SimFeed(
            feed_id=str(number),
            seller_id=seller_id,
            feed_type=feed_type,
            marketplace_ids=marketplace_ids,
            created_at=now,
            input_document_id=document.document_id,
            content=document.content or b"",
            sequence=number,
            doomed=self.faults.take_cancel(),
        )
        seller = self.seller(seller_id)
        seller.feeds.append(feed)
        seller.open_feeds.append(feed)
        return feed

    def find_feed(self, seller_id: str, feed_id: str) -> SimFeed | None:
        return next((f for f in self.seller(seller_id).feeds if f.feed_id == feed_id), None)

    def cancel(self, feed: SimFeed, now: datetime) -> None:
        """Cancel an open feed (the caller checked it is IN_QUEUE)."""
        feed.cancelled_at = now
        self.seller(feed.seller_id).open_feeds.remove(feed)

    def slots(self, seller_id: str) -> dict[str, Slot]:
        """The processing window of each open feed of the seller."""
        return schedule(self.seller(seller_id), self.config)

    # -- time -----------------------------------------------------------------

    def sync(self) -> datetime:
        """Finish every feed and report that has ended by now and make visible every
        accepted change whose time has come, in time order, with the orders placed and
        canceled in between taking and giving back quantity; return now."""
        with self.lock:
            now = self.clock.now()
            for seller in list(self._sellers.values()):
                for at, finish in self._events(seller, now):
                    self.orders.advance(seller.seller_id, at)
                    finish()
                self.orders.advance(seller.seller_id, now)
            return now

    def _events(self, seller: SellerData, now: datetime) -> Iterator[tuple[datetime, Finish]]:
        """The seller's due feeds and reports, in time order, merged with the accepted
        changes that come due meanwhile (a finished feed adds some); a change due at the
        same time as a report is visible in it."""
        events = sorted(self._due(seller, now), key=lambda event: event[0])
        index = 0
        while True:
            visible_at = visibility.next_due(seller, now)
            if index < len(events) and (visible_at is None or events[index][0] < visible_at):
                yield events[index]
                index += 1
            elif visible_at is not None:
                yield visible_at, partial(visibility.reveal_next, seller)
            else:
                return

    def _due(self, seller: SellerData, now: datetime) -> list[tuple[datetime, Finish]]:
        feeds: list[tuple[datetime, Finish]] = [
            (slot.end, partial(self._finish, seller, feed, slot))
            for feed, slot in due_feeds(seller, self.config, now)
        ]
        reports = [
            (report.ends_at, partial(self._finish_report, seller, report))
            for report in self.reports.due(seller.seller_id, now)
        ]
        return feeds + reports

    def _finish(self, seller: SellerData, feed: SimFeed, slot: Slot) -> None:
        seller.open_feeds.remove(feed)
        seller.last_end = slot.end
        if feed.doomed:
            feed.cancelled_at, feed.content = slot.start, b""
            return
        outcome = self._outcome(seller, feed, slot)
        self.accept_changes(
            seller.seller_id,
            outcome.changes,
            slot.end,
            quantity_set=outcome.quantity_set,
            issues=outcome.warnings,
        )
        feed.started_at, feed.ended_at = slot.start, slot.end
        feed.outcome, feed.message_count = outcome.status, outcome.message_count
        feed.result_document_id = self._result_document(seller.seller_id, outcome, slot.end)
        feed.content = b""

    def _result_document(self, seller_id: str, outcome: FeedOutcome, now: datetime) -> str | None:
        """Store the processing report; its id, unless an injected fault loses it."""
        report = outcome.report
        if self.faults.take_misnumbering():
            report = misnumbered(report, MISNUMBER_OFFSET)
        if self.faults.take_omitted_result():
            return None
        document_id = self._store_report(seller_id, report, now)
        if self.faults.take_lost_result():
            del self.documents[document_id]
        return document_id

    def _outcome(self, seller: SellerData, feed: SimFeed, slot: Slot) -> FeedOutcome:
        marketplace_id = (feed.marketplace_ids or (self.config.marketplace_id,))[0]
        context = FeedContext(
            seller.seller_id,
            feed.feed_id,
            feed.feed_type,
            self.config.max_feed_messages,
            marketplace_id,
            slot.end,
            self.config.warnings,
            self.config.silent_unknown_skus,
            frozenset(seller.restricted_brands),
        )
        if self.faults.take_abort():
            return aborted(context)
        catalog = self.catalog(marketplace_id)
        accepted = visibility.AcceptedListings(seller)
        issues = partial(_shown_issues, seller)
        return process_feed(context, feed.content, accepted, catalog, issues)

    def _store_report(self, seller_id: str, report: dict[str, Any], now: datetime) -> str:
        data = json.dumps(report, separators=(",", ":")).encode()
        compressed = self.config.gzip_results
        if compressed:
            data = gzip.compress(data, mtime=0)
        document = self.new_document(
            seller_id, "application/json", now, data, compressed, result=True
        )
        return document.document_id

    def _finish_report(self, seller: SellerData, report: SimReport) -> None:
        if self.faults.take_report_failure():
            self.reports.close(report, ReportStatus.FATAL, None)
            return
        spec = report.spec
        marketplace_id = spec.marketplace_ids[0]  # one marketplace per listings report
        content = ListingsReport(
            spec.report_type,
            seller.seller_id,
            seller.listings,
            self.catalog(marketplace_id),
            locale_of(marketplace_id),
            self.started_at,
        )
        rendered = render_report(content, compress=self.config.gzip_results)
        if rendered is None:
            self.reports.close(report, ReportStatus.CANCELLED, None)
            return
        document = self.new_document(
            seller.seller_id,
            rendered.content_type,
            report.ends_at,
            rendered.content,
            rendered.compressed,
            result=True,
            report=True,
        )
        report.rows = rendered.rows
        self.reports.close(report, ReportStatus.DONE, document.document_id)


def _sets_quantity(
    seller: SellerData,
    sku: str,
    listing: SimListing | None,
    quantity_set: Collection[str] | None,
) -> bool:
    """Whether the change of *sku* to *listing* sets the quantity (see accept_changes)."""
    if quantity_set is not None:
        return sku in quantity_set
    before = visibility.accepted(seller, sku)
    if before is None or listing is None:
        return True
    return (listing.quantity, listing.sent_quantity) != (before.quantity, before.sent_quantity)


def _shown_issues(seller: SellerData, sku: str) -> list[Issue]:
    return list(seller.issues.get(sku, ()))


def _report_stats(report: SimReport, now: datetime) -> dict[str, Any]:
    return {
        "sequence": report.sequence,
        "report_id": report.report_id,
        "seller_id": report.seller_id,
        "report_type": report.spec.report_type,
        "status": str(report.status_at(now)),
        "rows": report.rows,
    }
