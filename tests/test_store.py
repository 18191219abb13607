"""The incident store on SQLite and PostgreSQL: revisions, concurrency, deletion, listing."""

from __future__ import annotations

import datetime as dt
import json
import threading
import unicodedata
from pathlib import Path
from typing import Any, Literal

import pytest
from sqlalchemy import text

from causemap.errors import (
    IncidentDeleted,
    IncidentExists,
    IncidentNotFound,
    InvalidIncident,
    InvalidQuery,
    PreconditionRequired,
    RevisionConflict,
    StoreUnavailable,
)
from causemap.loader import canonical
from causemap.model import Incident
from causemap.store import Query, Store, default_url, resolve_url
from causemap.store.migrate import current, head
from causemap.store.records import encode, encode_cursor
from tests.conftest import make_incident
from tests.postgres import free_port

NODES: list[dict[str, Any]] = [
    {"id": "push", "kind": "event", "label": "Config pushed", "factor": "no-canary"},
    {"id": "down", "kind": "impact", "label": "Site down", "causes": ["push"]},
]


def incident(incident_id: str = "demo", **fields: Any) -> Incident:
    return make_incident(NODES, id=incident_id, **fields)


def retitled(original: Incident, title: str) -> Incident:
    return original.model_copy(update={"title": title})


