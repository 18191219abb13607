"""The store's database: its engine, the transactions on it, and the rows reads and writes share.

:class:`Database` is the base of :class:`~causemap.store.store.Store` on which the reads
(:mod:`causemap.store.reads`) and the writes (:mod:`causemap.store.writes`) each stand in
a module of their own: a transaction that turns the environment's failures into
:class:`~causemap.errors.StoreUnavailable`, and the lookups of an incident's row and of
one of its revisions that both need, with the conversion of revision rows to records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import (
    DatabaseError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
)

from causemap.errors import RevisionNotFound, StoreUnavailable
from causemap.store.engine import WRITE
from causemap.store.records import MAX_REVISION, Record
from causemap.store.tables import incidents, revisions

__all__ = ["Database", "reason_of", "to_record", "utc", "utc_row"]


class Database:
    """The engine of a :class:`~causemap.store.store.Store` and its transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                if write:
                    connection = connection.execution_options(**WRITE)
                with connection.begin():
                    yield connection
        except IntegrityError:
            raise
        except DBAPIError as exc:
            # Unreachable, locked, read-only, or damaged (SQLite's "database disk image is
            # malformed" is a bare DatabaseError; PostgreSQL's data_corrupted an
            # InternalError): the environment, not a bug. Anything else is re-raised.
            failing = OperationalError | InterfaceError | InternalError
            if exc.connection_invalidated or isinstance(exc, failing) or type(exc) is DatabaseError:
                raise StoreUnavailable(f"database unavailable: {reason_of(exc)}") from exc
            raise

    def _head(self, connection: Connection, incident_id: str, *, lock: bool = False) -> Any:
        """The incident's row (revision, deleted_at), or None.

        With ``lock`` (writes that pick the revision they replace themselves), the row
        stays locked until commit, so no other writer can save in between: PostgreSQL
        takes a row lock (``FOR UPDATE``); SQLite already holds the write lock.
        """
        query = select(incidents.c.revision, incidents.c.deleted_at).where(
            incidents.c.id == incident_id
        )
        if lock:
            query = query.with_for_update()
        return connection.execute(query).first()

    def _record(
        self, connection: Connection, incident_id: str, number: int, deleted_at: Any
    ) -> Record:
        query = select(revisions).where(
            revisions.c.incident_id == incident_id, revisions.c.number == number
        )
        row = connection.execute(query).first() if 0 < number <= MAX_REVISION else None
        if row is None:
            raise RevisionNotFound(f"incident {incident_id!r} has no revision {number}")
        return to_record(row, deleted=deleted_at is not None)


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC, as every time the store gives is: SQLite returns naive
    datetimes (written in UTC), PostgreSQL aware ones in the session's time zone."""
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def utc_row(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` (a revision's columns) with its ``created_at`` in UTC, changed in place."""
    row["created_at"] = utc(row["created_at"])
    return row


def to_record(row: Any, *, deleted: bool) -> Record:
    """The :class:`~causemap.store.records.Record` of a row of ``revisions``."""
    values = {c.name: getattr(row, c.name) for c in revisions.c}
    return Record(**utc_row(values), deleted=deleted)


def reason_of(exc: BaseException) -> str:
    """The first line of the database's message in ``exc``: what a user is told of it."""
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
