"""The users page in a real browser: an admin disables a user, whose session then ends."""

from __future__ import annotations

import re

from amazon_jobs.domain.roles import Role
from amazon_jobs.store.users import add_user

VICTIM, VICTIM_PASSWORD = "clerk", "the clerk's long password"


def test_an_admin_disables_a_user_and_their_session_ends(signed_in, chromium):
    admin = signed_in
    shop = admin.shop
    with shop.rt.db.transaction() as session:
        add_user(session, VICTIM, VICTIM_PASSWORD, shop.clock.now(), role=Role.VIEWER)
    # The clerk signs in, in another browser, and sees no buttons they cannot use.
    clerk_context = chromium.new_context()
    clerk = clerk_context.new_page()
    try:
        clerk.goto(admin.url + "/login")
        clerk.fill("input[name=username]", VICTIM)
        clerk.fill("input[name=password]", VICTIM_PASSWORD)
        clerk.click("form.login button[type=submit]")
        clerk.wait_for_url(admin.url + "/")
        assert clerk.locator("nav a", has_text="Users").count() == 0
        clerk.goto(admin.url + "/listings")
        assert clerk.get_by_role("button", name="Add to the selling list").count() == 0

        page = admin.open("/users")
        row = page.locator("tr", has=page.locator("strong", has_text=VICTIM))
        assert row.get_attribute("data-state") == "active"
        row.get_by_role("button", name="Disable").click()
        page.wait_for_selector(f"tr[data-state=disabled] >> text={VICTIM}")
        assert "is disabled" in page.locator(".flash").inner_text()
        admin.screenshot("disabled")

        # The clerk's next page is the login page; their password no longer works.
        clerk.goto(admin.url + "/")
        assert re.search(r"/login\?next=", clerk.url)
        clerk.fill("input[name=username]", VICTIM)
        clerk.fill("input[name=password]", VICTIM_PASSWORD)
        clerk.click("form.login button[type=submit]")
        clerk.wait_for_selector("text=Wrong user name or password")
    finally:
        clerk_context.close()
