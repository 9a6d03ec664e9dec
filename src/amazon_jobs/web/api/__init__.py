"""The REST API under /api/v1, one router per resource, and /healthz."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.web.api import health

__all__ = ["api_router", "health_router"]

api_router = APIRouter(prefix="/api/v1")
health_router = health.router
