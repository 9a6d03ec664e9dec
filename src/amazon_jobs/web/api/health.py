"""``/healthz``: the one route that needs no login."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.errors import ApiError

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(rt: RuntimeDep) -> dict[str, str]:
    """Whether the service runs and reaches its database."""
    try:
        with rt.db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        raise ApiError(503, f"the database does not answer: {type(exc).__name__}") from None
    return {"status": "ok"}
