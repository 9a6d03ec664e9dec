"""Token buckets kept in the database, so every worker draws from the same ones.

A token is taken *before* a request is sent. Taking tokens from several
buckets (say createFeedDocument, createFeed and the JSON_LISTINGS_FEED cap)
is all-or-nothing inside the caller's transaction: the rows are locked
(``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises
writers), so two workers can never spend the same token.

Amazon meters two levels (``domain.limits``): each selling partner-application
pair, which is one of our accounts (``throttle_buckets``, per account and
operation), and, for some operations, the application as a whole, which is
every account of this installation with the same LWA client id
(``application_buckets``, per client id and operation). A call of such an
operation takes a token at both levels or at neither. Rows are always locked
in one order, the account's then the application's, each by operation, so two
workers never wait for each other in a circle.

When an application's bucket runs dry, the jobs of its accounts wait **in line**: a
job that has to wait for it is given a turn, one refill after the last turn given
(``application_buckets.line_until``), and a job that comes later queues behind it. At
its turn the job takes the token that has just refilled, without competing: on a
crowded application every job waits once per call instead of waking with all the
others at each token and all but one going back to sleep. The line only ever makes a
job wait longer than the bucket alone would, so no call leaves earlier than Amazon's
bucket allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from amazon_jobs.domain import buckets
from amazon_jobs.domain.limits import Limit, Operation
from amazon_jobs.store.models import Account, ApplicationBucket, ThrottleBucket
from amazon_jobs.store.prepared import Prepared, binds

__all__ = [
    "THROTTLED_PREFIX",
    "BucketView",
    "QuotaWait",
    "Throttle",
    "announced_rate",
    "split_minutes",
]

#: Keys of ``ThrottleBucket.minutes`` that count 429s rather than grants: ``"t<minute>"``.
THROTTLED_PREFIX = "t"

#: A rate announced by Amazon replaces ours only if it differs by more than this
#: fraction: Amazon rounds its header to 4 decimals ("0.0167" for 1/60 s), and
#: taking the rounded value literally would make us slightly too fast.
RATE_TOLERANCE = 0.02


@dataclass(slots=True, eq=False)
class LockedRow:
    """A bucket's row locked for the caller's transaction (or, from a read-only look,
    as it was read), as plain values: read and written with prepared statements (a
    worker takes tokens for nearly every call it makes; ORM rows cost a load and a
    unit-of-work flush each time)."""

    level: _Level
    #: The account's id (pair level) or the LWA client id (application level).
    key: int | str
    operation: str
    tokens: float
    updated_at: datetime
    rate: float
    grants: list[float]
    granted: int
    throttled: int
    minutes: dict[str, int]
    #: The application's line (application level only; see :meth:`Throttle.acquire`).
    line_until: datetime | None = None

    def save(self, session: Session) -> None:
        """Write the row back (in the transaction that locked it)."""
        self.level.save(session, [self])


class _Level:
    """One level's bucket table and its statements, built once."""

    COLUMNS = ("tokens", "updated_at", "rate", "grants", "granted", "throttled", "minutes")

    def __init__(self, table: Table, key: str, extra: Sequence[str] = ()) -> None:
        self.table = table
        self.key = key
        #: The columns read and written, in :class:`LockedRow`'s order.
        self.columns = (*self.COLUMNS, *extra)
        #: The reads, by (number of operations, locked): an IN list of fixed length
        #: can be prepared (see :mod:`amazon_jobs.store.prepared`).
        self._reads: dict[tuple[int, bool], Prepared] = {}
        self.write = Prepared(
            update(table)
            .where(
                table.c[key] == bindparam("b_key", type_=table.c[key].type),
                table.c.operation == bindparam("b_op", type_=table.c.operation.type),
            )
            .values(binds(table, self.columns, "v_"))
        )

    def _read(self, count: int, locked: bool) -> Prepared:
        read = self._reads.get((count, locked))
        if read is None:
            table = self.table
            columns = [table.c[self.key], table.c.operation, *(table.c[c] for c in self.columns)]
            operations = [bindparam(f"op_{n}", type_=table.c.operation.type) for n in range(count)]
            query = (
                select(*columns)
                .where(
                    table.c[self.key] == bindparam("key", type_=table.c[self.key].type),
                    table.c.operation.in_(operations),
                )
                .order_by(table.c.operation)
            )
            read = self._reads[(count, locked)] = Prepared(
                query.with_for_update() if locked else query
            )
        return read

    def rows(
        self, session: Session, key: int | str, operations: Sequence[str], *, locked: bool = True
    ) -> dict[Operation, LockedRow]:
        """The level's rows of *operations* for *key*, locked (unless *locked* is False:
        a read that changes nothing)."""
        params: dict[str, Any] = {f"op_{n}": op for n, op in enumerate(operations)}
        params["key"] = key
        found = self._read(len(operations), locked).rows(session, params)
        return {Operation(row[1]): LockedRow(self, *row) for row in found}

    def save(self, session: Session, rows: Sequence[LockedRow]) -> None:
        if not rows:
            return
        values = [
            {"b_key": r.key, "b_op": r.operation, **{f"v_{c}": getattr(r, c) for c in self.columns}}
            for r in rows
        ]
        self.write.many(session, values)


