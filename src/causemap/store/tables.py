"""The store's tables, as SQLAlchemy Core metadata (the migrations create them).

* ``incidents``: one row per incident id: its latest revision number, the columns that
  listing filters and sorts on, and ``deleted_at`` for soft deletion.
* ``revisions``: every saved version, never updated or removed: the canonical JSON text,
  its SHA-256, what the save did (create, update, delete, restore) and when. The latest
  document is the row ``(incident_id, incidents.revision)``.
* ``terms``: the latest revision's incident tags, services and node factor keys, one row
  each, so that listing can filter on them with an index on both databases.
* ``layouts``: where the web editor draws each node of an incident, shared by everyone
  who opens it (canonical JSON of node id → ``[x, y]``). Not a revision: moving a node
  makes no history, and ``version`` counts the layout's own saves.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["ACTIONS", "TERM_KINDS", "incidents", "layouts", "metadata", "revisions", "terms"]

ACTIONS = ("create", "update", "delete", "restore")
"""What a revision records."""
TERM_KINDS = ("tag", "service", "factor")
"""Kinds of rows in ``terms``."""

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("severity", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
    Index("ix_incidents_date_id", "date", "id"),
)

revisions = Table(
    "revisions",
    metadata,
    Column("incident_id", String(80), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("action", String(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
)

terms = Table(
    "terms",
    metadata,
    Column(
        "incident_id",
        String(80),
        ForeignKey("incidents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("kind", String(16), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("value", Text, nullable=False),
    Index("ix_terms_kind_value", "kind", "value"),
)

layouts = Table(
    "layouts",
    metadata,
    Column(
        "incident_id",
        String(80),
        ForeignKey("incidents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("version", Integer, nullable=False),
    Column("positions", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
