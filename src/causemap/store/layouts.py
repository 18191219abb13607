"""Each incident's shared layout: where the web editor draws its nodes, for everyone.

In a review meeting people say "the node on the left", so every viewer, and whoever opens
the incident later, must see the picture the facilitator arranged. The layout is kept
beside the incident, not in it: it is no part of the document (files, exports and diffs
stay free of coordinates) and saving it appends no revision, so dragging a node makes no
history. It has a ``version`` of its own, one more at every save that changes it, which
is its entity tag and what live viewers follow (:meth:`Layouts.layout_since`).

A layout names node ids without checking them against the incident: the editor saves a
new node's place before the document that adds the node, and a place kept for a node an
undo brings back does no harm. Deleting the incident keeps its layout, unreadable and
unwritable (and told to no follower) until the incident is restored, so undoing a delete
brings the facilitator's arrangement back with it. Writes lock the incident's row, as
revision writes do, so a layout is never saved onto a deleted incident. The layout goes
with the incident's row (``ON DELETE CASCADE``), and a new incident drops any layout left
under its id (:func:`drop_layout`), so it never starts with another's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import Connection, select

from causemap.errors import IncidentDeleted, IncidentNotFound, LayoutConflict
from causemap.fields import Slug
from causemap.model import MAX_NODES
from causemap.store.database import Database, utc
from causemap.store.tables import incidents, layouts

__all__ = [
    "MAX_COORDINATE",
    "MAX_LAYOUT_NODES",
    "Layout",
    "LayoutUpdate",
    "Layouts",
    "Position",
    "drop_layout",
]

MAX_COORDINATE = 1_000_000
"""Largest distance of a node from the origin along either axis, in canvas pixels: far
beyond any drawing (a 150-node incident spans a few thousand), and within 32 bits."""
MAX_LAYOUT_NODES = MAX_NODES
"""Most nodes a layout places: as many as an incident can have."""


def _whole(value: Any) -> Any:
    """A coordinate is a whole number: ``12.0`` is taken (JSON Schema's ``integer`` takes
    it), ``12.5``, ``"12"`` and ``true`` are not."""
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is not int:
        raise PydanticCustomError("int_type", "a coordinate must be a whole number")
    return value


Coordinate = Annotated[int, BeforeValidator(_whole), Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE)]

_CONFIG = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Position(BaseModel):
    """Where a node's centre is on the canvas, in pixels (y grows downwards)."""

    model_config = _CONFIG

    x: Coordinate
    y: Coordinate


class LayoutUpdate(BaseModel):
    """A new layout for an incident: every node placed, replacing the previous layout."""

    model_config = _CONFIG

    nodes: dict[Slug, Position] = Field(
        max_length=MAX_LAYOUT_NODES, json_schema_extra={"additionalProperties": False}
    )
    """Node id → position. Ids follow the incident format's id rules; nodes the
    incident does not (yet) have are kept, and ignored by whoever draws it."""


class Layout(BaseModel):
    """An incident's shared layout as saved."""

    model_config = _CONFIG

    incident_id: str
    """The incident's id."""
    version: int
    """How many saves changed it: 0 while none has (then ``nodes`` is empty)."""
    updated_at: dt.datetime | None = None
    """When it was last changed (UTC); null while it never was."""
    nodes: dict[str, Position]
    """Node id → position, by id."""


def _encode(nodes: Mapping[str, Position]) -> str:
    """The stored text of ``nodes``: canonical JSON of id → ``[x, y]``, sorted by id."""
    pairs = {node: [p.x, p.y] for node, p in sorted(nodes.items())}
    return json.dumps(pairs, separators=(",", ":"))


def _layout(incident_id: str, row: Any) -> Layout:
    """The :class:`Layout` of a row of ``layouts`` (None: the empty layout, version 0)."""
    if row is None:
        return Layout(incident_id=incident_id, version=0, nodes={})
    pairs: dict[str, list[int]] = json.loads(row.positions)
    nodes = {node: Position(x=x, y=y) for node, (x, y) in pairs.items()}
    return Layout(
        incident_id=incident_id,
        version=int(row.version),
        nodes=nodes,
        updated_at=utc(row.updated_at),
    )


