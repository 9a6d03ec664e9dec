"""Issue 7, Amazon faults: one case per fault, through the real client, real HTTP and the
simulator, on a virtual clock.

Each case runs a *victim* job of the shop's account, hit by the fault, next to a
*bystander*: an Update QTY job of a second account (another seller on the same
simulator) running at the same time. Every case checks that

- the victim either recovers by itself (``done``, every item applied) or ends
  ``error`` with a log line a seller can read (never a traceback);
- no listing of either account is left locked;
- its work reached Amazon at most once (one feed or report for its seller);
- the bystander ends ``done``, its quantities applied, no warning in its log;
- the simulator never throttled us: its own 429 count stays 0 (injected 429s
  are not counted there).

The victim is created first, so at equal times the worker steps it first and
a queued fault of an operation both jobs use reaches the victim. Where a fault
is queued several times over (the 429 storm, a document corrupt at every
attempt), the bystander is only created once the victim has its feed accepted
(plus a head start), so the fault cannot spill over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from amazon_jobs.domain.catalog import ListingRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import cancel_job, create_inventory_job, create_listings_job
from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.store import catalog
from amazon_jobs.store.accounts import add_account
from amazon_jobs.store.jobs import get_job, job_items, job_log
from amazon_jobs.store.models import Account, InventoryRow, Job, JobItem, JobLog, Listing, Product
from amazon_jobs.worker import Worker
from tests.integration.conftest import Shop, sku

pytestmark = pytest.mark.timeout(120)

OTHER_SELLER = "A2BYSTANDERSELLER"
OTHER_TOKEN = "Atzr|bystander-refresh-token"
VICTIM_SKUS = (sku(0), sku(1))
OTHER_SKUS = (sku(6), sku(7), sku(8))
#: The quantities the jobs send: the products' new values.
NEW_QTY = {sku(0): 70, sku(1): 71, sku(6): 86, sku(7): 87, sku(8): 88}


# -- the scene ---------------------------------------------------------------


@dataclass
class Scene:
    shop: Shop
    other_account_id: int
    victim: int = 0
    bystander: int = 0
    before: dict[str, int | None] = field(default_factory=dict)

    @property
    def sim(self) -> Simulator:
        return self.shop.sim

    def job(self, job_id: int) -> Job:
        with self.shop.rt.db.read() as session:
            return get_job(session, job_id)

    def items(self, job_id: int) -> dict[str, JobItem]:
        with self.shop.rt.db.read() as session:
            return {item.ref: item for item in job_items(session, job_id)}

    def log(self, job_id: int) -> list[JobLog]:
        with self.shop.rt.db.read() as session:
            return job_log(session, job_id)

    def text(self, job_id: int) -> str:
        return "\n".join(line.message for line in self.log(job_id))

    def confirmed(self, account_id: int, skus: tuple[str, ...]) -> dict[str, int | None]:
        with self.shop.rt.db.read() as session:
            rows = session.execute(
                select(Product.sku, Listing.confirmed_quantity)
                .join(Listing)
                .where(Listing.account_id == account_id, Product.sku.in_(skus))
            ).all()
        return dict(rows)

    def locked(self) -> list[tuple[str, int | None]]:
        with self.shop.rt.db.read() as session:
            rows = session.execute(
                select(Product.sku, Listing.locked_by_job_id)
                .join(Listing)
                .where(Listing.locked_by_job_id.is_not(None))
            ).all()
        return [(name, job_id) for name, job_id in rows]

    def feeds(self, seller_id: str) -> list[dict[str, object]]:
        return [f for f in self.sim.stats()["feeds"] if f["seller_id"] == seller_id]

    def reports(self, seller_id: str) -> list[dict[str, object]]:
        return [r for r in self.sim.stats()["reports"] if r["seller_id"] == seller_id]

    def run_until_waiting(self, job_id: int) -> None:
        """Step the jobs (jumping the clock to the next due one) until *job_id* waits
        for its result, or has ended."""
        worker = Worker(self.shop.rt)
        for _ in range(100):
            status = JobStatus(self.job(job_id).status)
            if status is JobStatus.WAITING_FOR_RESULT or status.is_terminal:
                return
            if worker.run_once() == 0:
                with self.shop.rt.db.read() as session:
                    due = session.scalar(select(func.min(Job.next_run_at)))
                assert due is not None
                self.shop.clock.set(due)
        raise AssertionError(f"job {job_id} never reached waiting_for_result")


def add_other_account(shop: Shop) -> int:
    """A second seller on the same simulator, with SKU 6 to 8 listed there too."""
    config = shop.sim.config
    shop.sim.add_seller(OTHER_SELLER, OTHER_TOKEN)
    shop.sim.seed_listings(
        [
            {"sku": name, "asin": f"B0OTHER{n:03d}", "quantity": 1, "price": "5.00"}
            for n, name in enumerate(OTHER_SKUS)
        ],
        seller_id=OTHER_SELLER,
    )
    spec = account_spec(
        config, shop.server.url, "other", seller_id=OTHER_SELLER, refresh_token=OTHER_TOKEN
    )
    rows = [
        ListingRow(name, f"B0OTHER{n:03d}", 1, Decimal("5.00")) for n, name in enumerate(OTHER_SKUS)
    ]
    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        account_id = add_account(session, spec, shop.rt.cipher, now).id
        catalog.upsert_listings(session, account_id, rows, now)
    return account_id


def qty_job(shop: Shop, account_id: int, skus: tuple[str, ...]) -> int:
    selection = Selection(skus=skus)
    (job,) = create_listings_job(shop.rt, JobType.UPDATE_QTY, account_id, selection).jobs
    return job.id


# The faults are Amazon's, not the database's: SQLite runs every case, PostgreSQL the
# ones whose recovery takes locks or reconciles intents (reset, 429 storm, lost and
# truncated documents).
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def scene_for(shop_factory: Callable[..., Shop]) -> Callable[..., Scene]:
    def make(
        sim_config: SimulatorConfig | None = None,
        unknown_on_amazon: tuple[int, ...] = (),
        **settings: object,
    ) -> Scene:
        shop = shop_factory(sim_config, unknown_on_amazon, **settings)
        scene = Scene(shop, add_other_account(shop))
        scene.before = scene.confirmed(shop.account_id, VICTIM_SKUS)
        for name, quantity in NEW_QTY.items():
            shop.set_quantity(name, quantity)
        return scene

    return make


def start_bystander(scene: Scene) -> None:
    scene.bystander = qty_job(scene.shop, scene.other_account_id, OTHER_SKUS)


# -- what every case checks ----------------------------------------------------


def check_common(scene: Scene, *, feeds: int = 1, reports: int = 0) -> None:
    assert scene.locked() == [], "no listing may stay locked by a finished job"
    assert scene.sim.stats()["throttled"] == {}, "never beyond Amazon's quota"
    assert len(scene.feeds(scene.sim.config.seller_id)) == feeds
    assert len(scene.reports(scene.sim.config.seller_id)) == reports
    for job_id in (scene.victim, scene.bystander):
        for line in scene.log(job_id):
            assert "Traceback" not in line.message
            assert not line.message.startswith("internal error"), line.message
    check_bystander(scene)


def check_bystander(scene: Scene) -> None:
    job = scene.job(scene.bystander)
    assert job.status == JobStatus.DONE, job.error
    assert (job.items_ok, job.items_failed) == (3, 0)
    expected = {name: NEW_QTY[name] for name in OTHER_SKUS}
    assert scene.confirmed(scene.other_account_id, OTHER_SKUS) == expected
    on_amazon = scene.sim.listings(OTHER_SELLER)
    assert {name: on_amazon[name].quantity for name in OTHER_SKUS} == expected
    assert len(scene.feeds(OTHER_SELLER)) == 1
    troubles = [line.message for line in scene.log(scene.bystander) if line.level != "info"]
    assert troubles == [], "the bystander must not notice the victim's fault"


def check_recovered(scene: Scene) -> None:
    job = scene.job(scene.victim)
    assert job.status == JobStatus.DONE, job.error
    assert (job.items_ok, job.items_failed) == (2, 0)
    expected = {name: NEW_QTY[name] for name in VICTIM_SKUS}
    assert scene.confirmed(scene.shop.account_id, VICTIM_SKUS) == expected
    on_amazon = scene.sim.listings()
    assert {name: on_amazon[name].quantity for name in VICTIM_SKUS} == expected
    items = scene.items(scene.victim)
    assert [items[name].confirmed for name in VICTIM_SKUS] == [
        {"quantity": NEW_QTY[name]} for name in VICTIM_SKUS
    ]


def check_failed(scene: Scene, message: str) -> Job:
    """The victim ended in error, saying *message*; its items failed, nothing confirmed."""
    job = scene.job(scene.victim)
    assert job.status == JobStatus.ERROR
    assert message in (job.error or "")
    last = scene.log(scene.victim)[-1]
    assert last.level == "error" and message in last.message
    items = scene.items(scene.victim)
    assert {items[name].outcome for name in VICTIM_SKUS} == {"error"}
    assert scene.confirmed(scene.shop.account_id, VICTIM_SKUS) == scene.before
    return job


def run_pair(scene: Scene) -> None:
    scene.victim = qty_job(scene.shop, scene.shop.account_id, VICTIM_SKUS)
    start_bystander(scene)


def staggered_pair(scene: Scene, head_start_s: float) -> None:
    """The victim, and once its feed is accepted and *head_start_s* later, the bystander:
    for faults queued so many times over that, at equal times, the bystander would get
    some of them."""
    scene.victim = qty_job(scene.shop, scene.shop.account_id, VICTIM_SKUS)
    scene.run_until_waiting(scene.victim)
    scene.shop.clock.advance(head_start_s)
    start_bystander(scene)


# -- feed jobs: recovering by themselves ---------------------------------------


@SQLITE_ONLY
def test_500_on_create_feed_is_checked_then_sent_once(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.faults.fail_next("createFeed", 500)
    scene.shop.run_worker()
    check_recovered(scene)
    text = scene.text(scene.victim)
    assert "createFeed answered HTTP 500 InternalFailure" in text
    assert "did not reach Amazon: sending it now" in text
    assert scene.sim.stats()["requests"]["createFeed"] == 3  # victim twice, bystander once
    check_common(scene)


@SQLITE_ONLY
def test_503_until_the_client_gives_up_is_retried_later_with_backoff(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.faults.fail_next("getFeed", 503, times=4)  # every attempt of one call
    scene.shop.run_worker()
    check_recovered(scene)
    text = scene.text(scene.victim)
    assert text.count("HTTP 503") >= 4
    assert "getFeed answered HTTP 503 ServiceUnavailable" in text
    assert "attempt 1 of 5 failed, retrying in" in text
    check_common(scene)


def test_connection_reset_on_create_feed_adopts_the_feed_instead_of_sending_again(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.faults.reset_next("createFeed")
    scene.shop.run_worker()
    check_recovered(scene)
    text = scene.text(scene.victim)
    assert "createFeed connection failed" in text
    assert "did reach Amazon: adopting" in text
    check_common(scene)  # one feed for the victim's seller


@SQLITE_ONLY
def test_slow_answer_past_the_client_timeout_adopts_the_feed(scene_for):
    scene = scene_for(http_timeout_s=1.0)
    run_pair(scene)
    scene.sim.faults.delay_answers(3.0, "createFeed", times=1)
    scene.shop.run_worker()
    check_recovered(scene)
    text = scene.text(scene.victim)
    assert "createFeed timed out" in text
    assert "did reach Amazon: adopting" in text
    check_common(scene)


def test_429_storm_while_our_bucket_has_tokens_waits_for_the_refill(scene_for):
    scene = scene_for()
    scene.victim = qty_job(scene.shop, scene.shop.account_id, VICTIM_SKUS)
    scene.sim.faults.fail_next("createFeed", 429, times=3)
    scene.run_until_waiting(scene.victim)
    start_bystander(scene)
    scene.shop.run_worker()
    check_recovered(scene)
    throttled = [
        line for line in scene.log(scene.victim) if "throttled createFeed (429)" in line.message
    ]
    assert len(throttled) == 3 and all(line.request_id for line in throttled)
    assert "although our bucket allowed it; retrying at" in throttled[0].message
    # each retry waited for the refill of the emptied bucket (1 per 120 s)
    gaps = [(b.at - a.at).total_seconds() for a, b in pairwise(throttled)]
    assert all(gap >= 119 for gap in gaps), gaps
    check_common(scene)


@SQLITE_ONLY
def test_access_token_expiring_mid_job_is_refreshed(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.run_until_waiting(scene.victim)
    issued = scene.sim.stats()["tokens_issued"]
    scene.sim.faults.expire_access_tokens(1)
    scene.shop.run_worker()
    check_recovered(scene)
    assert scene.sim.stats()["tokens_issued"] > issued
    check_common(scene)


@SQLITE_ONLY
def test_corrupt_gzip_processing_report_is_downloaded_again(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.faults.corrupt_next_documents(1)
    scene.shop.run_worker()
    check_recovered(scene)
    assert "is not valid gzip" in scene.text(scene.victim)
    assert "retrying in" in scene.text(scene.victim)
    check_common(scene)


@SQLITE_ONLY
def test_truncated_processing_report_is_downloaded_again(scene_for):
    scene = scene_for(SimulatorConfig.focused(gzip_results=False))
    run_pair(scene)
    scene.sim.faults.corrupt_next_documents(1)
    scene.shop.run_worker()
    check_recovered(scene)
    assert "the processing report is not valid JSON" in scene.text(scene.victim)
    check_common(scene)


@SQLITE_ONLY
def test_processing_report_corrupt_at_every_attempt_ends_in_error(scene_for):
    scene = scene_for()
    attempts = scene.shop.rt.settings.max_attempts
    scene.sim.faults.corrupt_next_documents(attempts)
    staggered_pair(scene, 60)
    scene.shop.run_worker()
    job = check_failed(scene, "is not valid gzip")
    assert f"(gave up after {attempts} attempts)" in (job.error or "")
    assert f"Amazon had accepted feed {job.amazon_ref}" in (job.error or "")
    check_common(scene)


@SQLITE_ONLY
def test_processing_report_naming_unknown_message_ids_is_matched_by_sku(scene_for):
    scene = scene_for(unknown_on_amazon=(1,))  # Amazon refuses SKU-001: an ERROR issue
    run_pair(scene)
    scene.sim.faults.misnumber_next_reports(1)
    scene.shop.run_worker()
    job = scene.job(scene.victim)
    assert job.status == JobStatus.DONE and (job.items_ok, job.items_failed) == (1, 1)
    items = scene.items(scene.victim)
    assert items[sku(0)].outcome == "ok" and items[sku(0)].confirmed == {"quantity": 70}
    assert items[sku(1)].outcome == "error" and "13013" in (items[sku(1)].error_message or "")
    assert scene.confirmed(scene.shop.account_id, (sku(0),)) == {sku(0): 70}
    assert scene.confirmed(scene.shop.account_id, (sku(1),)) == {sku(1): scene.before[sku(1)]}
    warning = [line for line in scene.log(scene.victim) if "message id" in line.message]
    assert len(warning) == 1 and warning[0].level == "warning"
    assert "1002" in warning[0].message and "matched by SKU" in warning[0].message
    check_common(scene)


# -- feed jobs: ending in error -------------------------------------------------


@SQLITE_ONLY
def test_feed_fatal_ends_in_error(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.faults.abort_next_feeds(1)
    scene.shop.run_worker()
    check_failed(scene, "Amazon aborted the feed (FATAL)")
    check_common(scene)


@SQLITE_ONLY
def test_feed_cancelled_by_amazon_ends_in_error(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.faults.cancel_next_feeds(1)
    scene.shop.run_worker()
    job = check_failed(scene, "Amazon cancelled feed")
    assert "nothing was changed on Amazon" in (job.error or "")
    assert job.amazon_status == "CANCELLED"
    on_amazon = scene.sim.listings()
    assert {name: on_amazon[name].quantity for name in VICTIM_SKUS} == {
        name: 10 + n for n, name in enumerate(VICTIM_SKUS)
    }
    check_common(scene)


@SQLITE_ONLY
def test_seller_cancel_whose_answer_was_lost_still_ends_canceled(scene_for):
    """Not Amazon's own cancel: the seller's cancelFeed reached Amazon, its answer did
    not, and the repeat is refused (the feed is CANCELLED already)."""
    scene = scene_for()
    run_pair(scene)
    scene.run_until_waiting(scene.victim)
    assert cancel_job(scene.shop.rt, scene.victim) is False  # asked; Amazon decides
    scene.sim.faults.reset_next("cancelFeed")
    scene.shop.run_worker()
    job = scene.job(scene.victim)
    assert job.status == JobStatus.CANCELED and job.amazon_status == "CANCELLED"
    assert "Amazon reports the feed CANCELLED" in scene.log(scene.victim)[-1].message
    assert "cancelFeed connection failed" in scene.text(scene.victim)
    assert scene.confirmed(scene.shop.account_id, VICTIM_SKUS) == scene.before
    on_amazon = scene.sim.listings()
    assert {name: on_amazon[name].quantity for name in VICTIM_SKUS} == scene.before
    check_common(scene)


@SQLITE_ONLY
def test_result_document_id_missing_ends_in_error(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.faults.omit_next_results(1)
    scene.shop.run_worker()
    job = check_failed(scene, "without a processing report")
    assert "so its changes may be applied anyway: check the listings on Amazon" in (job.error or "")
    check_common(scene)


def test_result_document_gone_is_retried_then_ends_in_error(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.faults.lose_next_results(1)
    scene.shop.run_worker()
    job = check_failed(scene, "processing report of feed")
    assert "is missing at Amazon" in (job.error or "")
    assert f"gave up after {scene.shop.rt.settings.max_attempts} attempts" in (job.error or "")
    assert (job.error or "").startswith("the processing report of feed")
    assert "Amazon had accepted feed" in (job.error or "")
    retries = [line for line in scene.log(scene.victim) if "retrying in" in line.message]
    assert len(retries) == scene.shop.rt.settings.max_attempts - 1
    check_common(scene)


@SQLITE_ONLY
def test_lwa_refusing_the_refresh_token_ends_in_error(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.sim.revoke_refresh_token(scene.sim.config.refresh_token)
    scene.shop.run_worker()
    job = check_failed(scene, "Login with Amazon refused the account's credentials")
    assert "invalid_grant" in (job.error or "")
    assert scene.sim.config.refresh_token not in scene.text(scene.victim)
    check_common(scene, feeds=0)


@SQLITE_ONLY
def test_lwa_refusing_the_refresh_token_after_the_feed_was_sent_says_so(scene_for):
    scene = scene_for()
    run_pair(scene)
    scene.run_until_waiting(scene.victim)
    scene.sim.revoke_refresh_token(scene.sim.config.refresh_token)
    scene.sim.faults.expire_access_tokens(1)  # the access token's hour is over
    scene.shop.run_worker()
    job = scene.job(scene.victim)
    assert job.status == JobStatus.ERROR
    error = job.error or ""
    assert error.startswith("Login with Amazon refused the account's credentials")
    assert f"Amazon had accepted feed {job.amazon_ref}, so its changes may be applied" in error
    items = scene.items(scene.victim)
    assert {items[name].outcome for name in VICTIM_SKUS} == {"error"}
    check_common(scene)


# -- inventory report -----------------------------------------------------------


def report_pair(scene: Scene, head_start_s: float = 10) -> None:
    """The report job, and 10 s later the bystander (feed jobs are stepped before
    reports: without the head start, the bystander's download would come first)."""
    scene.victim = create_inventory_job(scene.shop.rt, scene.shop.account_id).id
    scene.run_until_waiting(scene.victim)
    scene.shop.clock.advance(head_start_s)
    start_bystander(scene)


def inventory_skus(scene: Scene) -> set[str]:
    with scene.shop.rt.db.read() as session:
        account = session.get_one(Account, scene.shop.account_id)
        rows = session.scalars(
            select(InventoryRow.sku).where(
                InventoryRow.snapshot_id == account.inventory_snapshot_id
            )
        ).all()
    return set(rows)


def check_report_recovered(scene: Scene) -> None:
    job = scene.job(scene.victim)
    assert job.status == JobStatus.DONE, job.error
    assert job.items_ok == 12 and job.items_failed == 0
    assert inventory_skus(scene) == {sku(n) for n in range(12)}
    with scene.shop.rt.db.read() as session:
        rows = session.scalars(select(InventoryRow).where(InventoryRow.snapshot_id == job.id)).all()
    assert len(rows) == 12, "the rows of the broken download are not kept twice"
    assert {row.sku: row.quantity for row in rows} == {sku(n): 10 + n for n in range(12)}


@SQLITE_ONLY
def test_report_corrupt_gzip_is_downloaded_again(scene_for):
    scene = scene_for()
    report_pair(scene)
    scene.sim.faults.corrupt_next_documents(1)
    scene.shop.run_worker()
    check_report_recovered(scene)
    assert "the listings report cannot be read to its end" in scene.text(scene.victim)
    assert "retrying in" in scene.text(scene.victim)
    check_common(scene, feeds=0, reports=1)


def test_report_truncated_tsv_is_downloaded_again(scene_for):
    scene = scene_for(SimulatorConfig.focused(gzip_results=False))
    report_pair(scene)
    scene.sim.faults.corrupt_next_documents(1)
    scene.shop.run_worker()
    check_report_recovered(scene)
    assert "ends in the middle of a row" in scene.text(scene.victim)
    check_common(scene, feeds=0, reports=1)


@SQLITE_ONLY
def test_report_corrupt_at_every_attempt_ends_in_error_and_keeps_no_row(scene_for):
    scene = scene_for()
    attempts = scene.shop.rt.settings.max_attempts
    scene.sim.faults.corrupt_next_documents(attempts)
    report_pair(scene, head_start_s=60)
    scene.shop.run_worker()
    job = scene.job(scene.victim)
    assert job.status == JobStatus.ERROR
    error = job.error or ""
    assert error.startswith("the listings report cannot be read to its end")
    assert f"(gave up after {attempts} attempts)" in error
    assert scene.log(scene.victim)[-1].level == "error"
    with scene.shop.rt.db.read() as session:
        assert session.scalar(select(func.count()).select_from(InventoryRow)) == 0
    check_common(scene, feeds=0, reports=1)


@SQLITE_ONLY
def test_report_fatal_ends_in_error_and_imports_nothing(scene_for):
    scene = scene_for()
    report_pair(scene)
    scene.sim.faults.fail_next_reports(1)
    scene.shop.run_worker()
    job = scene.job(scene.victim)
    assert job.status == JobStatus.ERROR
    assert "Amazon could not produce the report (FATAL)" in (job.error or "")
    last = scene.log(scene.victim)[-1]
    assert last.level == "error" and "FATAL" in last.message
    assert inventory_skus(scene) == set()
    with scene.shop.rt.db.read() as session:
        assert session.scalar(select(func.count()).select_from(InventoryRow)) == 0
    check_common(scene, feeds=0, reports=1)


@SQLITE_ONLY
def test_report_with_refused_refresh_token_ends_in_error(scene_for):
    scene = scene_for()
    scene.sim.revoke_refresh_token(scene.sim.config.refresh_token)
    report_pair(scene)
    scene.shop.run_worker()
    job = scene.job(scene.victim)
    assert job.status == JobStatus.ERROR
    assert "Login with Amazon refused the account's credentials" in (job.error or "")
    last = scene.log(scene.victim)[-1]
    assert last.level == "error" and "check the LWA client id" in last.message
    check_common(scene, feeds=0, reports=0)
