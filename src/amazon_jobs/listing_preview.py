"""The preview of a listings job: what it would send and what it would leave out.

Read-only: nothing is locked or created. :func:`amazon_jobs.service.create_listings_job`
then reserves the same selection under the same rules (a listing taken by
another job in between is left out there, and said so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from amazon_jobs import insight
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.policy import apply_price, apply_quantity
from amazon_jobs.domain.preview import ListingFacts, Sent, skip_reason, to_send
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.feed_job import ListingsFeedJob
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.available import held_back
from amazon_jobs.store.models import Listing, Product
from amazon_jobs.store.policies import load_policy

__all__ = ["PreviewItem", "SelectionPreview", "preview_listings_job"]

CHUNK = 5000


@dataclass(frozen=True)
class PreviewItem:
    sku: str
    title: str
    current_quantity: int | None
    current_price: Decimal | None
    sent: Sent


@dataclass
class SelectionPreview:
    job_type: JobType
    account_id: int
    items: list[PreviewItem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    send_at: datetime | None = None
    #: How many jobs the items need (a feed carries at most so many messages).
    jobs: int = 0


def preview_listings_job(
    rt: Runtime, job_type: JobType, account_id: int, skus: Sequence[str]
) -> SelectionPreview:
    handler = handler_for(job_type)
    if not isinstance(handler, ListingsFeedJob):
        raise AmazonJobsError(f"{job_type.label} jobs do not work on listings")
    wanted = list(dict.fromkeys(skus))
    found: dict[str, tuple[ListingFacts, str, Listing | None]] = {}
    with rt.db.read() as session:
        # what would be sent: the stock available to sell, after the account's policy
        policy = load_policy(session, account_id).policy
        held = held_back(session, account_id, wanted)
        for start in range(0, len(wanted), CHUNK):
            rows = session.execute(
                select(Product, Listing)
                .outerjoin(
                    Listing,
                    (Listing.product_id == Product.id) & (Listing.account_id == account_id),
                )
                .where(Product.sku.in_(wanted[start : start + CHUNK]))
            )
            for product, listing in rows:
                facts = ListingFacts(
                    sku=product.sku,
                    state=listing.state if listing else None,
                    locked_by_job_id=listing.locked_by_job_id if listing else None,
                    asin=listing.asin if listing else None,
                    ean=product.ean,
                    quantity=apply_quantity(product.quantity, held.get(product.sku, 0), policy),
                    price=apply_price(
                        product.price, getattr(product, "price_tax_incl", None), policy
                    ),
                )
                found[product.sku] = (facts, product.title, listing)
    preview = SelectionPreview(job_type, account_id)
    for sku in wanted:
        if sku not in found:
            preview.skipped.append((sku, "no product has this SKU"))
            continue
        facts, title, selected = found[sku]
        why = skip_reason(job_type, handler.eligible, facts)
        if why is not None:
            preview.skipped.append((sku, why))
            continue
        preview.items.append(
            PreviewItem(
                sku,
                title,
                selected.confirmed_quantity if selected else None,
                selected.confirmed_price if selected else None,
                to_send(job_type, facts),
            )
        )
    if preview.items:
        size = rt.settings.feed_max_messages
        preview.jobs = -(-len(preview.items) // size)
        preview.send_at = insight.estimate_new(rt, account_id, job_type)
    return preview
