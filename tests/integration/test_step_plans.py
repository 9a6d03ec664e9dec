"""What a listings job's steps ask the database about the account's other jobs and its
orders must not grow with what the account keeps (30 days of jobs, a year of orders).
SQLite plans without statistics; these tests hold the plans' shape, ``bench/aged_step.py``
counts the work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert

from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store import migrate
from amazon_jobs.store.models import Job
from amazon_jobs.worker import Worker
from tests.conftest import T0, make_runtime
from tests.integration.conftest import make_shop, sku

pytestmark = pytest.mark.timeout(300)

KEPT = 200


def kept_jobs(account_id: int, now: Any) -> list[dict[str, Any]]:
    """Finished feeds (with the feed id and times a finished feed keeps) and imports."""
    rows = []
    for k in range(KEPT):
        at = now - timedelta(days=30) + timedelta(hours=k)
        feed = k % 2 == 0
        rows.append({
            "account_id": account_id, "status": JobStatus.DONE.value, "priority": 0,
            "type": (JobType.UPDATE_QTY if feed else JobType.ORDERS_IMPORT).value,
            "created_at": at, "updated_at": at, "finished_at": at,
            "submitted_at": at if feed else None, "amazon_ref": f"5{k:08d}" if feed else None,
            "attempts": 0, "items_total": 1, "items_ok": 1, "data": {"channel": "feed"},
        })  # fmt: skip
    return rows


def test_a_listings_jobs_questions_about_its_account_skip_the_jobs_it_kept(tmp_path: Path) -> None:
    """Whether another job of the account holds the createFeed intent, and the account's
    last five finished feeds (the channel's estimate), are read from the account's rows in
    those statuses (ix_jobs_account_status_finished): not from every job the account has
    kept (ix_jobs_account_to_verify (account_id=?)), nor sorted from all its finished feeds.
    The units held back as the feed is built come from the account's open orders
    (ix_orders_open), not from every order item of the SKU (ix_order_items_sku)."""
    rt = make_runtime(f"sqlite:///{tmp_path}/plan.db", VirtualClock(T0), tmp_path)
    migrate.upgrade(rt.db)
    shop, server = make_shop(rt, rt.clock)  # type: ignore[arg-type]
    statements: list[str] = []
    try:
        with rt.db.transaction() as session:
            session.execute(insert(Job), kept_jobs(shop.account_id, rt.clock.now()))

        def traced(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.set_trace_callback(statements.append)

        event.listen(rt.db.engine, "connect", traced)
        rt.db.engine.dispose()  # the next connections are traced
        made = create_listings_job(
            rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1),))
        )
        (job,) = made.jobs
        Worker(rt).run(until_idle=True)
        event.remove(rt.db.engine, "connect", traced)
        rt.db.engine.dispose()
        plans: dict[str, list[str]] = {}
        with rt.db.engine.connect() as connection:
            for statement in statements:
                text = " ".join(statement.split())
                about = " jobs" in text or "FROM orders" in text
                if text.startswith("SELECT") and about and text not in plans:
                    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")
                    plans[text] = [row[3] for row in rows]
        with rt.db.read() as session:
            assert session.get(Job, job.id).status == JobStatus.DONE  # type: ignore[union-attr]
    finally:
        server.stop()
        rt.close()

    def plan_of(start: str) -> list[str]:
        found = [steps for text, steps in plans.items() if text.startswith(start)]
        assert found, f"no statement starting {start!r} among {list(plans)}"
        return [step for steps in found for step in steps]

    intent = plan_of("SELECT EXISTS (SELECT * FROM jobs WHERE jobs.account_id")
    assert any("ix_jobs_account_status_finished" in step for step in intent), intent
    recent = plan_of("SELECT jobs.submitted_at, jobs.finished_at, jobs.data FROM jobs")
    assert any("ix_jobs_account_status_finished" in step for step in recent), recent
    assert not any("TEMP B-TREE" in step for step in recent), recent
    held = plan_of("SELECT order_items.sku AS sku, sum(")
    assert any("ix_orders_open" in step for step in held), held
    assert not any("ix_order_items_sku" in step for step in held), held
    every = [(text, step) for text, steps in plans.items() for step in steps]
    whole = [(text, step) for text, step in every if step.startswith("SCAN jobs")]
    assert not whole, whole
    by_account_alone = [
        (text, step)
        for text, step in every
        if step.startswith("SEARCH jobs") and step.endswith("(account_id=?)")
    ]
    assert not by_account_alone, by_account_alone
