"""The jobs table at a glance (items ok / failed, an Error job's reason, the "has failed
items" filter, saved views) and who did what (actions in the job's log and on
/activity), over real HTTP on both databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.scheduler.sync import create_sync_jobs
from amazon_jobs.service import cancel_job, create_listings_job
from amazon_jobs.store.models import Action, Job, SavedView
from tests.integration.api_helpers import create_jobs
from tests.integration.conftest import WEB_USER, sku

pytestmark = pytest.mark.timeout(90)


def log_of(web, job_id: int) -> list[str]:
    return [line["message"] for line in web.api.get(f"/api/v1/jobs/{job_id}/log").json()["items"]]


def post_form(web, path: str, **data: str):
    return web.browser.post(path, data={"csrf_token": web.csrf, **data})


def test_a_done_job_with_failed_items_does_not_look_clean(shop, web):
    (mixed,) = create_jobs(web, type="update_qty", skus=[sku(1), sku(3)])  # 3: unknown
    (clean,) = create_jobs(web, type="update_qty", skus=[sku(2)])
    shop.run_worker()
    html = web.browser.get("/").text
    mixed_row = html.split(f'id="job-{mixed["id"]}"', 1)[1].split("</tr>", 1)[0]
    clean_row = html.split(f'id="job-{clean["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "Done with errors" in mixed_row and "1 ok · 1 failed" in mixed_row
    assert 'badge-done">Done<' in clean_row and "1 ok · 0 failed" in clean_row

    # The filter, on the page and in the API.
    failed_page = web.browser.get("/", params={"failed": "yes"}).text
    assert re.findall(r'<tr id="job-(\d+)"', failed_page) == [str(mixed["id"])]
    none_failed = web.browser.get("/", params={"failed": "no"}).text
    assert re.findall(r'<tr id="job-(\d+)"', none_failed) == [str(clean["id"])]
    api = web.api.get("/api/v1/jobs", params={"has_failed": "true"}).json()["items"]
    assert [job["id"] for job in api] == [mixed["id"]]
    api = web.api.get("/api/v1/jobs", params={"has_failed": "false"}).json()["items"]
    assert [job["id"] for job in api] == [clean["id"]]
    assert web.browser.get("/", params={"failed": "x" * 11}).status_code == 422


def test_an_error_job_shows_the_first_line_of_its_reason(shop, web):
    (job,) = create_jobs(web, type="update_qty", skus=[sku(1)])
    reason = "Amazon refused the credentials (401)\nsecond line with details"
    with shop.rt.db.transaction() as session:
        session.execute(update(Job).where(Job.id == job["id"]).values(status="error", error=reason))
    row = web.browser.get("/").text.split(f'id="job-{job["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert '<div class="row-reason"' in row
    assert ">Amazon refused the credentials (401)</div>" in row


def test_saved_views_are_per_user_and_keep_only_the_filters(shop, web):
    answer = post_form(
        web, "/views", name="  Failed  QTY ", query="type=update_qty&failed=yes&evil=<x>"
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/?type=update_qty&failed=yes"
    with shop.rt.db.read() as session:
        (view,) = session.scalars(select(SavedView)).all()
    assert (view.name, view.query) == ("Failed QTY", "type=update_qty&failed=yes")
    html = web.browser.get("/").text
    assert 'href="/?type=update_qty&amp;failed=yes">Failed QTY</a>' in html

    # Saving the same name replaces it; an empty name is refused.
    post_form(web, "/views", name="Failed QTY", query="status=error")
    post_form(web, "/views", name="   ", query="status=error")
    with shop.rt.db.read() as session:
        assert [(v.name, v.query) for v in session.scalars(select(SavedView))] == [
            ("Failed QTY", "status=error")
        ]
    # Without the CSRF token nothing is saved or deleted.
    assert web.browser.post("/views", data={"name": "x"}).status_code == 403
    assert web.browser.post(f"/views/{view.id}/delete").status_code == 403
    assert post_form(web, "/views/999/delete").headers["location"] == "/"
    assert post_form(web, f"/views/{view.id}/delete").status_code == 303
    with shop.rt.db.read() as session:
        assert session.scalars(select(SavedView)).all() == []


def test_every_action_is_logged_with_who_and_why(shop, web):
    (job,) = create_jobs(web, type="update_qty", skus=[sku(1)], reason="restock after audit")
    created = f"By {WEB_USER}: created Update Products QTY job {job['id']} (1 item) "
    assert created in log_of(web, job["id"])[-1] + " "
    assert "(reason: restock after audit)" in log_of(web, job["id"])[-1]
    answer = web.api.post(f"/api/v1/jobs/{job['id']}/check", json={"reason": "customer asked"})
    assert answer.status_code == 200
    assert f"By {WEB_USER}: asked for a status check (reason: customer asked)" in log_of(
        web, job["id"]
    )
    assert web.api.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 200
    assert f"By {WEB_USER}: canceled the job" in log_of(web, job["id"])
    assert web.api.post(
        f"/api/v1/jobs/{job['id']}/cancel", json={"reason": "x" * 501}
    ).status_code in (409, 422)

    # The dashboard's cancel form, with a reason.
    (other,) = create_jobs(web, type="update_price", skus=[sku(2)])
    post_form(web, f"/jobs/{other['id']}/cancel", reason="wrong  price\nlist")
    assert f"By {WEB_USER}: canceled the job (reason: wrong price list)" in log_of(web, other["id"])

    # The service without an actor: the command line's OS user.
    made = create_listings_job(shop.rt, JobType.UPDATE_QTY, "us", Selection(skus=(sku(4),)))
    cancel_job(shop.rt, made.jobs[0].id)
    assert re.search(r"By cli(:\S+)?: canceled the job", "\n".join(log_of(web, made.jobs[0].id)))

    # An account change is kept with the names of what changed, never a value.
    answer = web.api.patch(
        f"/api/v1/accounts/{shop.account_id}", json={"lwa_client_id": "new-client-id"}
    )
    assert answer.status_code == 200, answer.text
    with shop.rt.db.read() as session:
        actions = session.scalars(select(Action).order_by(Action.id)).all()
    change = actions[-1]
    assert (change.actor, change.action) == (WEB_USER, "account_change")
    assert change.detail == "changed account us: lwa_client_id"

    page = web.browser.get("/activity").text
    assert page.count('<tr id="action-') == len(actions)
    assert "restock after audit" in page and "changed account us: lwa_client_id" in page
    assert "new-client-id" not in page
    assert f'href="/jobs/{job["id"]}#log"' in page


def test_the_live_refresh_sends_new_rows_and_changed_rows_in_separate_templates(shop, web):
    (watched,) = create_jobs(web, type="update_qty", skus=[sku(1)])
    with shop.rt.db.read() as session:
        ver = session.scalar(select(Job.updated_at).where(Job.id == watched["id"]))
    assert ver is not None
    cancel_job(shop.rt, watched["id"])
    (fresh,) = create_jobs(web, type="update_qty", skus=[sku(2)])
    answer = web.browser.get(
        "/jobs/changes",
        params={"v": f"{watched['id']}@reserved.0", "newest": str(watched["id"])},
    )
    assert answer.status_code == 200
    parts = re.findall(r"<template>(.*?)</template>", answer.text, re.S)
    assert len(parts) == 2
    assert f'id="job-{watched["id"]}"' in parts[0] and "hx-swap-oob" in parts[0]
    assert parts[1].lstrip().startswith('<tbody hx-swap-oob="afterbegin:#job-rows">')
    assert f'id="job-{fresh["id"]}"' in parts[1]
    assert JobStatus.CANCELED.label in parts[0]


def test_what_the_scheduler_does_on_its_own_is_not_a_persons_action(shop, web):
    shop.set_quantity(sku(1), 99)
    (job_id,) = create_sync_jobs(shop.rt, shop.account_id)
    with shop.rt.db.read() as session:
        assert session.scalars(select(Action)).all() == []
    assert not any(line.startswith("By ") for line in log_of(web, job_id))
    assert "Nothing done by hand yet." in web.browser.get("/activity").text


def test_a_retry_is_logged_on_the_job_and_on_its_retry(shop, web):
    shop.sim.faults.abort_next_feeds(1)  # Amazon aborts the feed: every item can be retried
    (job,) = create_jobs(web, type="update_qty", skus=[sku(1), sku(2)])
    shop.run_worker()
    answer = web.api.post(f"/api/v1/jobs/{job['id']}/retry-failed", json={"reason": "fixed SKU"})
    assert answer.status_code == 201, answer.text
    (retry,) = answer.json()["jobs"]
    assert (
        f"By {WEB_USER}: retried the fixable failed items in job {retry['id']} "
        "(reason: fixed SKU)" in log_of(web, job["id"])
    )
    assert any(
        line.startswith(f"By {WEB_USER}: retried job {job['id']}'s failed items in")
        for line in log_of(web, retry["id"])
    )
