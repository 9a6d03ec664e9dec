"""The bearer token every API route requires, declared in the OpenAPI schema."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from amazon_jobs.store.api_tokens import TokenGrant
from amazon_jobs.web.deps import ApiUser

__all__ = ["TokenUser", "require_token"]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token, created with `amazon-jobs tokens create`.",
)


def require_token(
    user: ApiUser,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenGrant:
    """The token's user and role (checked by :data:`ApiUser`; *_declared* documents
    the scheme)."""
    return user


TokenUser = Annotated[TokenGrant, Depends(require_token)]
