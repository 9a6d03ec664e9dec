"""Saved views: named filters of the jobs table, kept per user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from amazon_jobs.store.models import SavedView

__all__ = ["MAX_VIEWS", "delete_view", "list_views", "save_view"]

#: Most views one user keeps.
MAX_VIEWS = 50


def list_views(session: Session, user_id: int) -> list[SavedView]:
    """The user's views, by name."""
    query = select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name)
    return list(session.scalars(query))


def save_view(
    session: Session, user_id: int, name: str, query: str, now: datetime
) -> SavedView | None:
    """Save (or replace) the view *name*; None when the user has :data:`MAX_VIEWS` already."""
    found = session.scalar(
        select(SavedView).where(SavedView.user_id == user_id, SavedView.name == name)
    )
    if found is not None:
        found.query = query
        return found
    if len(list_views(session, user_id)) >= MAX_VIEWS:
        return None
    view = SavedView(user_id=user_id, name=name, query=query, created_at=now)
    session.add(view)
    session.flush()
    return view


def delete_view(session: Session, user_id: int, view_id: int) -> bool:
    """Delete one of the user's views; False when it is not theirs or does not exist."""
    result = session.execute(
        delete(SavedView).where(SavedView.id == view_id, SavedView.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))
