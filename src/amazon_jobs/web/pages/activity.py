"""Recent activity: who did what (jobs created, canceled, retried, checked, orders
marked shipped, accounts added or changed), newest first, with the reason given."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs.store.actions import recent_actions
from amazon_jobs.web.access import Viewer
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages.common import render
from amazon_jobs.web.pages.params import Cursor

router = APIRouter()

PAGE_SIZE = 100


@router.get("/activity", response_class=HTMLResponse)
def activity_page(request: Request, rt: RuntimeDep, me: Viewer, before: Cursor = None) -> Response:
    with rt.db.read() as session:
        rows = recent_actions(session, limit=PAGE_SIZE + 1, before=before)
    older = f"/activity?before={rows[PAGE_SIZE - 1].id}" if len(rows) > PAGE_SIZE else None
    context = {"me": me, "rows": rows[:PAGE_SIZE], "older_url": older, "first": before is None}
    return render(request, "activity.html", context)