def _row(connection: Connection, incident_id: str, *, lock: bool = False) -> Any:
    query = select(layouts).where(layouts.c.incident_id == incident_id)
    return connection.execute(query.with_for_update() if lock else query).first()


def drop_layout(connection: Connection, incident_id: str) -> None:
    """Remove any layout kept under ``incident_id``, in the transaction creating it.

    Only a row the incident's own removal left behind can be there: one deleted by hand
    with foreign keys off (SQLite's shell has them off by default), which would otherwise
    hand the old incident's places to the new one.
    """
    connection.execute(layouts.delete().where(layouts.c.incident_id == incident_id))


class Layouts(Database):
    """The shared layouts of a :class:`~causemap.store.store.Store`."""

    def layout(self, incident_id: str) -> Layout:
        """The shared layout of ``incident_id`` (the empty one, version 0, if none).

        Raises
        ------
        IncidentNotFound
            If there is no such incident.
        IncidentDeleted
            If it is deleted.
        """
        with self._connect() as connection:
            self._live(connection, incident_id)
            return _layout(incident_id, _row(connection, incident_id))

    def layout_since(self, incident_id: str, version: int) -> Layout | None:
        """The layout of ``incident_id`` unless its version is ``version``, else None.

        What an event stream polls: one read, by primary key, of the incident's row and its
        layout's. "Not the version seen" rather than "above it", so a store restored from
        a backup, whose layout went back, is heard too. A missing incident has the empty
        layout; a deleted one's is kept from everyone (None) until it is restored, and
        then told to whoever does not hold its version.
        """
        query = (
            select(incidents.c.deleted_at, layouts)
            .select_from(incidents.outerjoin(layouts, layouts.c.incident_id == incidents.c.id))
            .where(incidents.c.id == incident_id)
        )
        with self._connect() as connection:
            found = connection.execute(query).first()
        if found is not None and found.deleted_at is not None:
            return None
        row = None if found is None or found.version is None else found
        current = 0 if row is None else int(row.version)
        return None if current == version else _layout(incident_id, row)

    def put_layout(
        self,
        incident_id: str,
        nodes: Mapping[str, Position],
        *,
        expected: int | None = None,
    ) -> Layout:
        """Replace the shared layout of ``incident_id`` with ``nodes``.

        With ``expected``, refuse unless that is the current version (0: none saved yet);
        without, the last writer wins. Saving the layout it already has changes nothing,
        not even the version, so live viewers are not told of it.

        Raises
        ------
        IncidentNotFound, IncidentDeleted
            If there is no such live incident.
        LayoutConflict
            If ``expected`` is not the current version.
        """
        text = _encode(nodes)
        with self._connect(write=True) as connection:
            self._live(connection, incident_id, lock=True)
            row = _row(connection, incident_id, lock=True)
            current = 0 if row is None else int(row.version)
            if expected is not None and expected != current:
                raise LayoutConflict(
                    f"the layout of incident {incident_id!r} is at version {current}, not "
                    f"{expected}: someone moved its nodes since you read it",
                    current=current,
                )
            if row is not None and row.positions == text:
                return _layout(incident_id, row)
            now = dt.datetime.now(dt.UTC)
            values = {"version": current + 1, "positions": text, "updated_at": now}
            if row is None:
                connection.execute(layouts.insert().values(incident_id=incident_id, **values))
            else:
                where = layouts.c.incident_id == incident_id
                connection.execute(layouts.update().where(where).values(**values))
            return Layout(
                incident_id=incident_id,
                version=current + 1,
                nodes=dict(sorted(nodes.items())),
                updated_at=now,
            )

    def _live(self, connection: Connection, incident_id: str, *, lock: bool = False) -> None:
        """Raise unless ``incident_id`` is a live incident (its row locked with ``lock``)."""
        row = self._head(connection, incident_id, lock=lock)
        if row is None:
            raise IncidentNotFound(f"no incident {incident_id!r}")
        if row.deleted_at is not None:
            raise IncidentDeleted(f"incident {incident_id!r} is deleted; restore it to see it")
