"""Each incident's shared layout in the store, on SQLite and PostgreSQL: saved beside the
incident, never a revision, versioned, kept through a delete, and checked on the way in."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import text

from causemap.errors import IncidentDeleted, IncidentExists, IncidentNotFound, LayoutConflict
from causemap.store import LayoutUpdate, Position, Store
from causemap.store.layouts import MAX_COORDINATE
from causemap.store.tables import metadata
from tests.test_store import incident, retitled

REMOVE_BY_HAND = [
    "DELETE FROM terms WHERE incident_id = 'demo'",
    "DELETE FROM revisions WHERE incident_id = 'demo'",
    "DELETE FROM incidents WHERE id = 'demo'",
]
"""What an operator runs to remove incident ``demo`` for good (the store has no way)."""


def at(**places: tuple[int, int]) -> dict[str, Position]:
    return {node: Position(x=x, y=y) for node, (x, y) in places.items()}


class TestPutLayout:
    def test_an_incident_starts_with_the_empty_layout(self, store: Store) -> None:
        store.create(incident())
        layout = store.layout("demo")
        assert (layout.version, layout.nodes, layout.updated_at) == (0, {}, None)

    def test_a_saved_layout_is_read_back_by_another_store(self, store: Store, db_url: str) -> None:
        """Another server process on the database sees the facilitator's picture."""
        store.create(incident())
        saved = store.put_layout("demo", at(push=(-120, 40), down=(260, 40)))
        assert saved.version == 1
        with Store.open(db_url) as other:
            layout = other.layout("demo")
        assert layout.nodes == at(down=(260, 40), push=(-120, 40))
        assert layout.version == 1
        assert layout.updated_at == saved.updated_at

    def test_each_change_is_one_version_more_and_replaces_the_layout(self, store: Store) -> None:
        store.create(incident())
        store.put_layout("demo", at(push=(0, 0), down=(200, 0)))
        second = store.put_layout("demo", at(push=(10, 5)))
        assert second.version == 2
        assert store.layout("demo").nodes == at(push=(10, 5))

    def test_saving_the_same_layout_changes_nothing(self, store: Store) -> None:
        """An editor that saves again what it has (a tidy that moved nothing) must not
        send every viewer an event."""
        store.create(incident())
        first = store.put_layout("demo", at(push=(0, 0)))
        again = store.put_layout("demo", at(push=(0, 0)))
        assert (again.version, again.updated_at) == (1, first.updated_at)
        assert store.layout_since("demo", 1) is None

    def test_moving_nodes_makes_no_revision(self, store: Store) -> None:
        store.create(incident())
        for x in range(5):
            store.put_layout("demo", at(push=(x, 0)))
        assert [r.number for r in store.revisions("demo")] == [1]
        assert store.get("demo").number == 1

    def test_an_incident_save_keeps_the_layout(self, store: Store) -> None:
        original = incident()
        store.create(original)
        store.put_layout("demo", at(push=(7, 8)))
        store.update("demo", retitled(original, "Renamed"), expected=1)
        assert store.layout("demo").nodes == at(push=(7, 8))

    def test_expected_version_must_be_the_current_one(self, store: Store) -> None:
        store.create(incident())
        store.put_layout("demo", at(push=(0, 0)), expected=0)
        with pytest.raises(LayoutConflict) as caught:
            store.put_layout("demo", at(push=(9, 9)), expected=0)
        assert caught.value.current == 1
        assert store.layout("demo").nodes == at(push=(0, 0))
        assert store.put_layout("demo", at(push=(9, 9)), expected=1).version == 2

    def test_concurrent_saves_each_get_their_own_version(self, store: Store) -> None:
        """The incident's row is locked while the version is read and written, so two
        writers never both write version 1 (or lose one's save silently)."""
        store.create(incident())
        versions: list[int] = []
        failures: list[BaseException] = []

        def write(x: int) -> None:
            try:
                versions.append(store.put_layout("demo", at(push=(x, 0))).version)
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

        threads = [threading.Thread(target=write, args=(x,)) for x in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not failures
        assert sorted(versions) == [1, 2, 3, 4, 5, 6]
        assert store.layout("demo").version == 6

    @pytest.mark.parametrize("call", ["layout", "put_layout"])
    def test_an_unknown_incident_has_no_layout(self, store: Store, call: str) -> None:
        with pytest.raises(IncidentNotFound) as caught:
            getattr(store, call)("nope", *([at(a=(0, 0))] if call == "put_layout" else []))
        assert not isinstance(caught.value, IncidentDeleted)


class TestDelete:
    def test_restoring_an_incident_brings_its_layout_back(self, store: Store) -> None:
        """Undoing a delete gives the meeting back the facilitator's picture, not each
        page's own placement."""
        store.create(incident())
        store.put_layout("demo", at(push=(1, 1), down=(300, 1)))
        store.delete("demo")
        with pytest.raises(IncidentDeleted):
            store.layout("demo")
        with pytest.raises(IncidentDeleted):
            store.put_layout("demo", at(push=(2, 2)))
        store.restore("demo")
        layout = store.layout("demo")
        assert layout.nodes == at(push=(1, 1), down=(300, 1))
        # The same version: a page that held it across the delete saves on it at once.
        assert layout.version == 1
        assert store.put_layout("demo", at(push=(5, 5)), expected=1).version == 2

    def test_a_follower_hears_nothing_of_a_deleted_incident_s_layout(self, store: Store) -> None:
        store.create(incident())
        store.put_layout("demo", at(push=(1, 1)))
        store.delete("demo")
        assert store.layout_since("demo", 1) is None  # held across the delete: unchanged
        assert store.layout_since("demo", 0) is None  # kept from whoever joins meanwhile
        store.restore("demo")
        assert store.layout_since("demo", 1) is None
        joined = store.layout_since("demo", 0)
        assert joined is not None
        assert (joined.version, joined.nodes) == (1, at(push=(1, 1)))

    def test_a_deleted_incident_s_id_is_not_taken_by_a_new_incident(self, store: Store) -> None:
        """A new incident never starts with a deleted one's layout: the id stays the
        deleted incident's, for a restore."""
        store.create(incident())
        store.put_layout("demo", at(push=(1, 1)))
        store.delete("demo")
        with pytest.raises(IncidentExists, match="restore it"):
            store.create(incident(title="Another incident"))
        store.restore("demo")
        assert store.layout("demo").nodes == at(push=(1, 1))

    def test_an_incident_removed_by_hand_takes_its_layout_along(self, store: Store) -> None:
        """An operator removes an incident's rows from the database, then an incident is
        created with its id: the old layout went with the incident's row."""
        store.create(incident())
        store.put_layout("demo", at(push=(1, 1)))
        with store.engine.begin() as connection:
            for statement in REMOVE_BY_HAND:
                connection.execute(text(statement))
        store.create(incident(title="Another incident"))
        layout = store.layout("demo")
        assert (layout.version, layout.nodes) == (0, {})

    def test_a_layout_left_behind_is_not_handed_to_a_new_incident(self, tmp_path: Path) -> None:
        """SQLite's shell runs with foreign keys off: removing an incident there leaves
        its layouts row, which a new incident with that id must not start with."""
        path = tmp_path / "store.db"
        with Store.open(f"sqlite:///{path}") as store:
            store.create(incident())
            store.put_layout("demo", at(push=(1, 1)))
            with closing(sqlite3.connect(path)) as shell, shell:
                for statement in REMOVE_BY_HAND:
                    shell.execute(statement)
            store.create(incident(title="Another incident"))
            layout = store.layout("demo")
        assert (layout.version, layout.nodes) == (0, {})


class TestLayoutSince:
    def test_only_a_version_other_than_the_one_seen_is_returned(self, store: Store) -> None:
        store.create(incident())
        assert store.layout_since("demo", 0) is None
        store.put_layout("demo", at(push=(3, 4)))
        found = store.layout_since("demo", 0)
        assert found is not None
        assert (found.version, found.nodes) == (1, at(push=(3, 4)))
        assert store.layout_since("demo", 1) is None
        # A version from another history (a store restored from a backup) is told too.
        behind = store.layout_since("demo", 5)
        assert behind is not None
        assert behind.version == 1


class TestLayoutUpdate:
    """The shape a layout must have before it reaches the store (the API's body)."""

    def test_a_valid_layout(self) -> None:
        body = {"nodes": {"push": {"x": -5, "y": 12.0}, "db.primary_1": {"x": 0, "y": 0}}}
        update = LayoutUpdate.model_validate(body)
        assert update.nodes["push"] == Position(x=-5, y=12)

    @pytest.mark.parametrize(
        ("nodes", "where"),
        [
            ({"Push": {"x": 0, "y": 0}}, "Push"),
            ({"push\n": {"x": 0, "y": 0}}, "push\n"),
            ({"x" * 81: {"x": 0, "y": 0}}, "x" * 81),
            ({"push": {"x": 1.5, "y": 0}}, "x"),
            ({"push": {"x": "1", "y": 0}}, "x"),
            ({"push": {"x": True, "y": 0}}, "x"),
            ({"push": {"x": MAX_COORDINATE + 1, "y": 0}}, "x"),
            ({"push": {"x": 0, "y": -MAX_COORDINATE - 1}}, "y"),
            ({"push": {"x": 0}}, "y"),
            ({"push": {"x": 0, "y": 0, "z": 0}}, "z"),
            ({"push": [0, 0]}, "push"),
        ],
    )
    def test_refused(self, nodes: dict[str, Any], where: str) -> None:
        with pytest.raises(ValidationError) as caught:
            LayoutUpdate.model_validate({"nodes": nodes})
        assert any(where in error["loc"] for error in caught.value.errors())

    def test_at_most_as_many_nodes_as_an_incident_can_have(self) -> None:
        from causemap.model import MAX_NODES

        many = {f"n{i}": {"x": 0, "y": 0} for i in range(MAX_NODES + 1)}
        with pytest.raises(ValidationError, match="at most"):
            LayoutUpdate.model_validate({"nodes": many})


def test_the_migrations_make_the_tables_the_code_uses(store: Store) -> None:
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
