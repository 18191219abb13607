"""Writing to the store: create, update, import, delete and restore, each one revision more.

Every write appends a revision in one transaction that checks, in the database, the
revision it replaces (:mod:`causemap.store.store` says why no update is lost). The writes
stand apart from the reads (:mod:`causemap.store.reads`), which never change a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from causemap.diagnostics import Diagnostic
from causemap.errors import (
    IncidentDeleted,
    IncidentExists,
    IncidentNotFound,
    InvalidIncident,
    PreconditionRequired,
    RevisionConflict,
)
from causemap.model import Incident
from causemap.store.database import Database
from causemap.store.layouts import drop_layout
from causemap.store.records import MAX_REVISION, Action, Record, encode
from causemap.store.tables import incidents, revisions, terms

__all__ = ["Outcome", "Writes"]

Outcome = Literal["created", "updated", "unchanged", "deleted", "stale"]
"""What :meth:`Store.put` did (``stale``: nothing, the document is an older revision's)."""

_CREATE_RACES = 3
"""Attempts of an import whose new incident another writer created meanwhile (the
second attempt finds it and updates it); more would be no race but a fault."""


def _conflict(incident_id: str, current: int, expected: int) -> RevisionConflict:
    """The refusal of a write that named revision ``expected`` when ``current`` is latest."""
    return RevisionConflict(
        f"incident {incident_id!r} is at revision {current}, not {expected}: "
        "someone saved it since you read it; reload, merge and save again",
        current=current,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _terms(incident: Incident) -> list[dict[str, Any]]:
    factors = list(dict.fromkeys(n.factor for n in incident.nodes if n.factor))
    rows = []
    for kind, values in (("tag", incident.tags), ("service", incident.services)):
        rows += [{"kind": kind, "position": i, "value": v} for i, v in enumerate(values)]
    rows += [{"kind": "factor", "position": i, "value": v} for i, v in enumerate(factors)]
    return [{"incident_id": incident.id, **row} for row in rows]


def _columns(incident: Incident) -> dict[str, Any]:
    return {"title": incident.title, "date": incident.date, "severity": incident.severity}


class Writes(Database):
    """The writes of a :class:`~causemap.store.store.Store`; each is one transaction."""

    def create(self, incident: Incident) -> Record:
        """Save a new incident as revision 1.

        Raises
        ------
        IncidentExists
            If an incident with that id exists, deleted or not.
        """
        try:
            with self._connect(write=True) as connection:
                return self._create(connection, incident)
        except IntegrityError as exc:
            with self._connect() as connection:
                row = self._head(connection, incident.id)
            if row is not None and row.deleted_at is not None:
                raise IncidentExists(
                    f"incident {incident.id!r} exists but is deleted; restore it to edit "
                    "it, or give the new incident another id"
                ) from exc
            raise IncidentExists(f"incident {incident.id!r} already exists") from exc

    def update(self, incident_id: str, incident: Incident, *, expected: int | None) -> Record:
        """Save a new revision of ``incident_id``, replacing revision ``expected``.

        Raises
        ------
        PreconditionRequired
            If ``expected`` is None.
        RevisionConflict
            If ``expected`` is not the latest revision.
        IncidentNotFound, IncidentDeleted
            If there is no such live incident.
        InvalidIncident
            If the document's id is not ``incident_id`` (ids never change).
        """
        if expected is None:
            raise PreconditionRequired(
                f"saving incident {incident_id!r} needs the revision it replaces (If-Match)"
            )
        _same_id(incident_id, incident)
        with self._connect(write=True) as connection:
            return self._append(connection, incident_id, expected, "update", incident)

    def put(self, incident: Incident, *, force: bool = False) -> tuple[Record, Outcome]:
        """Create or update ``incident`` unless the latest revision already holds it.

        For imports: a deleted incident is left deleted (outcome ``"deleted"``), and one
        whose document is that of an earlier revision, not the latest, is left as it is
        (``"stale"``, unless ``force``): the file predates edits made in the store since
        (the web editor's), which saving it would undo.
        """
        ((record, outcome),) = self.put_all([incident], force=force)
        return record, outcome

    def put_all(
        self, batch: Sequence[Incident], *, force: bool = False
    ) -> list[tuple[Record, Outcome]]:
        """:meth:`put` every incident of ``batch`` in one transaction: all or none.

        What ``causemap import`` does, so that an import the database fails midway (a
        full disk, a lost connection) leaves the store as it was. Rows are locked in id
        order, so two imports of overlapping files queue instead of deadlocking. Returns
        one result per incident, in ``batch`` order.
        """
        for _ in range(_CREATE_RACES - 1):
            try:
                return self._put_batch(batch, force)
            except IntegrityError:  # one was created concurrently: try again as an update
                continue
        return self._put_batch(batch, force)  # failing yet again is no race: it is raised

    def _put_batch(self, batch: Sequence[Incident], force: bool) -> list[tuple[Record, Outcome]]:
        """One attempt of :meth:`put_all`, in one transaction."""
        done: dict[int, tuple[Record, Outcome]] = {}
        with self._connect(write=True) as connection:
            for i in sorted(range(len(batch)), key=lambda i: batch[i].id):
                done[i] = self._put(connection, batch[i], force)
        return [done[i] for i in range(len(batch))]

    def _put(
        self, connection: Connection, incident: Incident, force: bool
    ) -> tuple[Record, Outcome]:
        _, digest = encode(incident)
        row = self._head(connection, incident.id, lock=True)
        if row is None:
            return self._create(connection, incident), "created"
        current = self._record(connection, incident.id, row.revision, row.deleted_at)
        if row.deleted_at is not None:
            return current, "deleted"
        if current.digest == digest:
            return current, "unchanged"
        if not force and self._saved_before(connection, incident.id, digest):
            return current, "stale"
        return self._append(connection, incident.id, row.revision, "update", incident), "updated"

    def _saved_before(self, connection: Connection, incident_id: str, digest: str) -> bool:
        """Whether a revision of ``incident_id`` holds the document of SHA-256 ``digest``."""
        query = select(revisions.c.number).where(
            revisions.c.incident_id == incident_id, revisions.c.digest == digest
        )
        return connection.execute(query.limit(1)).first() is not None

    def saved(self, documents: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The ``(incident id, digest)`` pairs of ``documents`` that some revision of that
        incident holds, as :meth:`put` decides "saved before" (``digest`` from
        :func:`~causemap.store.records.encode`): what ``export`` asks of the files it
        would replace, so that an edit that no revision holds is not lost."""
        with self._connect() as connection:
            return {pair for pair in documents if self._saved_before(connection, *pair)}

    def delete(self, incident_id: str, *, expected: int | None = None) -> Record:
        """Soft-delete ``incident_id``: append a ``delete`` revision and hide it. Its
        shared layout is kept, hidden with it, for a restore to bring back.

        With ``expected``, refuse unless that is the latest revision.
        """
        with self._connect(write=True) as connection:
            row = self._head(connection, incident_id, lock=True)
            if row is None:
                raise IncidentNotFound(f"no incident {incident_id!r}")
            if row.deleted_at is not None:
                raise IncidentDeleted(f"incident {incident_id!r} is already deleted")
            base = row.revision if expected is None else expected
            return self._append(connection, incident_id, base, "delete", None)

    def restore(self, incident_id: str, *, expected: int | None = None) -> Record:
        """Bring back a deleted incident with a ``restore`` revision (no-op if live).

        With ``expected``, refuse unless that is the latest revision, as :meth:`delete`
        does: the row is locked, so the check holds until commit.
        """
        with self._connect(write=True) as connection:
            row = self._head(connection, incident_id, lock=True)
            if row is None:
                raise IncidentNotFound(f"no incident {incident_id!r}")
            if expected is not None and expected != row.revision:
                raise _conflict(incident_id, row.revision, expected)
            if row.deleted_at is None:
                return self._record(connection, incident_id, row.revision, None)
            return self._append(connection, incident_id, row.revision, "restore", None)

    def _create(self, connection: Connection, incident: Incident) -> Record:
        document, digest = encode(incident)
        now = _now()
        connection.execute(
            incidents.insert().values(
                id=incident.id, revision=1, created_at=now, updated_at=now, **_columns(incident)
            )
        )
        record = Record(
            incident_id=incident.id,
            number=1,
            action="create",
            digest=digest,
            document=document,
            created_at=now,
        )
        connection.execute(revisions.insert().values(**record.model_dump(exclude={"deleted"})))
        if rows := _terms(incident):
            connection.execute(terms.insert(), rows)
        drop_layout(connection, incident.id)
        return record

    def _append(
        self,
        connection: Connection,
        incident_id: str,
        expected: int,
        action: Action,
        incident: Incident | None,
    ) -> Record:
        """Append revision ``expected + 1``, if ``expected`` is still the latest."""
        if not 0 < expected < MAX_REVISION:  # no such revision, or no room after it
            raise self._refusal(connection, incident_id, expected)
        now = _now()
        changes: dict[str, Any] = {"revision": expected + 1, "updated_at": now}
        condition = [incidents.c.id == incident_id, incidents.c.revision == expected]
        if action == "restore":
            changes["deleted_at"] = None
            condition.append(incidents.c.deleted_at.is_not(None))
        else:
            condition.append(incidents.c.deleted_at.is_(None))
        if action == "delete":
            changes["deleted_at"] = now
        if incident is not None:
            changes.update(_columns(incident))
        done = connection.execute(incidents.update().where(*condition).values(**changes))
        if done.rowcount != 1:
            raise self._refusal(connection, incident_id, expected)
        if incident is None:
            previous = self._record(connection, incident_id, expected, None)
            document, digest = previous.document, previous.digest
        else:
            document, digest = encode(incident)
            connection.execute(terms.delete().where(terms.c.incident_id == incident_id))
            if rows := _terms(incident):
                connection.execute(terms.insert(), rows)
        record = Record(
            incident_id=incident_id,
            number=expected + 1,
            action=action,
            digest=digest,
            document=document,
            created_at=now,
            deleted=action == "delete",
        )
        connection.execute(revisions.insert().values(**record.model_dump(exclude={"deleted"})))
        return record

    def _refusal(self, connection: Connection, incident_id: str, expected: int) -> Exception:
        row = self._head(connection, incident_id)
        if row is None:
            return IncidentNotFound(f"no incident {incident_id!r}")
        if row.deleted_at is not None:
            return IncidentDeleted(f"incident {incident_id!r} is deleted; restore it first")
        return _conflict(incident_id, row.revision, expected)


def _same_id(incident_id: str, incident: Incident) -> None:
    if incident.id != incident_id:
        raise InvalidIncident(
            [
                Diagnostic(
                    severity="error",
                    code="id-mismatch",
                    pointer="/id",
                    message=f"the document's id {incident.id!r} is not {incident_id!r}; "
                    "an incident's id cannot change (create a new incident instead)",
                )
            ],
            incident_id,
        )
