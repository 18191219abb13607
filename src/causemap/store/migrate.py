"""Bring a database to the current schema with Alembic's API (no ``alembic`` binary).

:func:`upgrade` runs on every :meth:`Store.open <causemap.store.Store.open>`. Several
processes may open one fresh database at the same time; the upgrade runs in one
transaction that holds a lock, so the first process migrates and the others find the
schema current: on PostgreSQL an advisory lock, on SQLite the write lock of
``BEGIN IMMEDIATE`` (both databases have transactional DDL). A database that holds
another application's tables and no causemap store is left alone.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from causemap.errors import StoreUnavailable
from causemap.store.engine import WRITE

__all__ = ["LOCK_KEY", "current", "head", "known", "refuse_foreign", "require_head", "upgrade"]

LOCK_KEY = 0x63617573656D6170 & 0x7FFFFFFFFFFFFFFF
"""PostgreSQL advisory lock key held while migrating (b"causemap" as a number)."""

_SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest migration's revision id."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


def current(engine: Engine) -> str | None:
    """The revision id a database is at, or None before the first migration."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def known() -> set[str]:
    """The revision ids of every migration this causemap ships."""
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def require_head(engine: Engine) -> None:
    """Check, without writing, that a database is at the newest schema (for a store
    opened read-only, which cannot be migrated).

    Raises
    ------
    StoreUnavailable
        If it is at another schema version: a newer causemap's, or an older one that
        needs an upgrade.
    """
    found = current(engine)
    if found == head():
        return
    if found not in known():
        raise StoreUnavailable(
            f"its schema version {found!r} is not one this causemap knows; it was "
            "made by a newer causemap (upgrade causemap to use it)"
        )
    raise StoreUnavailable(
        "it is read-only here and made by an older causemap: open it once where it can "
        "be written (any command upgrades it), or copy it somewhere writable"
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest), holding a lock.

    Raises
    ------
    StoreUnavailable
        If the database is at a schema version this causemap does not know (one made
        by a newer causemap); it is left untouched.
    """
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        found = MigrationContext.configure(connection).get_current_revision()
        if found is not None and found not in known():
            raise StoreUnavailable(
                f"its schema version {found!r} is not one this causemap knows; it was "
                "made by a newer causemap (upgrade causemap to use it)"
            )
        if found is None:
            refuse_foreign(connection)
        command.upgrade(_config(connection), revision)


def refuse_foreign(connection: Connection) -> None:
    """Refuse a database without a causemap store that holds other tables.

    Another application's database: adding causemap's tables to it would be a surprise,
    and a mistyped --db the likeliest reason.

    Raises
    ------
    StoreUnavailable
        Naming the first five tables.
    """
    others = _tables(connection)
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise StoreUnavailable(
            f"it holds other tables ({shown}) and no causemap store; give causemap a "
            "database of its own (a new SQLite file, or an empty PostgreSQL database)"
        )


def _tables(connection: Connection) -> list[str]:
    """Tables in the database's default schema, sorted."""
    return sorted(inspect(connection).get_table_names())
