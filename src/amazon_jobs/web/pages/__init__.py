"""The dashboard's pages (server-rendered HTML), one module per page."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.web.pages import auth, jobs

__all__ = ["pages_router"]

pages_router = APIRouter(include_in_schema=False)
pages_router.include_router(auth.router)
pages_router.include_router(jobs.router)
