"""Saved views: a user names the jobs table's current filters and opens them again.

A view keeps only the table's own filters (account, type, status, dates, failed
items), re-encoded: nothing else from the form reaches the database or a link.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from amazon_jobs.store.saved_views import MAX_VIEWS, delete_view, save_view
from amazon_jobs.web.access import ViewerForm
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages.common import redirect
from amazon_jobs.web.pages.params import PageId

router = APIRouter()

#: The jobs table's filters, as they stand in its URL.
FILTERS = ("account", "type", "status", "from", "to", "failed")


def clean_query(query: str) -> str:
    """Only the table's filters, non-empty, each once."""
    kept = {k: v.strip()[:100] for k, v in parse_qsl(query.lstrip("?")) if k in FILTERS}
    return urlencode({k: v for k, v in kept.items() if v})


@router.post("/views")
def save_view_form(
    request: Request,
    rt: RuntimeDep,
    me: ViewerForm,
    name: Annotated[str, Form(max_length=100)],
    query: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Save the filters the table shows under *name* (the same name replaces it)."""
    name, kept = " ".join(name.split()), clean_query(query)
    back = f"/?{kept}" if kept else "/"
    if not name:
        return redirect(request, back, "Give the view a name.", "error")
    with rt.db.transaction() as session:
        saved = save_view(session, me.user.id, name, kept, rt.clock.now())
    if saved is None:
        return redirect(request, back, f"You have {MAX_VIEWS} views: delete one first.", "error")
    return redirect(request, back, f"View “{name}” saved.")


@router.post("/views/{view_id}/delete")
def delete_view_form(request: Request, rt: RuntimeDep, me: ViewerForm, view_id: PageId) -> Response:
    with rt.db.transaction() as session:
        deleted = delete_view(session, me.user.id, view_id)
    if not deleted:
        return redirect(request, "/", "That view does not exist.", "error")
    return redirect(request, "/", "View deleted.")
