"""The incident store: SQLite by default, PostgreSQL for a team, full revision history.

>>> from causemap.store import Store
>>> store = Store.open("sqlite:///incidents.db")        # doctest: +SKIP
>>> record = store.create(incident)                      # doctest: +SKIP
>>> store.update(incident.id, edited, expected=record.number)  # doctest: +SKIP
"""

from causemap.store.engine import default_url, resolve_url, safe_url
from causemap.store.layouts import Layout, LayoutUpdate, Position
from causemap.store.records import Page, Query, Record, RevisionInfo, Summary
from causemap.store.store import Outcome, Store

__all__ = [
    "Layout",
    "LayoutUpdate",
    "Outcome",
    "Page",
    "Position",
    "Query",
    "Record",
    "RevisionInfo",
    "Store",
    "Summary",
    "default_url",
    "resolve_url",
    "safe_url",
]
