"""Inventory Report: request the listings report, wait for it, import it.

createReport (GET_MERCHANT_LISTINGS_ALL_DATA) → getReport, polled with
growing intervals → getReportDocument → download to a temporary file →
rows streamed into the Amazon Inventory table under this job's snapshot →
one transaction links them to products by SKU, makes them the account's
inventory, replacing the previous report, and takes Amazon's quantity and
price as the confirmed values of the active listings they list. Memory stays
flat for any size. A report interrupted halfway is imported again from the
start: the partial rows of this snapshot are dropped first.

Stale-report guard: Amazon shows an accepted change late, so a report
requested before one of our jobs had a change accepted may show the old
value. The job keeps when it requested the report (``job.data`` key
``report_requested_at``: the earlier of the moment it sent createReport and
Amazon's ``createdTime``, so neither clock's skew lets a stale value through);
a listing whose ``confirmed_at`` is at or after it keeps its confirmed values
(:mod:`amazon_jobs.store.report_values`), and the log says how many.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import SpApiClient
from amazon_jobs.domain.backoff import poll_interval
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import AmazonClientError, AmazonError
from amazon_jobs.feeds.inventory_report import (
    REPORT_TYPE,
    InventoryRecord,
    RowProblem,
    read_inventory,
)
from amazon_jobs.handlers.intents import (
    SKEW,
    Created,
    adoptable,
    answered,
    close_intent,
    may_reconcile,
)
from amazon_jobs.handlers.steps import StepHandler, record
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.inventory import activate_snapshot, clear_snapshot, insert_records
from amazon_jobs.store.jobs import append_log, create_job, lock_job, move
from amazon_jobs.store.models import Account, Job
from amazon_jobs.store.report_values import ReportValues, confirm_from_report

__all__ = ["REQUESTED_AT", "InventoryReport", "report_requested_at"]

CREATE_REPORT = Operation.CREATE_REPORT.value
CHUNK_ROWS = 5000
NEWER_IN_PLACE = "a newer report of this account is in place already, so this one is dropped"
PROBLEMS_LOGGED = 20
#: ``job.data`` key: when the report was requested (ISO 8601), for the stale-report guard.
REQUESTED_AT = "report_requested_at"


class InventoryReport(StepHandler):
    job_type: ClassVar[JobType] = JobType.INVENTORY_REPORT

    def create(self, rt: Runtime, account_id: int) -> Job:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = create_job(session, account_id, self.job_type, now)
            append_log(session, job.id, now, f"Inventory report ({REPORT_TYPE}) requested")
            return job

    def step(self, rt: Runtime, job_id: int) -> None:
        job, account = self.load(rt, job_id)
        if job.status == JobStatus.RESERVED:
            self.assemble(rt, job_id, "queued")
        elif job.status == JobStatus.CREATED:
            if self.start(rt, job_id, [Operation.CREATE_REPORT], "requesting the report"):
                self._request(rt, job_id, account)
        elif job.status == JobStatus.PROCESSING:
            self._request(rt, job_id, account)
        elif job.status == JobStatus.WAITING_FOR_RESULT:
            self._follow(rt, job, account)

    def _request(self, rt: Runtime, job_id: int, account: Account) -> None:
        """createReport, exactly once: an earlier attempt's intent is reconciled first."""
        client = self.client(rt, job_id, account)
        job, _ = self.load(rt, job_id)
        if job.intent_op == CREATE_REPORT and self._recovered(rt, job, client):
            return
        operations = [Operation.CREATE_REPORT]
        taken_at = self.spend(rt, job_id, operations, intent=CREATE_REPORT)
        if taken_at is None:
            return
        try:
            report_id = client.create_report(REPORT_TYPE, [account.marketplace_id])
        except AmazonClientError:
            with rt.db.transaction() as session:
                close_intent(lock_job(session, job_id, fenced=False))
                rt.throttle.settle(session, account.id, operations, taken_at, rt.clock.now())
            raise
        except AmazonError as error:
            answered(rt, job_id, error)
            raise
        with rt.db.transaction() as session:
            # the job first, then its buckets, as in spend; Amazon's answer is recorded
            # even if the lease has passed to another worker meanwhile
            job = lock_job(session, job_id, fenced=False)
            rt.throttle.settle(session, account.id, operations, taken_at, rt.clock.now())
            self._requested(session, job, report_id, rt, job.intent_at or taken_at)

    def _recovered(self, rt: Runtime, job: Job, client: SpApiClient) -> bool:
        """Whether the report of an interrupted createReport exists: then adopt it.
        True also while the step cannot go on (waiting for the call or for quota)."""
        if not may_reconcile(rt, job.id, CREATE_REPORT):
            return True
        if not self.spend(rt, job.id, [Operation.GET_REPORTS]):
            return True  # waiting for quota: try again later
        assert job.intent_at is not None
        reports, token = client.get_reports([REPORT_TYPE], job.intent_at - SKEW)
        while token:
            page, token = client.get_reports([], job.intent_at, token)
            reports.extend(page)
        found = [Created(r.report_id, r.created_time) for r in reports]
        with rt.db.transaction() as session:
            job = lock_job(session, job.id)
            if job.intent_op != CREATE_REPORT:  # settled by another step meanwhile
                return True
            adopted = adoptable(session, job, found, rt.clock.now())
            sent_at = job.intent_at or job.created_at
            close_intent(job)
            if adopted is None:
                return False
            requested_at = min(sent_at, adopted.created_at or sent_at)
            self._requested(session, job, adopted.ref, rt, requested_at)
            return True

    def _requested(
        self, session: Session, job: Job, report_id: str, rt: Runtime, requested_at: datetime
    ) -> None:
        now = rt.clock.now()
        close_intent(job)
        record(job, now, **{REQUESTED_AT: requested_at.isoformat()})
        job.amazon_ref, job.amazon_status = report_id, "IN_QUEUE"
        move(
            session,
            job,
            JobStatus.WAITING_FOR_RESULT,
            now,
            f"Amazon accepted report request {report_id}",
            next_run_at=now + timedelta(seconds=rt.settings.poll_first_s),
        )

    def _follow(self, rt: Runtime, job: Job, account: Account) -> None:
        client = self.client(rt, job.id, account)
        if not job.result_document_id:
            if not self.spend(rt, job.id, [Operation.GET_REPORT]):
                return
            if not self._poll(rt, job.id, client):
                return
        if not self.spend(rt, job.id, [Operation.GET_REPORT_DOCUMENT]):
            return
        job, _ = self.load(rt, job.id)
        self._import(rt, job, client)

    def _poll(self, rt: Runtime, job_id: int, client: SpApiClient) -> bool:
        """Ask about the report; True once its document can be fetched."""
        job, _ = self.load(rt, job_id)
        assert job.amazon_ref is not None
        report = client.get_report(job.amazon_ref)
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if report.processing_status != job.amazon_status:
                append_log(session, job_id, now, f"Amazon: report {report.processing_status}")
            job.amazon_status = report.processing_status
            job.polls += 1
            job.updated_at = now
            _note_created(job, report.created_time, now)
            status = report.processing_status
            if status in ("IN_QUEUE", "IN_PROGRESS"):
                wait = poll_interval(job.polls, rt.settings.poll_first_s, rt.settings.poll_max_s)
                job.next_run_at = now + timedelta(seconds=wait)
                return False
            if status == "DONE" and report.report_document_id:
                job.result_document_id = report.report_document_id
                return True
            if status == "CANCELLED":
                self._no_data(session, job, now)
            else:
                self.fail(session, job, now, f"Amazon could not produce the report ({status})")
            return False

    def _no_data(self, session: Session, job: Job, now: datetime) -> None:
        """Amazon cancels a report that has no data: the inventory is now empty."""
        activated = activate_snapshot(session, job.account_id, job.id)
        message = "Amazon cancelled the report: no listings to report; " + (
            "the inventory is now empty" if activated else NEWER_IN_PLACE
        )
        move(session, job, JobStatus.DONE, now, message, level="warning")

    def _import(self, rt: Runtime, job: Job, client: SpApiClient) -> None:
        assert job.result_document_id is not None
        location = client.get_report_document(job.result_document_id)
        with tempfile.TemporaryFile() as raw:
            charset = client.download_to(location, raw)
            raw.seek(0)
            with rt.db.transaction() as session:
                clear_snapshot(session, job.account_id, job.id)
            stored, problems = self._store_rows(rt, job, read_inventory(raw, charset))
        self._activate(rt, job.id, stored, problems)

    def _store_rows(
        self, rt: Runtime, job: Job, rows: Iterator[InventoryRecord | RowProblem]
    ) -> tuple[int, list[RowProblem]]:
        stored, problems, chunk = 0, [], []
        for row in rows:
            if isinstance(row, RowProblem):
                problems.append(row)
                continue
            chunk.append(row)
            if len(chunk) >= CHUNK_ROWS:
                stored += self._flush(rt, job, chunk)
        stored += self._flush(rt, job, chunk)
        return stored, problems

    def _flush(self, rt: Runtime, job: Job, chunk: list[InventoryRecord]) -> int:
        count = len(chunk)
        with rt.db.transaction() as session:
            insert_records(session, job.account_id, job.id, chunk)
        chunk.clear()
        return count

    def _activate(self, rt: Runtime, job_id: int, stored: int, problems: list[RowProblem]) -> None:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status != JobStatus.WAITING_FOR_RESULT:
                return
            activated = activate_snapshot(session, job.account_id, job.id)
            if activated is None:
                move(session, job, JobStatus.DONE, now, f"Report read; {NEWER_IN_PLACE}")
                return
            rows, linked = activated
            values = confirm_from_report(session, job.account_id, job.id, report_requested_at(job))
            _log_values(session, job_id, now, values)
            for problem in problems[:PROBLEMS_LOGGED]:
                append_log(
                    session,
                    job_id,
                    now,
                    f"Report line {problem.line}: {problem.message}",
                    level="warning",
                )
            job.items_total = rows + len(problems)
            job.items_ok, job.items_failed = rows, len(problems)
            record(
                job,
                now,
                linked=linked,
                unmatched=rows - linked,
                confirmed=values.taken,
                kept=values.kept,
            )
            move(
                session,
                job,
                JobStatus.DONE,
                now,
                f"{rows} row(s) imported: {linked} linked to products by SKU, "
                f"{rows - linked} unmatched"
                + (f", {len(problems)} unreadable" if problems else "")
                + f"; {values.taken} active listing(s) now confirmed at Amazon's "
                "quantity and price",
            )

    def release(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        clear_snapshot(session, job.account_id, job.id)


def report_requested_at(job: Job) -> datetime:
    """When the job's report was requested (its creation, for a job from before the
    moment was kept)."""
    stored = job.data.get(REQUESTED_AT)
    return datetime.fromisoformat(stored) if stored else job.created_at


def _note_created(job: Job, created: datetime | None, now: datetime) -> None:
    """Amazon's createdTime, when earlier than our moment of sending, becomes the
    report's request time (its clock may be behind ours)."""
    if created is not None and created < report_requested_at(job):
        record(job, now, **{REQUESTED_AT: created.isoformat()})


def _log_values(session: Session, job_id: int, now: datetime, values: ReportValues) -> None:
    """Say which listings the report did not confirm, and why."""
    if values.kept:
        append_log(
            session,
            job_id,
            now,
            f"{values.kept} listing(s) changed after this report was requested: "
            "kept our confirmed values",
        )
    if values.held:
        append_log(
            session,
            job_id,
            now,
            f"{values.held} listing(s) held by a running job: left to that job",
        )
