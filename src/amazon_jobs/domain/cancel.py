"""Whether a job can be canceled, and the words that say so: one rule for the CLI, the
REST API and the dashboard.

A reserved or created job is canceled at once, every item put back exactly as
it was. A listings job waiting for its result is canceled only while Amazon
still has the feed ``IN_QUEUE``: the cancel is a request (cancelFeed) that
Amazon confirms or not. Everything else cannot be canceled. The text says what
was and was not sent to Amazon: a Sending Products job may already have
searched the catalog while it is still cancelable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from amazon_jobs.domain.jobs import FEED_JOB_TYPES, USER_CANCELABLE, JobStatus, JobType

__all__ = ["CancelFacts", "CancelVerdict", "cancel_verdict"]

#: Amazon's processingStatus of a feed it can still cancel.
CANCELABLE_FEED_STATUS = "IN_QUEUE"
RESTORED = "every item goes back exactly as it was before the job"


@dataclass(frozen=True, slots=True)
class CancelFacts:
    """What the rule needs to know about a job."""

    status: JobStatus
    job_type: JobType
    #: Amazon's id of what the job submitted (feedId, reportId), and its last status.
    amazon_ref: str | None = None
    amazon_status: str | None = None
    cancel_requested: bool = False
    #: Amazon operations the job has already called, with how many calls each.
    calls: Mapping[str, int] = field(default_factory=dict)
    #: The job goes through the Listings Items API, one call per item.
    api_channel: bool = False


@dataclass(frozen=True, slots=True)
class CancelVerdict:
    """Whether a cancel is allowed, whether it takes effect at once, and why, in words."""

    allowed: bool
    #: True: canceled at once; False (when allowed): Amazon is asked and decides.
    at_once: bool
    #: What was and was not sent to Amazon and what a cancel does (or why it cannot).
    text: str


def cancel_verdict(facts: CancelFacts) -> CancelVerdict:
    """The one rule: may this job be canceled, and what does a cancel do?"""
    status = facts.status
    if status in USER_CANCELABLE:
        return CancelVerdict(
            True, True, f"{_sent_before_submitting(facts.calls)} Canceling: {RESTORED}."
        )
    if status.is_terminal:
        return CancelVerdict(
            False, False, f"The job is {status.label.lower()}: there is nothing to cancel."
        )
    if status is JobStatus.PROCESSING and facts.api_channel:
        return _calling(facts)
    if status is JobStatus.PROCESSING:
        return CancelVerdict(
            False, False, "The job is being sent to Amazon right now: it can no longer be canceled."
        )
    return _waiting(facts)


def _calling(facts: CancelFacts) -> CancelVerdict:
    """A job calling the Listings Items API stops before its next item."""
    if facts.cancel_requested:
        return CancelVerdict(
            False, False, "Cancel already requested: the job stops before its next call."
        )
    text = (
        "The job is sending its items to the Listings Items API one by one. Canceling stops "
        "it before the next item: items Amazon has already answered keep that answer; the "
        "others are not sent and go back exactly as they were."
    )
    return CancelVerdict(True, False, text)


def _waiting(facts: CancelFacts) -> CancelVerdict:
    if facts.api_channel:
        text = (
            "Every item has been answered by the Listings Items API: there is nothing left "
            "to cancel."
        )
        return CancelVerdict(False, False, text)
    ref = f" {facts.amazon_ref}" if facts.amazon_ref else ""
    if facts.job_type not in FEED_JOB_TYPES:
        text = f"Amazon is already working on what the job sent{ref}: it can no longer be canceled."
        return CancelVerdict(False, False, text)
    if facts.cancel_requested:
        text = f"Cancel already requested: Amazon is being asked to cancel feed{ref}."
        return CancelVerdict(False, False, text)
    seen = facts.amazon_status or "not known yet"
    if facts.amazon_status != CANCELABLE_FEED_STATUS:
        text = (
            f"The feed{ref} was sent to Amazon, which reports it {seen}: only a feed Amazon "
            f"still has {CANCELABLE_FEED_STATUS} can be canceled."
        )
        return CancelVerdict(False, False, text)
    text = (
        f"The feed{ref} was sent to Amazon, which still has it {CANCELABLE_FEED_STATUS}. "
        "Canceling asks Amazon to cancel it (cancelFeed): once Amazon confirms, the job is "
        f"canceled and {RESTORED}; if Amazon has started processing it meanwhile, the feed "
        "is applied as usual."
    )
    return CancelVerdict(True, False, text)


def _sent_before_submitting(calls: Mapping[str, int]) -> str:
    if not calls:
        return "Nothing has been sent to Amazon yet."
    asked = ", ".join(f"{op}: {n} call{'s' if n != 1 else ''}" for op, n in sorted(calls.items()))
    return (
        f"Amazon has only been asked to look things up ({asked}); "
        "nothing has been submitted to Amazon yet (no feed, offer, quantity or price)."
    )
