"""The contributing-factor catalog: its model, and loading it with located diagnostics.

``builtin_catalog()`` is the catalog shipped in ``factors.yaml``; ``load_catalog(path)``
reads a user's file, which either replaces the built-in catalog or, with the top-level key
``extends: builtin``, adds to it and overrides entries that share a key.
"""

from causemap.catalog.loader import (
    BUILTIN_PATH,
    builtin_catalog,
    check_catalog,
    load_catalog,
    loads_catalog,
    resolve_catalog,
)
from causemap.catalog.model import Catalog, CatalogAction, Entry

__all__ = [
    "BUILTIN_PATH",
    "Catalog",
    "CatalogAction",
    "Entry",
    "builtin_catalog",
    "check_catalog",
    "load_catalog",
    "loads_catalog",
    "resolve_catalog",
]
