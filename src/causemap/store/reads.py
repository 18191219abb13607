"""Reading the store: an incident's latest revision, its history, listing pages and exports.

The reads stand apart from the writes (:mod:`causemap.store.writes`): none changes a row,
each is one read transaction, and what they return is :mod:`causemap.store.records`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, and_, exists, func, or_, select

from causemap.errors import IncidentDeleted, IncidentNotFound
from causemap.store.database import Database, to_record, utc, utc_row
from causemap.store.records import (
    MAX_LIMIT,
    MAX_REVISION,
    Page,
    Query,
    Record,
    RevisionInfo,
    Summary,
    check_filter,
    decode_cursor,
    encode_cursor,
)
from causemap.store.tables import incidents, revisions, terms

__all__ = ["Reads"]


def _forms(value: str) -> list[str]:
    """``value`` as typed and in both Unicode normal forms: a tag typed "café" must find
    one saved as "cafe" plus a combining accent (as macOS pastes it), and the other way."""
    return sorted({value, unicodedata.normalize("NFC", value), unicodedata.normalize("NFD", value)})


class Reads(Database):
    """The reads of a :class:`~causemap.store.store.Store`."""

    def get(self, incident_id: str, *, include_deleted: bool = False) -> Record:
        """The latest revision of ``incident_id``.

        Raises
        ------
        IncidentNotFound
            If there is no such incident.
        IncidentDeleted
            If it is deleted and ``include_deleted`` is false.
        """
        query = (
            select(revisions, incidents.c.deleted_at)
            .join(
                incidents,
                and_(
                    incidents.c.id == revisions.c.incident_id,
                    incidents.c.revision == revisions.c.number,
                ),
            )
            .where(incidents.c.id == incident_id)
        )
        with self._connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise IncidentNotFound(f"no incident {incident_id!r}")
        if row.deleted_at is not None and not include_deleted:
            raise IncidentDeleted(f"incident {incident_id!r} is deleted; restore it to see it")
        return to_record(row, deleted=row.deleted_at is not None)

    def latest(self, incident_id: str) -> int | None:
        """The latest revision number of ``incident_id``, or None if there is none."""
        with self._connect() as connection:
            row = self._head(connection, incident_id)
        return None if row is None else int(row.revision)

    def revision(self, incident_id: str, number: int) -> Record:
        """Revision ``number`` of ``incident_id`` (deleted incidents keep their history).

        Raises
        ------
        IncidentNotFound
            If there is no such incident; :class:`RevisionNotFound`, a subclass, if the
            incident has no revision ``number``.
        """
        with self._connect() as connection:
            row = self._head(connection, incident_id)
            if row is None:
                raise IncidentNotFound(f"no incident {incident_id!r}")
            return self._record(connection, incident_id, number, None)

    def revisions(
        self, incident_id: str, *, after: int = 0, limit: int = 100
    ) -> list[RevisionInfo]:
        """Revisions of ``incident_id`` numbered above ``after``, oldest first."""
        columns = [c for c in revisions.c if c.name != "document"]
        query = (
            select(*columns)
            .where(revisions.c.incident_id == incident_id, revisions.c.number > _bounded(after))
            .order_by(revisions.c.number)
            .limit(max(1, min(limit, MAX_LIMIT)))
        )
        with self._connect() as connection:
            if self._head(connection, incident_id) is None:
                raise IncidentNotFound(f"no incident {incident_id!r}")
            rows = connection.execute(query).all()
        return [RevisionInfo(**utc_row(row._asdict())) for row in rows]

    def changes(self, incident_id: str, after: int, *, limit: int = 20) -> list[Record]:
        """Revisions numbered above ``after`` with their documents, oldest first.

        What live viewers follow: revision numbers of one incident are gap-free and
        committed in order, so "above the last one seen" never misses one.
        """
        query = (
            select(revisions)
            .where(revisions.c.incident_id == incident_id, revisions.c.number > _bounded(after))
            .order_by(revisions.c.number)
            .limit(limit)
        )
        with self._connect() as connection:
            rows = connection.execute(query).all()
        return [to_record(row, deleted=row.action == "delete") for row in rows]

    def find(self, query: Query | None = None) -> Page:
        """A page of incidents, newest first (by date, then id), filtered by ``query``.

        Raises
        ------
        InvalidQuery
            If a text filter holds a control character, or the cursor is not one a page
            gave.
        """
        query = query or Query()
        for name, values in (
            ("tag", query.tags),
            ("service", query.services),
            ("factor", query.factors),
            ("severity", (query.severity or "",)),
        ):
            for value in values:
                check_filter(name, value)
        limit = max(1, min(query.limit, MAX_LIMIT))
        deleted = incidents.c.deleted_at
        statement = select(incidents).where(
            deleted.is_not(None) if query.deleted else deleted.is_(None)
        )
        for kind, values in (
            ("tag", query.tags),
            ("service", query.services),
            ("factor", query.factors),
        ):
            for value in values:
                statement = statement.where(
                    exists().where(
                        terms.c.incident_id == incidents.c.id,
                        terms.c.kind == kind,
                        terms.c.value.in_(_forms(value)),
                    )
                )
        if query.severity is not None:
            statement = statement.where(incidents.c.severity == query.severity)
        if query.date_from is not None:
            statement = statement.where(incidents.c.date >= query.date_from)
        if query.date_to is not None:
            statement = statement.where(incidents.c.date <= query.date_to)
        if query.cursor:
            day, last_id = decode_cursor(query.cursor)
            statement = statement.where(
                or_(
                    incidents.c.date < day,
                    and_(incidents.c.date == day, incidents.c.id > last_id),
                )
            )
        statement = statement.order_by(incidents.c.date.desc(), incidents.c.id).limit(limit + 1)
        with self._connect() as connection:
            rows = connection.execute(statement).all()
            more = len(rows) > limit
            rows = rows[:limit]
            labels = self._labels(connection, [row.id for row in rows])
        items = [
            Summary(
                id=row.id,
                title=row.title,
                date=row.date,
                severity=row.severity,
                services=labels.get((row.id, "service"), []),
                tags=labels.get((row.id, "tag"), []),
                revision=row.revision,
                created_at=utc(row.created_at),
                updated_at=utc(row.updated_at),
                deleted_at=utc(row.deleted_at) if row.deleted_at else None,
            )
            for row in rows
        ]
        cursor = encode_cursor(rows[-1].date, rows[-1].id) if more and rows else None
        return Page(items=items, next_cursor=cursor)

    def _labels(
        self, connection: Connection, ids: Sequence[str]
    ) -> dict[tuple[str, str], list[str]]:
        if not ids:
            return {}
        query = (
            select(terms.c.incident_id, terms.c.kind, terms.c.value)
            .where(terms.c.incident_id.in_(ids), terms.c.kind.in_(("tag", "service")))
            .order_by(terms.c.incident_id, terms.c.kind, terms.c.position)
        )
        found: dict[tuple[str, str], list[str]] = {}
        for incident_id, kind, value in connection.execute(query):
            found.setdefault((incident_id, kind), []).append(value)
        return found

    def count(self, *, deleted: bool = False) -> int:
        """How many live (or deleted) incidents there are."""
        column = incidents.c.deleted_at
        condition = column.is_not(None) if deleted else column.is_(None)
        with self._connect() as connection:
            return int(connection.execute(select(func.count()).where(condition)).scalar_one())

    def heads(self) -> list[tuple[str, int]]:
        """``(id, latest revision)`` of every live incident, by id: a cheap fingerprint
        of what :meth:`documents` would return."""
        query = (
            select(incidents.c.id, incidents.c.revision)
            .where(incidents.c.deleted_at.is_(None))
            .order_by(incidents.c.id)
        )
        with self._connect() as connection:
            return [(row.id, int(row.revision)) for row in connection.execute(query)]

    def documents(self) -> list[Record]:
        """The latest revision of every live incident, with its document, by id."""
        return list(self.iter_documents())

    def iter_documents(self, *, batch: int = 100) -> Iterator[Record]:
        """:meth:`documents` streamed ``batch`` rows at a time, for exports of any size.

        One query in one read transaction: every incident as it was when it started,
        whatever other writers do meanwhile (the connection is held until the end).
        """
        query = (
            select(revisions)
            .join(
                incidents,
                and_(
                    incidents.c.id == revisions.c.incident_id,
                    incidents.c.revision == revisions.c.number,
                ),
            )
            .where(incidents.c.deleted_at.is_(None))
            .order_by(incidents.c.id)
            .execution_options(yield_per=batch)
        )
        with self._connect() as connection:
            for row in connection.execute(query):
                yield to_record(row, deleted=False)


def _bounded(after: int) -> int:
    """``after`` within the range a revision number can take (any int is meaningful)."""
    return max(0, min(after, MAX_REVISION))
