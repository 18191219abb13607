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

:class:`Store` joins the writes (:mod:`causemap.store.writes`), the reads
(:mod:`causemap.store.reads`) and the shared layouts (:mod:`causemap.store.layouts`),
which are no revisions, on one :class:`~causemap.store.database.Database`; this module
opens and closes it.
"""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from causemap.errors import InvalidDatabaseUrl, StoreUnavailable
from causemap.store.database import reason_of
from causemap.store.engine import (
    asks_read_only,
    check_url,
    make_engine,
    resolve_url,
    safe_url,
    sqlite_path,
    writable,
)
from causemap.store.layouts import Layouts
from causemap.store.migrate import current, refuse_foreign, require_head, upgrade
from causemap.store.reads import Reads
from causemap.store.writes import Outcome, Writes

__all__ = ["Outcome", "Store"]


class Store(Writes, Reads, Layouts):
    """Incidents and their full revision history in SQLite or PostgreSQL.

    Open with :meth:`open` (which migrates the database) and close with :meth:`close`,
    or use it as a context manager. Methods are safe to call from many threads.
    """

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
            raise StoreUnavailable(f"cannot open {safe_url(resolved)}: {reason_of(exc)}") from exc
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

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the database answers."""
        with self._connect() as connection:
            connection.execute(text("SELECT 1"))
