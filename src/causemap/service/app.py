"""``create_app(settings)``: the FastAPI application.

Layout: the API under ``/api/v1`` (one router per area, see
:mod:`causemap.service.routes`), ``/healthz`` and ``/metrics`` at the top, OpenAPI at
``/docs``, and the static web editor mounted at ``/`` last, so every route above wins.
The editor's mount matches none of the API's paths (:data:`API_PATHS`): there a wrong
method or an unknown path is answered by the API, as JSON, with its own ``Allow``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from causemap import __version__
from causemap.catalog import load_catalog
from causemap.catalog.model import Catalog
from causemap.model import Incident
from causemap.resources import web_dir
from causemap.service import problems
from causemap.service.answers import Answers
from causemap.service.deps import API_PREFIX, json_acceptable, single_values
from causemap.service.middleware import (
    BodyLimit,
    Cors,
    HeadAsGet,
    RequestMetrics,
    SecurityHeaders,
    Unexpected,
)
from causemap.service.rendering import Renderer
from causemap.service.routes import ROUTERS, health
from causemap.service.settings import Settings
from causemap.store import Store

__all__ = ["API_PATHS", "API_PREFIX", "WebMount", "app_from_env", "create_app"]

log = logging.getLogger("causemap.service")

API_PATHS = ("/api", "/healthz", "/metrics", "/docs")
"""Paths (and everything below them) that belong to the API, never to the web editor."""


class WebMount(Mount):
    """The static web editor at ``/``, for every path but :data:`API_PATHS`."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if any(path == api or path.startswith(f"{api}/") for api in API_PATHS):
            return Match.NONE, {}
        return super().matches(scope)


DESCRIPTION = """\
Blameless postmortems as causal graphs: store incidents with their full revision
history, follow them live, and diff revisions; draw, analyse and lint incidents, suggest
catalog factors, and find the factors shared across incidents.

**Auth.** When the server has tokens (`CAUSEMAP_TOKENS`), send
`Authorization: Bearer TOKEN`; read tokens may read, render and analyse, write tokens
may also write. `GET /api/v1/whoami` tells a page which it has.

**Errors** are always `{"error": {"code", "message", "details"}}`; invalid incidents
carry the same diagnostics as `causemap validate` in `details`.
"""


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, catalog: Catalog | None = None
) -> FastAPI:
    """Build the application; opens (and migrates) the store unless one is given, and
    reads ``settings.catalog`` unless ``catalog`` is that file already read.

    Raises
    ------
    CatalogError
        If ``settings.catalog`` names a catalog file that cannot be used.
    StoreUnavailable
        If the database cannot be opened.
    """
    settings = settings or Settings()
    # A catalog file is read now, so that a bad one stops the start; the built-in one
    # is loaded on first use.
    if catalog is None and settings.catalog:
        catalog = load_catalog(settings.catalog)
    store = store or Store.open(settings.db)
    owned = store

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.renderer.close()
        owned.close()

    app = FastAPI(
        title="causemap",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        redirect_slashes=False,
        dependencies=[Depends(single_values), Depends(json_acceptable)],
    )
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.store = store
    app.state.answers = Answers()
    app.state.renderer = Renderer(
        cache_bytes=settings.render_cache,
        workers=settings.dot_workers,
        wait=settings.dot_wait,
        limits=settings.render_limits,
    )
    problems.install(app)
    for router in [*ROUTERS, health.router]:
        app.include_router(router)
    _add_incident_schema(app)

    app.add_middleware(Unexpected)
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimit, max_body=settings.max_body)
    if settings.cors_origins:
        app.add_middleware(
            Cors,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "Last-Event-ID",
            ],
            expose_headers=["Causemap-Warning", "ETag", "Location", "Retry-After", "Server-Timing"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics)

    folder = settings.web_dir or web_dir()
    if folder.is_dir():
        app.router.routes.append(
            WebMount("/", StaticFiles(directory=folder, html=True), name="web")
        )
    else:
        log.warning("no web folder at %s; serving the API only", folder)
    return app


def _add_incident_schema(app: FastAPI) -> None:
    """Put the ``Incident`` schema into the OpenAPI components for the request bodies."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            defs = Incident.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in defs.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components.setdefault("Incident", defs)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_from_env(catalog: Catalog | None = None) -> FastAPI:
    """The app configured by ``CAUSEMAP_*`` variables (uvicorn's ``--factory`` entry);
    ``catalog`` is ``CAUSEMAP_CATALOG``'s file when the caller has read it already."""
    return create_app(Settings.from_env(), catalog=catalog)
