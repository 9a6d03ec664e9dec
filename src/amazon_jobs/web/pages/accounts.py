"""Amazon accounts: list, add, edit, test the connection; resume, disable, enable, delete.

Secrets are write-only: the forms never show them, and an empty secret field
on the edit form keeps the stored value, unless the endpoint or the LWA token
URL changes, which needs both secrets again (see :mod:`amazon_jobs.accounts`).
An account's seller id and region are fixed once it exists (another seller is
another account). Accounts whose URLs are not Amazon's are marked as such.

Each account shows its state: a paused one (after refused logins) says why and
offers *Resume*; a disabled one *Enable*. Deleting asks first (a dialog, or a
confirmation page without JavaScript) and is refused while the account has open
jobs. Every change is recorded as the admin's action.

The add and edit forms also set the account's channel, how its listings jobs
reach Amazon (see :mod:`amazon_jobs.account_channel`); the list shows it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import SecretStr

from amazon_jobs import accounts, service
from amazon_jobs.account_channel import (
    DEFAULT,
    SETTING_CHOICES,
    account_setting,
    change_account_channel,
    setting_label,
    setting_name,
)
from amazon_jobs.domain.account_status import AccountAction, AccountStatus, unavailable
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.endpoints import is_custom
from amazon_jobs.domain.marketplaces import MARKETPLACES
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.account_status import open_jobs
from amazon_jobs.store.accounts import (
    LWA_TOKEN_URL,
    ORDERS_APIS,
    REGION_ENDPOINTS,
    AccountChanges,
    AccountSpec,
)
from amazon_jobs.store.accounts import list_accounts as stored_accounts
from amazon_jobs.store.models import Account
from amazon_jobs.store.shops import list_shops
from amazon_jobs.web.access import Admin, AdminForm, Viewer
from amazon_jobs.web.deps import RuntimeDep, SignedIn
from amazon_jobs.web.pages.common import is_htmx, not_found, partial, redirect, render
from amazon_jobs.web.pages.params import PageId, ReasonField

router = APIRouter()

Text = Annotated[str, Form(max_length=300)]
Secret = Annotated[str, Form(max_length=2000)]


@dataclass(frozen=True)
class AccountForm:
    """What the add and edit forms send (secrets apart, everything is shown back)."""

    name: str = ""
    seller_id: str = ""
    region: str = "na"
    marketplace_id: str = ""
    lwa_client_id: str = ""
    endpoint: str = ""
    lwa_token_url: str = ""
    orders_api: str = "2026-01-01"
    #: A Channel's value, or "default" (the installation's setting); empty: left as it
    #: is (a form of before channels).
    channel: str = DEFAULT

    @classmethod
    def of(cls, account: Account) -> AccountForm:
        regional = account.endpoint == REGION_ENDPOINTS.get(account.region)
        return cls(
            name=account.name,
            seller_id=account.seller_id,
            region=account.region,
            marketplace_id=account.marketplace_id,
            lwa_client_id=account.lwa_client_id,
            endpoint="" if regional else account.endpoint,
            lwa_token_url=account.lwa_token_url,
            orders_api=account.orders_api,
            channel=setting_name(account_setting(account)),
        )

    def problems(self) -> list[str]:
        found = [
            f"{label} is required."
            for label, value in (
                ("Name", self.name),
                ("Seller id", self.seller_id),
                ("Marketplace id", self.marketplace_id),
                ("LWA client id", self.lwa_client_id),
            )
            if not value
        ]
        for label, url in (
            ("SP-API endpoint", self.endpoint),
            ("LWA token URL", self.lwa_token_url),
        ):
            if url and not url.startswith(("https://", "http://")):
                found.append(f"{label} must be an http(s) URL.")
        if self.channel and self.channel not in SETTING_CHOICES:
            found.append(f"Channel must be one of: {', '.join(SETTING_CHOICES)}.")
        return found


@dataclass(frozen=True)
class Secrets:
    lwa_client_secret: str = ""
    refresh_token: str = ""


def account_form(
    name: Text = "",
    seller_id: Text = "",
    region: Text = "na",
    marketplace_id: Text = "",
    lwa_client_id: Text = "",
    endpoint: Text = "",
    lwa_token_url: Text = "",
    orders_api: Text = "2026-01-01",
    channel: Text = "",
) -> AccountForm:
    return AccountForm(
        name.strip(),
        seller_id.strip(),
        region.strip().lower(),
        marketplace_id.strip(),
        lwa_client_id.strip(),
        endpoint.strip(),
        lwa_token_url.strip(),
        orders_api.strip(),
        channel.strip().lower(),
    )


def secrets(lwa_client_secret: Secret = "", refresh_token: Secret = "") -> Secrets:
    return Secrets(lwa_client_secret.strip(), refresh_token.strip())


#: Form fields that are not the new account's spec (URLs apart: empty means Amazon's).
NOT_IN_SPEC = ("endpoint", "lwa_token_url", "channel")

FormDep = Annotated[AccountForm, Depends(account_form)]
SecretsDep = Annotated[Secrets, Depends(secrets)]


def _form_page(
    request: Request,
    rt: RuntimeDep,
    me: SignedIn,
    form: AccountForm,
    account: Account | None,
    problems: list[str] | None = None,
) -> Response:
    context: dict[str, Any] = {
        "me": me,
        "custom_allowed": rt.settings.allow_custom_endpoints,
        "form": form,
        "account": account,
        "problems": problems or [],
        "regions": list(REGION_ENDPOINTS),
        "orders_apis": ORDERS_APIS,
        "marketplaces": MARKETPLACES.values(),
        "channels": [(c.value, c.label) for c in Channel],
        "default_channel": setting_label(None, rt.settings.channel),
    }
    return render(request, "account_form.html", context, status_code=422 if problems else 200)


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, rt: RuntimeDep, me: Viewer) -> Response:
    with rt.db.read() as session:
        listed = stored_accounts(session)
        shops = list_shops(session)
    context = {
        "shops": shops,
        "shop_names": {s.id: s.name for s in shops},
        "me": me,
        "accounts": listed,
        "states": {a.id: _state(a) for a in listed},
        "pause_after": rt.settings.auth_failures_before_pause,
        "regional": {a.id: a.endpoint == REGION_ENDPOINTS.get(a.region) for a in listed},
        "custom": {a.id: is_custom(a.endpoint, a.lwa_token_url) for a in listed},
        "custom_allowed": rt.settings.allow_custom_endpoints,
        "marketplaces": MARKETPLACES,
        "channels": {a.id: _channel(a, rt.settings.channel) for a in listed},
    }
    return render(request, "accounts.html", context)


@dataclass(frozen=True)
class AccountState:
    """What the accounts page says of an account's state."""

    status: str
    #: Why it is not active and what to do, in a sentence; None when active.
    note: str | None
    since: Any


