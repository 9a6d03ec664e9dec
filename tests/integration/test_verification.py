"""Read-after-write verification and Amazon's warnings (issue 15 §2), against the
simulator over HTTP as Amazon really is (changes visible late, some never, unknown
SKUs accepted silently, warnings), on SQLite and PostgreSQL.

The scheduler (verification only: no sync, no periodic jobs) and the worker are
driven on a virtual clock until nothing is due and the scheduler creates nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from amazon_jobs.domain.catalog import ProductRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.domain.verification import NO_LISTING, Verification
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.service import add_to_selling_list, create_inventory_job, create_listings_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.simulator.catalog.generator import generate_catalog
from amazon_jobs.store import catalog
from amazon_jobs.store.jobs import get_job, job_items, job_log, next_due_at
from amazon_jobs.store.models import Job
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(180)

#: The scheduler does nothing but verification here.
QUIET = {"auto_sync": False, "orders_import_every_s": 0, "inventory_report_every_s": 0}
CATALOG = generate_catalog(6, seed=5)


def drive(shop, rounds: int = 30) -> None:
    """Run the worker and tick the scheduler until nothing is due and nothing is made."""
    scheduler = Scheduler(shop.rt, "test")
    for _ in range(rounds):
        shop.run_worker()
        report = scheduler.tick()
        with shop.rt.db.read() as session:
            due = next_due_at(session)
        if not report.created and not report.errors and due is None:
            return
    raise AssertionError("verification did not settle")


def create(shop, job_type, **selection):
    return create_listings_job(shop.rt, job_type, shop.account_id, Selection(**selection)).jobs


def load(shop, job_id):
    with shop.rt.db.read() as session:
        return get_job(session, job_id), {i.ref: i for i in job_items(session, job_id)}


def log_text(shop, job_id) -> str:
    with shop.rt.db.read() as session:
        return "\n".join(line.message for line in job_log(session, job_id))


def children(shop, job_id) -> list[Job]:
    with shop.rt.db.read() as session:
        return list(session.scalars(select(Job).where(Job.parent_id == job_id)))


def requests(shop, operation: str) -> int:
    return int(shop.sim.stats()["requests"].get(operation, 0))


def throttled(shop) -> dict[str, int]:
    return dict(shop.sim.stats()["throttled"])


def test_items_are_pending_until_amazon_shows_them_then_verified(shop_factory):
    shop = shop_factory(SimulatorConfig.focused(visibility_delay_s=400, visibility_seed=7), **QUIET)
    for n in range(6):
        shop.set_quantity(sku(n), 50 + n)
    (job,) = create(shop, JobType.UPDATE_QTY, skus=tuple(sku(n) for n in range(6)))
    shop.run_worker()
    job, items = load(shop, job.id)
    assert job.status == JobStatus.DONE and job.items_ok == 6
    assert job.items_to_verify == 6
    assert {i.verification for i in items.values()} == {Verification.PENDING}
    assert shop.sim.listings()[sku(0)].quantity == 10  # accepted, not visible yet

    drive(shop)

    job, items = load(shop, job.id)
    assert job.items_to_verify == 0 and job.next_run_at is None
    assert {i.verification for i in items.values()} == {Verification.VERIFIED}
    for n, item in enumerate(items.values()):
        assert item.verification_detail["seen"]["quantity"] == 50 + n
        assert item.verify_checked_at > job.finished_at
    log = log_text(shop, job.id)
    assert "looked at 6 item(s): 6 not shown yet" in log  # the first look, at 1 min
    assert "Verification finished: 6 verified" in log
    # looked at more than once (the first looks came before the changes were visible),
    # always within the quota, and nothing sent twice
    assert requests(shop, "getListingsItem") > 6
    assert throttled(shop) == {} and requests(shop, "createFeed") == 1


def test_a_change_that_never_applies_is_resent_once_then_flagged(shop_factory):
    shop = shop_factory(SimulatorConfig.focused(downstream_failure_rate=1.0), **QUIET)
    shop.set_quantity(sku(1), 99)
    (job,) = create(shop, JobType.UPDATE_QTY, skus=(sku(1),))

    drive(shop)

    job, items = load(shop, job.id)
    (resend,) = children(shop, job.id)
    first = items[sku(1)]
    assert first.verification == Verification.RESENT
    assert first.verification_detail["resent_in"] == resend.id
    assert first.verification_detail["seen"]["quantity"] == 11
    assert resend.type == JobType.UPDATE_QTY and resend.data["resend_of"] == job.id
    assert resend.status == JobStatus.DONE
    resend, again = load(shop, resend.id)
    flagged = again[sku(1)]
    assert flagged.verification == Verification.FLAGGED
    assert any(text.startswith("ERROR 5002") for text in flagged.verification_detail["issues"])
    assert resend.items_flagged == 1 and resend.items_to_verify == 0
    listing = shop.listing(sku(1))
    assert "quantity 11 (sent 99)" in listing.last_error and "5002" in listing.last_error
    assert listing.confirmed_quantity == 11 and listing.locked_by_job_id is None
    assert "Flagged 1 item(s)" in log_text(shop, resend.id)
    assert f"Sent again in job {resend.id}, still not shown" in log_text(shop, job.id)
    assert requests(shop, "createFeed") == 2  # sent, resent once, no more
    assert throttled(shop) == {}


def test_an_unknown_sku_accepted_silently_puts_its_listing_in_error(shop_factory):
    shop = shop_factory(
        SimulatorConfig.focused(silent_unknown_skus=True), unknown_on_amazon=(3,), **QUIET
    )
    shop.set_quantity(sku(3), 7)
    (job,) = create(shop, JobType.UPDATE_QTY, skus=(sku(3),))

    drive(shop)

    job, items = load(shop, job.id)
    assert job.items_ok == 1 and job.items_failed == 0  # Amazon said nothing
    assert items[sku(3)].verification == Verification.FLAGGED
    assert items[sku(3)].verification_detail["seen"] == {"missing": True}
    listing = shop.listing(sku(3))
    assert listing.state == ListingState.ERROR and listing.last_error == NO_LISTING
    assert children(shop, job.id) == []  # a PATCH cannot create it: not resent
    assert job.items_flagged == 1 and requests(shop, "createFeed") == 1


def test_stop_and_remove_is_verified_by_quantity_0_or_no_listing(shop_factory):
    shop = shop_factory(
        SimulatorConfig.focused(silent_unknown_skus=True, visibility_delay_s=90),
        unknown_on_amazon=(3,),
        **QUIET,
    )
    (job,) = create(shop, JobType.STOP_REMOVE, skus=(sku(2), sku(3)))

    drive(shop)

    job, items = load(shop, job.id)
    assert {i.verification for i in items.values()} == {Verification.VERIFIED}
    assert items[sku(3)].verification_detail["seen"] == {"missing": True}  # 404
    assert items[sku(2)].verification_detail["seen"]["quantity"] == 0
    assert shop.listing(sku(2)).state == ListingState.REMOVED


def test_warnings_are_kept_counted_and_shown_without_failing_the_item(shop_factory):
    shop = shop_factory(
        SimulatorConfig.focused(warnings=True, catalog_size=6, catalog_seed=5), **QUIET
    )
    rows = [
        ProductRow(f"NEW-{n}", code, f"New {n}", 5, Decimal("12.50"))
        for n, code in enumerate(CATALOG.codes[:2])
    ]
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(session, rows, shop.clock.now())
    add_to_selling_list(shop.rt, shop.account_id, ["NEW-0", "NEW-1"])
    (job,) = create(shop, JobType.SEND_PRODUCTS, skus=("NEW-0", "NEW-1"))

    drive(shop)

    job, items = load(shop, job.id)
    assert job.items_ok == 2 and job.items_failed == 0 and job.items_warned == 2
    for item in items.values():
        assert item.outcome == "ok"
        assert item.confirmed["warnings"][0].startswith("18448: Attributes tagged")
        assert item.confirmed["issues"][0].startswith("WARNING 18448")
        assert item.verification == Verification.VERIFIED
    assert "2 item(s) accepted with warnings" in log_text(shop, job.id)
    assert shop.listing("NEW-0").state == ListingState.ACTIVE


def test_verification_stays_within_the_get_listings_item_quota(shop_factory):
    """12 items looked at in one go, more than getListingsItem's burst of 10, five times
    over: every call waits for its token, so Amazon never answers 429."""
    shop = shop_factory(
        SimulatorConfig.focused(visibility_delay_s=3000, visibility_delay_max_s=3000),
        **QUIET,
    )
    for n in range(12):
        shop.set_quantity(sku(n), 100 + n)
    (job,) = create(shop, JobType.UPDATE_QTY, all=True)

    drive(shop)

    job, items = load(shop, job.id)
    assert requests(shop, "getListingsItem") >= 5 * 12
    assert throttled(shop) == {}
    assert "Verification waits" in log_text(shop, job.id)
    # changes visible after 50 min (the median) come after verify_after_s: those were
    # resent once, and their resend verified (Amazon then shows it)
    states = Counter(i.verification for i in items.values())
    assert set(states) == {Verification.VERIFIED, Verification.RESENT}
    (resend,) = children(shop, job.id)
    resend, again = load(shop, resend.id)
    assert resend.items_total == states[Verification.RESENT]
    assert {i.verification for i in again.values()} == {Verification.VERIFIED}
    assert job.items_to_verify == 0 and resend.items_to_verify == 0


def test_a_step_that_lost_its_lease_records_nothing_twice(shop_factory, monkeypatch):
    """Worker A's lease runs out while it asks Amazon about an item; B takes the job over
    and looks at every item itself. A's answer must not be recorded on top of B's: each
    item's verdict counts once."""
    shop = shop_factory(SimulatorConfig.focused(), **QUIET)
    for n in range(4):
        shop.set_quantity(sku(n), 60 + n)
    (job,) = create(shop, JobType.UPDATE_QTY, skus=tuple(sku(n) for n in range(4)))
    shop.run_worker()
    Scheduler(shop.rt, "test").tick()  # verification starts: first look in 1 min
    first, second = Worker(shop.rt, worker_id="A"), Worker(shop.rt, worker_id="B")
    taken: list[int] = []

    def hook(name: str) -> None:
        if name != "verify:looked" or taken:
            return
        taken.append(0)
        with shop.rt.db.transaction() as session:
            session.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(lease_expires_at=shop.clock.now() - timedelta(seconds=1))
            )
        taken[0] = second.run_once()

    monkeypatch.setattr("amazon_jobs.handlers.verify.checkpoint", hook)
    shop.clock.advance(60)
    first.run_once()
    assert taken == [1]  # B stepped the job in the middle of A's step
    monkeypatch.undo()
    drive(shop)

    job, items = load(shop, job.id)
    assert {i.verification for i in items.values()} == {Verification.VERIFIED}
    assert job.items_to_verify == 0 and job.items_flagged == 0
    assert "Taken over by worker B" in log_text(shop, job.id)


