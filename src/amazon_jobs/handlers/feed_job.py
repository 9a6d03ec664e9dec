"""The life of a job that sends one JSON_LISTINGS_FEED.

    reserved ──assemble──► created ──tokens──► processing ──createFeed──► waiting_for_result
                                                                 poll getFeed ──► done / error

The step that finds a job ``reserved`` does not stop at ``created``: in one
transaction it enters ``created``, chooses the channel and, once every bucket the
feed needs has a token, enters ``processing``, builds the feed and takes
createFeedDocument's token; then it goes on to send the feed. A job that must wait
(for quota, or behind a stuck feed) waits in ``created``, cancelable.

Inside ``processing`` the job records each step before and after the call
that makes it (``data["phase"]``): ``built`` (messages numbered, values
read from the products), ``document`` (createFeedDocument answered),
``uploaded``, then createFeed. Every call takes its token right before it is
made. Subtypes say what a message changes
(:meth:`ListingsFeedJob.sent_values`, :meth:`patches`,
:meth:`confirmed_columns`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple

from sqlalchemy import ColumnElement, Row, bindparam, func, select
from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import SpApiClient
from amazon_jobs.domain.backoff import poll_interval
from amazon_jobs.domain.channels import (
    FASTER,
    FORCED,
    SETTING,
    Channel,
    choose,
    forced_channel_data,
)
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.listings import UPDATABLE_STATES, ListingState
from amazon_jobs.domain.policy import PriceSource, apply_price, apply_quantity
from amazon_jobs.errors import (
    AmazonClientError,
    AmazonDocumentError,
    AmazonError,
    SelectionError,
)
from amazon_jobs.feeds import listings_feed
from amazon_jobs.feeds.processing_report import ProcessingReport, parse_processing_report
from amazon_jobs.handlers.api_channel import API_OPERATIONS, call_items, finish_calls
from amazon_jobs.handlers.feed_result import (
    apply_report,
    release_items,
    rollback_items,
    settle_failed_early,
)
from amazon_jobs.handlers.intents import (
    SKEW,
    Created,
    adoptable,
    answered,
    close_intent,
    may_reconcile,
)
from amazon_jobs.handlers.reservation import Reservation, Selection, reserve
from amazon_jobs.handlers.steps import StepHandler, record
from amazon_jobs.handlers.verify import verify
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.available import Targets, held_back, targets_for
from amazon_jobs.store.bulk import json_text, loads_many, paused_gc, update_rows
from amazon_jobs.store.channels import channel_estimate, channel_of
from amazon_jobs.store.documents import save_document
from amazon_jobs.store.jobs import append_log, lock_job, move
from amazon_jobs.store.models import Account, Job, JobItem, Listing, Product
from amazon_jobs.store.policies import StoredPolicy, load_policy
from amazon_jobs.store.prepared import Prepared, constants
from amazon_jobs.testing import checkpoint

__all__ = ["Build", "ListingsFeedJob", "ShopValues", "Started"]

SUBMIT_OPERATIONS = (
    Operation.CREATE_FEED_DOCUMENT,
    Operation.CREATE_FEED,
    Operation.JSON_LISTINGS_FEED,
)
#: A presigned upload URL lives 5 minutes; past this age a new document is made.
CREATE_FEED = Operation.CREATE_FEED.value
UPLOAD_URL_MAX_AGE = timedelta(minutes=4)
#: Feed statuses after which Amazon changes nothing.
GONE = frozenset({"FATAL", "CANCELLED"})


@dataclass(frozen=True, slots=True)
class ShopValues:
    """What a feed message reads of a product when the feed is built: the shop's
    values, the units held back (sold on Amazon, not yet in the shop) and the
    values to send after the account's selling policy."""

    #: To send: available to sell after the policy.
    quantity: int
    #: To send: after the policy.
    price: Decimal
    shop_quantity: int
    held_back: int
    #: The shop price the policy started from (tax excluded or included).
    shop_price: Decimal
    #: Whether the account has a selling policy.
    policy: bool

    def quantity_trace(self) -> dict[str, Any]:
        """The quantity sent and, when it is not simply the shop's stock, where it came
        from (for the item's ``sent`` values: shop value -> policy -> sent value)."""
        if not (self.held_back or self.policy):
            return {"quantity": self.quantity}
        trace: dict[str, Any] = {"shop_quantity": self.shop_quantity}
        if self.held_back:
            trace["held_back"] = self.held_back
        if self.policy:
            trace["policy"] = True
        return {**trace, "quantity": self.quantity}

    def price_trace(self) -> dict[str, Any]:
        """The price sent and, under a policy, the shop price it came from."""
        if not self.policy:
            return {"price": str(self.price)}
        return {"shop_price": str(self.shop_price), "policy": True, "price": str(self.price)}


