"""The incident store: every save appends a revision, and no update is ever lost.

Writes are optimistic: a save names the revision it replaces, and the store refuses it
when that is no longer the latest. The check and the write are one conditional
``UPDATE incidents ... WHERE id = :id AND revision = :expected`` inside the transaction
that also appends the revision row, so the database decides, not the process: PostgreSQL
re-checks the condition after waiting for a concurrent writer's row lock, and SQLite
writers hold the database's write lock from ``BEGIN IMMEDIATE`` to commit. The
``(incident_id, number)`` primary key of ``revisions`` backs this up. Writes that name
no revision (:meth:`Store.put_all` for imports, a delete or restore without ``expected``)
lock the incident's row while they read its latest revision, so a concurrent save makes
them wait, not fail, on PostgreSQL as on SQLite. A process killed
mid-write leaves the transaction uncommitted, so the store holds exactly the
acknowledged revisions.

Deleting is soft: it appends a ``delete`` revision and hides the incident until
:meth:`Store.restore` appends a ``restore`` one. Live viewers follow the revisions table
(:meth:`Store.changes`), so every server process sees every change.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from sqlalchemy import Connection, Engine, and_, exists, func, or_, select, text
from sqlalchemy.exc import (
    DatabaseError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    SQLAlchemyError,
)

from causemap.diagnostics import Diagnostic
from causemap.errors import (
    IncidentDeleted,
    IncidentExists,
    IncidentNotFound,
    InvalidDatabaseUrl,
    InvalidIncident,
    PreconditionRequired,
    RevisionConflict,
    RevisionNotFound,
    StoreUnavailable,
)
from causemap.model import Incident
from causemap.store.engine import (
    WRITE,
    asks_read_only,
    check_url,
    make_engine,
    resolve_url,
    safe_url,
    sqlite_path,
    writable,
)
from causemap.store.migrate import current, refuse_foreign, require_head, upgrade
from causemap.store.records import (
    MAX_LIMIT,
    MAX_REVISION,
    Action,
    Page,
    Query,
    Record,
    RevisionInfo,
    Summary,
    check_filter,
    decode_cursor,
    encode,
    encode_cursor,
)
from causemap.store.tables import incidents, revisions, terms

__all__ = ["Outcome", "Store"]

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


def _utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC, as every time the store gives is: SQLite returns naive
    datetimes (written in UTC), PostgreSQL aware ones in the session's time zone."""
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _forms(value: str) -> list[str]:
    """``value`` as typed and in both Unicode normal forms: a tag typed "café" must find
    one saved as "cafe" plus a combining accent (as macOS pastes it), and the other way."""
    return sorted({value, unicodedata.normalize("NFC", value), unicodedata.normalize("NFD", value)})


def _terms(incident: Incident) -> list[dict[str, Any]]:
    factors = list(dict.fromkeys(n.factor for n in incident.nodes if n.factor))
    rows = []
    for kind, values in (("tag", incident.tags), ("service", incident.services)):
        rows += [{"kind": kind, "position": i, "value": v} for i, v in enumerate(values)]
    rows += [{"kind": "factor", "position": i, "value": v} for i, v in enumerate(factors)]
    return [{"incident_id": incident.id, **row} for row in rows]


def _columns(incident: Incident) -> dict[str, Any]:
    return {"title": incident.title, "date": incident.date, "severity": incident.severity}


