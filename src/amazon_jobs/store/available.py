"""Available to sell: units held back from Amazon, and the values a listing should show.

Amazon lowers a merchant-fulfilled listing's quantity the moment an order is
placed; the shop lowers its stock only once it has the order. In between, the
shop's stock is too high by the order's units, and sending it would sell
units that no longer exist. Those units are *held back*:

    held back (SKU) = sum (quantity ordered - quantity shipped) of the account's
                      order items with that SKU, over its orders that are
                      * open on Amazon: not CANCELLED, not SHIPPED (pending,
                        unshipped and partially shipped ones count),
                      * fulfilled by the merchant (Amazon's own stock is not
                        the shop's),
                      * not in the stock we hold: ``in_shop_at`` IS NULL, or not
                        earlier than the start of the shop's last finished
                        catalog sync (the stock we read then did not count
                        the order yet: a sync that read 10 units before the
                        order reached the shop must not be sent as 10 once
                        the order is marked), and no shipment recorded for
                        them here (the merchant shipped it from the shop, so
                        the shop has it).

Both read the account's open orders only, through the partial index
``ix_orders_open`` (migration 0025), never the closed ones it keeps (a year of
them): :func:`held_back` computes the units of every SKU in one grouped query
and keeps those of a payload's SKUs; :class:`Targets` writes the same rules,
and the account's selling policy, as SQL, so "which listings are due for sync"
is one indexed query whatever the number of listings: the held-back units are
grouped once per statement (a materialized CTE), and the target quantity and
price are compared with what Amazon confirmed, inside the database, in whole
cents and integer arithmetic that matches :mod:`amazon_jobs.domain.policy`
exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement as Expr

from amazon_jobs.domain.policy import (
    NEUTRAL,
    PriceSource,
    QuantitySource,
    SellingPolicy,
)
from amazon_jobs.store.models import (
    CLOSED_ORDER_STATUSES,
    Account,
    Listing,
    Order,
    OrderItem,
    Product,
    Shipment,
    Shop,
)
from amazon_jobs.store.policies import load_policy
from amazon_jobs.store.prepared import Prepared

__all__ = [
    "Targets",
    "held_back",
    "held_back_units",
    "price_incl_column",
    "stock_read_at",
    "targets_for",
]


def price_incl_column() -> Any:
    """The products' tax-included price column, once the shop catalog sync adds it
    (``products.price_tax_incl``); None before that (one price per product)."""
    return getattr(Product, "price_tax_incl", None)


def stock_read_at(session: Session, account_id: int) -> datetime | None:
    """When the stock we hold for the account's shop was read: the start of its last
    finished catalog sync (None for a manual shop, or one never synced)."""
    read_at: datetime | None = _STOCK_READ_AT.scalar(session, {"account_id": account_id})
    return read_at


_STOCK_READ_AT = Prepared(
    select(Shop.catalog_synced_until)
    .join(Account, Account.shop_id == Shop.id)
    .where(Account.id == bindparam("account_id", type_=Account.id.type))
)


def _not_in_our_stock(read_at: datetime | ColumnElement[Any] | None) -> ColumnElement[bool]:
    """The order's units are not out of the stock we hold: the shop does not have the
    order, or got it after we last read the shop's stock."""
    if read_at is None:
        return Order.in_shop_at.is_(None)
    # At the same instant, which came first is unknown: held back, the safe side.
    return or_(Order.in_shop_at.is_(None), Order.in_shop_at >= read_at)


def _open_not_in_shop(
    account_id: int | ColumnElement[Any], read_at: datetime | ColumnElement[Any] | None
) -> ColumnElement[bool]:
    """The account's orders whose units are held back (values, or bound parameters for a
    prepared statement)."""
    return and_(
        Order.account_id == account_id,
        _open(),
        _not_in_our_stock(read_at),
        or_(Order.fulfilled_by.is_(None), Order.fulfilled_by != "AMAZON"),
        ~exists().where(Shipment.order_id == Order.id),
    )


def _open() -> ColumnElement[bool]:
    """Open on Amazon, written out as ``ix_orders_open``'s own condition
    (:data:`~amazon_jobs.store.models.OPEN_ORDERS`): a database reads a partial index
    only for a statement that holds the same term, constants included."""
    closed: list[ColumnElement[str]] = [
        literal_column(f"'{status}'") for status in CLOSED_ORDER_STATUSES
    ]
    return Order.status.not_in(closed)


def _held_units(
    account_id: int | ColumnElement[Any], read_at: datetime | ColumnElement[Any] | None
) -> Select[str | None, int]:
    """Units held back per SKU, from the account's open orders (the orders first, through
    ``ix_orders_open``, then their items)."""
    return (
        select(OrderItem.sku.label("sku"), func.sum(held_back_units()).label("units"))
        .select_from(Order)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .where(_open_not_in_shop(account_id, read_at))
        .group_by(OrderItem.sku)
    )


def held_back_units() -> Expr[int]:
    """Units of one order item still to ship."""
    return OrderItem.quantity_ordered - func.coalesce(OrderItem.quantity_shipped, 0)