class Built(NamedTuple):
    """One message of a feed as the build recorded it on its item."""

    message_id: int
    sku: str
    sent: dict[str, Any]


class Build(NamedTuple):
    """A feed as built: how many messages, whether createFeedDocument's token was taken
    with it, and the messages."""

    messages: int
    taken: bool
    built: list[Built]


@dataclass(frozen=True, slots=True)
class Started:
    """A job as it entered ``processing`` in this step, and its feed if built with it."""

    job: Job
    build: Build | None = None


class ListingsFeedJob(StepHandler, ABC):
    """Base of every job type that sends one JSON listings feed."""

    job_type: ClassVar[JobType]
    eligible: ClassVar[frozenset[ListingState]] = UPDATABLE_STATES

    # What a subtype defines

    def changed(self, targets: Targets) -> ColumnElement[bool] | None:
        """SQL: the value to send (the account's *targets*) differs from the one Amazon
        confirmed (None: not applicable)."""
        return None

    @abstractmethod
    def requested(self, row: Row[Any]) -> dict[str, Any]:
        """The change asked for at reservation, from the product's values."""

    @abstractmethod
    def sent_values(self, product: ShopValues, requested: dict[str, Any]) -> dict[str, Any]:
        """The values to send, read from the product at the moment of sending."""

    def patches(self, sent: dict[str, Any], account: Account) -> list[dict[str, Any]]:
        """The JSON patches that send *sent* (for PATCH messages)."""
        return []

    def message(
        self, number: int, sku: str, sent: dict[str, Any], account: Account
    ) -> dict[str, Any]:
        """The feed message for one item; a PATCH of :meth:`patches` unless overridden."""
        return listings_feed.patch_message(number, sku, self.patches(sent, account))

    @abstractmethod
    def confirmed_columns(self, sent: dict[str, Any]) -> dict[str, Any]:
        """Listing columns to set once Amazon accepted *sent*."""

    def sending_columns(self) -> dict[str, Any]:
        """Listing columns to set when the feed is built (e.g. state pending)."""
        return {}

    def error_columns(self, text: str) -> dict[str, Any]:
        """Listing columns to set when Amazon refused the item, or the job failed."""
        return {"last_error": text}

    # Creating

    def reserve(
        self,
        rt: Runtime,
        account_id: int,
        selection: Selection,
        priority: int | None = None,
        parent_id: int | None = None,
        channel: Channel | None = None,
    ) -> Reservation:
        """Reserve the selected listings in new jobs; *channel* forces the way they go
        to Amazon (None or auto: the account's setting decides)."""
        if selection.changed and self.changed(Targets(account_id)) is None:
            raise SelectionError(f"--changed does not apply to {self.job_type.label} jobs")
        with rt.db.transaction() as session:
            targets = targets_for(session, account_id)
            changed = self.changed(targets)
            return reserve(
                session,
                account_id=account_id,
                job_type=self.job_type,
                selection=selection,
                eligible=self.eligible,
                changed=changed,
                refreshed=targets.changed_since_listing(),
                requested=self.requested,
                max_items=rt.settings.feed_max_messages,
                now=rt.clock.now(),
                priority=priority,
                parent_id=parent_id,
                data=forced_channel_data(channel),
            )

    def api_operation(self) -> Operation:
        """The Listings Items operation that sends one item on the API channel."""
        return Operation.PATCH_LISTINGS_ITEM

    # Stepping

    def step(self, rt: Runtime, job_id: int) -> None:
        job, account = self.load(rt, job_id)
        status = JobStatus(job.status)
        api = channel_of(job.data) is Channel.API
        if status is JobStatus.RESERVED:
            self._go_on(rt, self._assemble(rt, job, account), account)
        elif status is JobStatus.CREATED:
            self._go_on(rt, self._created(rt, job_id, account), account)
        elif status is JobStatus.PROCESSING:
            if api:
                call_items(self, rt, job, account)
            else:
                self._submit(rt, job, account)
        elif status is JobStatus.WAITING_FOR_RESULT:
            if api:
                finish_calls(rt, job_id)
            else:
                self._follow(rt, job, account)
        elif status is JobStatus.DONE:  # due again: verify what Amazon shows
            verify(rt, job_id)

    def _go_on(self, rt: Runtime, started: Started | None, account: Account) -> None:
        """Go on, in the same step, with a job that has just entered ``processing``."""
        if started is None:
            return
        if channel_of(started.job.data) is Channel.API:
            call_items(self, rt, started.job, account)
        else:
            self._submit(rt, started.job, account, started.build)

    def _created(
        self, rt: Runtime, job_id: int, account: Account, assembled: str | None = None
    ) -> Started | None:
        """In ``created``: choose the channel, then enter ``processing`` on it once quota
        allows, and on the feed channel build the feed and take createFeedDocument's
        token, all in one transaction. With *assembled* (the log line of
        ``reserved -> created``), a job still ``reserved`` enters ``created`` first, in
        the same transaction. Returns the job as it entered processing, with the feed
        built (None while it waits: in ``created``, where it can still be canceled)."""
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if assembled is not None and job.status == JobStatus.RESERVED:
                move(session, job, JobStatus.CREATED, rt.clock.now(), assembled)
            if job.status != JobStatus.CREATED:
                return None
            if self._choose(rt, session, job) is Channel.API:
                message = "calling the Listings Items API, item by item"
                started = self.start_locked(rt, session, job, [self.api_operation()], message)
                return Started(job) if started else None
            if not self.start_locked(
                rt,
                session,
                job,
                SUBMIT_OPERATIONS,
                "building and sending the feed",
                blocked=self._behind_stuck_feed,
            ):
                return None
            build = self._build_locked(rt, session, job, account, [Operation.CREATE_FEED_DOCUMENT])
            return Started(job, build)

    def _choose(self, rt: Runtime, session: Session, job: Job) -> Channel:
        """The job's channel, chosen again at each step in ``created`` (the buckets and
        the work ahead change while it waits): forced, the account's, or the faster by
        the estimate. The estimate is kept on the job; a new choice is logged."""
        job_id = job.id
        now = rt.clock.now()
        forced = job.data.get("channel_forced")
        est = channel_estimate(
            session,
            rt.throttle,
            job,
            self.api_operation(),
            now,
            feed_turnaround_s=rt.settings.feed_turnaround_s,
            api_call_s=rt.settings.api_call_s,
        )
        setting = _CHANNEL_SETTING.scalar(session, {"account_id": job.account_id})
        setting = setting or rt.settings.channel.value
        channel, why = choose(Channel(setting), Channel(forced) if forced else None, est)
        previous = job.data.get("channel")
        record(job, now, channel=channel.value, channel_why=why, channel_estimate=est.as_data())
        if previous != channel.value:
            change = f" (was {Channel(previous).label})" if previous else ""
            append_log(
                session,
                job_id,
                now,
                f"Channel: {channel.label}{change}, {_WHY[why]}; estimate for {est.describe()}",
            )
        return channel

    def _assemble(self, rt: Runtime, job: Job, account: Account) -> Started | None:
        """reserved -> created (subtypes may first complete the items), and on at once as
        from ``created``, in the same transaction (see :meth:`_created`); straight to
        done when every item has already failed, so nothing is sent and no quota spent."""
        if job.items_total - job.items_failed <= 0:
            self.nothing_to_send(rt, job.id)
            return None
        queued = f"{job.items_total - job.items_failed} item(s) queued"
        return self._created(rt, job.id, account, assembled=queued)

    def nothing_to_send(self, rt: Runtime, job_id: int) -> None:
        """End a job none of whose items is left to send, without calling Amazon.

        Done with its items' errors (their listings released at once with them),
        or canceled when it never had an item to try. A feed without messages is
        against Amazon's schema and would cost a createFeed token for nothing.
        """
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if JobStatus(job.status) not in (JobStatus.RESERVED, JobStatus.PROCESSING):
                return
            if job.status == JobStatus.RESERVED and job.items_failed == 0:
                self.cancel(session, job, now, "nothing to send: the job has no item left")
                return
            self.release(session, job, now, "not sent: nothing was left to send with it")
            close_intent(job)
            move(
                session,
                job,
                JobStatus.DONE,
                now,
                f"nothing left to send: {_summary(job)}; no feed was sent to Amazon",
            )

    def _behind_stuck_feed(self, rt: Runtime, session: Session, job: Job, now: datetime) -> bool:
        """Whether the job must wait for a stuck feed of its account (the wait is logged)."""
        stuck = _STUCK.scalar(session, {"account_id": job.account_id})
        if stuck is None:
            return False
        job.next_run_at = now + timedelta(seconds=rt.settings.poll_max_s)
        if job.data.get("behind") != stuck:
            append_log(
                session,
                job.id,
                now,
                f"Waiting: feed of job {stuck} is stuck at Amazon, which processes an "
                "account's listings feeds one after another",
                level="warning",
            )
            record(job, now, behind=stuck)
        return True

    def _submit(self, rt: Runtime, job: Job, account: Account, build: Build | None = None) -> None:
        """Go through the phases of ``processing`` from the one *job* (as read at the
        start of the step, or as it entered processing with its *build*) is in."""
        job_id = job.id
        client = self.client(rt, job_id, account)
        phase = job.data.get("phase")
        document_id, url = job.input_document_id, job.data.get("url") or ""
        taken = False  # createFeedDocument's token, taken with the build
        built: Sequence[Built] | None = None  # the messages, when built in this step
        if phase is None or build is not None:
            if build is None:
                build = self._build(rt, job_id, account, [Operation.CREATE_FEED_DOCUMENT])
            messages, taken, built = build
            checkpoint("feed:built")
            phase = "built"
            if messages and not taken:
                return  # waiting for quota, built
        elif phase == "built":
            messages = self._message_count(rt, job_id)
        if phase == "built" and not messages:
            self.nothing_to_send(rt, job_id)
            return
        if phase == "document" and self._url_expired(job, rt.clock.now()):
            phase = "built"
        if phase == "built":
            if not (taken or self.spend(rt, job_id, [Operation.CREATE_FEED_DOCUMENT])):
                return
            document_id, url = self._create_document(client)
            new_document = Document(document_id, url, rt.clock.now())
            checkpoint("feed:document")
            phase = "document"
        else:
            new_document = None
        uploaded = None
        if phase == "document":
            uploaded = self._upload(rt, job_id, url, account, client, new_document, built)
            checkpoint("feed:uploaded")
            phase = "uploaded"
        if phase == "uploaded":
            # An intent can only be open if the step started in this phase.
            upload = None if uploaded is None else Uploaded(uploaded, new_document)
            self._send(rt, job, document_id or "", account, client, upload)

    def _send(
        self,
        rt: Runtime,
        job: Job,
        document_id: str,
        account: Account,
        client: SpApiClient,
        uploaded: Uploaded | None = None,
    ) -> None:
        """createFeed, exactly once: an earlier attempt's intent is reconciled first.

        *uploaded*: the feed this step has just uploaded (and the document it made for
        it), recorded in the transaction that takes createFeed's tokens: one
        transaction, not three. A kill before it costs a new createFeedDocument and
        upload, never a second createFeed."""
        job_id = job.id
        if job.intent_op == CREATE_FEED and self._recovered(rt, job, client):
            return
        operations = [Operation.CREATE_FEED, Operation.JSON_LISTINGS_FEED]
        with rt.db.transaction() as session:
            locked = lock_job(session, job_id)
            if uploaded is not None:
                if uploaded.document is not None:
                    uploaded.document.record(locked)
                self._uploaded(rt, session, locked, uploaded.payload)
            taken_at = self.spend_locked(rt, session, locked, operations, intent=CREATE_FEED)
        if taken_at is None:
            return
        checkpoint("feed:intent")
        try:
            feed_id = client.create_feed(
                listings_feed.FEED_TYPE, [account.marketplace_id], document_id
            )
        except AmazonClientError:
            with rt.db.transaction() as session:
                close_intent(lock_job(session, job_id, fenced=False))
                rt.throttle.settle(session, account.id, operations, taken_at, rt.clock.now())
            raise
        except AmazonError as error:
            answered(rt, job_id, error)
            raise
        checkpoint("feed:created")
        with rt.db.transaction() as session:
            # the job first, then its buckets, as in spend; Amazon's answer is recorded
            # even if the lease has passed to another worker meanwhile
            job = lock_job(session, job_id, fenced=False)
            rt.throttle.settle(session, account.id, operations, taken_at, rt.clock.now())
            self._submitted(session, job, feed_id, rt)
        checkpoint("feed:submitted")

    def _recovered(self, rt: Runtime, job: Job, client: SpApiClient) -> bool:
        """Whether the feed of an interrupted createFeed exists: then adopt it.
        True also while the step cannot go on (waiting for the call or for quota)."""
        if not may_reconcile(rt, job.id, CREATE_FEED):
            return True
        if not self.spend(rt, job.id, [Operation.GET_FEEDS]):
            return True  # waiting for quota: try again later
        assert job.intent_at is not None
        feeds, token = client.get_feeds([listings_feed.FEED_TYPE], job.intent_at - SKEW)
        while token:
            page, token = client.get_feeds([], job.intent_at, token)
            feeds.extend(page)
        with rt.db.transaction() as session:
            job = lock_job(session, job.id)
            if job.intent_op != CREATE_FEED:  # settled by another step meanwhile
                return True
            found = adoptable(
                session, job, [Created(f.feed_id, f.created_time) for f in feeds], rt.clock.now()
            )
            close_intent(job)
            if found is None:
                return False
            self._submitted(session, job, found.ref, rt)
            return True

    def _follow(self, rt: Runtime, job: Job, account: Account) -> None:
        job_id = job.id
        client = self.client(rt, job_id, account)
        result_document_id = job.result_document_id
        if job.data.get("phase") == "submitted":
            if job.cancel_requested_at is not None:
                self._ask_amazon_to_cancel(rt, job, client)
                return
            if not self.spend(rt, job_id, [Operation.GET_FEED]):
                return
            finished, result_document_id, taken = self._poll(rt, job, client)
            if not finished:
                return
            checkpoint("feed:result")
            if result_document_id and not taken:
                return  # waiting for getFeedDocument's quota
        else:
            taken = False
        report = None
        if result_document_id:
            if not (taken or self.spend(rt, job_id, [Operation.GET_FEED_DOCUMENT])):
                return
            report = self._download(rt, job, result_document_id, client)
            checkpoint("feed:downloaded")
        self._finish(rt, job_id, report)

    def _ask_amazon_to_cancel(self, rt: Runtime, job: Job, client: SpApiClient) -> None:
        """cancelFeed: Amazon agrees only while the feed is IN_QUEUE."""
        if not self.spend(rt, job.id, [Operation.CANCEL_FEED]):
            return
        assert job.amazon_ref is not None
        try:
            client.cancel_feed(job.amazon_ref)
        except AmazonClientError as refused:
            with rt.db.transaction() as session:
                job = lock_job(session, job.id)
                job.cancel_requested_at = None
                job.next_run_at = rt.clock.now()
                # if an earlier cancelFeed did get through, a CANCELLED feed is the seller's
                record(job, rt.clock.now(), cancel_refused=True)
                append_log(
                    session,
                    job.id,
                    rt.clock.now(),
                    f"Too late to cancel: Amazon refused ({refused.message}); the feed is "
                    "being processed and the job goes on",
                    level="warning",
                )
            return
        with rt.db.transaction() as session:
            job = lock_job(session, job.id)
            job.amazon_status = "CANCELLED"
            self.cancel(session, job, rt.clock.now(), f"Amazon cancelled feed {job.amazon_ref}")

    # Processing, one recorded phase at a time

    def _message_count(self, rt: Runtime, job_id: int) -> int:
        """How many messages the built feed has (items numbered and still pending)."""
        with rt.db.read() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(JobItem)
                    .where(
                        JobItem.job_id == job_id,
                        JobItem.message_id.is_not(None),
                        JobItem.outcome == "pending",
                    )
                )
                or 0
            )

    def build(self, rt: Runtime, job_id: int, account: Account) -> int:
        """Number the messages and read each product's values as they are now, after the
        units held back and the account's selling policy; returns how many there are."""
        return self._build(rt, job_id, account, ())[0]

    def _build(
        self, rt: Runtime, job_id: int, account: Account, take: Sequence[Operation]
    ) -> Build:
        """:meth:`build`, and in the same transaction, if there is a message to send, the
        tokens of *take* for the first call (see :meth:`_build_locked`)."""
        with rt.db.transaction() as session:
            return self._build_locked(rt, session, lock_job(session, job_id), account, take)

    def _build_locked(
        self, rt: Runtime, session: Session, job: Job, account: Account, take: Sequence[Operation]
    ) -> Build:
        """:meth:`build` of a job locked in *session*, and if there is a message to send,
        the tokens of *take* for the first call (whether they were taken: if not, the
        job waits for them, built); and the messages' numbers, SKUs and values as
        recorded, for the feed document (which this step then builds without reading
        them back)."""
        job_id = job.id
        rows = _TO_BUILD.named(session, {"job_id": job_id})
        requested = loads_many([row[2] for row in rows])
        stored = load_policy(session, account.id)
        held = held_back(session, account.id, [row.sku for row in rows])
        values = [
            {
                "id": row.id,
                "message_id": number,
                "sent": self.sent_values(_shop_values(row, held, stored), asked),
            }
            for number, (row, asked) in enumerate(zip(rows, requested, strict=True), start=1)
        ]
        update_rows(session, JobItem, values)
        if columns := self.sending_columns():
            listings = [{"id": row.listing_id, **columns} for row in rows]
            update_rows(session, Listing, listings, where={"locked_by_job_id": job_id})
        record(job, rt.clock.now(), phase="built")
        built = (
            f"Values read: {len(values)} item(s) to send to the Listings Items API"
            if channel_of(job.data) is Channel.API
            else f"Feed built: {len(values)} message(s)"
        )
        append_log(session, job_id, rt.clock.now(), f"{built} for seller {account.seller_id}")
        taken = bool(values and take) and self.spend_locked(rt, session, job, take) is not None
        messages = [
            Built(value["message_id"], row.ref, value["sent"])
            for row, value in zip(rows, values, strict=True)
        ]
        return Build(len(values), taken, messages)

    def _create_document(self, client: SpApiClient) -> tuple[str, str]:
        """createFeedDocument; returns the document's id and upload URL (recorded with
        the upload, see :meth:`_send`)."""
        upload = client.create_feed_document(listings_feed.CONTENT_TYPE)
        return upload.document_id, upload.url

    def _upload(
        self,
        rt: Runtime,
        job_id: int,
        url: str,
        account: Account,
        client: SpApiClient,
        document: Document | None,
        built: Sequence[Built] | None = None,
    ) -> bytes:
        """Upload the feed (of the messages *built* in this step, if given); what was
        uploaded is recorded by :meth:`_send`. If the upload fails, the *document* made
        for it in this step is recorded first, so the retry uploads to the same URL
        instead of asking for a new one."""
        payload = self.feed_document(rt, job_id, account, built)
        try:
            client.upload_document(url, payload, listings_feed.CONTENT_TYPE)
        except AmazonError:
            if document is not None:
                with rt.db.transaction() as session:
                    document.record(lock_job(session, job_id))
            raise
        return payload

    def _uploaded(self, rt: Runtime, session: Session, job: Job, payload: bytes) -> None:
        """Record the upload of *payload* on the locked *job* (and keep the feed)."""
        now = rt.clock.now()
        record(job, now, phase="uploaded", url=None)
        append_log(session, job.id, now, f"Feed uploaded ({len(payload)} bytes)")
        save_document(session, job.id, "feed", listings_feed.CONTENT_TYPE, payload, now)

    def _submitted(self, session: Session, job: Job, feed_id: str, rt: Runtime) -> None:
        """Amazon has the feed: store its id and wait for the result."""
        now = rt.clock.now()
        close_intent(job)
        job.amazon_ref = feed_id
        job.amazon_status = "IN_QUEUE"
        record(job, now, phase="submitted")
        move(
            session,
            job,
            JobStatus.WAITING_FOR_RESULT,
            now,
            f"Amazon accepted feed {feed_id}",
            next_run_at=now + timedelta(seconds=rt.settings.poll_first_s),
        )

    def feed_document(
        self, rt: Runtime, job_id: int, account: Account, built: Sequence[Built] | None = None
    ) -> bytes:
        """The feed as sent: built from the values recorded on the items (read, unless
        *built* holds them as :meth:`_build` recorded them)."""
        with paused_gc():
            return self._feed_document(rt, job_id, account, built)

    def _feed_document(
        self, rt: Runtime, job_id: int, account: Account, built: Sequence[Built] | None
    ) -> bytes:
        if built is None:
            with rt.db.read() as session:
                rows = _BUILT.rows(session, {"job_id": job_id})
            sent = loads_many([row[2] for row in rows])
            built = [
                Built(number or 0, ref, values)
                for (number, ref, _), values in zip(rows, sent, strict=True)
            ]
        messages = (self.message(b.message_id, b.sku, b.sent, account) for b in built)
        return listings_feed.build_feed(account.seller_id, messages)

    # Waiting for the result

    def _poll(self, rt: Runtime, job: Job, client: SpApiClient) -> tuple[bool, str | None, bool]:
        """Ask Amazon about the feed: whether it has finished, its result document, and
        whether the token to download it was taken with the record of the answer."""
        job_id = job.id
        assert job.amazon_ref is not None
        feed = client.get_feed(job.amazon_ref)
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status != JobStatus.WAITING_FOR_RESULT:
                return False, None, False
            if feed.processing_status != job.amazon_status:
                append_log(session, job_id, now, f"Amazon: feed {feed.processing_status}")
            job.amazon_status = feed.processing_status
            job.polls += 1
            job.updated_at = now
            if feed.processing_status in ("IN_QUEUE", "IN_PROGRESS"):
                wait = poll_interval(job.polls, rt.settings.poll_first_s, rt.settings.poll_max_s)
                job.next_run_at = now + timedelta(seconds=wait)
                return False, None, False
            if feed.processing_status == "CANCELLED":
                if job.cancel_requested_at is not None or job.data.get("cancel_refused"):
                    self.cancel(session, job, now, "Amazon reports the feed CANCELLED")
                else:  # Amazon cancelled it on its own: the seller asked for nothing
                    self.fail(
                        session,
                        job,
                        now,
                        f"Amazon cancelled feed {job.amazon_ref} without processing it: "
                        "nothing was changed on Amazon; send the products again",
                    )
                return False, None, False
            job.result_document_id = feed.result_document_id
            # how long Amazon took, for the channel estimate (our polls not included)
            ended = feed.processing_end_time
            took = None if ended is None or job.submitted_at is None else ended - job.submitted_at
            turnaround = None if took is None else max(0.0, took.total_seconds())
            record(job, now, phase="result", turnaround_s=turnaround)
            document = feed.result_document_id
            download = [Operation.GET_FEED_DOCUMENT]
            taken = bool(document) and self.spend_locked(rt, session, job, download) is not None
            return True, document, taken

    def _download(self, rt: Runtime, job: Job, document_id: str, client: SpApiClient) -> Downloaded:
        """The processing report; one that cannot be read is kept for inspection.

        A report Amazon names but cannot find (404) is a document error, retried
        like a broken download before the job gives up.
        """
        job_id = job.id
        try:
            location = client.get_feed_document(document_id)
        except AmazonClientError as exc:
            if exc.status != 404:
                raise
            raise AmazonDocumentError(
                f"the processing report of feed {job.amazon_ref} is missing at Amazon "
                f"(HTTP 404 for document {document_id})",
                operation=exc.operation,
                status=exc.status,
                request_id=exc.request_id,
                code=exc.code,
            ) from None
        content, charset = client.download(location)
        try:
            report = parse_processing_report(content, charset)
        except Exception:
            downloaded = Downloaded(content, charset, None)
            with rt.db.transaction() as session:
                downloaded.save(session, job_id, rt.clock.now())
            raise
        return Downloaded(content, charset, report)

    def _finish(self, rt: Runtime, job_id: int, result: Downloaded | None) -> None:
        """Keep the processing report and apply it to the items, in one transaction."""
        now = rt.clock.now()
        report = result.report if result else None
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status != JobStatus.WAITING_FOR_RESULT:
                return
            if result is not None:
                result.save(session, job_id, now)
            if job.amazon_status == "FATAL":
                issues = "; ".join(i.describe() for i in report.feed_errors) if report else ""
                reason = "Amazon aborted the feed (FATAL)" + (f": {issues}" if issues else "")
                self.fail(session, job, now, reason)
            elif report is None:
                self.fail(
                    session,
                    job,
                    now,
                    f"Amazon finished feed {job.amazon_ref} ({job.amazon_status}) without a "
                    "processing report",
                )
            else:
                apply_report(session, job, report, self.confirmed_columns, self.error_columns, now)
                checkpoint("feed:applying")  # inside the transaction: a kill rolls it back
                move(session, job, JobStatus.DONE, now, _summary(job))

    # Cancel and failure

    def rollback(self, session: Session, job: Job) -> None:
        rollback_items(session, job.id)
        job.items_ok = job.items_failed = 0

    def fail(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        """End the job in error; once Amazon has the feed and may apply it, say so."""
        if (
            job.status == JobStatus.WAITING_FOR_RESULT
            and job.amazon_ref is not None
            and job.amazon_status not in GONE
        ):
            reason = (
                f"{reason}. Amazon had accepted feed {job.amazon_ref}, so its changes may "
                "be applied anyway: check the listings on Amazon (an Inventory Report "
                "shows them) before sending again"
            )
        super().fail(session, job, now, reason)

    def release(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        if job.intent_op in API_OPERATIONS:  # the item of an unsettled call: say so
            reason = (
                f"{reason}. Its last {job.intent_op} call may have reached Amazon: check "
                "that item's listing on Amazon before sending it again"
            )
        settle_failed_early(session, job.id, self.error_columns, now)
        job.items_failed += release_items(session, job.id, reason, self.error_columns(reason))

    # Helpers

    @staticmethod
    def _url_expired(job: Job, now: datetime) -> bool:
        issued = job.data.get("url_at")
        return issued is None or now - datetime.fromisoformat(issued) > UPLOAD_URL_MAX_AGE


@dataclass(frozen=True, slots=True)
class Document:
    """A feed document made by createFeedDocument in this step, not yet recorded."""

    document_id: str
    url: str
    at: datetime

    def record(self, job: Job) -> None:
        """Keep it on the locked *job* (phase ``document``: the upload goes to *url*)."""
        job.input_document_id = self.document_id
        record(job, self.at, phase="document", url=self.url, url_at=self.at.isoformat())


@dataclass(frozen=True, slots=True)
class Uploaded:
    """The feed this step uploaded, and the document it made for it (None: made by an
    earlier step, and recorded then)."""

    payload: bytes
    document: Document | None


@dataclass(frozen=True)
class Downloaded:
    """A processing report as Amazon sent it, and as read."""

    content: bytes
    charset: str | None
    report: ProcessingReport | None

    def save(self, session: Session, job_id: int, now: datetime) -> None:
        content_type = f"application/json; charset={self.charset or 'utf-8'}"
        save_document(session, job_id, "result", content_type, self.content, now)


def _shop_values(row: Any, held: dict[str, int], stored: StoredPolicy) -> ShopValues:
    """A product's values at sending (*row*: one of ``_TO_BUILD``'s): shop, held back,
    and after the policy."""
    policy = stored.policy
    held_units = held.get(row.sku, 0)
    incl = row.price_tax_incl
    shop_price = row.price
    if policy.price_source is PriceSource.TAX_INCL and incl is not None:
        shop_price = incl
    return ShopValues(
        quantity=apply_quantity(row.quantity, held_units, policy),
        price=apply_price(row.price, incl, policy),
        shop_quantity=row.quantity,
        held_back=held_units,
        shop_price=Decimal(shop_price),
        policy=stored.is_set,
    )


# The queries of every feed job's steps, prepared once (see amazon_jobs.store.prepared).
_JOB_ID = bindparam("job_id", type_=JobItem.job_id.type)
_ACCOUNT_ID = bindparam("account_id", type_=Job.account_id.type)
#: The pending items with their products' values, for :meth:`ListingsFeedJob._build`.
_TO_BUILD = Prepared(
    select(
        JobItem.id,
        JobItem.listing_id,
        json_text(JobItem.requested),
        JobItem.ref,
        Product.sku,
        Product.quantity,
        Product.price,
        Product.price_tax_incl,
    )
    .join(Listing, Listing.id == JobItem.listing_id)
    .join(Product, Product.id == Listing.product_id)
    .where(JobItem.job_id == _JOB_ID, JobItem.outcome == "pending")
    .order_by(JobItem.id)
)
#: The values the items were built with, for the feed document.
_BUILT = Prepared(
    select(JobItem.message_id, JobItem.ref, json_text(JobItem.sent))
    .where(JobItem.job_id == _JOB_ID, JobItem.message_id.is_not(None))
    .order_by(JobItem.message_id)
)
#: A listings feed of the account that is stuck at Amazon, if any.
_STUCK = Prepared(
    select(Job.id).where(
        Job.account_id == _ACCOUNT_ID,
        Job.status == JobStatus.WAITING_FOR_RESULT.value,
        Job.stuck_at.is_not(None),
        Job.type.in_(constants((t.value for t in FEED_JOB_TYPES), Job.type.type)),
    )
)
_CHANNEL_SETTING = Prepared(select(Account.channel).where(Account.id == _ACCOUNT_ID))

_WHY = {
    FORCED: "forced for this job",
    SETTING: "the account's setting",
    FASTER: "the faster now",
}


def _summary(job: Job) -> str:
    return f"{job.items_ok} item(s) confirmed, {job.items_failed} with an Amazon error"
