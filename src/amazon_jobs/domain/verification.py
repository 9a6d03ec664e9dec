"""Read-after-write verification: does Amazon show what it accepted? Pure rules, no I/O.

Amazon applies an accepted change later, seconds to many minutes after the
feed ends, and a few never (they fail downstream and leave an issue on the
listing). So each item of a listings job that Amazon accepted is ``pending``
until Amazon shows its sent value (``verified``), looked at on a schedule of
growing intervals (:func:`next_check_at`); one that still differs at a look
made ``verify_after_s`` or more after its job ended is a ``mismatch``, sent
again once (``resent``); if the resend ends in a mismatch too, it is
``flagged`` on its listing. What each job type must show (:func:`expected`,
:func:`shows`):

- QTY, Price, QTY & Price: the quantity and/or price sent;
- Sending Products: an offer on the ASIN with the quantity and price sent;
- Stop: quantity 0, or no listing at all (nothing is for sale either way);
- Stop & Remove: quantity 0, or no listing at all (getListingsItem's 404).

A quantity or price sent as a PATCH to a SKU Amazon has no listing for is
accepted silently and applied to nothing: sending it again cannot help, so
such an item is flagged at once, its listing in error (:data:`NO_LISTING`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.listings import ListingState

__all__ = [
    "CHECK_FRACTIONS",
    "NO_LISTING",
    "UPDATE_TYPES",
    "Seen",
    "Verification",
    "deadline",
    "differences",
    "expected",
    "flagged_columns",
    "next_check_at",
    "resent_columns",
    "shows",
]


class Verification(StrEnum):
    """Where an accepted item stands against what Amazon shows."""

    #: Amazon does not show the sent value yet.
    PENDING = "pending"
    #: Amazon shows the sent value.
    VERIFIED = "verified"
    #: Still different after ``verify_after_s``: to be sent again, once.
    MISMATCH = "mismatch"
    #: A mismatch, sent again in a new job (``verification_detail["resent_in"]``).
    RESENT = "resent"
    #: Still different after the resend, or Amazon has no listing: flagged on the listing.
    FLAGGED = "flagged"
    #: A later change of the listing took over before this one could be verified.
    SUPERSEDED = "superseded"
    #: Could not be checked (Amazon refused getListingsItem); the job's log says why.
    UNVERIFIED = "unverified"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Verification.PENDING: "to verify",
    Verification.VERIFIED: "verified",
    Verification.MISMATCH: "mismatch",
    Verification.RESENT: "mismatch, resent",
    Verification.FLAGGED: "flagged",
    Verification.SUPERSEDED: "superseded",
    Verification.UNVERIFIED: "not verified",
}

#: Job types that PATCH the quantity or price of an existing listing: one Amazon has
#: no listing for is flagged without a resend, which could not create it.
UPDATE_TYPES = frozenset({JobType.UPDATE_QTY, JobType.UPDATE_PRICE, JobType.UPDATE_QTY_PRICE})
#: Job types verified as soon as Amazon has no listing for the SKU.
GONE_IS_ENOUGH = frozenset({JobType.STOP, JobType.STOP_REMOVE})
#: The listing's error once Amazon shows no listing for a SKU it accepted a change of.
NO_LISTING = "Amazon has no listing for this SKU: send the product (Sending Products)"
#: When an item is looked at, as fractions of ``verify_after_s`` after its job ended;
#: the last look decides. With the default 30 min: after 1, 3, 7.5, 15 and 30 min.
CHECK_FRACTIONS = (1 / 30, 1 / 10, 1 / 4, 1 / 2, 1.0)
#: After the last look, items that could not be looked at (a job held their listing)
#: are looked at again this often, as a fraction of ``verify_after_s``.
LATE_FRACTION = 1 / 10
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Seen:
    """What Amazon shows of a listing; ``missing``: it has none."""

    missing: bool = False
    asin: str | None = None
    quantity: int | None = None
    price: Decimal | None = None

    def as_values(self) -> dict[str, Any]:
        """JSON-safe, for ``verification_detail["seen"]``."""
        if self.missing:
            return {"missing": True}
        values: dict[str, Any] = {"asin": self.asin, "quantity": self.quantity}
        values["price"] = None if self.price is None else str(self.price)
        return {k: v for k, v in values.items() if v is not None}


def expected(job_type: JobType, confirmed: dict[str, Any]) -> dict[str, Any]:
    """The values Amazon must show for an item of *job_type* Amazon accepted *confirmed*."""
    keys = _EXPECTED_KEYS[job_type]
    return {key: confirmed[key] for key in keys if confirmed.get(key) is not None}


_EXPECTED_KEYS: dict[JobType, tuple[str, ...]] = {
    JobType.UPDATE_QTY: ("quantity",),
    JobType.UPDATE_PRICE: ("price",),
    JobType.UPDATE_QTY_PRICE: ("quantity", "price"),
    JobType.STOP: ("quantity",),
    JobType.STOP_REMOVE: ("quantity",),
    JobType.SEND_PRODUCTS: ("asin", "quantity", "price"),
}


def differences(job_type: JobType, wanted: dict[str, Any], seen: Seen) -> list[str]:
    """What Amazon shows differently from *wanted*, in words (empty: it shows it)."""
    if seen.missing:
        return [] if job_type in GONE_IS_ENOUGH else ["no listing for this SKU"]
    found: list[str] = []
    if "asin" in wanted and seen.asin != wanted["asin"]:
        found.append(f"ASIN {seen.asin or 'none'} (sent {wanted['asin']})")
    if "quantity" in wanted and seen.quantity != int(wanted["quantity"]):
        found.append(f"quantity {_shown(seen.quantity)} (sent {wanted['quantity']})")
    if "price" in wanted and not _same_price(seen.price, wanted["price"]):
        found.append(f"price {_shown(seen.price)} (sent {wanted['price']})")
    return found


def _shown(value: object) -> str:
    return "none" if value is None else str(value)


def shows(job_type: JobType, wanted: dict[str, Any], seen: Seen) -> bool:
    """Whether Amazon shows what the item sent."""
    return not differences(job_type, wanted, seen)


def _same_price(shown: Decimal | None, sent: Any) -> bool:
    if shown is None:
        return False
    try:
        return shown.quantize(CENT) == Decimal(str(sent)).quantize(CENT)
    except InvalidOperation:
        return False


def next_check_at(finished_at: datetime, verify_after_s: float, now: datetime) -> datetime:
    """When an item of a job that ended at *finished_at* is looked at next, after *now*.

    The looks are at :data:`CHECK_FRACTIONS` of *verify_after_s*; once the last
    one has passed, every :data:`LATE_FRACTION` of it (for items a job held).
    """
    for fraction in CHECK_FRACTIONS:
        at = finished_at + timedelta(seconds=verify_after_s * fraction)
        if at > now:
            return at
    return now + timedelta(seconds=verify_after_s * LATE_FRACTION)


def deadline(finished_at: datetime, verify_after_s: float) -> datetime:
    """From then on, a look that finds a difference makes a mismatch."""
    return finished_at + timedelta(seconds=verify_after_s)


def resent_columns(job_type: JobType, prior: dict[str, Any], seen: Seen) -> dict[str, Any]:
    """The listing as Amazon shows it, after an accepted change was not applied.

    The listing follows Amazon: the quantity and price it shows become the
    confirmed ones; a Stop or Sending Products that did not take puts the
    listing back in the state it had before, so that the same kind of job can
    send it again; no listing at Amazon for a SKU Sending Products did not
    create leaves it as before too.
    """
    columns: dict[str, Any] = {}
    if job_type in (JobType.STOP, JobType.STOP_REMOVE, JobType.SEND_PRODUCTS):
        columns["state"] = prior.get("state", ListingState.ACTIVE.value)
    if seen.missing:
        if job_type is JobType.SEND_PRODUCTS:
            columns["confirmed_quantity"] = prior.get("confirmed_quantity")
            price = prior.get("confirmed_price")
            columns["confirmed_price"] = None if price is None else Decimal(str(price))
        return columns
    if seen.quantity is not None:
        columns["confirmed_quantity"] = seen.quantity
    if seen.price is not None:
        columns["confirmed_price"] = seen.price
    return columns


def flagged_columns(
    job_type: JobType, prior: dict[str, Any], seen: Seen, text: str
) -> dict[str, Any]:
    """The listing once an item is flagged: as Amazon shows it, with *text* as its
    error; where Amazon has no listing, in error (the listing follows Amazon's last
    answer, as for a refusal that says the SKU does not exist: ``domain.listings``)."""
    if seen.missing:
        return {
            "state": ListingState.ERROR.value,
            "confirmed_quantity": None,
            "confirmed_price": None,
            "last_error": text,
        }
    return {**resent_columns(job_type, prior, seen), "last_error": text}
