"""The dashboard's pages (server-rendered HTML), one module per page."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.web.pages import (
    accounts,
    activity,
    auth,
    charts,
    inventory,
    job,
    jobs,
    jobs_bulk,
    listing_jobs,
    listings,
    orders,
    policy,
    products,
    quota,
    shops,
    users,
    views,
)

__all__ = ["pages_router"]

pages_router = APIRouter(include_in_schema=False)
for module in (
    auth,
    jobs_bulk,
    jobs,
    job,
    quota,
    charts,
    accounts,
    policy,
    shops,
    products,
    listings,
    listing_jobs,
    inventory,
    orders,
    users,
    views,
    activity,
):
    pages_router.include_router(module.router)
