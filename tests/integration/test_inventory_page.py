"""Issue 13 §3: the Inventory page says what matched (the SKU) and shows a title that
differs from the shop's, and with two accounts it opens on the one that has data; on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy import update

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.service import create_inventory_job
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import InventoryRow, Product
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def add_empty_account(shop):
    """An account sorted before the shop's ("us"), with no report."""
    config = shop.sim.config
    spec = AccountSpec(
        name="aa-empty",
        seller_id="A2EMPTYSELLER",
        region="na",
        marketplace_id=config.marketplace_id,
        lwa_client_id="id",
        lwa_client_secret=SecretStr("secret"),
        refresh_token=SecretStr("token"),
        endpoint="http://127.0.0.1:9",
        lwa_token_url="http://127.0.0.1:9/auth/o2/token",
    )
    with shop.rt.db.transaction() as session:
        return add_account(session, spec, shop.rt.cipher, shop.clock.now()).id


def row_of(html, sku_):
    return html.split(f'<td class="mono">{sku_}</td>', 1)[1].split("</tr>", 1)[0]


def test_inventory_says_what_matched_and_opens_on_the_account_with_data(shop, web):
    job = create_inventory_job(shop.rt, shop.account_id)
    shop.run_worker()
    with shop.rt.db.transaction() as session:
        assert get_job(session, job.id).status == JobStatus.DONE
        session.execute(update(Product).where(Product.sku == sku(1)).values(title="Blue mug"))
        session.execute(
            update(InventoryRow).where(InventoryRow.sku == sku(2)).values(title="product  2")
        )
    empty = add_empty_account(shop)
    page = web.browser.get("/inventory").text
    assert f'<td class="mono">{sku(1)}</td>' in page  # not the empty account's page
    differs = row_of(page, sku(1))
    assert "matched by SKU" in differs and "title differs" in differs and "Blue mug" in differs
    same = row_of(page, sku(2))  # Product 2 / product  2: the same title
    assert "matched by SKU" in same and "title differs" not in same
    chosen = web.browser.get(f"/inventory?account={empty}").text
    assert "No inventory report yet" in chosen  # asked for by id: that one