_PAIRS = _Level(cast(Table, ThrottleBucket.__table__), "account_id")
_APPLICATIONS = _Level(cast(Table, ApplicationBucket.__table__), "client_id", ["line_until"])

#: A bucket's row, at either level (ORM rows on the read-only pages, locked rows in steps).
BucketRow = ThrottleBucket | ApplicationBucket | LockedRow


@dataclass(frozen=True, slots=True)
class QuotaWait:
    """When the tokens will be there, and the bucket that holds them back longest."""

    ready_at: datetime
    operation: Operation
    #: True when that bucket is the application's (shared by every account of the
    #: same LWA client id), not the account's own.
    application: bool = False
    #: The caller's turn in the application's line, to hand back to
    #: :meth:`Throttle.acquire` when it tries again (None: not in line).
    turn: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Held:
    """A locked bucket row and the limit it follows."""

    operation: Operation
    row: LockedRow
    limit: Limit
    application: bool


@dataclass(frozen=True, slots=True)
class BucketView:
    """A bucket as a seller sees it on the quota page."""

    operation: str
    tokens: float
    burst: int
    rate: float
    next_token_at: datetime
    granted: int
    throttled: int


def announced_rate(current: float, header: str | None) -> float | None:
    """The new rate to use given an ``x-amzn-RateLimit-Limit`` header, or None to keep *current*."""
    if not header:
        return None
    try:
        rate = float(header)
    except ValueError:
        return None
    if rate <= 0 or abs(rate - current) <= current * RATE_TOLERANCE:
        return None
    return rate