def _state(account: Account) -> AccountState:
    status = AccountStatus(account.status)
    if status is AccountStatus.ACTIVE:
        return AccountState(status.value, None, None)
    note = unavailable(account.name, status, account.status_reason, account.auth_failures)
    return AccountState(status.value, _sentence(note), account.status_changed_at)


@router.get("/accounts/new", response_class=HTMLResponse)
def new_account_page(request: Request, rt: RuntimeDep, me: Admin) -> Response:
    return _form_page(request, rt, me, AccountForm(), None)


@router.post("/accounts", response_model=None)
def add_account_form(
    request: Request, rt: RuntimeDep, me: AdminForm, form: FormDep, given: SecretsDep
) -> Response:
    problems = form.problems()
    if not given.lwa_client_secret or not given.refresh_token:
        problems.append("A new account needs its LWA client secret and refresh token.")
    if problems:
        return _form_page(request, rt, me, form, None, problems)
    spec = AccountSpec(
        **{k: v for k, v in asdict(form).items() if k not in NOT_IN_SPEC},
        endpoint=form.endpoint or None,
        lwa_token_url=form.lwa_token_url or None,
        lwa_client_secret=SecretStr(given.lwa_client_secret),
        refresh_token=SecretStr(given.refresh_token),
    )
    try:
        with rt.db.transaction() as session:
            account = accounts.add_account(rt, session, spec, actor=me.user.username)
            if form.channel:
                change_account_channel(rt, session, account, form.channel, actor=me.user.username)
    except AmazonJobsError as exc:
        return _form_page(request, rt, me, form, None, [_sentence(exc.message)])
    return redirect(request, "/accounts", f"Account {account.name} added: test its connection.")


@router.get("/accounts/{account_id}/edit", response_class=HTMLResponse)
def edit_account_page(request: Request, rt: RuntimeDep, me: Admin, account_id: PageId) -> Response:
    with rt.db.read() as session:
        account = _live(session.get(Account, account_id))
    if account is None:
        return not_found(request, me, f"Account {account_id} does not exist.")
    return _form_page(request, rt, me, AccountForm.of(account), account)


