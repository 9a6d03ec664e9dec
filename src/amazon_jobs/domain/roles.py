"""Roles: who may do what, in one order (admin ⊃ operator ⊃ viewer).

| role | may |
| --- | --- |
| ``viewer`` | read everything the dashboard and the API show; change their own password |
| ``operator`` | and change selling data: jobs, products, listings, orders |
| ``admin`` | and manage users, API tokens, Amazon accounts and settings |

An API token carries a *scope*, a role no wider than its user's; what it may
do is the narrower of its scope and its user's role *now* (:func:`narrowest`),
so taking a role away from a user takes it away from their tokens too.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROLES", "Role", "allows", "narrowest", "parse_role"]


class Role(StrEnum):
    """What a user (or a token) may do; each includes the ones below it."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}
#: From the narrowest to the widest.
ROLES = (Role.VIEWER, Role.OPERATOR, Role.ADMIN)


def allows(have: Role, need: Role) -> bool:
    """*have* includes *need*."""
    return have.rank >= need.rank


def narrowest(*roles: Role) -> Role:
    return min(roles, key=lambda role: role.rank)


def parse_role(text: str) -> Role | None:
    """The role named *text* (any case, spaces around ignored), or None."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        return None