class Store:
    """Incidents and their full revision history in SQLite or PostgreSQL.

    Open with :meth:`open` (which migrates the database) and close with :meth:`close`,
    or use it as a context manager. Methods are safe to call from many threads.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True, create: bool = True) -> Store:
        """Open the store at ``url`` (see :func:`~causemap.store.engine.resolve_url`).

        With ``create=False`` (for commands that only read) a store that does not exist
        yet is an error instead of being created: a SQLite file that is not there, or a
        database without causemap's tables.

        Raises
        ------
        InvalidDatabaseUrl
            If causemap cannot use the URL (named ``CAUSEMAP_DB`` when it came from
            there).
        StoreUnavailable
            If the database cannot be reached or migrated, or (with ``create=False``)
            holds no store.
        """
        resolved = resolve_url(url)
        try:
            check_url(resolved)
        except InvalidDatabaseUrl as exc:
            if url is None and os.environ.get("CAUSEMAP_DB"):
                raise InvalidDatabaseUrl(f"CAUSEMAP_DB: {exc}") from exc
            raise
        missing = f"no store at {safe_url(resolved)}; check the URL (causemap import makes one)"
        path = sqlite_path(resolved)
        if not create and path is not None and not path.exists():
            raise StoreUnavailable(missing)  # before connecting, which would create the file
        if path is not None and path.is_dir():  # SQLite says only "unable to open"
            raise StoreUnavailable(
                f"cannot open {safe_url(resolved)}: {path} is a folder; name a file in it, "
                f"e.g. sqlite:///{path / 'causemap.db'}"
            )
        # A command that only reads can use a file it cannot write, such as a backup on
        # read-only media; it is not migrated, so it must be at this causemap's schema.
        read_only = path is not None and path.exists() and not writable(path)
        read_only |= path is not None and asks_read_only(resolved)
        if read_only and create:
            raise StoreUnavailable(
                f"cannot open {safe_url(resolved)}: the file or its folder is read-only, "
                "and this command writes"
            )
        try:
            engine = make_engine(resolved, read_only=read_only)
        except OSError as exc:  # the SQLite file's folder could not be made
            where = f"{exc.filename}: " if exc.filename else ""
            what = "not a folder" if isinstance(exc, FileExistsError) else exc.strerror
            reason = f"{where}{what or exc}"
            raise StoreUnavailable(f"cannot open {safe_url(resolved)}: {reason}") from exc
        absent = False
        try:
            if not create and current(engine) is None:
                # A database without causemap's tables: empty, or another application's.
                with engine.connect() as connection:
                    refuse_foreign(connection)
                absent = True
            elif read_only:
                require_head(engine)
            elif migrate:
                upgrade(engine)
            else:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, StoreUnavailable) as exc:
            engine.dispose()
            raise StoreUnavailable(f"cannot open {safe_url(resolved)}: {_reason(exc)}") from exc
        if absent:
            engine.dispose()
            raise StoreUnavailable(missing)
        return cls(engine)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL, password masked."""
        return safe_url(self.engine.url)

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
                raise StoreUnavailable(f"database unavailable: {_reason(exc)}") from exc
            raise

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the database answers."""
        with self._connect() as connection:
            connection.execute(text("SELECT 1"))

    # --- writing ---------------------------------------------------------------------

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
        """Soft-delete ``incident_id``: append a ``delete`` revision and hide it.

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

    # --- reading ---------------------------------------------------------------------

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
        return _to_record(row, deleted=deleted_at is not None)

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
        return _to_record(row, deleted=row.deleted_at is not None)

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
        return [RevisionInfo(**_utc_row(row._asdict())) for row in rows]

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
        return [_to_record(row, deleted=row.action == "delete") for row in rows]

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
                created_at=_utc(row.created_at),
                updated_at=_utc(row.updated_at),
                deleted_at=_utc(row.deleted_at) if row.deleted_at else None,
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
                yield _to_record(row, deleted=False)


def _bounded(after: int) -> int:
    """``after`` within the range a revision number can take (any int is meaningful)."""
    return max(0, min(after, MAX_REVISION))


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


def _utc_row(row: dict[str, Any]) -> dict[str, Any]:
    row["created_at"] = _utc(row["created_at"])
    return row


def _to_record(row: Any, *, deleted: bool) -> Record:
    values = {c.name: getattr(row, c.name) for c in revisions.c}
    return Record(**_utc_row(values), deleted=deleted)


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
