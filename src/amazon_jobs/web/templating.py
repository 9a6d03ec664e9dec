"""The Jinja2 environment shared by every page: autoescaped, with our helpers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from amazon_jobs.domain.jobs import USER_CANCELABLE, JobStatus, JobType

__all__ = ["templates"]

HERE = Path(__file__).parent

templates = Jinja2Templates(directory=HERE / "templates")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


templates.env.globals.update(
    JobType=JobType,
    JobStatus=JobStatus,
    USER_CANCELABLE={s.value for s in USER_CANCELABLE},
)
templates.env.filters["when"] = _when
