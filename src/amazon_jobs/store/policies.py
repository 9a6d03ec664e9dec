"""Reading and writing an account's selling policy (one row per account, or none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.policy import NEUTRAL, SellingPolicy
from amazon_jobs.store.models import SellingPolicyRow
from amazon_jobs.store.prepared import Prepared

__all__ = ["StoredPolicy", "clear_policy", "load_policy", "save_policy"]


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    """An account's policy and when it last changed (None: the account has none)."""

    policy: SellingPolicy
    updated_at: datetime | None

    @property
    def is_set(self) -> bool:
        return self.updated_at is not None


def load_policy(session: Session, account_id: int) -> StoredPolicy:
    """The account's policy; the neutral one (shop values unchanged) if it has none."""
    row = _POLICY.first(session, {"account_id": account_id})
    if row is None:
        return StoredPolicy(NEUTRAL, None)
    rules, updated_at = row
    return StoredPolicy(SellingPolicy.from_values(rules), updated_at)


#: :func:`load_policy`'s query, prepared once (every feed a worker builds reads it).
_POLICY = Prepared(
    select(SellingPolicyRow.rules, SellingPolicyRow.updated_at).where(
        SellingPolicyRow.account_id
        == bindparam("account_id", type_=SellingPolicyRow.account_id.type)
    )
)


def save_policy(
    session: Session, account_id: int, policy: SellingPolicy, now: datetime
) -> StoredPolicy:
    """Set the account's policy (replacing any); a neutral one removes the row."""
    if policy == NEUTRAL:
        clear_policy(session, account_id)
        return StoredPolicy(NEUTRAL, None)
    row = session.scalar(
        select(SellingPolicyRow).where(SellingPolicyRow.account_id == account_id).with_for_update()
    )
    if row is None:
        row = SellingPolicyRow(account_id=account_id, created_at=now)
        session.add(row)
    row.rules = policy.as_values()
    row.updated_at = now
    session.flush()
    return StoredPolicy(policy, now)


def clear_policy(session: Session, account_id: int) -> bool:
    """Remove the account's policy; True if it had one."""
    result = session.execute(
        delete(SellingPolicyRow).where(SellingPolicyRow.account_id == account_id)
    )
    return bool(getattr(result, "rowcount", 0))