class Throttle:
    """Our copies of Amazon's buckets: per account and operation, and per application
    (LWA client id) and operation where Amazon limits the application as a whole."""

    def __init__(
        self,
        limits: Mapping[Operation, Limit],
        margin_s: float = 0.0,
        application_limits: Mapping[Operation, Limit] | None = None,
    ) -> None:
        self.limits = dict(limits)
        #: The application-wide limits (``domain.limits.application_limits_for``).
        self.application_limits = dict(application_limits or {})
        #: Extra wait, in clock seconds, for the time a call takes to reach Amazon.
        self.margin_s = margin_s
        self._announced: dict[tuple[int, Operation], str | None] = {}

    def try_acquire(
        self,
        session: Session,
        account_id: int,
        operations: Sequence[Operation],
        now: datetime,
    ) -> datetime | None:
        """Take a token from each bucket, or none at all.

        Returns None when the tokens were taken, else the earliest time at
        which all of them will be available.
        """
        wait = self.acquire(session, account_id, operations, now)
        return None if wait is None else wait.ready_at

    def acquire(
        self,
        session: Session,
        account_id: int,
        operations: Sequence[Operation],
        now: datetime,
        turn: datetime | None = None,
    ) -> QuotaWait | None:
        """Take a token from each bucket, or none at all: None when taken, else the wait
        and the bucket that really holds the caller back (the last to refill).

        *turn* is the caller's turn in an application's line, from its last wait
        (``QuotaWait.turn``): once it has come, the caller takes the application's
        token without queueing again. Without one, the caller waits behind the
        line, and if an application's bucket is what holds it back, it is given
        the next turn (in the wait returned). A caller keeps its turn until it gets
        its tokens."""
        held = self._hold(session, account_id, operations, now)
        last, wait = self._last(held, now, turn)
        if wait.ready_at > now:
            if wait.application and turn is None:  # join the application's line
                held[last].row.line_until = wait.ready_at
                held[last].row.save(session)
                return replace(wait, turn=wait.ready_at)
            return replace(wait, turn=turn)
        for bucket in held:
            taken = buckets.take(_state(bucket.row), bucket.limit, now, self.margin_s)
            assert taken is not None
            _store(bucket.row, taken)
            bucket.row.granted += 1
            bucket.row.minutes = _count_minute(bucket.row.minutes, now)
        _save(session, held)
        return None

    def _last(
        self, held: Sequence[_Held], now: datetime, turn: datetime | None
    ) -> tuple[int, QuotaWait]:
        """The bucket that gives the caller its token last (its index in *held*), and when."""
        waits = [self._wait(bucket, now, turn) for bucket in held]
        last = max(range(len(held)), key=lambda k: waits[k].ready_at)
        return last, waits[last]

    def _wait(self, bucket: _Held, now: datetime, turn: datetime | None) -> QuotaWait:
        """When *bucket* gives the caller a token: at the next refill, and for an
        application's bucket not before the caller's turn, or, without one, not
        before the refill after the last turn given."""
        row = bucket.row
        ready = buckets.next_token_at(_state(row), bucket.limit, now, self.margin_s)
        if bucket.application and turn is not None:
            ready = max(ready, turn)
        elif bucket.application and row.line_until is not None:
            ready = max(ready, row.line_until + timedelta(seconds=1.0 / bucket.limit.rate))
        return QuotaWait(ready, bucket.operation, bucket.application)

    def _longest(self, held: Sequence[_Held], now: datetime) -> QuotaWait:
        waits = [
            QuotaWait(
                buckets.next_token_at(_state(b.row), b.limit, now, self.margin_s),
                b.operation,
                b.application,
            )
            for b in held
        ]
        return max(waits, key=lambda wait: wait.ready_at)

    def _hold(
        self, session: Session, account_id: int, operations: Sequence[Operation], now: datetime
    ) -> list[_Held]:
        """Lock the account's buckets of *operations*, then its application's."""
        rows = self._lock(session, account_id, operations, now)
        held = [_Held(op, row, self._limit(row), False) for op, row in rows.items()]
        shared = sorted({op for op in operations if op in self.application_limits})
        if shared:
            client_id = _CLIENT_ID.scalar(session, {"account_id": account_id})
            if client_id is not None:
                found = self._lock_application(session, client_id, shared, now)
                held += [
                    _Held(op, row, self._application_limit(row), True) for op, row in found.items()
                ]
        return held

    def hourly_use(self, session: Session, account_id: int, now: datetime) -> dict[str, int]:
        """Calls per operation in the last hour (to the minute)."""
        since = _minute(now) - 59
        rows = session.scalars(
            select(ThrottleBucket).where(ThrottleBucket.account_id == account_id)
        )
        return {
            row.operation: sum(n for m, n in split_minutes(row.minutes)[0].items() if m >= since)
            for row in rows
        }

    def next_available(
        self, session: Session, account_id: int, operations: Sequence[Operation], now: datetime
    ) -> datetime:
        """When a token of every one of *operations* will be there (not taking any)."""
        return self.next_wait(session, account_id, operations, now).ready_at

    def next_wait(
        self, session: Session, account_id: int, operations: Sequence[Operation], now: datetime
    ) -> QuotaWait:
        """:meth:`next_available`, and the bucket that holds it back (the last to refill);
        behind an application's line, if one is waiting (without joining it)."""
        held = self._hold(session, account_id, operations, now)
        return self._last(held, now, None)[1]

    def throttled(
        self, session: Session, account_id: int, operation: Operation, now: datetime
    ) -> datetime:
        """Record a 429: the bucket is empty now. Returns when it holds a token again.

        Amazon's 429 does not say which limit it hit: the pair's or, where the
        operation has one, the application's. Both buckets are emptied; the
        application's refills within a fraction of a second (hundreds of calls a
        second), so the other sellers lose next to nothing when it was the pair's.
        """
        held = self._hold(session, account_id, [operation], now)
        for bucket in held:
            bucket.row.tokens, bucket.row.updated_at = 0.0, now
            bucket.row.throttled += 1
            bucket.row.minutes = _count_minute(bucket.row.minutes, now, THROTTLED_PREFIX)
        _save(session, held)
        return self._longest(held, now).ready_at

    def settle(
        self,
        session: Session,
        account_id: int,
        operations: Sequence[Operation],
        taken_at: datetime,
        answered_at: datetime,
    ) -> None:
        """Move the grant taken at *taken_at* to *answered_at*, once the call is answered.

        Amazon counts a call in a rolling window (JSON_LISTINGS_FEED's 5 in 5
        minutes) from when it arrives, which is some time after we took the
        token; the answer's time is a bound on the arrival, so the window we
        keep never ends before Amazon's does, however slow the call was.
        """
        windowed = [op for op in operations if self.limits[op].window_s is not None]
        if not windowed:
            return
        taken, answered = taken_at.timestamp(), answered_at.timestamp()
        for row in self._lock(session, account_id, windowed, answered_at).values():
            grants = list(row.grants or ())
            for k, grant in enumerate(grants):
                if abs(grant - taken) < 1e-6:
                    grants[k] = max(grant, answered)
                    row.grants = sorted(grants)
                    row.save(session)
                    break

    def knows(self, account_id: int, operation: Operation, header: str | None) -> bool:
        """Whether *header* is the rate this process last adopted for the bucket."""
        key = (account_id, operation)
        return key in self._announced and self._announced[key] == header

    def announce_rate(
        self,
        session: Session,
        account_id: int,
        operation: Operation,
        header: str | None,
        now: datetime,
    ) -> float | None:
        """Adopt the rate Amazon announced for this account and operation, if it differs.

        Amazon repeats the same rate on nearly every answer: a header already
        seen for this bucket costs no query.
        """
        if self.knows(account_id, operation, header):
            return None
        self._announced[(account_id, operation)] = header
        row = self._lock(session, account_id, [operation], now)[operation]
        rate = announced_rate(row.rate, header)
        if rate is not None:
            state = buckets.refill(_state(row), self._limit(row), now)
            _store(row, state)
            row.rate = rate
            row.save(session)
        return rate

    def states(
        self, session: Session, account_id: int, operations: Sequence[Operation], now: datetime
    ) -> dict[Operation, tuple[Limit, buckets.BucketState]]:
        """The buckets of *operations* as they are (read-only; unused ones are full)."""
        names = sorted({str(op) for op in operations})
        rows = _PAIRS.rows(session, account_id, names, locked=False)
        found: dict[Operation, tuple[Limit, buckets.BucketState]] = {}
        for op in operations:
            row = rows.get(op)
            if row is None:
                found[op] = (self.limits[op], buckets.full(self.limits[op], now))
            else:
                found[op] = (self._limit(row), _state(row))
        return found

    def views(self, session: Session, account_id: int, now: datetime) -> list[BucketView]:
        """Every bucket of the account that has been used, as of *now*."""
        rows = session.scalars(
            select(ThrottleBucket)
            .where(ThrottleBucket.account_id == account_id)
            .order_by(ThrottleBucket.operation)
        )
        return [self._view(row, now) for row in rows]

    def _view(self, row: ThrottleBucket, now: datetime) -> BucketView:
        return self._bucket_view(row, self._limit(row), now)

    def _bucket_view(self, row: BucketRow, limit: Limit, now: datetime) -> BucketView:
        state = buckets.refill(_state(row), limit, now)
        return BucketView(
            operation=row.operation,
            tokens=state.tokens,
            burst=limit.burst,
            rate=limit.rate,
            next_token_at=buckets.next_token_at(state, limit, now, self.margin_s),
            granted=row.granted,
            throttled=row.throttled,
        )

    def application_views(
        self, session: Session, client_id: str, now: datetime
    ) -> list[BucketView]:
        """Every application-wide bucket of *client_id* that has been used, as of *now*."""
        rows = session.scalars(
            select(ApplicationBucket)
            .where(ApplicationBucket.client_id == client_id)
            .order_by(ApplicationBucket.operation)
        )
        return [self._bucket_view(row, self._application_limit(row), now) for row in rows]

    def _limit(self, row: BucketRow) -> Limit:
        return replace(self.limits[Operation(row.operation)], rate=row.rate)

    def _application_limit(self, row: BucketRow) -> Limit:
        return replace(self.application_limits[Operation(row.operation)], rate=row.rate)

    def _lock_application(
        self, session: Session, client_id: str, operations: Sequence[Operation], now: datetime
    ) -> dict[Operation, LockedRow]:
        names = [str(op) for op in operations]
        rows = _APPLICATIONS.rows(session, client_id, names)
        missing = [op for op in operations if op not in rows]
        if missing:  # first use: create them (once, whoever comes first), then lock them
            values = [
                {"client_id": client_id, **_fresh(self.application_limits[op], op, now)}
                for op in missing
            ]
            session.execute(
                _insert(session)(ApplicationBucket).values(values).on_conflict_do_nothing()
            )
            rows = _APPLICATIONS.rows(session, client_id, names)
        return rows

    def _lock(
        self,
        session: Session,
        account_id: int,
        operations: Sequence[Operation],
        now: datetime,
    ) -> dict[Operation, LockedRow]:
        wanted = sorted(set(operations))
        names = [str(op) for op in wanted]
        rows = _PAIRS.rows(session, account_id, names)
        missing = [op for op in wanted if op not in rows]
        if missing:  # first use of these buckets: create them (once), then lock them
            self._create_missing(session, account_id, missing, now)
            rows = _PAIRS.rows(session, account_id, names)
        return rows

    def _create_missing(
        self, session: Session, account_id: int, operations: Sequence[Operation], now: datetime
    ) -> None:
        values = [
            {"account_id": account_id, **_fresh(self.limits[op], op, now)} for op in operations
        ]
        session.execute(_insert(session)(ThrottleBucket).values(values).on_conflict_do_nothing())


