"""Request dependencies shared by the routers: the store and token checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from causemap.service.auth import Role, Tokens
from causemap.store import Store

__all__ = ["API_PREFIX", "StoreDep", "get_store", "reader", "require", "writer"]

API_PREFIX = "/api/v1"
"""Where the versioned API lives; every router under it starts its prefix with this."""

_bearer = HTTPBearer(auto_error=False, description="A token from CAUSEMAP_TOKENS.")


def get_store(request: Request) -> Store:
    """The app's store."""
    store: Store = request.app.state.store
    return store


def require(role: Role) -> Callable[..., None]:
    """A dependency that admits requests whose token has ``role`` or a stronger one."""

    def check(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        tokens: Tokens = request.app.state.settings.tokens
        tokens.check(request.headers.get("authorization"), role)

    return check


reader = Depends(require(Role.READ))
writer = Depends(require(Role.WRITE))
StoreDep = Annotated[Store, Depends(get_store)]