class TestOpen:
    def test_migrates_a_fresh_database_to_head(self, db_url: str) -> None:
        with Store.open(db_url) as store:
            assert current(store.engine) == head()
            store.ping()

    def test_reopening_is_a_no_op(self, db_url: str) -> None:
        Store.open(db_url).close()
        with Store.open(db_url) as store:
            assert store.count() == 0

    @pytest.mark.parametrize("create", [True, False])
    def test_a_schema_from_a_newer_causemap_is_unavailable_and_left_alone(
        self, db_url: str, create: bool
    ) -> None:
        Store.open(db_url).close()
        with Store.open(db_url) as store, store.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'f00d0099'"))
        with pytest.raises(StoreUnavailable) as caught:
            Store.open(db_url, create=create)
        message = str(caught.value)
        assert "'f00d0099'" in message
        assert "newer causemap" in message
        assert db_url.split("@")[-1] in message
        with Store.open(db_url, migrate=False) as store:
            assert current(store.engine) == "f00d0099"

    @pytest.mark.parametrize("create", [True, False])
    def test_another_applications_database_is_refused_and_left_alone(
        self, db_url: str, create: bool
    ) -> None:
        """Commands that only read (create=False) say so too, rather than "no store
        (causemap import makes one)", which import would then refuse."""
        from sqlalchemy import create_engine, inspect

        engine = create_engine(db_url)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE users (id INTEGER)"))
        with pytest.raises(StoreUnavailable) as caught:
            Store.open(db_url, create=create)
        assert "holds other tables (users) and no causemap store" in str(caught.value)
        assert "causemap import makes one" not in str(caught.value)
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["users"]
        engine.dispose()

    def test_sqlite_is_tuned_for_several_processes(self, tmp_path: Path) -> None:
        with Store.open(f"sqlite:///{tmp_path / 'a.db'}") as store, store.engine.connect() as c:
            assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert c.execute(text("PRAGMA busy_timeout")).scalar() == 30_000

    def test_a_read_only_sqlite_file_is_read_without_writing_to_it(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A backup on read-only media: WAL would need a ``-shm`` file beside it, so
        opening failed. (Tests run as root, who can write anything: the check that the
        file cannot be written is stood in for.)"""
        url = f"sqlite:///{tmp_path / 'backup.db'}"
        with Store.open(url) as store:
            store.create(incident())
        before = (tmp_path / "backup.db").read_bytes()
        monkeypatch.setattr("causemap.store.store.writable", lambda path: False)
        with Store.open(url, create=False) as store:
            assert [s.id for s in store.find().items] == ["demo"]
            assert store.get("demo").to_incident() == incident()
        assert (tmp_path / "backup.db").read_bytes() == before
        with pytest.raises(StoreUnavailable, match="read-only, and this command writes"):
            Store.open(url)

    def test_a_folder_that_cannot_take_the_wal_files_is_read_as_immutable(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import sqlite3

        url = f"sqlite:///{tmp_path / 'backup.db'}"
        with Store.open(url) as store:
            store.create(incident())
        connect = sqlite3.connect
        tried: list[str] = []

        def read_only_media(database: str, **kwargs: Any) -> sqlite3.Connection:
            tried.append(database)
            if "immutable=1" not in database:  # as on read-only media: no -shm can be made
                raise sqlite3.OperationalError("unable to open database file")
            opened: sqlite3.Connection = connect(database, **kwargs)
            return opened

        monkeypatch.setattr("causemap.store.engine.sqlite3.connect", read_only_media)
        monkeypatch.setattr("causemap.store.store.writable", lambda path: False)
        with Store.open(url, create=False) as store:
            assert store.count() == 1
        assert tried[:2] == [
            f"file:{tmp_path / 'backup.db'}?mode=ro",
            f"file:{tmp_path / 'backup.db'}?mode=ro&immutable=1",
        ]

    def test_mode_ro_in_a_sqlite_url_opens_it_read_only(self, tmp_path: Path) -> None:
        # SQLAlchemy drops SQLite's URI options, so ?mode=ro was ignored and writes went
        # through.
        url = f"sqlite:///{tmp_path / 'a.db'}"
        with Store.open(url) as store:
            store.create(incident())
        before = (tmp_path / "a.db").read_bytes()
        with Store.open(f"{url}?mode=ro", create=False) as store:
            assert store.count() == 1
        with pytest.raises(StoreUnavailable, match="read-only, and this command writes"):
            Store.open(f"{url}?mode=ro")
        assert (tmp_path / "a.db").read_bytes() == before

    def test_sqlite_creates_the_folder(self, tmp_path: Path) -> None:
        with Store.open(f"sqlite:///{tmp_path / 'deep' / 'er' / 'a.db'}"):
            assert (tmp_path / "deep" / "er" / "a.db").is_file()

    def test_sqlite_path_may_start_with_the_home_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``CAUSEMAP_DB=sqlite:///~/incidents.db``: no shell expands ``~`` inside a URL."""
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.chdir(tmp_path)
        with Store.open("sqlite:///~/cm/a.db") as store:
            store.create(incident())
        assert (tmp_path / "home" / "cm" / "a.db").is_file()
        assert not (tmp_path / "~").exists()
        with Store.open("sqlite:///~/cm/a.db", create=False) as store:
            assert store.count() == 1

    def test_sqlite_folder_that_cannot_be_made_is_unavailable(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("")
        with pytest.raises(
            StoreUnavailable, match=r"cannot open sqlite:///.*/file/a\.db: .*/file: not a folder"
        ):
            Store.open(f"sqlite:///{tmp_path / 'file' / 'a.db'}")

    @pytest.mark.parametrize("create", [True, False])
    def test_sqlite_path_that_is_a_folder_says_so(self, tmp_path: Path, create: bool) -> None:
        """It was SQLite's bare "unable to open database file"."""
        with pytest.raises(StoreUnavailable) as caught:
            Store.open(f"sqlite:///{tmp_path}", create=create)
        assert str(caught.value) == (
            f"cannot open sqlite:///{tmp_path}: {tmp_path} is a folder; name a file in it, "
            f"e.g. sqlite:///{tmp_path / 'causemap.db'}"
        )

    @pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "nonsense", "mysql://x/y"])
    def test_refuses_urls_it_cannot_keep_incidents_in(self, url: str) -> None:
        with pytest.raises(StoreUnavailable):
            Store.open(url)

    @pytest.mark.parametrize(
        ("url", "says"),
        [
            ("postgresql+psycopg://u:secret@db:543x/cm", "not a database URL"),
            ("postgresql+psycopg://u:secret@[::1/cm", "not a database URL"),
        ],
    )
    def test_a_bad_port_is_unavailable(self, url: str, says: str) -> None:
        """A port that is no number (or an unclosed IPv6 bracket) was a ValueError from
        SQLAlchemy's URL parser: an internal error (exit 4)."""
        with pytest.raises(StoreUnavailable) as caught:
            Store.open(url)
        assert says in str(caught.value)
        assert "secret" not in str(caught.value)

    @pytest.mark.parametrize(
        "url",
        ["sqlite+aiosqlite:///a.db", "postgresql+asyncpg://u:secret@db/cm", "sqlite+x:///a.db"],
    )
    def test_another_driver_is_refused(self, url: str) -> None:
        """An async or unknown driver was an ImportError or an engine that cannot be used
        (an internal error, exit 4), or advice to install psycopg for asyncpg."""
        with pytest.raises(StoreUnavailable) as caught:
            Store.open(url)
        driver = url.split(":")[0]
        assert str(caught.value) == (
            f"unsupported database driver {driver!r}: use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/DB"
        )

    def test_a_file_path_is_told_the_url_to_write(self, tmp_path: Path) -> None:
        path = tmp_path / "team.db"
        with pytest.raises(StoreUnavailable) as caught:
            Store.open(str(path))
        assert f"write sqlite:///{path}" in str(caught.value)
        assert not path.exists()

    def test_an_unparseable_url_says_what_a_url_looks_like_and_hides_it(self) -> None:
        with pytest.raises(StoreUnavailable) as caught:
            Store.open("causemap:secret@db.internal/causemap")
        assert "secret" not in str(caught.value)
        assert "sqlite:///PATH or postgresql+psycopg://" in str(caught.value)

    def test_unreachable_postgresql_is_unavailable_and_hides_the_password(self) -> None:
        url = f"postgresql+psycopg://u:secret@127.0.0.1:{free_port()}/x?connect_timeout=2"
        with pytest.raises(StoreUnavailable) as caught:
            Store.open(url)
        assert "secret" not in str(caught.value)
        assert "***" in str(caught.value)

    def test_url_from_argument_then_environment_then_data_folder(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
        monkeypatch.delenv("CAUSEMAP_DB", raising=False)
        assert default_url() == f"sqlite:///{tmp_path}/causemap/causemap.db"
        assert resolve_url() == default_url()
        monkeypatch.setenv("CAUSEMAP_DB", "sqlite:///env.db")
        assert resolve_url() == "sqlite:///env.db"
        assert resolve_url("sqlite:///arg.db") == "sqlite:///arg.db"


class TestCreate:
    def test_first_save_is_revision_1_with_the_canonical_document(self, store: Store) -> None:
        demo = incident(tags=["config"])
        record = store.create(demo)
        assert (record.incident_id, record.number, record.action) == ("demo", 1, "create")
        got = store.get("demo")
        assert got.document == json.dumps(canonical(demo), separators=(",", ":"))
        assert got.digest == encode(demo)[1]
        assert got.to_incident() == demo
        assert got.created_at.tzinfo is not None

    def test_ids_are_unique(self, store: Store) -> None:
        store.create(incident())
        with pytest.raises(IncidentExists, match="'demo' already exists"):
            store.create(incident(title="Other"))
        assert store.latest("demo") == 1

    def test_unknown_incident(self, store: Store) -> None:
        with pytest.raises(IncidentNotFound):
            store.get("nope")
        assert store.latest("nope") is None


class TestUpdate:
    def test_appends_a_revision_and_keeps_the_old_one(self, store: Store) -> None:
        first = incident()
        store.create(first)
        record = store.update("demo", retitled(first, "Renamed"), expected=1)
        assert (record.number, record.action) == (2, "update")
        assert store.get("demo").to_incident().title == "Renamed"
        assert store.revision("demo", 1).to_incident() == first
        assert [r.number for r in store.revisions("demo")] == [1, 2]

    def test_needs_the_revision_it_replaces(self, store: Store) -> None:
        store.create(incident())
        with pytest.raises(PreconditionRequired):
            store.update("demo", incident(title="X"), expected=None)

    def test_stale_revision_is_a_conflict_naming_the_latest(self, store: Store) -> None:
        store.create(incident())
        store.update("demo", incident(title="Two"), expected=1)
        with pytest.raises(RevisionConflict) as caught:
            store.update("demo", incident(title="Lost?"), expected=1)
        assert caught.value.current == 2
        assert store.get("demo").to_incident().title == "Two"

    @pytest.mark.parametrize("expected", [0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**20])
    def test_impossible_revisions_are_conflicts(self, store: Store, expected: int) -> None:
        """Numbers from headers reach the store; none may overflow a column (it was a 500)."""
        store.create(incident())
        with pytest.raises(RevisionConflict) as caught:
            store.update("demo", incident(title="X"), expected=expected)
        assert caught.value.current == 1
        with pytest.raises(RevisionConflict):
            store.delete("demo", expected=expected)
        assert store.get("demo").number == 1

    def test_ids_never_change(self, store: Store) -> None:
        store.create(incident())
        with pytest.raises(InvalidIncident) as caught:
            store.update("demo", incident("other"), expected=1)
        assert caught.value.diagnostics[0].code == "id-mismatch"
        assert caught.value.diagnostics[0].pointer == "/id"

    def test_unknown_incident(self, store: Store) -> None:
        with pytest.raises(IncidentNotFound):
            store.update("demo", incident(), expected=1)

    def test_listing_columns_follow_the_latest_revision(self, store: Store) -> None:
        store.create(incident(tags=["a"], severity="sev2"))
        store.update("demo", incident(tags=["b"], severity="sev1"), expected=1)
        assert [s.id for s in store.find(Query(tags=("b",), severity="sev1")).items] == ["demo"]
        assert store.find(Query(tags=("a",))).items == []


class TestPut:
    def test_created_unchanged_updated(self, store: Store) -> None:
        assert store.put(incident())[1] == "created"
        assert store.put(incident())[1] == "unchanged"
        record, outcome = store.put(incident(title="New"))
        assert (outcome, record.number) == ("updated", 2)

    def test_leaves_a_deleted_incident_deleted(self, store: Store) -> None:
        store.create(incident())
        store.delete("demo")
        assert store.put(incident(title="New"))[1] == "deleted"
        with pytest.raises(IncidentDeleted):
            store.get("demo")

    def test_a_file_older_than_the_store_does_not_undo_later_edits(self, store: Store) -> None:
        """Import, edit in the web editor, import the same files again: the import
        quietly saved the old text as revision 3, undoing the edit."""
        store.put(incident())
        store.update("demo", incident(title="Edited in the editor"), expected=1)
        record, outcome = store.put(incident())
        assert (outcome, record.number) == ("stale", 2)
        assert store.get("demo").to_incident().title == "Edited in the editor"
        record, outcome = store.put(incident(), force=True)
        assert (outcome, record.number) == ("updated", 3)
        assert store.get("demo").to_incident().title == "T"

    def test_an_import_retries_a_create_race_then_gives_up(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A new incident created by another writer meanwhile makes the insert fail: the
        import is tried again (and updates it). A fault that fails every time is raised;
        the retry used to call itself for ever, and ended in a RecursionError."""
        from sqlalchemy.exc import IntegrityError

        real = Store._put
        calls = 0

        def racing(self: Store, *args: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise IntegrityError("INSERT", {}, Exception("created meanwhile"))
            return real(self, *args)

        monkeypatch.setattr(Store, "_put", racing)
        assert store.put(incident())[1] == "created"
        assert calls == 2

        def failing(self: Store, *args: Any) -> Any:
            nonlocal calls
            calls += 1
            raise IntegrityError("INSERT", {}, Exception("a constraint no retry satisfies"))

        calls = 0
        monkeypatch.setattr(Store, "_put", failing)
        with pytest.raises(IntegrityError):
            store.put(incident("other"))
        assert calls == 3


class TestSaved:
    def test_names_the_documents_some_revision_holds(self, store: Store) -> None:
        """What export asks before replacing a file: "saved before" as put decides it,
        any revision of that incident, deleted or not, and never another incident's."""
        store.put(incident())
        store.update("demo", incident(title="Edited"), expected=1)
        store.put(incident("gone"))
        store.delete("gone")
        pairs = [
            ("demo", encode(incident())[1]),
            ("demo", encode(incident(title="Edited"))[1]),
            ("demo", encode(incident(title="Never saved"))[1]),
            ("other", encode(incident())[1]),
            ("gone", encode(incident("gone"))[1]),
        ]
        assert store.saved(pairs) == {pairs[0], pairs[1], pairs[4]}


class TestDelete:
    def test_soft_delete_hides_and_restore_brings_back(self, store: Store) -> None:
        store.create(incident())
        deleted = store.delete("demo")
        assert (deleted.number, deleted.action, deleted.deleted) == (2, "delete", True)
        with pytest.raises(IncidentDeleted):
            store.get("demo")
        assert store.get("demo", include_deleted=True).deleted
        assert store.find().items == []
        assert [s.id for s in store.find(Query(deleted=True)).items] == ["demo"]
        restored = store.restore("demo")
        assert (restored.number, restored.action) == (3, "restore")
        assert store.get("demo").to_incident() == incident()
        assert [r.action for r in store.revisions("demo")] == [
            "create",
            "delete",
            "restore",
        ]

    def test_deleted_incidents_refuse_writes_and_keep_their_id(self, store: Store) -> None:
        store.create(incident())
        store.delete("demo")
        with pytest.raises(IncidentDeleted):
            store.update("demo", incident(title="X"), expected=2)
        with pytest.raises(IncidentDeleted):
            store.delete("demo")
        with pytest.raises(IncidentExists):
            store.create(incident())
        assert store.revision("demo", 1).to_incident() == incident()

    def test_creating_over_a_deleted_incident_says_to_restore_it(self, store: Store) -> None:
        """The id is not in the listing, so "already exists" alone would puzzle."""
        store.create(incident())
        store.delete("demo")
        with pytest.raises(IncidentExists, match="'demo' exists but is deleted; restore it"):
            store.create(incident(title="Again"))

    def test_delete_with_a_stale_revision_is_a_conflict(self, store: Store) -> None:
        store.create(incident())
        store.update("demo", incident(title="Two"), expected=1)
        with pytest.raises(RevisionConflict):
            store.delete("demo", expected=1)

    def test_restore_with_a_stale_revision_is_a_conflict(self, store: Store) -> None:
        """``expected`` was ignored: a restore undid a delete the caller had not seen."""
        store.create(incident())
        store.delete("demo")
        with pytest.raises(RevisionConflict, match="at revision 2, not 1") as raised:
            store.restore("demo", expected=1)
        assert raised.value.current == 2
        assert store.get("demo", include_deleted=True).deleted
        assert store.restore("demo", expected=2).number == 3
        with pytest.raises(RevisionConflict):  # live, but not at the revision named
            store.restore("demo", expected=2)
        assert store.restore("demo", expected=3).number == 3  # live: nothing to do

    def test_restoring_a_live_incident_changes_nothing(self, store: Store) -> None:
        store.create(incident())
        assert store.restore("demo").number == 1
        with pytest.raises(IncidentNotFound):
            store.restore("nope")


def _day(n: int) -> str:
    return (dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat()


class TestFind:
    @pytest.fixture
    def filled(self, store: Store) -> Store:
        store.create(incident("a", date=_day(1), tags=["x", "y"], services=["api"]))
        store.create(incident("b", date=_day(2), tags=["x"], severity="sev1"))
        store.create(incident("c", date=_day(3), services=["db"], severity="sev2"))
        other = [{**NODES[0], "factor": "alerts-missing"}, NODES[1]]
        store.create(make_incident(other, id="d", date=_day(3)))
        return store

    def ids(self, store: Store, **query: Any) -> list[str]:
        return [s.id for s in store.find(Query(**query)).items]

    def test_newest_first_then_by_id(self, filled: Store) -> None:
        assert self.ids(filled) == ["c", "d", "b", "a"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"tags": ("x",)}, ["b", "a"]),
            ({"tags": ("x", "y")}, ["a"]),
            ({"services": ("db",)}, ["c"]),
            ({"severity": "sev1"}, ["b"]),
            ({"factors": ("alerts-missing",)}, ["d"]),
            ({"factors": ("no-canary",)}, ["c", "b", "a"]),
            ({"date_from": dt.date.fromisoformat(_day(2))}, ["c", "d", "b"]),
            ({"date_to": dt.date.fromisoformat(_day(2))}, ["b", "a"]),
            ({"tags": ("nope",)}, []),
        ],
    )
    def test_filters(self, filled: Store, query: dict[str, Any], expected: list[str]) -> None:
        assert self.ids(filled, **query) == expected

    @pytest.mark.parametrize(("saved", "asked"), [("NFD", "NFC"), ("NFC", "NFD")])
    def test_a_tag_or_service_is_found_in_either_unicode_form(
        self, store: Store, saved: Literal["NFC", "NFD"], asked: Literal["NFC", "NFD"]
    ) -> None:
        def form(text: str, which: Literal["NFC", "NFD"]) -> str:
            return unicodedata.normalize(which, text)

        store.create(
            incident("e", tags=[form("café", saved)], services=[form("pagos-méxico", saved)])
        )
        assert self.ids(store, tags=(form("café", asked),)) == ["e"]
        assert self.ids(store, services=(form("pagos-méxico", asked),)) == ["e"]

    def test_summaries_carry_tags_and_services_in_order(self, filled: Store) -> None:
        (a,) = filled.find(Query(tags=("y",))).items
        assert (a.tags, a.services, a.revision) == (["x", "y"], ["api"], 1)

    def test_pages_are_stable_and_complete(self, filled: Store) -> None:
        seen: list[str] = []
        cursor = None
        while True:
            page = filled.find(Query(limit=1, cursor=cursor))
            seen += [s.id for s in page.items]
            if page.next_cursor is None:
                break
            filled.create(incident(f"late-{len(seen)}", date=_day(0)))  # after every page
            cursor = page.next_cursor
        assert seen[:4] == ["c", "d", "b", "a"]
        assert len(seen) == len(set(seen))

    def test_bad_cursor(self, filled: Store) -> None:
        with pytest.raises(InvalidQuery):
            filled.find(Query(cursor="not-a-cursor!"))

    @pytest.mark.parametrize(
        "query",
        [
            {"tags": ("x\x00",)},
            {"services": ("\x00",)},
            {"factors": ("a\x00b",)},
            {"severity": "sev\x00"},
            {"tags": ("x\x1by",)},
            {"cursor": encode_cursor(dt.date(2024, 1, 2), "a\x00")},
        ],
    )
    def test_a_control_character_in_a_filter_is_an_invalid_query(
        self, filled: Store, query: dict[str, Any]
    ) -> None:
        """No incident holds one (the format refuses them), and PostgreSQL cannot even
        compare text with a NUL: the listing failed with a DataError (a 500)."""
        with pytest.raises(InvalidQuery, match=r"control character|invalid cursor"):
            filled.find(Query(**query))

    def test_heads_and_documents_of_the_live_incidents(self, filled: Store) -> None:
        filled.update("b", incident("b", title="Two"), expected=1)
        filled.delete("c")
        assert filled.heads() == [("a", 1), ("b", 2), ("d", 1)]
        documents = filled.documents()
        assert [(r.incident_id, r.number) for r in documents] == filled.heads()
        assert documents[1].to_incident().title == "Two"
        assert [r.digest for r in documents] == [
            filled.get(r.incident_id).digest for r in documents
        ]