def _save(session: Session, held: Sequence[_Held]) -> None:
    """Write the held rows back, one statement per level."""
    for level in (_PAIRS, _APPLICATIONS):
        level.save(session, [h.row for h in held if h.row.level is level])


#: The account's LWA client id, built once (asked for every call of an operation with an
#: application-wide limit).
_CLIENT_ID = Prepared(
    select(Account.lwa_client_id).where(
        Account.id == bindparam("account_id", type_=Account.id.type)
    )
)


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _fresh(limit: Limit, operation: Operation, now: datetime) -> dict[str, Any]:
    """The columns of a bucket that has not been used."""
    return {
        "operation": str(operation),
        "tokens": float(limit.burst),
        "updated_at": now,
        "rate": limit.rate,
        "grants": [],
        "granted": 0,
        "throttled": 0,
        "minutes": {},
    }


def _minute(now: datetime) -> int:
    return int(now.timestamp() // 60)


def split_minutes(minutes: Mapping[str, int] | None) -> tuple[dict[int, int], dict[int, int]]:
    """A bucket's ``minutes`` as (grants, 429s), each {epoch minute: count}."""
    grants: dict[int, int] = {}
    throttled: dict[int, int] = {}
    for key, count in (minutes or {}).items():
        if key.startswith(THROTTLED_PREFIX):
            throttled[int(key[len(THROTTLED_PREFIX) :])] = int(count)
        else:
            grants[int(key)] = int(count)
    return grants, throttled


def _count_minute(
    minutes: dict[str, int] | None, now: datetime, prefix: str = ""
) -> dict[str, int]:
    """One more grant (or, with THROTTLED_PREFIX, 429) in this minute; minutes older
    than an hour are dropped."""
    current = _minute(now)
    kept = {
        m: n
        for m, n in (minutes or {}).items()
        if int(m.removeprefix(THROTTLED_PREFIX)) > current - 60
    }
    key = f"{prefix}{current}"
    kept[key] = kept.get(key, 0) + 1
    return kept


def _state(row: BucketRow) -> buckets.BucketState:
    grants = tuple(datetime.fromtimestamp(g, UTC) for g in row.grants or ())
    return buckets.BucketState(row.tokens, row.updated_at, grants)


def _store(row: BucketRow, state: buckets.BucketState) -> None:
    row.tokens = state.tokens
    row.updated_at = state.updated_at
    row.grants = [g.timestamp() for g in state.grants]
