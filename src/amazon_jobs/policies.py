"""Setting and clearing an account's selling policy: the rules every entry point uses.

The CLI, the REST API and the dashboard all change a policy here, each change
recorded in the Activity log (action ``account_policy``) in the same
transaction. Nothing else is written: the listings the change affects are due
for sync at once, because "due" compares what Amazon confirmed with the
targets under the current policy (:class:`~amazon_jobs.store.available.Targets`);
:func:`listings_due` counts them so the person sees what the change does.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.listings import UPDATABLE_STATES
from amazon_jobs.domain.policy import NEUTRAL, SellingPolicy, describe
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.actions import cli_actor, record_action
from amazon_jobs.store.available import targets_for
from amazon_jobs.store.models import Account, Listing, Product
from amazon_jobs.store.policies import StoredPolicy, clear_policy, load_policy, save_policy

__all__ = ["clear_selling_policy", "listings_due", "set_selling_policy", "show_policy"]


def show_policy(session: Session, account: Account) -> StoredPolicy:
    return load_policy(session, account.id)


def set_selling_policy(
    rt: Runtime,
    session: Session,
    account: Account,
    policy: SellingPolicy,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> StoredPolicy:
    """Replace the account's policy (a neutral one clears it) and record who did it."""
    if policy == NEUTRAL:
        clear_selling_policy(rt, session, account, actor=actor, reason=reason)
        return StoredPolicy(NEUTRAL, None)
    stored = save_policy(session, account.id, policy, rt.clock.now())
    detail = f"set the selling policy of account {account.name}: {describe(policy)}"
    _record(rt, session, account, detail, actor, reason)
    return stored


def clear_selling_policy(
    rt: Runtime,
    session: Session,
    account: Account,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> bool:
    """Remove the account's policy (the shop's values are sent again); True if it had one."""
    had = clear_policy(session, account.id)
    if had:
        detail = f"cleared the selling policy of account {account.name}"
        _record(rt, session, account, detail, actor, reason)
    return had


def listings_due(session: Session, account_id: int) -> int:
    """How many of the account's active listings Amazon shows another quantity or price
    for than the account's targets: what the next automatic sync sends."""
    targets = targets_for(session, account_id)
    count = session.scalar(
        select(func.count())
        .select_from(Listing)
        .join(Product, Product.id == Listing.product_id)
        .where(
            Listing.account_id == account_id,
            Listing.state.in_([s.value for s in UPDATABLE_STATES]),
            or_(targets.quantity_differs(), targets.price_differs()),
        )
    )
    return int(count or 0)


def _record(
    rt: Runtime,
    session: Session,
    account: Account,
    detail: str,
    actor: str | None,
    reason: str | None,
) -> None:
    record_action(
        session,
        rt.clock.now(),
        actor or cli_actor(),
        "account_policy",
        detail,
        account_id=account.id,
        reason=reason,
    )
