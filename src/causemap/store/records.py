"""What the store returns: revisions, documents, listing rows and pages, and queries.

These are plain pydantic models, so that the service can use them as response models
and the CLI can print them as JSON.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from causemap.errors import InvalidQuery
from causemap.loader import canonical
from causemap.model import Incident, control_character, is_slug

__all__ = [
    "MAX_LIMIT",
    "MAX_REVISION",
    "Action",
    "Page",
    "Query",
    "Record",
    "RevisionInfo",
    "Summary",
    "check_filter",
    "decode_cursor",
    "encode",
    "encode_cursor",
]

MAX_LIMIT = 500
"""Largest page a listing returns."""
MAX_REVISION = 2**31 - 1
"""Largest revision number: revisions are 32-bit INTEGER columns (PostgreSQL's limit;
SQLite's is 2**63 - 1). Numbers from outside are checked against it before any query."""

Action = Literal["create", "update", "delete", "restore"]

_CONFIG = ConfigDict(extra="forbid", use_attribute_docstrings=True)


def encode(incident: Incident) -> tuple[str, str]:
    """Return the canonical JSON text of ``incident`` and its SHA-256 (hex)."""
    text = json.dumps(canonical(incident), ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode()).hexdigest()


class RevisionInfo(BaseModel):
    """One saved version of an incident, without its document."""

    model_config = _CONFIG

    incident_id: str
    """The incident's id."""
    number: int
    """Revision number: 1 for the first save, one more for every later save."""
    action: Action
    """What the save did: create, update, delete or restore."""
    digest: str
    """SHA-256 of the canonical JSON document of this revision."""
    created_at: dt.datetime
    """When the revision was saved (UTC)."""


class Record(RevisionInfo):
    """A revision with its document."""

    document: str
    """The canonical JSON text of the incident at this revision."""
    deleted: bool = False
    """True when the incident is deleted now (for the latest revision)."""

    def data(self) -> dict[str, Any]:
        """The document as plain data."""
        value: dict[str, Any] = json.loads(self.document)
        return value

    def to_incident(self) -> Incident:
        """The document as the model (stored documents were valid when saved)."""
        return Incident.model_validate(self.data())


class Summary(BaseModel):
    """One row of an incident listing."""

    model_config = _CONFIG

    id: str
    title: str
    date: dt.date
    severity: str | None = None
    services: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    revision: int
    """The latest revision number (the ``ETag`` of the incident)."""
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None
    """When the incident was deleted, for a deleted one."""


class Page(BaseModel):
    """A page of an incident listing."""

    model_config = _CONFIG

    items: list[Summary]
    next_cursor: str | None = None
    """Pass as ``cursor`` to get the next page; null on the last page."""


@dataclass(frozen=True)
class Query:
    """Filters and paging of an incident listing; repeated filters must all match."""

    tags: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    """Shared-factor keys of nodes (``factor:``) the incident must contain."""
    severity: str | None = None
    date_from: dt.date | None = None
    """Incidents on or after this date."""
    date_to: dt.date | None = None
    """Incidents on or before this date."""
    deleted: bool = False
    """List deleted incidents (and only those) instead of live ones."""
    limit: int = 50
    cursor: str | None = None
    """From :attr:`Page.next_cursor`: where the previous page stopped."""


def encode_cursor(date: dt.date, incident_id: str) -> str:
    """An opaque cursor after (date, id) in listing order.

    Examples
    --------
    >>> decode_cursor(encode_cursor(dt.date(2024, 1, 2), "db-failover"))
    (datetime.date(2024, 1, 2), 'db-failover')
    """
    raw = f"{date.isoformat()}|{incident_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.date, str]:
    """The (date, id) an :func:`encode_cursor` cursor points after.

    Raises
    ------
    InvalidQuery
        If the cursor was not made by :func:`encode_cursor`.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day, incident_id = raw.split("|", 1)
        if not is_slug(incident_id):  # the id of a listed incident, which a cursor names
            raise ValueError(incident_id)
        return dt.date.fromisoformat(day), incident_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidQuery(f"invalid cursor {cursor[:40]!r}: pass a next_cursor unchanged") from exc


def check_filter(name: str, value: str) -> str:
    """``value``, a text filter of a listing, unless it holds a control character: no
    incident holds one (the format refuses them), and PostgreSQL cannot even compare
    text that holds a NUL.

    Raises
    ------
    InvalidQuery
        Naming the filter and the character.
    """
    found = control_character(value)
    if found is not None:
        raise InvalidQuery(
            f"{name}: a filter cannot hold a control character (found {found!r}); "
            "no incident holds one"
        )
    return value