def test_a_crash_while_resending_sends_once(shop_factory, monkeypatch):
    """The scheduler dies after reserving the resend, before it is committed: nothing of
    it stays, and the next tick sends each mismatch again exactly once."""
    shop = shop_factory(SimulatorConfig.focused(downstream_failure_rate=1.0), **QUIET)
    shop.set_quantity(sku(1), 99)
    shop.set_quantity(sku(2), 98)
    (job,) = create(shop, JobType.UPDATE_QTY, skus=(sku(1), sku(2)))
    crashed: list[str] = []

    def hook(name: str) -> None:
        if name == "verify:resending" and not crashed:
            crashed.append(name)
            raise RuntimeError("killed")

    monkeypatch.setattr("amazon_jobs.scheduler.verify.checkpoint", hook)
    drive(shop)

    assert crashed == ["verify:resending"]
    job, items = load(shop, job.id)
    (resend,) = children(shop, job.id)
    resend, again = load(shop, resend.id)
    assert {i.verification for i in items.values()} == {Verification.RESENT}
    assert {i.verification_detail["resent_in"] for i in items.values()} == {resend.id}
    assert resend.items_total == 2
    assert {i.verification for i in again.values()} == {Verification.FLAGGED}
    assert requests(shop, "createFeed") == 2


def test_a_report_requested_after_the_job_verifies_without_calls(shop_factory):
    """An inventory report Amazon was asked for after the job ended shows the values
    sent: the items are verified from it, without a getListingsItem call."""
    shop = shop_factory(
        SimulatorConfig.focused(visibility_delay_s=5, visibility_delay_max_s=20),
        verify_after_s=7200,  # first look after 4 min: the report is in by then
        **QUIET,
    )
    for n in range(3):
        shop.set_quantity(sku(n), 30 + n)
    (job,) = create(shop, JobType.UPDATE_QTY, skus=tuple(sku(n) for n in range(3)))
    shop.run_worker()
    shop.clock.advance(10)  # a report requested as the job ended could predate it
    report = create_inventory_job(shop.rt, shop.account_id)

    drive(shop)

    job, items = load(shop, job.id)
    assert {i.verification for i in items.values()} == {Verification.VERIFIED}
    for item in items.values():
        assert item.verification_detail["checked_by"] == f"inventory report (job {report.id})"
    assert requests(shop, "getListingsItem") == 0
    assert f"the inventory report of job {report.id}" in log_text(shop, job.id)
