"""Model objects made from a prepared row, without the ORM's loading.

Loading one row through the ORM costs about as much as a whole write
transaction; a :class:`~amazon_jobs.store.prepared.Prepared` row made into the
same model class costs a third of it. Two uses:

- a step reads its job and account once, at its start, to decide what to do
  (:meth:`~amazon_jobs.handlers.steps.StepHandler.load`): such an object belongs to
  no session (it is *transient*), so read it, never add it to a session;
- :func:`~amazon_jobs.store.jobs.lock_job` hands the row it locked to the session as
  a loaded object (``make_transient_to_detached``, then ``add``), so what the step
  changes on it is written as the ORM would write it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Column, Table, inspect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import instance_dict

__all__ = ["Snapshot"]

M = TypeVar("M", bound=DeclarativeBase)


class Snapshot(Generic[M]):
    """Every column of *model*'s table, in order, and how to make an object of them."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        table = cast(Table, model.__table__)
        key_of = {attr.columns[0].name: attr.key for attr in inspect(model).column_attrs}
        #: The columns to select, in the order :meth:`build` takes their values.
        self.columns: list[Column[Any]] = list(table.c)
        self._keys = [key_of[column.name] for column in self.columns]
        self._manager = inspect(model).class_manager

    def build(self, values: Sequence[Any]) -> M:
        """An object of the model with *values* (one per column of :attr:`columns`), set as
        a load sets them: without the constructor and its history events."""
        instance = cast(M, self._manager.new_instance())
        instance_dict(instance).update(zip(self._keys, values, strict=True))
        return instance
