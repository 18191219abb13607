"""The service's factor catalog: ``causemap serve --catalog FILE`` (``CAUSEMAP_CATALOG``),
else the built-in one, for ``/suggest``, ``/patterns``, ``/catalog`` and so the web editor.

The catalog is prepared on first use, once per application: its index for scoring and
a digest that goes into the patterns report's ``ETag``, so that a restart with another
catalog never answers 304 for a report made with the old one. Preparing a large team
catalog takes seconds, so routes await :func:`prepared_catalog`, which does it in a
worker thread: on the event loop it held up every other request, ``/healthz`` too.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from causemap.catalog.model import Catalog
from causemap.patterns.suggest import CatalogIndex

__all__ = ["ServiceCatalog", "cache_warning", "catalog_of", "prepared_catalog"]

log = logging.getLogger("causemap.service")

_PREPARING = threading.Lock()
"""Held while an application's catalog is prepared, so that concurrent first requests
build one index, not one each."""


@dataclass(frozen=True)
class ServiceCatalog:
    """A catalog ready to serve."""

    catalog: Catalog
    index: CatalogIndex
    digest: str
    """SHA-256 of the catalog's canonical JSON."""
    document: bytes
    """The catalog as the JSON of a catalog file (``GET /catalog`` answers it), made once:
    the built-in catalog is about 190 kB of it."""


def catalog_of(app: Starlette) -> ServiceCatalog:
    """The application's catalog (``app.state.catalog``, set by ``create_app`` from a
    ``--catalog`` file; None means the built-in one), prepared on first use (blocking:
    call it from a worker thread)."""
    with _PREPARING:
        found: ServiceCatalog | None = getattr(app.state, "service_catalog", None)
        if found is None:
            from causemap.catalog import builtin_catalog

            catalog: Catalog = getattr(app.state, "catalog", None) or builtin_catalog()
            digest = catalog.digest()
            found = ServiceCatalog(
                catalog,
                _index(catalog, digest),
                digest,
                catalog.model_dump_json(by_alias=True, exclude_none=True).encode(),
            )
            app.state.service_catalog = found
        return found


def _index(catalog: Catalog, digest: str) -> CatalogIndex:
    """The catalog's index from the patterns cache in the user's cache folder (which
    ``GET /patterns`` uses too), else built and kept there: a restarted service answers its
    first ``/suggest`` in a few dozen milliseconds, not a quarter of a second."""
    from causemap.patterns.cache import FactsCache, default_folder

    with FactsCache(default_folder(), digest, warn=cache_warning) as cache:
        return cache.index(catalog, examples=True)


def cache_warning(message: str) -> None:
    """A problem of the patterns cache, logged: the service goes on without it."""
    log.warning("%s", message)


async def prepared_catalog(app: Starlette) -> ServiceCatalog:
    """:func:`catalog_of`, prepared in a worker thread the first time."""
    found: ServiceCatalog | None = getattr(app.state, "service_catalog", None)
    return found if found is not None else await run_in_threadpool(catalog_of, app)