class TestIterDocuments:
    def test_streams_one_snapshot_while_others_write(self, store: Store) -> None:
        for n in range(5):
            store.create(incident(f"i{n}"))
        seen = []
        for record in store.iter_documents(batch=2):
            seen.append((record.incident_id, record.to_incident().title))
            if record.incident_id == "i0":
                store.delete("i3")
                store.update("i4", incident("i4", title="Later"), expected=1)
        assert seen == [(f"i{n}", "T") for n in range(5)]
        assert [r.incident_id for r in store.iter_documents()] == ["i0", "i1", "i2", "i4"]


class TestRevisions:
    def test_paging_and_changes(self, store: Store) -> None:
        store.create(incident())
        for n in range(2, 6):
            store.update("demo", incident(title=f"T{n}"), expected=n - 1)
        assert [r.number for r in store.revisions("demo", after=2, limit=2)] == [3, 4]
        changes = store.changes("demo", after=3)
        assert [(c.number, c.to_incident().title) for c in changes] == [(4, "T4"), (5, "T5")]
        assert store.changes("demo", after=5) == []

    def test_unknown_revision(self, store: Store) -> None:
        store.create(incident())
        with pytest.raises(IncidentNotFound, match="no revision 9"):
            store.revision("demo", 9)
        with pytest.raises(IncidentNotFound):
            store.revisions("nope")

    @pytest.mark.parametrize("number", [-1, 0, 2**31, 2**63, 10**20])
    def test_numbers_out_of_range_never_overflow(self, store: Store, number: int) -> None:
        store.create(incident())
        with pytest.raises(IncidentNotFound, match=f"no revision {number}"):
            store.revision("demo", number)
        expected = [1] if number < 1 else []
        assert [r.number for r in store.changes("demo", after=number)] == expected
        assert [r.number for r in store.revisions("demo", after=number)] == expected