def held_back(session: Session, account_id: int, skus: Iterable[str]) -> dict[str, int]:
    """Units held back per SKU (rules in the module docstring); SKUs with none left out."""
    wanted = set(skus)
    read_at = stock_read_at(session, account_id)
    rows = _HELD[read_at is not None].rows(session, {"account_id": account_id, "read_at": read_at})
    return {sku: int(units) for sku, units in rows if sku in wanted and units and units > 0}


#: :func:`held_back`'s query, prepared once, by whether the shop's stock was read.
_HELD = {
    synced: Prepared(
        _held_units(
            bindparam("account_id", type_=Order.account_id.type),
            bindparam("read_at", type_=Order.in_shop_at.type) if synced else None,
        )
    )
    for synced in (False, True)
}


def _int(value: int) -> Expr[int]:
    return literal(value, BigInteger)


def _greatest(a: Expr[int], b: Expr[int]) -> Expr[int]:
    return case((a > b, a), else_=b)


def _least(a: Expr[int], b: Expr[int]) -> Expr[int]:
    return case((a < b, a), else_=b)


def _cents(amount: Any) -> Expr[int]:
    return cast(func.round(amount * 100), BigInteger)


def _half_up(numerator: Expr[int], denominator: int) -> Expr[int]:
    return (numerator + _int(denominator // 2)) // _int(denominator)


@dataclass(frozen=True)
class Targets:
    """The values an account's listings should show on Amazon, as SQL over a query that
    joins ``listings`` to ``products``; see :mod:`amazon_jobs.domain.policy` for the rules."""

    account_id: int
    policy: SellingPolicy = NEUTRAL
    #: When the policy last changed (None: no policy).
    policy_at: datetime | None = None
    #: When the shop's stock we hold was read (see :func:`stock_read_at`).
    stock_read_at: datetime | None = None

    def held(self) -> Expr[int]:
        """Units held back for the product's SKU: looked up among the account's held-back
        units per SKU, which the statement groups once (:meth:`held_units`)."""
        units = self.held_units
        found = select(units.c.units).where(units.c.sku == Product.sku).correlate(Product)
        return cast(func.coalesce(found.scalar_subquery(), 0), BigInteger)

    @cached_property
    def held_units(self) -> CTE:
        """The account's held-back units per SKU, as a CTE of the statement: grouped once,
        whatever the number of listings the statement compares (MATERIALIZED: the
        database must not fold it into the subquery of each listing, which would read
        each SKU's orders, closed ones included, through ``ix_order_items_sku``)."""
        held = _held_units(self.account_id, self.stock_read_at)
        return held.cte("held_units").prefix_with("MATERIALIZED")

    def quantity(self) -> Expr[int]:
        p = self.policy
        available = _greatest(cast(Product.quantity, BigInteger) - self.held(), _int(0))
        if p.qty_source is QuantitySource.FIXED:
            base: Expr[int] = _int(p.qty_fixed or 0)
        elif p.qty_source is QuantitySource.PERCENT:
            base = available * _int(p.percent_bp) // _int(10_000)
        else:
            base = available
        quantity = _greatest(base - _int(p.qty_reserve), _int(0)) if p.qty_reserve else base
        if p.qty_cap is not None:
            quantity = _least(quantity, _int(p.qty_cap))
        if p.qty_min_stock is not None:
            quantity = case((available < _int(p.qty_min_stock), _int(0)), else_=quantity)
        return quantity

    def price_cents(self) -> Expr[int]:
        p = self.policy
        source: Any = Product.price
        incl = price_incl_column()
        if p.price_source is PriceSource.TAX_INCL and incl is not None:
            source = func.coalesce(incl, Product.price)
        amount = _cents(source)
        if p.markup_bp:
            amount = _half_up(amount * _int(10_000 + p.markup_bp), 10_000)
        if p.markup_cents:
            amount = _greatest(amount + _int(p.markup_cents), _int(1))
        if p.rate_micro != 1_000_000:
            amount = _greatest(_half_up(amount * _int(p.rate_micro), 1_000_000), _int(1))
        if p.ending_cents is not None:
            rounded = amount // _int(100) * _int(100) + _int(p.ending_cents)
            amount = case((rounded >= amount, rounded), else_=rounded + _int(100))
        if p.floor_cents is not None:
            amount = _greatest(amount, _int(p.floor_cents))
        if p.ceiling_cents is not None:
            amount = _least(amount, _int(p.ceiling_cents))
        return _greatest(amount, _int(1))

    def quantity_differs(self) -> ColumnElement[bool]:
        return or_(
            Listing.confirmed_quantity.is_(None), Listing.confirmed_quantity != self.quantity()
        )

    def price_differs(self) -> ColumnElement[bool]:
        return or_(
            Listing.confirmed_price.is_(None),
            _cents(Listing.confirmed_price) != self.price_cents(),
        )

    def changed_since_listing(self) -> ColumnElement[bool]:
        """The product or the policy changed after the listing last did."""
        product = Product.updated_at > Listing.updated_at
        if self.policy_at is None:
            return product
        return or_(product, Listing.updated_at < self.policy_at)


def targets_for(session: Session, account_id: int) -> Targets:
    """The account's targets under its current policy."""
    stored = load_policy(session, account_id)
    return Targets(account_id, stored.policy, stored.updated_at, stock_read_at(session, account_id))
