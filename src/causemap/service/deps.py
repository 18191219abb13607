"""Request dependencies shared by the routers: the store, the renderer, token checks and
the incident id in a path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from causemap.model import Slug
from causemap.service.auth import Role, Tokens
from causemap.service.rendering import Renderer
from causemap.store import Store

__all__ = [
    "API_PREFIX",
    "IncidentId",
    "RendererDep",
    "StoreDep",
    "get_renderer",
    "get_store",
    "reader",
    "render_reader",
    "require",
    "writer",
]

API_PREFIX = "/api/v1"
"""Where the versioned API lives; every router under it starts its prefix with this."""

_bearer = HTTPBearer(auto_error=False, description="A token from CAUSEMAP_TOKENS.")


def get_store(request: Request) -> Store:
    """The app's store."""
    store: Store = request.app.state.store
    return store


def get_renderer(request: Request) -> Renderer:
    """The app's renderer (render cache, dot pool)."""
    renderer: Renderer = request.app.state.renderer
    return renderer


def require(role: Role, *, unless_public_render: bool = False) -> Callable[..., None]:
    """A dependency that admits requests whose token has ``role`` or a stronger one.

    With ``unless_public_render``, everyone is admitted when the server renders publicly
    (``CAUSEMAP_PUBLIC_RENDER``).
    """

    def check(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        settings = request.app.state.settings
        if unless_public_render and settings.public_render:
            return
        tokens: Tokens = settings.tokens
        tokens.check(request.headers.get("authorization"), role)

    return check


reader = Depends(require(Role.READ))
writer = Depends(require(Role.WRITE))
render_reader = Depends(require(Role.READ, unless_public_render=True))
StoreDep = Annotated[Store, Depends(get_store)]
RendererDep = Annotated[Renderer, Depends(get_renderer)]
IncidentId = Annotated[Slug, Path(description="The incident's id.")]
"""The ``{incident_id}`` path parameter, a slug, the same on every route."""
