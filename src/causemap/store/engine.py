"""Database URLs and engines: SQLite by default, PostgreSQL for a shared deployment.

The URL comes from ``--db``, else the ``CAUSEMAP_DB`` environment variable, else a file in
the user's data folder (``$XDG_DATA_HOME/causemap/causemap.db``, by default
``~/.local/share/causemap/causemap.db``).

SQLite connections are tuned for several processes sharing one file: write-ahead
logging (readers never block the writer), foreign keys on, a busy timeout instead of
immediate "database is locked" errors, and full fsync on commit so that an acknowledged
write survives a crash. Write transactions start with ``BEGIN IMMEDIATE``: they take the
write lock up front, so two writers queue instead of deadlocking on a lock upgrade.

A SQLite file that cannot be written (a backup on read-only media, a file of another
user's) is opened read-only for the commands that only read: write-ahead logging needs a
``-shm`` file next to the database, which such a folder may not take, so the file is
read as immutable when plain read-only access fails.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from causemap.errors import InvalidDatabaseUrl, StoreUnavailable

__all__ = [
    "BUSY_TIMEOUT",
    "WRITE",
    "SUPPORTED",
    "asks_read_only",
    "check_url",
    "default_url",
    "make_engine",
    "resolve_url",
    "safe_url",
    "sqlite_path",
    "writable",
]

BUSY_TIMEOUT = 30.0
"""Seconds a SQLite connection waits for another process's write lock."""

WRITE = {"causemap_write": True}
"""Execution options of a connection that will write (``BEGIN IMMEDIATE`` on SQLite)."""


def default_url() -> str:
    """The SQLite file in the user's data folder."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'causemap' / 'causemap.db'}"


def resolve_url(url: str | None = None) -> str:
    """Return ``url``, else ``$CAUSEMAP_DB``, else :func:`default_url`."""
    return url or os.environ.get("CAUSEMAP_DB") or default_url()


def safe_url(url: str | URL) -> str:
    """The URL with any password masked, for messages and logs; a SQLite file's path as
    it is written, not percent-encoded (``sqlite:////tmp/ü.db``, not ``%C3%BC``).

    Examples
    --------
    >>> safe_url("postgresql+psycopg://me:secret@db/causemap")
    'postgresql+psycopg://me:***@db/causemap'
    >>> safe_url("sqlite:////tmp/incidents ü.db")
    'sqlite:////tmp/incidents ü.db'
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "<unparseable database URL>"
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        query = shown.partition("?")[2]
        return f"{parsed.drivername}:///{parsed.database}" + (f"?{query}" if query else "")
    return shown


def asks_read_only(url: str) -> bool:
    """Whether a ``sqlite:///PATH?mode=ro`` URL asks for read-only access (SQLAlchemy
    passes SQLite's URI options on only with ``uri=true``, so it would drop this one)."""
    try:
        return make_url(url).query.get("mode") == "ro"
    except (ArgumentError, ValueError):
        return False


def sqlite_path(url: str) -> Path | None:
    """The file a ``sqlite:///PATH`` URL names, or None for any other URL."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return None if database.startswith("file:") else Path(database).expanduser()


SUPPORTED = "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
"""The URLs causemap runs on, as every message about a URL it cannot use ends."""


def check_url(url: str) -> URL:
    """``url`` parsed, when causemap can keep incidents in the database it names.

    Raises
    ------
    InvalidDatabaseUrl
        If the URL cannot be parsed, names a database or driver causemap does not run
        on, or an in-memory SQLite database.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is no number
        raise InvalidDatabaseUrl(_not_a_url(url)) from exc
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise InvalidDatabaseUrl(f"unsupported database {backend!r}: {SUPPORTED}")
    if parsed.drivername not in _DRIVERS[backend]:
        # An async driver's engine cannot run the store.
        raise InvalidDatabaseUrl(f"unsupported database driver {parsed.drivername!r}: {SUPPORTED}")
    database = parsed.database or ""
    if backend == "sqlite" and (database in ("", ":memory:") or database.startswith("file:")):
        raise InvalidDatabaseUrl(
            "an in-memory SQLite database would lose every incident; give a file path, "
            f"e.g. sqlite:///incidents.db ({SUPPORTED})"
        )
    return parsed


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``);
    ``read_only`` opens a SQLite file without writing to it or next to it.

    Raises
    ------
    InvalidDatabaseUrl
        If causemap cannot use the URL (see :func:`check_url`).
    StoreUnavailable
        If PostgreSQL's driver is not installed.
    """
    parsed = check_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, read_only)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
        except ImportError as exc:
            raise StoreUnavailable(
                "PostgreSQL needs the psycopg driver: pip install 'causemap[postgresql]'"
            ) from exc
    raise AssertionError(f"check_url let {backend!r} through")  # pragma: no cover


_DRIVERS = {
    "sqlite": ("sqlite", "sqlite+pysqlite"),
    "postgresql": ("postgresql", "postgresql+psycopg"),
}
"""The drivers causemap runs on, by database (other databases are refused apart)."""


def _not_a_url(url: str) -> str:
    """What to write instead of ``url``: a bare file path gets its ``sqlite:///`` URL; any
    other text is not repeated, since it may hold a password."""
    if "@" not in url and ":" not in url and url.strip():
        return f"not a database URL: {url!r}; for a SQLite file write sqlite:///{url}"
    return f"not a database URL: {SUPPORTED}"


def writable(path: Path) -> bool:
    """Whether a SQLite file and its folder (where SQLite keeps its ``-wal`` and ``-shm``
    files) can be written; False also on a read-only file system."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to ``path``; immutable if the folder cannot take the WAL's
    ``-shm`` file (the file is then read as it is, without locks)."""
    uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro"
    connection: sqlite3.Connection | None = None
    try:  # the -shm file is wanted at the first read, if not when opening
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.OperationalError:
        if connection is not None:
            connection.close()
    uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False)


def _sqlite_engine(url: URL, read_only: bool = False) -> Engine:
    path = Path(url.database or "").expanduser()  # SQLite itself would open a folder named "~"
    if read_only:
        engine = create_engine(
            url.set(database=str(path), query={}),  # ?mode=ro is the creator's to apply
            creator=lambda: _read_only(path),
            pool_size=10,
            max_overflow=20,
        )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url.set(database=str(path)),
            connect_args={"timeout": BUSY_TIMEOUT},
            pool_size=10,
            max_overflow=20,
        )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        if not read_only:  # both would write to the file
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("causemap_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