class TestTimes:
    @pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
    def test_every_time_is_utc_whatever_the_session_time_zone(self, db_url: str, zone: str) -> None:
        """PostgreSQL answers timestamptz in the session's time zone: on a server set to
        America/New_York a write said 07:00Z and every read of it 02:00-05:00."""
        if db_url.startswith("postgresql"):
            db_url += f"?options=-c%20timezone%3D{zone.replace('/', '%2F')}"
        with Store.open(db_url) as opened:
            saved = opened.create(incident())
            opened.create(incident("live"))
            deleted = opened.delete("demo")
            times = [
                opened.get("demo", include_deleted=True).created_at,
                opened.revision("demo", 1).created_at,
                *(r.created_at for r in opened.revisions("demo")),
                *(r.created_at for r in opened.changes("demo", after=0)),
                *(r.created_at for r in opened.iter_documents()),
            ]
            (row,) = opened.find(Query(deleted=True)).items
            (live,) = opened.find().items
        assert row.deleted_at is not None
        times += [row.created_at, row.updated_at, row.deleted_at, live.created_at]
        assert all(t.utcoffset() == dt.timedelta(0) for t in times), times
        assert row.created_at == saved.created_at
        assert row.deleted_at == deleted.created_at


class TestConcurrency:
    def test_racing_writers_never_lose_an_update(self, store: Store) -> None:
        """Threads do read-modify-write with retries; every write must survive."""
        store.create(incident(tags=[]))
        writers, writes = 4, 6
        conflicts = 0
        lock = threading.Lock()

        def work(w: int) -> None:
            nonlocal conflicts
            for i in range(writes):
                while True:
                    latest = store.get("demo")
                    doc = latest.to_incident()
                    edited = doc.model_copy(update={"tags": [*doc.tags, f"w{w}-{i}"]})
                    try:
                        store.update("demo", edited, expected=latest.number)
                        break
                    except RevisionConflict:
                        with lock:
                            conflicts += 1

        threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = store.get("demo")
        assert sorted(final.to_incident().tags) == sorted(
            f"w{w}-{i}" for w in range(writers) for i in range(writes)
        )
        assert final.number == 1 + writers * writes
        assert [r.number for r in store.revisions("demo")] == list(range(1, final.number + 1))

    def test_same_revision_from_many_threads_lets_exactly_one_win(self, store: Store) -> None:
        store.create(incident())
        barrier = threading.Barrier(8)
        results: list[str] = []

        def write(n: int) -> None:
            barrier.wait()
            try:
                store.update("demo", incident(title=f"by {n}"), expected=1)
                results.append("won")
            except RevisionConflict:
                results.append("conflict")

        threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["conflict"] * 7 + ["won"]
        assert store.latest("demo") == 2

    def test_racing_puts_all_land(self, store: Store) -> None:
        """``put`` (what ``causemap import`` does) names no revision: a concurrent save of
        the same incident is no conflict, on PostgreSQL as on SQLite."""
        store.create(incident())
        barrier = threading.Barrier(6)
        failures: list[Exception] = []

        def put(n: int) -> None:
            barrier.wait()
            for i in range(5):
                try:
                    store.put(incident(title=f"by {n}-{i}"))
                except Exception as exc:
                    failures.append(exc)

        threads = [threading.Thread(target=put, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        assert store.latest("demo") == 1 + 6 * 5

    def test_delete_and_restore_race_no_conflict(self, store: Store) -> None:
        store.create(incident())
        barrier = threading.Barrier(5)
        failures: list[Exception] = []

        def put(n: int) -> None:
            barrier.wait()
            for i in range(10):
                try:
                    store.put(incident(title=f"by {n}-{i}"))
                except Exception as exc:
                    failures.append(exc)

        def delete() -> None:
            barrier.wait()
            for _ in range(10):
                try:
                    store.delete("demo")
                    store.restore("demo")
                except Exception as exc:
                    failures.append(exc)

        threads = [threading.Thread(target=put, args=(n,)) for n in range(4)]
        threads.append(threading.Thread(target=delete))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        actions = [r.action for r in store.revisions("demo", limit=500)]
        assert (actions.count("delete"), actions.count("restore")) == (10, 10)

    def test_racing_creates_make_one_incident(self, store: Store) -> None:
        barrier = threading.Barrier(6)
        results: list[str] = []

        def create() -> None:
            barrier.wait()
            try:
                store.create(incident())
                results.append("created")
            except IncidentExists:
                results.append("exists")

        threads = [threading.Thread(target=create) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["created"] + ["exists"] * 5
