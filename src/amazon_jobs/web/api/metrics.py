"""``/metrics``: Prometheus text exposition (needs the bearer token, like the API).

amazon_jobs_jobs{type,status}                   jobs by type and status (gauge)
amazon_jobs_granted_total{account,operation}    calls our buckets granted (counter)
amazon_jobs_throttled_total{account,operation}  429 answers seen (counter)
amazon_jobs_queue_age_seconds                   how late the most overdue job is (gauge;
                                                a paused or disabled account's jobs wait
                                                by design and are left out)
amazon_jobs_accounts{status}                    accounts by state, deleted ones apart
                                                (gauge; paused: logins refused)
amazon_jobs_job_duration_seconds{type}          created -> finished, jobs finished in
                                                the last 24 h (summary: _sum, _count)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.store import metrics
from amazon_jobs.web.access import READ
from amazon_jobs.web.api.auth import require_token
from amazon_jobs.web.api.schemas.common import error
from amazon_jobs.web.deps import RuntimeDep

router = APIRouter(
    tags=["metrics"],
    dependencies=[Depends(require_token)],
    responses=error(401, "No valid API token"),
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_WINDOW = timedelta(hours=24)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Prometheus text format",
        }
    },
    dependencies=READ,
)
def read_metrics(rt: RuntimeDep) -> Response:
    """Job counts, quota use, queue age and job durations, for Prometheus to scrape."""
    now = rt.clock.now()
    with rt.db.read() as session:
        jobs = metrics.jobs_by_type_status(session)
        buckets = metrics.bucket_counters(session)
        oldest = metrics.oldest_due(session, now)
        durations = metrics.finished_durations(session, now - DURATION_WINDOW)
        states = metrics.accounts_by_status(session)
    age = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
    lines = [
        *_jobs(jobs),
        *_buckets(buckets),
        *_family("amazon_jobs_queue_age_seconds", "gauge", "Seconds the most overdue job waits"),
        f"amazon_jobs_queue_age_seconds {age}",
        *_durations(durations),
        *_family("amazon_jobs_accounts", "gauge", "Accounts by state (paused: logins refused)"),
        *(f"amazon_jobs_accounts{_labels(status=status)} {n}" for status, n in states.items()),
    ]
    return Response("\n".join(lines) + "\n", media_type=CONTENT_TYPE)


def _jobs(counts: Mapping[tuple[str, str], int]) -> Iterator[str]:
    yield from _family("amazon_jobs_jobs", "gauge", "Jobs by type and status")
    for job_type in JobType:
        for status in JobStatus:
            count = counts.get((job_type.value, status.value), 0)
            yield f"amazon_jobs_jobs{_labels(type=job_type, status=status)} {count}"


def _buckets(rows: Iterable[tuple[str, str, int, int]]) -> Iterator[str]:
    rows = list(rows)
    yield from _family("amazon_jobs_granted_total", "counter", "SP-API calls granted a token")
    for account, operation, granted, _ in rows:
        yield f"amazon_jobs_granted_total{_labels(account=account, operation=operation)} {granted}"
    yield from _family("amazon_jobs_throttled_total", "counter", "429 answers seen from Amazon")
    for account, operation, _, throttled in rows:
        labels = _labels(account=account, operation=operation)
        yield f"amazon_jobs_throttled_total{labels} {throttled}"


def _durations(durations: Mapping[str, tuple[float, int]]) -> Iterator[str]:
    name = "amazon_jobs_job_duration_seconds"
    yield from _family(name, "summary", "Seconds from creation to finish, last 24 h")
    for job_type in JobType:
        total, count = durations.get(job_type.value, (0.0, 0))
        yield f"{name}_sum{_labels(type=job_type)} {total}"
        yield f"{name}_count{_labels(type=job_type)} {count}"


def _family(name: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items()) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
