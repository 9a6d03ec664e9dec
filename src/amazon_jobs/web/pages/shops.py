"""Shops: list, add, edit, test the connection, sync the catalog, connector settings, delete.

The Webservice key is write-only: the forms never show it, and an empty key field
on the edit form keeps the stored key, unless the URL changes, which needs the
key again (see :mod:`amazon_jobs.shops`). Operators test the connection and start
a catalog sync (or a full pass, which also notices products deleted in the shop);
admins add, change and delete shops and change their connector settings.
Deleting asks first (a dialog, or a confirmation page without JavaScript).
A wrong value shows the form again with the problem next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs import shops
from amazon_jobs.domain.account_status import AccountStatus
from amazon_jobs.domain.shop_urls import shop_url_problem
from amazon_jobs.errors import AmazonJobsError, CredentialsRequired
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.models import Account, Shop
from amazon_jobs.store.shops import ShopChanges, ShopSpec, linked_accounts, list_shops
from amazon_jobs.web.access import Admin, AdminForm, OperatorForm, Viewer
from amazon_jobs.web.deps import RuntimeDep, SignedIn
from amazon_jobs.web.pages.common import is_htmx, not_found, partial, redirect, render
from amazon_jobs.web.pages.params import PageId, as_id
from amazon_jobs.web.pages.shop_settings import router as settings_router

__all__ = ["router"]

router = APIRouter()
router.include_router(settings_router)

Text = Annotated[str, Form(max_length=300)]
KeyField = Annotated[str, Form(max_length=200)]


@dataclass(frozen=True)
class ShopForm:
    """What the add and edit forms send (the key apart, everything is shown back)."""

    name: str = ""
    url: str = ""
    status: str = "active"

    def problems(self, rt: Runtime) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.name or len(self.name) > 100:
            found["name"] = "A name of 1 to 100 characters is required."
        if not self.url:
            found["url"] = "The shop's URL is required."
        else:
            problem = shop_url_problem(self.url, allow_custom=rt.settings.allow_custom_endpoints)
            if problem:
                found["url"] = _sentence(problem)
        if self.status not in ("active", "disabled"):
            found["status"] = "Active or disabled."
        return found


def shop_form(name: Text = "", url: Text = "", status: Text = "active") -> ShopForm:
    return ShopForm(name.strip(), url.strip(), status.strip())


FormDep = Annotated[ShopForm, Depends(shop_form)]


def key_problem(key: str, *, required: bool) -> str | None:
    if not key:
        return "A new shop needs its Webservice key." if required else None
    if len(key) != 32 or not key.isascii() or not key.isalnum():
        return (
            "A PrestaShop Webservice key has 32 letters and digits: copy it from the back "
            "office (Advanced Parameters > Webservice)."
        )
    return None


@dataclass(frozen=True)
class ShopRow:
    """A shop as the list shows it."""

    shop: Shop
    accounts: list[str]


@router.get("/shops", response_class=HTMLResponse)
def shops_page(request: Request, rt: RuntimeDep, me: Viewer) -> Response:
    with rt.db.read() as session:
        rows = [
            ShopRow(s, [a.name for a in linked_accounts(session, s.id)])
            for s in list_shops(session)
        ]
    return render(request, "shops.html", {"me": me, "rows": rows})


def _form_page(
    request: Request,
    rt: RuntimeDep,
    me: SignedIn,
    form: ShopForm,
    shop: Shop | None,
    problems: dict[str, str] | None = None,
) -> Response:
    context: dict[str, Any] = {
        "me": me,
        "form": form,
        "shop": shop,
        "problems": problems or {},
        "custom_allowed": rt.settings.allow_custom_endpoints,
    }
    return render(request, "shop_form.html", context, status_code=422 if problems else 200)


@router.get("/shops/new", response_class=HTMLResponse)
def new_shop_page(request: Request, rt: RuntimeDep, me: Admin) -> Response:
    return _form_page(request, rt, me, ShopForm(), None)


@router.post("/shops", response_model=None)
def add_shop_form(
    request: Request, rt: RuntimeDep, me: AdminForm, form: FormDep, key: KeyField = ""
) -> Response:
    problems = form.problems(rt)
    if missing := key_problem(key.strip(), required=True):
        problems["key"] = missing
    if not problems:
        spec = ShopSpec(form.name, form.url, SecretStr(key.strip()))
        try:
            with rt.db.transaction() as session:
                _name_free(session, form.name, None)
                shop = shops.add_shop(rt, session, spec, actor=me.user.username)
        except AmazonJobsError as exc:
            problems[_field_of(exc)] = _sentence(exc.message)
    if problems:
        return _form_page(request, rt, me, form, None, problems)
    message = f"Shop {shop.name} added: test its connection, then link an account to it."
    return redirect(request, "/shops", message)


@router.get("/shops/{shop_id}/edit", response_class=HTMLResponse)
def edit_shop_page(request: Request, rt: RuntimeDep, me: Admin, shop_id: PageId) -> Response:
    with rt.db.read() as session:
        shop = session.get(Shop, shop_id)
    if shop is None:
        return not_found(request, me, f"Shop {shop_id} does not exist.")
    return _form_page(request, rt, me, ShopForm(shop.name, shop.url, shop.status), shop)


@router.post("/shops/{shop_id}", response_model=None)
def edit_shop(
    request: Request,
    rt: RuntimeDep,
    me: AdminForm,
    shop_id: PageId,
    form: FormDep,
    key: KeyField = "",
) -> Response:
    with rt.db.read() as session:
        shop = session.get(Shop, shop_id)
    if shop is None:
        return not_found(request, me, f"Shop {shop_id} does not exist.")
    problems = form.problems(rt)
    if wrong := key_problem(key.strip(), required=False):
        problems["key"] = wrong
    if not problems:
        changes = ShopChanges(
            name=form.name,
            url=form.url,
            key=SecretStr(key.strip()) if key.strip() else None,
            status=form.status,
        )
        try:
            with rt.db.transaction() as session:
                stored = session.get_one(Shop, shop_id, with_for_update=True)
                _name_free(session, form.name, shop_id)
                shops.update_shop(rt, session, stored, changes, actor=me.user.username)
        except AmazonJobsError as exc:
            problems[_field_of(exc)] = _sentence(exc.message)
    if problems:
        return _form_page(request, rt, me, form, shop, problems)
    return redirect(request, "/shops", f"Shop {form.name} saved.")


class _NameTaken(AmazonJobsError):
    """Another shop has that name."""


def _name_free(session: Session, name: str, shop_id: int | None) -> None:
    other = session.scalar(select(Shop.id).where(Shop.name == name))
    if other is not None and other != shop_id:
        raise _NameTaken(f"a shop named {name!r} exists already: choose another name")


def _field_of(exc: AmazonJobsError) -> str:
    """The form field an error of the shop rules is about."""
    if isinstance(exc, CredentialsRequired):
        return "key"
    if isinstance(exc, _NameTaken) or "name" in exc.message.split(":")[0]:
        return "name"
    if "key" in exc.message.split(":")[0]:
        return "key"
    return "url"


@router.post("/shops/{shop_id}/test", response_model=None)
def test_shop(request: Request, rt: RuntimeDep, me: OperatorForm, shop_id: PageId) -> Response:
    """Ask the shop's Webservice whether the stored key lists its products."""
    try:
        ok, message = shops.test_connection(rt, shop_id)
    except AmazonJobsError as exc:
        ok, message = False, exc.message
    if is_htmx(request):
        context = {"me": me, "ok": ok, "message": message, "account_id": f"shop-{shop_id}"}
        return partial(request, "_probe.html", context)
    return redirect(request, "/shops", _sentence(message), "ok" if ok else "error")


