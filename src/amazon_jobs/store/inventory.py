"""The Amazon Inventory table: snapshots of the listings report per account.

Rows of a new report are written under its job id, invisible until
:func:`activate_snapshot` switches the account to them and drops the old
snapshot, in one transaction: readers see the old report or the new one,
never a mix.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from amazon_jobs.feeds.inventory_report import InventoryRecord
from amazon_jobs.store.models import Account, InventoryRow, Product

__all__ = ["activate_snapshot", "clear_snapshot", "insert_records", "snapshot_rows"]

INVENTORY: Table = InventoryRow.__table__  # type: ignore[assignment]
_COPY_COLUMNS = ("account_id", "snapshot_id", "sku", "asin", "title", "price", "quantity", "status")
_COPY_SQL = f"COPY {INVENTORY.name} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"


def clear_snapshot(session: Session, account_id: int, snapshot_id: int) -> None:
    """Drop rows of an import that did not finish."""
    session.execute(
        delete(InventoryRow).where(
            InventoryRow.account_id == account_id, InventoryRow.snapshot_id == snapshot_id
        )
    )


def insert_records(
    session: Session, account_id: int, snapshot_id: int, records: Sequence[InventoryRecord]
) -> None:
    if not records:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy_records(connection, account_id, snapshot_id, records)
    else:
        # Core executemany: the ORM's bulk path costs more per row than the insert itself.
        session.execute(
            insert(INVENTORY),
            [
                {
                    "account_id": account_id,
                    "snapshot_id": snapshot_id,
                    "sku": r.sku,
                    "asin": r.asin,
                    "title": r.title,
                    "price": r.price,
                    "quantity": r.quantity,
                    "status": r.status,
                }
                for r in records
            ],
        )


def _copy_records(
    connection: Connection, account_id: int, snapshot_id: int, records: Sequence[InventoryRecord]
) -> None:
    """PostgreSQL's COPY, in the session's transaction: several times faster than INSERT."""
    import psycopg  # here: a SQLite installation's commands need not load the driver

    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
        for r in records:
            copy.write_row(
                (account_id, snapshot_id, r.sku, r.asin, r.title, r.price, r.quantity, r.status)
            )


def activate_snapshot(
    session: Session, account_id: int, snapshot_id: int
) -> tuple[int, int] | None:
    """Link rows to products by SKU and make them the account's inventory.

    Returns (rows, rows linked to a product), or None when a newer report is
    in place already (this one's rows are then dropped). The account row is
    locked first, so two reports of one account never switch at once.
    """
    account = session.get_one(Account, account_id, with_for_update=True)
    if (account.inventory_snapshot_id or 0) > snapshot_id:
        clear_snapshot(session, account_id, snapshot_id)
        return None
    product = select(Product.id).where(Product.sku == InventoryRow.sku).scalar_subquery()
    mine = (InventoryRow.account_id == account_id, InventoryRow.snapshot_id == snapshot_id)
    session.execute(
        update(InventoryRow).where(*mine).values(product_id=product),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Account).where(Account.id == account_id).values(inventory_snapshot_id=snapshot_id)
    )
    session.execute(
        delete(InventoryRow).where(
            InventoryRow.account_id == account_id, InventoryRow.snapshot_id != snapshot_id
        )
    )
    rows = session.scalar(select(func.count()).select_from(InventoryRow).where(*mine)) or 0
    linked = (
        session.scalar(
            select(func.count())
            .select_from(InventoryRow)
            .where(*mine, InventoryRow.product_id.is_not(None))
        )
        or 0
    )
    return rows, linked


def snapshot_rows(
    session: Session,
    account: Account,
    *,
    unmatched: bool = False,
    after_id: int | None = None,
    limit: int = 100,
) -> list[InventoryRow]:
    """Rows of the account's current report in report order, keyset-paginated by id.

    *unmatched* keeps only the SKUs no shop product has.
    """
    if account.inventory_snapshot_id is None:
        return []
    query = select(InventoryRow).where(
        InventoryRow.account_id == account.id,
        InventoryRow.snapshot_id == account.inventory_snapshot_id,
    )
    if unmatched:
        query = query.where(InventoryRow.product_id.is_(None))
    if after_id is not None:
        query = query.where(InventoryRow.id > after_id)
    return list(session.scalars(query.order_by(InventoryRow.id).limit(limit)))
