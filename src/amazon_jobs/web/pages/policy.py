"""An account's selling policy: a form of quantity and price rules (operator or admin).

Saving replaces the whole policy; leaving every field at its default clears it.
A refused value is shown next to its field and nothing is written. The page says
how many listings differ from Amazon under the policy: the next sync sends them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs.domain.policy import NEUTRAL, SellingPolicy, describe
from amazon_jobs.errors import PolicyError
from amazon_jobs.policies import listings_due, set_selling_policy
from amazon_jobs.store.models import Account
from amazon_jobs.store.policies import load_policy
from amazon_jobs.web.access import Operator, OperatorForm
from amazon_jobs.web.deps import RuntimeDep, SignedIn
from amazon_jobs.web.pages.common import not_found, redirect, render
from amazon_jobs.web.pages.params import PageId

router = APIRouter()

Field = Annotated[str, Form(max_length=40)]
#: The form's fields, in the order of :class:`SellingPolicy`.
FIELDS = tuple(NEUTRAL.as_values())


@router.get("/accounts/{account_id}/policy", response_class=HTMLResponse)
def policy_page(request: Request, rt: RuntimeDep, me: Operator, account_id: PageId) -> Response:
    with rt.db.read() as session:
        account = session.get(Account, account_id)
        if account is None or account.status == "deleted":
            return not_found(request, me, f"Account {account_id} does not exist.")
        stored = load_policy(session, account_id)
        due = listings_due(session, account_id)
    values = {k: "" if v is None else str(v) for k, v in stored.policy.as_values().items()}
    return _page(request, me, account, values, stored.policy, due)


@router.post("/accounts/{account_id}/policy", response_model=None)
def save_policy_form(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    account_id: PageId,
    qty_source: Field = "shop",
    qty_percent: Field = "",
    qty_fixed: Field = "",
    qty_reserve: Field = "",
    qty_cap: Field = "",
    qty_min_stock: Field = "",
    price_source: Field = "tax_excl",
    price_markup_pct: Field = "",
    price_markup_fixed: Field = "",
    price_rate: Field = "",
    price_ending: Field = "",
    price_floor: Field = "",
    price_ceiling: Field = "",
) -> Response:
    given = {
        "qty_source": qty_source,
        "qty_percent": qty_percent,
        "qty_fixed": qty_fixed,
        "qty_reserve": qty_reserve,
        "qty_cap": qty_cap,
        "qty_min_stock": qty_min_stock,
        "price_source": price_source,
        "price_markup_pct": price_markup_pct,
        "price_markup_fixed": price_markup_fixed,
        "price_rate": price_rate,
        "price_ending": price_ending,
        "price_floor": price_floor,
        "price_ceiling": price_ceiling,
    }
    values = {k: v.strip() for k, v in given.items()}
    with rt.db.transaction() as session:
        account = session.get(Account, account_id)
        if account is None or account.status == "deleted":
            return not_found(request, me, f"Account {account_id} does not exist.")
        try:
            policy = SellingPolicy.from_values({k: v or None for k, v in values.items()})
        except PolicyError as exc:
            stored = load_policy(session, account_id)
            due = listings_due(session, account_id)
            return _page(request, me, account, values, stored.policy, due, exc)
        set_selling_policy(rt, session, account, policy, actor=me.user.username)
        name = account.name
    said = "cleared" if policy == NEUTRAL else f"saved: {describe(policy)}"
    return redirect(request, f"/accounts/{account_id}/policy", f"Selling policy of {name} {said}.")


def _page(
    request: Request,
    me: SignedIn,
    account: Account,
    values: dict[str, str],
    policy: SellingPolicy,
    due: int,
    problem: PolicyError | None = None,
) -> Response:
    context: dict[str, Any] = {
        "me": me,
        "account": account,
        "values": values,
        "description": describe(policy),
        "due": due,
        "problem": problem,
    }
    return render(request, "policy.html", context, status_code=422 if problem else 200)