@router.post("/shops/{shop_id}/sync", response_model=None)
def sync_shop(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    shop_id: PageId,
    full: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Create a Shop Catalog Sync job (a full pass with ``full=1``) and show it in the jobs
    table."""
    whole = full in ("1", "true", "on")
    try:
        job = shops.create_catalog_sync(rt, shop_id, full=whole, actor=me.user.username)
    except AmazonJobsError as exc:
        return redirect(request, "/shops", _sentence(exc.message), "error")
    what = "a full catalog pass" if whole else "a catalog sync"
    return redirect(request, "/", f"Job {job.id} created: {what} of the shop.")


@router.post("/accounts/{account_id}/shop", response_model=None)
def link_account(
    request: Request,
    rt: RuntimeDep,
    me: AdminForm,
    account_id: PageId,
    shop: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """Link an account to a shop (its catalog comes from there, its Amazon orders go
    there), or with an empty ``shop`` to the manual shop (the CSV/API catalog)."""
    wanted = as_id(shop) if shop else None
    with rt.db.transaction() as session:
        account = session.get(Account, account_id, with_for_update=True)
        if account is None or account.status == AccountStatus.DELETED:
            return redirect(request, "/accounts", f"Account {account_id} does not exist.", "error")
        target = session.get(Shop, wanted) if wanted is not None else None
        if shop and target is None:
            return redirect(request, "/accounts", f"Shop {shop} does not exist.", "error")
        shops.link_account(rt, session, account, target, actor=me.user.username)
        name = account.name
    where = f"shop {target.name}" if target else "the manual shop (CSV/API catalog)"
    return redirect(request, "/accounts", f"Account {name} linked to {where}.")


@router.get("/shops/{shop_id}/delete", response_class=HTMLResponse)
def delete_page(request: Request, rt: RuntimeDep, me: Admin, shop_id: PageId) -> Response:
    """Confirm a delete (the page a browser without JavaScript gets)."""
    with rt.db.read() as session:
        shop = session.get(Shop, shop_id)
        accounts = [a.name for a in linked_accounts(session, shop_id)] if shop else []
    if shop is None:
        return not_found(request, me, f"Shop {shop_id} does not exist.")
    return render(request, "shop_delete.html", {"me": me, "shop": shop, "accounts": accounts})


@router.post("/shops/{shop_id}/delete", response_model=None)
def delete_shop(request: Request, rt: RuntimeDep, me: AdminForm, shop_id: PageId) -> Response:
    try:
        with rt.db.transaction() as session:
            shop = session.get(Shop, shop_id, with_for_update=True)
            if shop is None:
                return redirect(request, "/shops", f"Shop {shop_id} does not exist.", "error")
            name = shop.name
            shops.delete_shop(rt, session, shop, actor=me.user.username)
    except AmazonJobsError as exc:
        return redirect(request, "/shops", _sentence(exc.message), "error")
    message = (
        f"Shop {name} deleted: its accounts use the manual shop (CSV/API catalog) again, "
        "and its products stay."
    )
    return redirect(request, "/shops", message)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
