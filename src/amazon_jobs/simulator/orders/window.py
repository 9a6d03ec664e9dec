"""The search window of the order searches, shared by getOrders (v0) and searchOrders (2026).

Exactly one of ``CreatedAfter`` and ``LastUpdatedAfter`` (``createdAfter``,
``lastUpdatedAfter`` in 2026) is required; the matching Before is optional and
the other one is refused. The window must end at least two minutes before the
request; without a Before it ends then. Every refusal is a 400
``InvalidInput`` that names the parameter and says what to send instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_jobs.simulator.common.errors import ApiError, invalid_input
from amazon_jobs.simulator.common.query import Params, time_param
from amazon_jobs.simulator.orders.model import whole_second
from amazon_jobs.simulator.orders.search import DateField

__all__ = ["NAMES_2026", "NAMES_V0", "Window", "WindowNames", "window"]

#: A window must end at least this long before the request (Amazon's two minutes).
SETTLING = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class WindowNames:
    """The names of the four window parameters in one API version."""

    created_after: str
    created_before: str
    updated_after: str
    updated_before: str

    def after(self, field: DateField) -> str:
        """The name of the After parameter on *field*."""
        return self.created_after if field == DateField.CREATED else self.updated_after

    def before(self, field: DateField) -> str:
        """The name of the Before parameter on *field*; answers name the window's end so."""
        return self.created_before if field == DateField.CREATED else self.updated_before


NAMES_V0 = WindowNames("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore")
NAMES_2026 = WindowNames("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")


@dataclass(frozen=True, slots=True)
class Window:
    """A valid search window: ``after <= date <= before`` on one date."""

    date_field: DateField
    after: datetime
    before: datetime


def window(
    params: Params, names: WindowNames, now: datetime, settling: timedelta = SETTLING
) -> Window:
    """The window of a search: exactly one After, and a Before that has settled."""
    created_after = time_param(params, names.created_after, echo=True)
    updated_after = time_param(params, names.updated_after, echo=True)
    created_before = time_param(params, names.created_before, echo=True)
    updated_before = time_param(params, names.updated_before, echo=True)
    _one_after(names, created_after, updated_after)
    if created_after is not None:
        if updated_before is not None:
            raise _excluded(names.updated_before, names.created_after)
        return _checked(DateField.CREATED, created_after, created_before, names, now - settling)
    assert updated_after is not None
    if created_before is not None:
        raise _excluded(names.created_before, names.updated_after)
    return _checked(DateField.UPDATED, updated_after, updated_before, names, now - settling)


def _one_after(names: WindowNames, created: datetime | None, updated: datetime | None) -> None:
    if created is None and updated is None:
        raise invalid_input(f"Either {names.created_after} or {names.updated_after} is required.")
    if created is not None and updated is not None:
        raise invalid_input(
            f"{names.created_after} and {names.updated_after} cannot both be set: give one."
        )


def _excluded(name: str, because: str) -> ApiError:
    return invalid_input(f"{name} cannot be set when {because} is set.")


def _checked(
    field: DateField,
    after: datetime,
    before: datetime | None,
    names: WindowNames,
    latest: datetime,
) -> Window:
    after_name, before_name = names.after(field), names.before(field)
    if before is None:
        if after > latest:
            raise invalid_input(
                f"{after_name} must be at least two minutes before the time of the request."
            )
        return Window(field, after, whole_second(latest))
    if before < after:
        raise invalid_input(f"{before_name} must be equal to or after {after_name}.")
    if before > latest:
        raise invalid_input(
            f"{before_name} must be at least two minutes before the time of the request."
        )
    return Window(field, after, before)
