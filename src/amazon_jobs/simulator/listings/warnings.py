"""The WARNING issues Amazon gives an accepted listings message.

A warning never makes a message invalid: the message is accepted and applied,
the report counts the warning in ``summary.warnings`` and, with the item, in
``itemSummary.warnings``, and the listing shows it (``items[].issues``,
getListingsItem) once the change is visible.

One deterministic case is modelled, with Amazon's code and text from its own
processing-report example: every accepted ``UPDATE`` gets 18448 "Attributes
tagged as relevant_attributes are incomplete …", since an offer-only update
carries none of the product facts Amazon tags as relevant (the example's item
got it for an offer with only ``condition_type`` and ``item_name``).
"""

from __future__ import annotations

from typing import Any

from amazon_jobs.simulator.listings.issues import (
    RELEVANT_ATTRIBUTE_NAMES,
    RELEVANT_ATTRIBUTES,
    RELEVANT_ATTRIBUTES_MESSAGE,
    Issue,
)

__all__ = ["warnings_of"]


def warnings_of(message: dict[str, Any], message_id: int) -> list[Issue]:
    """The warnings of the accepted, schema-valid *message*."""
    if message["operationType"] != "UPDATE":
        return []
    return [
        Issue(
            RELEVANT_ATTRIBUTES,
            RELEVANT_ATTRIBUTES_MESSAGE,
            severity="WARNING",
            message_id=message_id,
            sku=message["sku"],
            attribute_names=RELEVANT_ATTRIBUTE_NAMES,
        )
    ]
