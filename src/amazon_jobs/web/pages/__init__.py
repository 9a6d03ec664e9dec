"""The dashboard's pages (server-rendered HTML), one module per page."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.web.pages import accounts, auth, inventory, job, jobs, listings, orders, quota

__all__ = ["pages_router"]

pages_router = APIRouter(include_in_schema=False)
for module in (auth, jobs, job, quota, accounts, listings, inventory, orders):
    pages_router.include_router(module.router)