@router.post("/accounts/{account_id}", response_model=None)
def edit_account(
    request: Request,
    rt: RuntimeDep,
    me: AdminForm,
    account_id: PageId,
    form: FormDep,
    given: SecretsDep,
) -> Response:
    with rt.db.read() as session:
        account = _live(session.get(Account, account_id))
    if account is None:
        return not_found(request, me, f"Account {account_id} does not exist.")
    # The seller id and the region are not editable: the form shows them as they are.
    # So is the channel when the form does not send one (a form of before channels).
    form = replace(
        form,
        seller_id=account.seller_id,
        region=account.region,
        channel=form.channel or setting_name(account_setting(account)),
    )
    problems = form.problems()
    if problems:
        return _form_page(request, rt, me, form, account, problems)
    changes = AccountChanges(
        name=form.name,
        marketplace_id=form.marketplace_id,
        endpoint=form.endpoint or REGION_ENDPOINTS[account.region],
        lwa_token_url=form.lwa_token_url or LWA_TOKEN_URL,
        orders_api=form.orders_api,
        lwa_client_id=form.lwa_client_id,
        lwa_client_secret=SecretStr(given.lwa_client_secret) if given.lwa_client_secret else None,
        refresh_token=SecretStr(given.refresh_token) if given.refresh_token else None,
    )
    try:
        with rt.db.transaction() as session:
            stored = session.get_one(Account, account_id, with_for_update=True)
            accounts.update_account(rt, session, stored, changes, actor=me.user.username)
            change_account_channel(rt, session, stored, form.channel, actor=me.user.username)
    except AmazonJobsError as exc:
        return _form_page(request, rt, me, form, account, [_sentence(exc.message)])
    return redirect(request, "/accounts", f"Account {form.name} saved.")


@router.post("/accounts/{account_id}/test", response_model=None)
def test_account(request: Request, rt: RuntimeDep, me: AdminForm, account_id: PageId) -> Response:
    """Ask Login with Amazon and the SP-API whether the account's credentials work."""
    try:
        ok, message = service.test_connection(rt, account_id)
    except AmazonJobsError as exc:
        ok, message = False, exc.message
    if is_htmx(request):
        context = {"me": me, "ok": ok, "message": message, "account_id": account_id}
        return partial(request, "_probe.html", context)
    return redirect(request, "/accounts", message, "ok" if ok else "error")


#: What the page says once an action is done; {name} is the account's.
DONE = {
    AccountAction.RESUME: "Account {name} resumed: its queued jobs run now.",
    AccountAction.DISABLE: "Account {name} disabled: no job is made for it, and its queued "
    "jobs wait until it is enabled.",
    AccountAction.ENABLE: "Account {name} enabled: its queued jobs run now.",
}


def _set_status(
    request: Request, rt: RuntimeDep, me: SignedIn, account_id: int, action: AccountAction
) -> Response:
    try:
        account, changed = accounts.set_account_status(
            rt, account_id, action, actor=me.user.username
        )
    except AmazonJobsError as exc:
        return redirect(request, "/accounts", _sentence(exc.message), "error")
    if not changed:
        return redirect(
            request, "/accounts", f"Account {account.name} is {account.status} already."
        )
    return redirect(request, "/accounts", DONE[action].format(name=account.name))


@router.post("/accounts/{account_id}/resume", response_model=None)
def resume_account(request: Request, rt: RuntimeDep, me: AdminForm, account_id: PageId) -> Response:
    """A paused account runs again (its credentials fixed, if Amazon refused them)."""
    return _set_status(request, rt, me, account_id, AccountAction.RESUME)


@router.post("/accounts/{account_id}/disable", response_model=None)
def disable_account(
    request: Request, rt: RuntimeDep, me: AdminForm, account_id: PageId
) -> Response:
    return _set_status(request, rt, me, account_id, AccountAction.DISABLE)


@router.post("/accounts/{account_id}/enable", response_model=None)
def enable_account(request: Request, rt: RuntimeDep, me: AdminForm, account_id: PageId) -> Response:
    return _set_status(request, rt, me, account_id, AccountAction.ENABLE)


@router.get("/accounts/{account_id}/delete", response_class=HTMLResponse)
def delete_page(request: Request, rt: RuntimeDep, me: Admin, account_id: PageId) -> Response:
    """Confirm a delete (the page a browser without JavaScript gets)."""
    with rt.db.read() as session:
        account = _live(session.get(Account, account_id))
        count = open_jobs(session, account_id) if account else 0
    if account is None:
        return not_found(request, me, f"Account {account_id} does not exist.")
    context = {"me": me, "account": account, "open_jobs": count}
    return render(request, "account_delete.html", context)


@router.post("/accounts/{account_id}/delete", response_model=None)
def delete_account(
    request: Request,
    rt: RuntimeDep,
    me: AdminForm,
    account_id: PageId,
    reason: ReasonField = "",
) -> Response:
    try:
        name, account = accounts.delete_account(
            rt, account_id, actor=me.user.username, reason=reason
        )
    except AmazonJobsError as exc:
        return redirect(request, "/accounts", _sentence(exc.message), "error")
    message = (
        f"Account {name} deleted: its credentials are erased, and its jobs stay in the "
        f"jobs table under “{account.name}”. The name {name} is free for a new account."
    )
    return redirect(request, "/accounts", message)


def _channel(account: Account, default: Channel) -> tuple[str, str]:
    """The account's setting as typed (``default`` for none) and in words."""
    setting = account_setting(account)
    return setting_name(setting), setting_label(setting, default)


def _live(account: Account | None) -> Account | None:
    """The account unless it was deleted (a deleted account has no page of its own)."""
    return account if account is not None and account.status != AccountStatus.DELETED else None


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
