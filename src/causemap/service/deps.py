"""Request dependencies shared by the routers: the store, the renderer, token checks, the
incident id in a path and ``If-None-Match``; and the two every API route runs
(:func:`single_values`, :func:`json_acceptable`, given to the app as global
dependencies).

They are ``async def`` although none awaits anything: FastAPI runs a plain ``def``
dependency in its thread pool, and such hops (token check, renderer, view options, the
global checks) cost a render request about as much as checking its SVG. Each does only a
few dict lookups (and one SHA-256), which is cheaper on the event loop than a thread
hand-off.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from causemap.errors import NotAcceptable
from causemap.fields import Slug
from causemap.service.auth import Role, Tokens
from causemap.service.headers import accept_match
from causemap.service.problems import header
from causemap.service.rendering import Renderer
from causemap.store import Store

__all__ = [
    "API_PREFIX",
    "ETAG",
    "IfMatch",
    "IfNoneMatch",
    "IncidentId",
    "RendererDep",
    "StoreDep",
    "get_renderer",
    "get_store",
    "json_acceptable",
    "reader",
    "render_reader",
    "require",
    "single_values",
    "writer",
]

API_PREFIX = "/api/v1"
"""Where the versioned API lives; every router under it starts its prefix with this."""

_bearer = HTTPBearer(auto_error=False, description="A token from CAUSEMAP_TOKENS.")


async def get_store(request: Request) -> Store:
    """The app's store."""
    store: Store = request.app.state.store
    return store


async def get_renderer(request: Request) -> Renderer:
    """The app's renderer (render cache, dot pool)."""
    renderer: Renderer = request.app.state.renderer
    return renderer


def require(
    role: Role, *, unless_public_render: bool = False
) -> Callable[..., Coroutine[Any, Any, None]]:
    """A dependency that admits requests whose token has ``role`` or a stronger one.

    With ``unless_public_render``, everyone is admitted when the server renders publicly
    (``CAUSEMAP_PUBLIC_RENDER``).
    """

    async def check(
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
IfNoneMatch = Annotated[
    str | None, Header(description="ETags you hold (or *): 304 if one is still current.")
]
"""The ``If-None-Match`` header of a GET that answers 304."""
IfMatch = Annotated[
    str | None,
    Header(description="ETags (or *): 412 unless one is that of the current representation."),
]
"""The ``If-Match`` header of a GET (RFC 9110 13.1.1: evaluated for every method)."""
ETAG: dict[str, Any] = {
    "ETag": header("The answer's strong entity tag: send it back as If-None-Match.")
}
"""OpenAPI ``headers`` of an answer that carries an ``ETag``."""


def _repeatable(annotation: Any) -> bool:
    """Whether a parameter of this type takes a list of values (``list[str]``)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_repeatable(arg) for arg in typing.get_args(annotation))
    return origin in (list, tuple, set, frozenset)


def _single_queries(dependant: Dependant) -> Iterator[str]:
    """The names of the query parameters of a route (and its dependencies) that take one
    value."""
    for field in dependant.query_params:
        if not _repeatable(field.field_info.annotation):
            yield field.alias
    for sub in dependant.dependencies:
        yield from _single_queries(sub)


async def single_values(request: Request) -> None:
    """Refuse a query parameter that takes one value but was given several different
    ones (``?severity=sev1&severity=sev2``): FastAPI takes the last one silently, so
    the request would be answered as if the others had not been asked for.

    Raises
    ------
    RequestValidationError
        HTTP 422 ``invalid-parameters``, one detail per such parameter at
        ``/query/<name>``.
    """
    route = request.scope.get("route")
    query = request.query_params
    if not isinstance(route, APIRoute) or len(query.multi_items()) == len(query):
        return
    single = set(_single_queries(route.dependant))
    problems = []
    for name in query:  # in the order the query names them
        if name not in single:
            continue
        values = list(dict.fromkeys(query.getlist(name)))
        if len(values) > 1:
            message = f"{name} takes one value, but was given {len(values)} values"
            problems.append({"type": "repeated", "loc": ("query", name), "msg": message})
    if problems:
        raise RequestValidationError(problems)


def _json_only(route: APIRoute) -> bool:
    """Whether a route answers JSON alone: FastAPI's default response class, and no
    other media type documented for its 200 (an incident document can be YAML)."""
    kind = route.response_class
    if isinstance(kind, DefaultPlaceholder):
        kind = kind.value
    others = set(route.responses.get(200, {}).get("content", {})) - {"application/json"}
    return kind is JSONResponse and not others


async def json_acceptable(request: Request) -> None:
    """Refuse a request whose ``Accept`` header refuses JSON outright (``q=0`` on the
    range that matches it: ``application/json;q=0``, ``*/*;q=0``) at a route that
    answers JSON alone. A header that does not mention JSON (``text/html``) is
    disregarded, as RFC 9110 12.5.1 allows.

    Raises
    ------
    NotAcceptable
        HTTP 406.
    """
    accept = request.headers.get("accept")
    route = request.scope.get("route")
    if not accept or not isinstance(route, APIRoute):
        return
    found = accept_match(accept, "application/json")
    if found is not None and found[0] <= 0 and _json_only(route):
        raise NotAcceptable(
            f"cannot answer with any of: {accept[:200]}; this answers application/json",
            ["application/json"],
        )
