"""The selling policy form in a real browser: reached from Accounts, a refused value
is shown at its field with nothing saved, a saved policy says what it does and makes
the listings due. Screenshots: test-results/browser/<test>/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from amazon_jobs.store.models import Action, SellingPolicyRow

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def stored_rules(shop) -> dict | None:
    with shop.rt.db.read() as session:
        row = session.scalar(select(SellingPolicyRow))
        return None if row is None else dict(row.rules)


def test_a_policy_is_set_from_the_accounts_page(signed_in):
    shop, page = signed_in.shop, signed_in.page
    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="Selling policy").click()
    assert page.locator("#policy-description").inner_text() == "none"

    page.fill("input[name=price_floor]", "20")
    page.fill("input[name=price_ceiling]", "10")
    page.get_by_role("button", name="Save the policy").click()
    alert = page.locator(".error-text[role=alert]")
    assert alert.inner_text() == "must not be above the ceiling"
    assert page.locator("input[name=price_floor]").get_attribute("aria-invalid") == "true"
    signed_in.screenshot("refused")
    assert stored_rules(shop) is None
    # the refused form is answered 422, which the browser logs: expected here
    expected = [e for e in signed_in.errors if "422" in e and "/policy" in e]
    assert len(expected) == 1
    signed_in.errors.remove(expected[0])

    page.fill("input[name=price_floor]", "")
    page.fill("input[name=price_ceiling]", "")
    page.fill("input[name=qty_reserve]", "2")
    page.fill("input[name=qty_cap]", "10")
    page.fill("input[name=price_markup_pct]", "12")
    page.fill("input[name=price_ending]", "0.99")
    page.get_by_role("button", name="Save the policy").click()
    page.wait_for_selector(".flash")
    assert "reserve 2, cap 10; +12 %, ends .99" in page.locator(".flash").inner_text()
    assert page.locator("#policy-description").inner_text() == "reserve 2, cap 10; +12 %, ends .99"
    assert page.locator("#policy-due").inner_text().startswith("12 listing(s)")
    signed_in.screenshot("saved")
    rules = stored_rules(shop)
    assert rules is not None and rules["qty_reserve"] == 2 and rules["price_ending"] == "0.99"
    with shop.rt.db.read() as session:
        assert session.scalar(select(Action.actor).where(Action.action == "account_policy"))
