"""The life of a job that sends one JSON_LISTINGS_FEED.

    reserved ──assemble──► created ──tokens──► processing ──createFeed──► waiting_for_result
                                                                 poll getFeed ──► done / error

Inside ``processing`` the job records each step before and after the call
that makes it (``data["phase"]``): ``built`` (messages numbered, values
read from the products), ``document`` (createFeedDocument answered),
``uploaded``, then createFeed. Every call takes its token first; the tokens
for createFeedDocument, createFeed and the JSON_LISTINGS_FEED cap are taken
together while the job is still ``created``, so a job that waits for quota
waits there, cancelable. Subtypes say what a message changes
(:meth:`ListingsFeedJob.sent_values`, :meth:`patches`,
:meth:`confirmed_columns`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Row, select
from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import SpApiClient
from amazon_jobs.domain.backoff import poll_interval
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.listings import UPDATABLE_STATES, ListingState
from amazon_jobs.feeds import listings_feed
from amazon_jobs.feeds.processing_report import ProcessingReport, parse_processing_report
from amazon_jobs.handlers.base import call_logger
from amazon_jobs.handlers.feed_result import apply_report, release_items, rollback_items
from amazon_jobs.handlers.reservation import Reservation, Selection, reserve
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.jobs import append_log, get_job, lock_job, move
from amazon_jobs.store.models import Account, Job, JobItem, Listing, Product

__all__ = ["ListingsFeedJob"]

SUBMIT_OPERATIONS = (
    Operation.CREATE_FEED_DOCUMENT,
    Operation.CREATE_FEED,
    Operation.JSON_LISTINGS_FEED,
)
#: A presigned upload URL lives 5 minutes; past this age a new document is made.
UPLOAD_URL_MAX_AGE = timedelta(minutes=4)


class ListingsFeedJob(ABC):
    """Base of every job type that sends one JSON listings feed."""

    job_type: ClassVar[JobType]
    eligible: ClassVar[frozenset[ListingState]] = UPDATABLE_STATES

    # What a subtype defines

    @abstractmethod
    def changed(self) -> ColumnElement[bool]:
        """SQL: the shop value differs from the one Amazon confirmed."""

    @abstractmethod
    def requested(self, row: Row[Any]) -> dict[str, Any]:
        """The change asked for at reservation, from the product's values."""

    @abstractmethod
    def sent_values(self, product: Product) -> dict[str, Any]:
        """The values to send, read from the product at the moment of sending."""

    @abstractmethod
    def patches(self, sent: dict[str, Any], account: Account) -> list[dict[str, Any]]:
        """The JSON patches that send *sent*."""

    @abstractmethod
    def confirmed_columns(self, sent: dict[str, Any]) -> dict[str, Any]:
        """Listing columns to set once Amazon accepted *sent*."""

    # Creating

    def reserve(
        self, rt: Runtime, account_id: int, selection: Selection, priority: int = 0
    ) -> Reservation:
        with rt.db.transaction() as session:
            return reserve(
                session,
                account_id=account_id,
                job_type=self.job_type,
                selection=selection,
                eligible=self.eligible,
                changed=self.changed(),
                requested=self.requested,
                max_items=rt.settings.feed_max_messages,
                now=rt.clock.now(),
                priority=priority,
            )

    # Stepping

    def step(self, rt: Runtime, job_id: int) -> None:
        with rt.db.read() as session:
            status = JobStatus(get_job(session, job_id).status)
        if status is JobStatus.RESERVED:
            self._assemble(rt, job_id)
        elif status is JobStatus.CREATED:
            if self._start(rt, job_id):
                self._submit(rt, job_id)
        elif status is JobStatus.PROCESSING:
            self._submit(rt, job_id)
        elif status is JobStatus.WAITING_FOR_RESULT:
            self._follow(rt, job_id)

    def _assemble(self, rt: Runtime, job_id: int) -> None:
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status == JobStatus.RESERVED:
                move(session, job, JobStatus.CREATED, rt.clock.now(), _queued(job.items_total))

    def _start(self, rt: Runtime, job_id: int) -> bool:
        """Take the submission tokens and enter processing; False while quota is short."""
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status != JobStatus.CREATED:
                return False
            ready_at = rt.throttle.try_acquire(session, job.account_id, SUBMIT_OPERATIONS, now)
            if ready_at is not None:
                _snooze_for_quota(session, job, ready_at, now, "createFeed")
                return False
            job.data = {"held": [op.value for op in SUBMIT_OPERATIONS]}
            move(session, job, JobStatus.PROCESSING, now, "building and sending the feed")
            return True

    def _submit(self, rt: Runtime, job_id: int) -> None:
        job, account = self._load(rt, job_id)
        client = rt.amazon(account, call_logger(rt, job_id, account.id))
        phase = job.data.get("phase")
        if phase is None:
            self._build(rt, job_id, account)
            phase = "built"
        if phase == "document" and self._url_expired(job, rt.clock.now()):
            phase = "built"
        if phase == "built":
            if not self._spend(rt, job_id, [Operation.CREATE_FEED_DOCUMENT]):
                return
            self._create_document(rt, job_id, client)
            phase = "document"
        if phase == "document":
            self._upload(rt, job_id, account, client)
            phase = "uploaded"
        if phase == "uploaded":
            if not self._spend(rt, job_id, [Operation.CREATE_FEED, Operation.JSON_LISTINGS_FEED]):
                return
            self._create_feed(rt, job_id, account, client)

    def _follow(self, rt: Runtime, job_id: int) -> None:
        job, account = self._load(rt, job_id)
        client = rt.amazon(account, call_logger(rt, job_id, account.id))
        if job.data.get("phase") == "submitted":
            if not self._spend(rt, job_id, [Operation.GET_FEED]):
                return
            if not self._poll(rt, job_id, client):
                return
            job, account = self._load(rt, job_id)
        report = None
        if job.result_document_id:
            if not self._spend(rt, job_id, [Operation.GET_FEED_DOCUMENT]):
                return
            report = self._download(rt, job, client)
        self._finish(rt, job_id, report)

    # Processing, one recorded phase at a time

    def _build(self, rt: Runtime, job_id: int, account: Account) -> None:
        """Number the messages and read each product's values as they are now."""
        with rt.db.transaction() as session:
            rows = session.execute(
                select(JobItem.id, Product)
                .join(Listing, Listing.id == JobItem.listing_id)
                .join(Product, Product.id == Listing.product_id)
                .where(JobItem.job_id == job_id, JobItem.outcome == "pending")
                .order_by(JobItem.id)
            )
            values = [
                {"id": item_id, "message_id": number, "sent": self.sent_values(product)}
                for number, (item_id, product) in enumerate(rows, start=1)
            ]
            update_rows(session, JobItem, values)
            _record(lock_job(session, job_id), rt.clock.now(), phase="built")
            append_log(
                session,
                job_id,
                rt.clock.now(),
                f"Feed built: {len(values)} message(s) for seller {account.seller_id}",
            )

    def _create_document(self, rt: Runtime, job_id: int, client: SpApiClient) -> None:
        upload = client.create_feed_document(listings_feed.CONTENT_TYPE)
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            job.input_document_id = upload.document_id
            _record(job, now, phase="document", url=upload.url, url_at=now.isoformat())

    def _upload(self, rt: Runtime, job_id: int, account: Account, client: SpApiClient) -> None:
        job, _ = self._load(rt, job_id)
        payload = self.feed_document(rt, job_id, account)
        client.upload_document(job.data["url"], payload, listings_feed.CONTENT_TYPE)
        with rt.db.transaction() as session:
            _record(lock_job(session, job_id), rt.clock.now(), phase="uploaded", url=None)
            append_log(session, job_id, rt.clock.now(), f"Feed uploaded ({len(payload)} bytes)")

    def _create_feed(self, rt: Runtime, job_id: int, account: Account, client: SpApiClient) -> None:
        job, _ = self._load(rt, job_id)
        assert job.input_document_id is not None
        feed_id = client.create_feed(
            listings_feed.FEED_TYPE, [account.marketplace_id], job.input_document_id
        )
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            job.amazon_ref = feed_id
            job.amazon_status = "IN_QUEUE"
            _record(job, now, phase="submitted")
            first_poll = now + timedelta(seconds=rt.settings.poll_first_s)
            move(
                session,
                job,
                JobStatus.WAITING_FOR_RESULT,
                now,
                f"Amazon accepted feed {feed_id}",
                next_run_at=first_poll,
            )

    def feed_document(self, rt: Runtime, job_id: int, account: Account) -> bytes:
        """The feed as sent: built from the values recorded on the items."""
        with rt.db.read() as session:
            rows = session.execute(
                select(JobItem.message_id, JobItem.sku, JobItem.sent)
                .where(JobItem.job_id == job_id, JobItem.message_id.is_not(None))
                .order_by(JobItem.message_id)
            )
            messages = (
                listings_feed.patch_message(number, sku, self.patches(sent, account))
                for number, sku, sent in rows
            )
            return listings_feed.build_feed(account.seller_id, messages)

    # Waiting for the result

    def _poll(self, rt: Runtime, job_id: int, client: SpApiClient) -> bool:
        """Ask Amazon about the feed; True once it has finished."""
        job, _ = self._load(rt, job_id)
        assert job.amazon_ref is not None
        feed = client.get_feed(job.amazon_ref)
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status != JobStatus.WAITING_FOR_RESULT:
                return False
            if feed.processing_status != job.amazon_status:
                append_log(session, job_id, now, f"Amazon: feed {feed.processing_status}")
            job.amazon_status = feed.processing_status
            job.polls += 1
            job.updated_at = now
            if feed.processing_status in ("IN_QUEUE", "IN_PROGRESS"):
                wait = poll_interval(job.polls, rt.settings.poll_first_s, rt.settings.poll_max_s)
                job.next_run_at = now + timedelta(seconds=wait)
                return False
            if feed.processing_status == "CANCELLED":
                self.cancel(session, job, now, "Amazon reports the feed CANCELLED")
                return False
            job.result_document_id = feed.result_document_id
            _record(job, now, phase="result")
            return True

    def _download(self, rt: Runtime, job: Job, client: SpApiClient) -> ProcessingReport:
        assert job.result_document_id is not None
        location = client.get_feed_document(job.result_document_id)
        content, charset = client.download_document(location)
        return parse_processing_report(content, charset)

    def _finish(self, rt: Runtime, job_id: int, report: ProcessingReport | None) -> None:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status != JobStatus.WAITING_FOR_RESULT:
                return
            if job.amazon_status == "FATAL":
                issues = "; ".join(i.describe() for i in report.feed_errors) if report else ""
                reason = "Amazon aborted the feed (FATAL)" + (f": {issues}" if issues else "")
                self.fail(session, job, now, reason)
            elif report is None:
                self.fail(session, job, now, "Amazon finished the feed without a result document")
            else:
                apply_report(session, job, report, self.confirmed_columns, now)
                move(session, job, JobStatus.DONE, now, _summary(job))

    # Cancel and failure

    def cancel(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        rollback_items(session, job.id)
        job.items_ok = job.items_failed = 0
        move(session, job, JobStatus.CANCELED, now, reason)

    def fail(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        if job.status in (JobStatus.RESERVED, JobStatus.CREATED):
            self.cancel(session, job, now, f"nothing was sent: {reason}")
            return
        job.error = reason
        job.items_failed += release_items(session, job.id, reason)
        move(session, job, JobStatus.ERROR, now, reason, level="error")

    # Helpers

    def _load(self, rt: Runtime, job_id: int) -> tuple[Job, Account]:
        with rt.db.read() as session:
            job = get_job(session, job_id)
            account = session.get_one(Account, job.account_id)
            return job, account

    def _spend(self, rt: Runtime, job_id: int, operations: Sequence[Operation]) -> bool:
        """Take a token for each operation (or use one held); False while quota is short."""
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            held = set(job.data.get("held", ()))
            needed = [op for op in operations if op.value not in held]
            if needed:
                ready_at = rt.throttle.try_acquire(session, job.account_id, needed, now)
                if ready_at is not None:
                    _snooze_for_quota(session, job, ready_at, now, needed[0].value)
                    return False
            _record(job, now, held=sorted(held - {op.value for op in operations}), quota_wait=None)
            return True

    @staticmethod
    def _url_expired(job: Job, now: datetime) -> bool:
        issued = job.data.get("url_at")
        return issued is None or now - datetime.fromisoformat(issued) > UPLOAD_URL_MAX_AGE


def _record(job: Job, now: datetime, **values: Any) -> None:
    """Merge *values* into the job's data (None removes a key)."""
    data = {**job.data, **values}
    job.data = {k: v for k, v in data.items() if v is not None}
    job.updated_at = now


def _snooze_for_quota(
    session: Session, job: Job, ready_at: datetime, now: datetime, operation: str
) -> None:
    job.next_run_at = ready_at
    if job.data.get("quota_wait") != operation:
        wait_s = (ready_at - now).total_seconds()
        append_log(
            session,
            job.id,
            now,
            f"Waiting {wait_s:.0f} s for {operation} quota (until {ready_at:%H:%M:%S} UTC)",
        )
        job.data = {**job.data, "quota_wait": operation}


def _queued(items: int) -> str:
    return f"{items} item(s) queued"


def _summary(job: Job) -> str:
    return f"{job.items_ok} item(s) confirmed, {job.items_failed} with an Amazon error"
