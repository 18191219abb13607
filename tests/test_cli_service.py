"""``causemap import``, ``export`` and ``serve``: round trips, exit codes, refusals."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from causemap import loader
from causemap.cli import cli
from causemap.cli.serve import is_loopback
from causemap.loader import dump, load, loads
from causemap.service import Settings
from causemap.store import Store
from tests.conftest import EXAMPLES
from tests.postgres import free_port
from tests.test_bad_inputs import BASE

runner = CliRunner()


def stored_base(tmp_path: Path) -> tuple[Path, str]:
    """A SQLite store in ``tmp_path`` holding BASE (also written as ``a.yaml``): its file
    and URL."""
    path = tmp_path / "s.db"
    db = f"sqlite:///{path}"
    (tmp_path / "a.yaml").write_text(BASE)
    assert runner.invoke(cli, ["import", "--db", db, str(tmp_path / "a.yaml")]).exit_code == 0
    return path, db


def serve_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str) -> Any:
    """``causemap serve`` with the variable ``name`` set to ``value``: a usage error."""
    monkeypatch.setenv(name, value)
    db, port = f"sqlite:///{tmp_path / 's.db'}", str(free_port())
    result = runner.invoke(cli, ["serve", "--db", db, "--port", port])
    assert result.exit_code == 2, result.output
    return result


ONE_SKIPPED = "causemap: 1 of 2 files skipped (invalid); the other 1 file is listed above"


class TestImportExport:
    @pytest.mark.parametrize("command", [["import", str(EXAMPLES[0])], ["export", "out"]])
    def test_an_empty_db_is_a_usage_error_not_the_default_store(
        self, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # `--db "$DB"` with DB unset wrote to the default store in the home folder.
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        monkeypatch.chdir(tmp_path)
        result = runner.invoke(cli, [command[0], "--db", "", *command[1:]])
        assert result.exit_code == 2
        assert "'--db': is empty" in result.output
        assert not (tmp_path / "data").exists()

    def test_round_trip_is_exact(self, db_url: str, tmp_path: Path) -> None:
        first = runner.invoke(cli, ["import", "--db", db_url, str(EXAMPLES[0].parent)])
        assert first.exit_code == 0, first.output
        assert f"{len(EXAMPLES)} created" in first.output
        again = runner.invoke(cli, ["import", "--db", db_url, str(EXAMPLES[0].parent)])
        assert f"0 created, 0 updated, {len(EXAMPLES)} unchanged" in again.output
        out = tmp_path / "out"
        exported = runner.invoke(cli, ["export", "--db", db_url, str(out)])
        assert exported.exit_code == 0, exported.output
        files = sorted(out.glob("*.yaml"))
        assert len(files) == len(EXAMPLES)
        for path in EXAMPLES:
            original = load(path)
            written = out / f"{original.id}.yaml"
            assert load(written) == original
            assert written.read_text() == dump(original)  # canonical
        back = runner.invoke(cli, ["import", "--db", db_url, str(out)])
        assert f"{len(EXAMPLES)} unchanged" in back.output, back.output

    def test_json_export(self, tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        runner.invoke(cli, ["import", "--db", db, str(EXAMPLES[0])])
        result = runner.invoke(cli, ["export", "--db", db, "--format", "json", str(tmp_path)])
        assert result.exit_code == 0
        assert load(tmp_path / f"{load(EXAMPLES[0]).id}.json") == load(EXAMPLES[0])

    def test_export_from_a_store_that_does_not_exist_exits_3(self, tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 'typo.db'}"
        result = runner.invoke(cli, ["export", "--db", db, str(tmp_path / "out")])
        assert result.exit_code == 3, result.output
        assert f"causemap: error: no store at {db}" in result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == []

    @pytest.mark.parametrize("kind", ["fifo", "device"])
    def test_export_into_something_that_is_not_a_folder_is_a_usage_error(
        self, tmp_path: Path, kind: str
    ) -> None:
        """A FIFO or a device was "File exists", exit 3; a regular file was already exit 2."""
        import os

        db = f"sqlite:///{tmp_path / 's.db'}"
        runner.invoke(cli, ["import", "--db", db, str(EXAMPLES[0])])
        where = "/dev/null"
        if kind == "fifo":
            where = str(tmp_path / "pipe")
            os.mkfifo(where)
        result = runner.invoke(cli, ["export", "--db", db, where])
        assert result.exit_code == 2, result.output
        assert f"Error: DIR {where} is not a folder" in result.output

    def test_export_from_a_database_without_a_store_exits_3(self, tmp_path: Path) -> None:
        other = tmp_path / "other.db"
        sqlite3.connect(other).close()
        result = runner.invoke(cli, ["export", "--db", f"sqlite:///{other}", str(tmp_path / "o")])
        assert result.exit_code == 3, result.output
        assert "no store at" in result.output
        assert not (tmp_path / "o").exists()

    def test_a_store_from_a_newer_causemap_exits_3(self, tmp_path: Path) -> None:
        path, db = stored_base(tmp_path)
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE alembic_version SET version_num = 'f00d0099'")
        for args in (["import", str(tmp_path / "a.yaml")], ["export", str(tmp_path / "o")]):
            result = runner.invoke(cli, [*args, "--db", db])
            assert result.exit_code == 3, result.output
            assert f"causemap: error: cannot open {db}: " in result.output
            assert "newer causemap" in result.output

    def test_a_write_refused_once_the_store_is_open_names_it(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Another process takes the write lock between opening the store and saving."""
        path = tmp_path / "s.db"
        db = f"sqlite:///{path}"
        (tmp_path / "a.yaml").write_text(BASE)
        blocker = sqlite3.connect(path, isolation_level=None)
        monkeypatch.setattr("causemap.store.engine.BUSY_TIMEOUT", 0.1)
        put_all = Store.put_all

        def locked_put_all(store: Store, batch: Any, **options: Any) -> Any:
            blocker.execute("BEGIN EXCLUSIVE")
            return put_all(store, batch, **options)

        monkeypatch.setattr(Store, "put_all", locked_put_all)
        try:
            result = runner.invoke(cli, ["import", "--db", db, str(tmp_path / "a.yaml")])
        finally:
            blocker.close()
        assert result.exit_code == 3, result.output
        assert f"causemap: error: {db}: database unavailable: database is locked" in result.output

    def test_export_reads_one_snapshot_while_others_delete(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Another process deletes an incident while the export is writing files."""
        db = f"sqlite:///{tmp_path / 's.db'}"
        ids = ["a", "b", "c"]
        for name in ids:
            (tmp_path / f"{name}.yaml").write_text(BASE.replace("id: demo", f"id: {name}"))
        runner.invoke(cli, ["import", "--db", db, *(str(tmp_path / f"{n}.yaml") for n in ids)])
        dump_ = loader.dump

        def dump_while_deleting(incident: Any, *args: Any, **kwargs: Any) -> str:
            with Store.open(db) as other:
                for name in ids:
                    if name != incident.id and other.latest(name) == 1:
                        other.delete(name)
            return dump_(incident, *args, **kwargs)

        monkeypatch.setattr(loader, "dump", dump_while_deleting)
        result = runner.invoke(cli, ["export", "--db", db, str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
        assert sorted(p.stem for p in (tmp_path / "out").iterdir()) == ids

    def test_a_corrupt_store_exits_3_naming_it(self, tmp_path: Path) -> None:
        """Pages of the revisions table overwritten (a disk fault), the rest intact."""
        path, db = stored_base(tmp_path)
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            size = connection.execute("PRAGMA page_size").fetchone()[0]
            sql = "SELECT rootpage FROM sqlite_master WHERE name = 'revisions'"
            root = connection.execute(sql).fetchone()[0]
        connection.close()
        with path.open("r+b") as stream:
            stream.seek((root - 1) * size)
            stream.write(b"\xde\xad" * (size // 2))
        for args in (["import", str(tmp_path / "a.yaml")], ["export", str(tmp_path / "o")]):
            result = runner.invoke(cli, [*args, "--db", db])
            assert result.exit_code == 3, result.output
            assert f"causemap: error: {db}: " in result.output
            assert "malformed" in result.output

    def test_a_store_failing_mid_import_keeps_none_of_it(
        self, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The disk fills up while the third file is saved: the store stays exactly as it
        was, not with the first two files in it."""
        from sqlalchemy.exc import OperationalError

        def write(name: str, title: str) -> None:
            text = BASE.replace("id: demo", f"id: {name}").replace("Demo incident", title)
            (tmp_path / f"{name}.yaml").write_text(text)

        write("a", "first")
        assert (
            runner.invoke(cli, ["import", "--db", db_url, str(tmp_path / "a.yaml")]).exit_code == 0
        )
        for name in "abc":
            write(name, "second")
        create = Store._create

        def full(store: Store, connection: Any, incident: Any) -> Any:
            if incident.id == "c":
                raise OperationalError("INSERT", {}, Exception("database or disk is full"))
            return create(store, connection, incident)

        monkeypatch.setattr(Store, "_create", full)
        result = runner.invoke(cli, ["import", "--db", db_url, str(tmp_path)])
        assert result.exit_code == 3, result.output
        assert "database or disk is full" in result.output
        monkeypatch.undo()
        with Store.open(db_url) as store:
            assert [(r.incident_id, r.number) for r in store.documents()] == [("a", 1)]
            assert store.get("a").to_incident().title == "first"

    def test_changed_file_becomes_a_revision(self, tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        path = tmp_path / "demo.yaml"
        path.write_text(BASE)
        runner.invoke(cli, ["import", "--db", db, str(path)])
        path.write_text(BASE.replace("title: Demo incident", "title: Changed"))
        result = runner.invoke(cli, ["import", "--db", db, str(path)])
        assert "demo: updated (revision 2)" in result.output
        with Store.open(db) as store:
            assert store.revision("demo", 1).to_incident().title == "Demo incident"

    def test_a_file_with_empty_optional_keys_is_the_file_without_them(self, tmp_path: Path) -> None:
        """A template's empty keys (``tags:`` alone) are no change to the stored incident,
        and export writes the canonical file, without them."""
        from tests.test_loader import KEYLESS, TEMPLATE

        db = f"sqlite:///{tmp_path / 's.db'}"
        path = tmp_path / "demo.yaml"
        path.write_text(KEYLESS)
        assert runner.invoke(cli, ["import", "--db", db, str(path)]).exit_code == 0
        path.write_text(TEMPLATE)
        again = runner.invoke(cli, ["import", "--db", db, str(path)])
        assert again.exit_code == 0, again.output
        assert "0 created, 0 updated, 1 unchanged" in again.output
        out = tmp_path / "out"
        assert runner.invoke(cli, ["export", "--db", db, str(out)]).exit_code == 0
        exported = (out / "demo.yaml").read_text()
        assert exported == dump(loads(KEYLESS))
        assert "tags" not in exported

    def test_importing_again_after_an_edit_in_the_store_keeps_the_edit(
        self, tmp_path: Path
    ) -> None:
        """Import a folder, edit in the web editor, import the folder again (a CI job on
        every push): the edit was undone by a new revision holding the file, unsaid."""
        _, db = stored_base(tmp_path)
        with Store.open(db) as store:
            edited = store.get("demo").to_incident().model_copy(update={"title": "Edited"})
            store.update("demo", edited, expected=1)
        again = runner.invoke(cli, ["import", "--db", db, str(tmp_path / "a.yaml")])
        assert again.exit_code == 0, again.output
        assert "a.yaml: demo: skipped: the store has later edits" in again.output
        assert "(revision 2)" in again.output
        assert "0 updated, 0 unchanged, 0 skipped (deleted), 1 skipped (older)" in again.output
        with Store.open(db) as store:
            assert store.get("demo").to_incident().title == "Edited"
        forced = runner.invoke(cli, ["import", "--force", "--db", db, str(tmp_path / "a.yaml")])
        assert forced.exit_code == 0, forced.output
        assert "a.yaml: demo: updated (revision 3)" in forced.output
        with Store.open(db) as store:
            assert store.get("demo").to_incident().title == "Demo incident"

    def test_invalid_files_import_nothing(self, tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        (tmp_path / "a.yaml").write_text(BASE)
        (tmp_path / "b.yaml").write_text(
            BASE.replace("id: demo", "id: b").replace("kind: condition", "kind: x")
        )
        result = runner.invoke(cli, ["import", "--db", db, str(tmp_path)])
        assert result.exit_code == 1
        assert "b.yaml:11:11: error: /nodes/1/kind" in result.output
        assert result.output.endswith(
            "causemap: 1 invalid file; nothing imported: fix it, or pass --skip-invalid to "
            "import the rest\n"
        ), result.output
        with Store.open(db) as store:
            assert store.count() == 0

    def test_skip_invalid_imports_the_valid_files_and_exits_1(self, tmp_path: Path) -> None:
        """One bad file (or a YAML file that is no incident: a compose file) in a folder
        refused the whole import; --skip-invalid reports it at its line, as without it,
        and imports the rest."""
        db = f"sqlite:///{tmp_path / 's.db'}"
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "a.yaml").write_text(BASE)
        (folder / "b.yaml").write_text(
            BASE.replace("id: demo", "id: b").replace("kind: condition", "kind: x")
        )
        (folder / "c.yaml").write_text(BASE.replace("id: demo", "id: c"))
        (folder / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
        refused = runner.invoke(cli, ["import", "--db", db, str(folder)])
        result = runner.invoke(cli, ["import", "--skip-invalid", "--db", db, str(folder)])
        assert result.exit_code == 1, result.output
        problems = [line for line in result.output.splitlines() if ": error: " in line]
        assert problems == [line for line in refused.output.splitlines() if ": error: " in line]
        assert f"{folder / 'b.yaml'}:11:11: error: /nodes/1/kind" in result.output
        assert f"{folder / 'compose.yaml'}:2:3: error: /services" in result.output
        assert "a.yaml: demo: created (revision 1)" in result.output
        assert "c.yaml: c: created (revision 1)" in result.output
        assert f"2 incidents into {db}: 2 created" in result.output
        assert result.output.endswith(
            "causemap: 2 of 4 files skipped (invalid); the other 2 files are listed above\n"
        ), result.output
        with Store.open(db) as store:
            assert sorted(r.incident_id for r in store.documents()) == ["c", "demo"]

    def test_skip_invalid_never_writes_an_invalid_file_over_its_incident(
        self, tmp_path: Path
    ) -> None:
        """An incident whose file is now invalid keeps its stored revisions, --force or
        not, and a valid file that holds an older revision is still skipped as older."""
        _, db = stored_base(tmp_path)
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "a.yaml").write_text(BASE.replace("kind: condition", "kind: x"))
        (folder / "b.yaml").write_text(BASE.replace("id: demo", "id: b"))
        for force in ([], ["--force"]):
            result = runner.invoke(
                cli, ["import", "--skip-invalid", *force, "--db", db, str(folder)]
            )
            assert result.exit_code == 1, result.output
            assert f"{folder / 'a.yaml'}:11:11: error: /nodes/1/kind" in result.output
            assert ONE_SKIPPED in result.output
        with Store.open(db) as store:
            assert [r.number for r in store.revisions("demo")] == [1]
            assert store.get("demo").to_incident().title == "Demo incident"
            edited = store.get("b").to_incident().model_copy(update={"title": "Edited"})
            store.update("b", edited, expected=1)
        again = runner.invoke(cli, ["import", "--skip-invalid", "--db", db, str(folder)])
        assert again.exit_code == 1, again.output
        assert "b.yaml: b: skipped: the store has later edits" in again.output
        assert "0 skipped (deleted), 1 skipped (older)" in again.output

    @pytest.mark.parametrize("skip", [[], ["--skip-invalid"]])
    def test_nothing_valid_imports_nothing(self, tmp_path: Path, skip: list[str]) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        (tmp_path / "a.yaml").write_text(BASE.replace("kind: condition", "kind: x"))
        (tmp_path / "b.yaml").write_text("services: {}\n")
        result = runner.invoke(cli, ["import", *skip, "--db", db, str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert "a.yaml:11:11: error: /nodes/1/kind" in result.output
        assert "b.yaml:1:1: error: /causemap: missing required key" in result.output
        last = result.output.splitlines()[-1]
        if skip:
            assert last == "causemap: 2 invalid files and nothing valid; nothing imported"
        else:  # as before --skip-invalid, which would not help
            assert last == "causemap: 2 invalid files; nothing imported"
        assert not (tmp_path / "s.db").exists()  # the store was not even opened

    def test_skip_invalid_imports_the_first_of_files_sharing_an_id(self, tmp_path: Path) -> None:
        """The second is invalid, as `causemap validate` has it, and `patterns
        --skip-invalid` leaves it out: the import saves one revision, not two in one
        transaction."""
        db = f"sqlite:///{tmp_path / 's.db'}"
        (tmp_path / "a.yaml").write_text(BASE)
        (tmp_path / "b.yaml").write_text(BASE.replace("title: Demo incident", "title: Copy"))
        result = runner.invoke(cli, ["import", "--skip-invalid", "--db", db, str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert (
            f"{tmp_path / 'b.yaml'}:2:5: error: /id: incident id 'demo' is already used by "
            f"{tmp_path / 'a.yaml'} [duplicate-incident-id]"
        ) in result.output
        assert "a.yaml: demo: created (revision 1)" in result.output
        assert ONE_SKIPPED in result.output
        with Store.open(db) as store:
            assert [r.number for r in store.revisions("demo")] == [1]
            assert store.get("demo").to_incident().title == "Demo incident"

    def test_skip_invalid_skips_invalid_standard_input(self, tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        (tmp_path / "a.yaml").write_text(BASE)
        bad = BASE.replace("id: demo", "id: s").replace("kind: condition", "kind: x")
        result = runner.invoke(
            cli, ["import", "--skip-invalid", "--db", db, "-", str(tmp_path)], input=bad
        )
        assert result.exit_code == 1, result.output
        assert "<stdin>:11:11: error: /nodes/1/kind" in result.output
        assert ONE_SKIPPED in result.output
        with Store.open(db) as store:
            assert [r.incident_id for r in store.documents()] == ["demo"]

    def test_counts_of_one_are_singular(self, tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        (tmp_path / "in").mkdir()
        path = tmp_path / "in" / "demo.yaml"
        path.write_text(BASE)
        imported = runner.invoke(cli, ["import", "--db", db, str(path)])
        assert f"1 incident into {db}: 1 created" in imported.output, imported.output
        exported = runner.invoke(cli, ["export", "--db", db, str(tmp_path / "out")])
        assert f"1 incident from {db} written to" in exported.output, exported.output
        path.write_text(BASE.replace("kind: condition", "kind: x"))
        refused = runner.invoke(cli, ["import", "--db", db, str(path)])
        assert "causemap: 1 invalid file; nothing imported" in refused.output

    @pytest.mark.parametrize("command", ["import", "export", "patterns"])
    def test_a_url_whose_port_is_not_a_number_is_a_usage_error(
        self, tmp_path: Path, command: str
    ) -> None:
        (tmp_path / "a.yaml").write_text(BASE)
        db = "postgresql+psycopg://u:secret@db.internal:543x/causemap"
        where = {"import": [str(tmp_path / "a.yaml")], "export": [str(tmp_path / "o")]}
        result = runner.invoke(cli, [command, "--db", db, *where.get(command, [])])
        assert result.exit_code == 2, result.output
        assert "Invalid value for '--db': not a database URL" in result.output
        assert "secret" not in result.output

    def test_unreachable_database_exits_3(self, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_text(BASE)
        db = f"postgresql+psycopg://u:pw@127.0.0.1:{free_port()}/x?connect_timeout=2"
        result = runner.invoke(cli, ["import", "--db", db, str(tmp_path / "a.yaml")])
        assert result.exit_code == 3
        assert "cannot open" in result.output
        assert "pw" not in result.output


class TestExportIntoAFolder:
    """Export writes every file or none: they are staged beside their names, then put in
    place together. A failure midway used to leave the files written before it, and a
    FIFO at a file's name blocked the export for ever."""

    IDS = ("a", "b", "c")

    def stored(self, tmp_path: Path, title: str = "Demo incident") -> str:
        db = f"sqlite:///{tmp_path / 's.db'}"
        for name in self.IDS:
            text = BASE.replace("id: demo", f"id: {name}").replace("Demo incident", title)
            (tmp_path / f"{name}.yaml").write_text(text)
        files = [str(tmp_path / f"{n}.yaml") for n in self.IDS]
        assert runner.invoke(cli, ["import", "--db", db, *files]).exit_code == 0
        return db

    def test_re_exporting_replaces_the_previous_export(self, tmp_path: Path) -> None:
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        assert runner.invoke(cli, ["export", "--db", db, str(out)]).exit_code == 0
        (out / "notes.txt").write_text("mine")
        self.stored(tmp_path, "Changed")
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml", "c.yaml", "notes.txt"]
        assert all(load(out / f"{n}.yaml").title == "Changed" for n in self.IDS)
        assert (out / "notes.txt").read_text() == "mine"

    @pytest.mark.parametrize(("first", "then"), [("yaml", "json"), ("json", "yaml")])
    def test_re_exporting_in_the_other_format_replaces_the_previous_export(
        self, tmp_path: Path, first: str, then: str
    ) -> None:
        """Both files stayed, the older one stale though it looked current, and the
        folder no longer imported (two files with the same incident id)."""
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        assert (
            runner.invoke(cli, ["export", "--db", db, "--format", first, str(out)]).exit_code == 0
        )
        (out / "notes.txt").write_text("mine")
        self.stored(tmp_path, "Changed")
        result = runner.invoke(cli, ["export", "--db", db, "--format", then, str(out)])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == [
            *(f"{n}.{then}" for n in self.IDS),
            "notes.txt",
        ]
        assert f"3 previous exports in {first} removed" in result.output
        other = f"sqlite:///{tmp_path / 'other.db'}"
        assert runner.invoke(cli, ["import", "--db", other, str(out)]).exit_code == 0

    @pytest.mark.parametrize(("prefix", "removed"), [(b"", True), (b"\xef\xbb\xbf", False)])
    def test_a_previous_export_is_judged_by_its_bytes_once_the_scan_read_it(
        self, tmp_path: Path, prefix: bytes, removed: bool
    ) -> None:
        """The scan's parse of a previous export stands in for a second one only for
        the very text it parsed: a BOM (which the scan's reader drops) still makes the
        file not what export writes, so it is written into, not removed."""
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        assert runner.invoke(cli, ["export", "--db", db, "-f", "json", str(out)]).exit_code == 0
        path = out / "a.json"
        path.write_bytes(prefix + path.read_bytes())
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        assert result.exit_code == 0, result.output
        assert path.exists() is not removed
        assert (out / "a.yaml").exists() is removed
        assert f"{3 if removed else 2} previous exports in json removed" in result.output

    @pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
    def test_a_previous_export_whose_line_endings_a_checkout_changed_is_replaced(
        self, tmp_path: Path, ending: bytes
    ) -> None:
        """Exports kept in git on a checkout with core.autocrlf have CRLF endings: they go
        as the exports do on any other checkout, else the other format's export was
        written into them (a.json kept, a.yaml never written)."""
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        assert runner.invoke(cli, ["export", "--db", db, "-f", "json", str(out)]).exit_code == 0
        for path in out.iterdir():
            path.write_bytes(path.read_bytes().replace(b"\n", ending))
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        assert result.exit_code == 0, result.output
        assert "3 previous exports in json removed" in result.output
        assert sorted(p.name for p in out.iterdir()) == [f"{n}.yaml" for n in self.IDS]

    @pytest.mark.parametrize("link", ["current.json", "latest/a", "a-link.yaml"])
    def test_a_previous_export_a_link_points_to_is_written_not_removed(
        self, tmp_path: Path, link: str
    ) -> None:
        """A symbolic link in DIR to a previous export was left dangling when the export
        in the other format removed it, and the folder no longer imported ('cannot read
        file'): the incident is written into the linked file instead, in its format."""
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        assert runner.invoke(cli, ["export", "--db", db, "-f", "json", str(out)]).exit_code == 0
        (out / link).parent.mkdir(exist_ok=True)
        (out / link).symlink_to(os.path.relpath(out / "a.json", (out / link).parent))
        self.stored(tmp_path, "Changed")
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        assert result.exit_code == 0, result.output
        assert "2 previous exports in json removed" in result.output
        assert "(1 into the file already holding it)" in result.output
        assert sorted(p.name for p in out.glob("*.*")) == sorted(
            {"a.json", "b.yaml", "c.yaml", Path(link).name} - {"a"}
        )
        assert (out / "a.json").read_text().startswith("{")
        assert load(out / "a.json").title == "Changed"
        assert (out / link).resolve() == (out / "a.json").resolve()
        other = f"sqlite:///{tmp_path / 'other.db'}"
        again = runner.invoke(cli, ["import", "--db", other, str(out)])
        assert again.exit_code == 0, again.output

    @pytest.mark.parametrize(
        "text", ["my: notes\n", "not: [valid\n", BASE.replace("id: demo", "id: other") + "x: 1\n"]
    )
    def test_a_file_at_an_exports_name_that_is_not_the_incident_is_refused(
        self, tmp_path: Path, text: str
    ) -> None:
        """DIR/b.yaml holding something other than an incident (notes, a broken file, an
        invalid incident of another id) was overwritten with b's export without a word,
        though other files are left alone: it is not in the store, so it was lost."""
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        out.mkdir()
        (out / "b.yaml").write_text(text)
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        assert result.exit_code == 2, result.output
        assert f"{out / 'b.yaml'} does not hold incident 'b'" in result.output
        assert [p.name for p in out.iterdir()] == ["b.yaml"]
        assert (out / "b.yaml").read_text() == text

    def test_a_file_of_its_own_in_the_other_format_is_written_not_removed(
        self, tmp_path: Path
    ) -> None:
        """Only a previous export (canonical, as export writes it) is removed, never a
        file someone wrote under that name: the incident is written into it instead, in
        its own format, so that the folder still holds it once."""
        self.stored(tmp_path)
        db = self.stored(tmp_path, "Changed")
        out = tmp_path / "backup"
        out.mkdir()
        (out / "a.yaml").write_text("# mine\n" + BASE.replace("id: demo", "id: a"))
        result = runner.invoke(cli, ["export", "--db", db, "--format", "json", str(out)])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.json", "c.json"]
        assert load(out / "a.yaml").title == "Changed"

    def test_an_incident_held_by_a_file_of_any_name_is_written_into_it(
        self, tmp_path: Path
    ) -> None:
        """Import a folder of postmortems named as people name them, edit in the web
        editor, export back into the folder: export wrote DIR/<id>.yaml beside the file
        holding the incident, which the folder then held twice, so it no longer imported
        ('incident id ... is already used by ...')."""
        db = self.stored(tmp_path)
        folder = tmp_path / "postmortems"
        (folder / "2024").mkdir(parents=True)
        mine = folder / "2024" / "03-05 the a outage.yml"
        mine.write_text(BASE.replace("id: demo", "id: a"))
        (folder / "b.yaml").write_text(BASE.replace("id: demo", "id: b"))
        (folder / "notes.yaml").write_text("not: an incident\n")
        self.stored(tmp_path, "Edited in the web editor")
        result = runner.invoke(cli, ["export", "--db", db, str(folder)])
        assert result.exit_code == 0, result.output
        assert "3 incidents from" in result.output
        assert "(1 into the file already holding it)" in result.output
        assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*.y*ml")) == [
            "2024/03-05 the a outage.yml",
            "b.yaml",
            "c.yaml",
            "notes.yaml",
        ]
        assert all(load(p).title == "Edited in the web editor" for p in (mine, folder / "c.yaml"))
        assert (folder / "notes.yaml").read_text() == "not: an incident\n"
        again = runner.invoke(cli, ["import", "--db", db, str(mine), str(folder / "b.yaml")])
        assert again.exit_code == 0, again.output
        assert "2 unchanged" in again.output

    def test_a_file_is_written_in_the_format_its_name_says_as_import_reads_it(
        self, tmp_path: Path
    ) -> None:
        # The loader takes ".JSON" for JSON; export read only ".json" so, and wrote YAML.
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        out.mkdir()
        held = out / "Outage.JSON"
        held.write_text(dump(loads(BASE.replace("id: demo", "id: a")), "json"))
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        assert result.exit_code == 0, result.output
        assert held.read_text().lstrip().startswith("{")
        assert load(held).id == "a"

    def test_a_file_named_for_another_incident_keeps_no_one_out(self, tmp_path: Path) -> None:
        """b.yaml holding incident a is where b's export goes: a goes to a.yaml, and the
        folder still holds every incident once."""
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        out.mkdir()
        (out / "b.yaml").write_text("# mine\n" + BASE.replace("id: demo", "id: a"))
        (out / "x.yaml").write_text("# mine\n" + BASE.replace("id: demo", "id: c"))
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml", "x.yaml"]
        assert [load(out / n).id for n in ("a.yaml", "b.yaml", "x.yaml")] == ["a", "b", "c"]

    def test_a_write_failing_midway_leaves_the_folder_as_it_was(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import errno
        import os

        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        assert runner.invoke(cli, ["export", "--db", db, str(out)]).exit_code == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        self.stored(tmp_path, "Changed")
        opened = os.open
        made: list[str] = []

        def full(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & os.O_EXCL and str(path).endswith(".tmp"):
                made.append(str(path))
                if len(made) == 3:
                    raise OSError(errno.ENOSPC, "No space left on device", str(path))
            return opened(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", full)
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        monkeypatch.undo()
        assert result.exit_code == 3, result.output
        assert f"cannot write {out / 'c.yaml'}: No space left on device" in result.output
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    def test_two_incidents_written_to_one_file_through_a_link_are_refused(
        self, tmp_path: Path
    ) -> None:
        """DIR/a.yaml, a link to DIR/b.yaml: a's export was written through the link,
        then b's over it, and a was in no file though export said it wrote 2."""
        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        assert runner.invoke(cli, ["export", "--db", db, str(out)]).exit_code == 0
        (out / "a.yaml").unlink()
        (out / "a.yaml").symlink_to("b.yaml")
        before = (out / "b.yaml").read_bytes()
        result = runner.invoke(cli, ["export", "--db", db, str(out)])
        assert result.exit_code == 2, result.output
        assert (
            f"{out / 'a.yaml'} and {out / 'b.yaml'} are the same file (a symbolic link); "
            "refusing to write incidents 'a' and 'b' into it"
        ) in result.output
        assert (out / "b.yaml").read_bytes() == before

    @pytest.mark.parametrize("kind", ["folder", "fifo"])
    def test_something_not_a_file_at_a_name_is_refused_before_writing(
        self, tmp_path: Path, kind: str
    ) -> None:
        import os
        import subprocess
        import sys

        db = self.stored(tmp_path)
        out = tmp_path / "backup"
        out.mkdir()
        if kind == "folder":
            (out / "b.yaml").mkdir()
        else:
            os.mkfifo(out / "b.yaml")
        done = subprocess.run(
            [sys.executable, "-m", "causemap", "export", "--db", db, str(out)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert f"{out / 'b.yaml'} is not a regular file; refusing to replace it" in done.stderr
        assert [p.name for p in out.iterdir()] == ["b.yaml"]


class TestExportKeepsUnsavedEdits:
    """Export replaced a file holding a version of the incident that is in no revision
    (an exported YAML edited and not imported yet, an edited JSON while switching to
    YAML, a draft that does not validate) without a word, and the edit was lost. It may
    replace a file only when that is empty or holds some revision of its incident, as
    import decides "saved before"; it refuses anything else before writing (exit 2),
    naming every file, unless --force."""

    def stored(self, tmp_path: Path, *titles: str) -> str:
        """A store holding incidents a and b, saved once per title."""
        db = f"sqlite:///{tmp_path / 's.db'}"
        for title in titles:
            files = []
            for name in ("a", "b"):
                path = tmp_path / f"{name}.yaml"
                path.write_text(BASE.replace("id: demo", f"id: {name}").replace("Demo", title))
                files.append(str(path))
            assert runner.invoke(cli, ["import", "--db", db, *files]).exit_code == 0
        return db

    def export(self, db: str, out: Path, *options: str, code: int = 0) -> str:
        result = runner.invoke(cli, ["export", "--db", db, *options, str(out)])
        assert result.exit_code == code, result.output
        return result.output

    @staticmethod
    def refusal(path: Path, what: str = "of incident 'a'") -> str:
        return (
            f"{path} holds changes that are in no revision {what}: import it first, or pass "
            "--force to overwrite"
        )

    def test_an_edited_export_is_refused_and_nothing_is_written(self, tmp_path: Path) -> None:
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        self.export(db, out)
        for name in ("a", "b"):
            path = out / f"{name}.yaml"
            path.write_text(path.read_text().replace("First", "Edited"))
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        self.stored(tmp_path, "Second")
        output = self.export(db, out, code=2)
        assert self.refusal(out / "a.yaml") in output
        assert self.refusal(out / "b.yaml", "of incident 'b'") in output
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    def test_an_edited_json_export_is_not_removed_when_switching_format(
        self, tmp_path: Path
    ) -> None:
        """An edited JSON export is still canonical, so it counted as a previous export."""
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        self.export(db, out, "-f", "json")
        path = out / "a.json"
        path.write_text(path.read_text().replace("First", "Edited"))
        assert self.refusal(path) in self.export(db, out, code=2)
        assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]
        assert load(path).title == "Edited incident"

    def test_an_invalid_draft_of_the_incident_is_refused(self, tmp_path: Path) -> None:
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        out.mkdir()
        draft = BASE.replace("id: demo", "id: a").replace("kind: impact", "kind: impakt")
        (out / "a.yaml").write_text(draft)
        what = "(a draft of incident 'a' that does not validate)"
        assert self.refusal(out / "a.yaml", what) in self.export(db, out, code=2)
        assert [p.name for p in out.iterdir()] == ["a.yaml"]
        assert (out / "a.yaml").read_text() == draft

    def test_force_replaces_them(self, tmp_path: Path) -> None:
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        self.export(db, out, "-f", "json")
        path = out / "a.json"
        path.write_text(path.read_text().replace("First", "Edited"))
        (out / "b.yaml").write_text('{"id": "b", "nodes": 3}')
        assert "2 previous exports in json removed" in self.export(db, out, "--force")
        assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml"]
        assert load(out / "a.yaml").title == "First incident"
        assert load(out / "b.yaml").title == "First incident"

    def test_force_does_not_replace_what_is_no_version_of_the_incident(
        self, tmp_path: Path
    ) -> None:
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        out.mkdir()
        (out / "a.yaml").write_text("my: notes\n")
        output = self.export(db, out, "--force", code=2)
        assert f"{out / 'a.yaml'} does not hold incident 'a'" in output
        assert (out / "a.yaml").read_text() == "my: notes\n"

    @pytest.mark.parametrize("fmt", ["yaml", "json"])
    def test_an_unchanged_export_or_one_of_an_older_revision_is_replaced(
        self, tmp_path: Path, fmt: str
    ) -> None:
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        self.export(db, out, "-f", fmt)
        (out / f"a.{fmt}").write_text(
            "# a comment is no change\n" * (fmt == "yaml") + (out / f"a.{fmt}").read_text()
        )
        assert "written to" in self.export(db, out, "-f", fmt)
        self.stored(tmp_path, "Second", "Third")
        self.export(db, out)
        assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml"]
        assert {load(p).title for p in out.iterdir()} == {"Third incident"}

    @pytest.mark.parametrize("fmt", ["yaml", "json"])
    def test_an_older_export_whose_line_endings_a_checkout_changed_is_replaced(
        self, tmp_path: Path, fmt: str
    ) -> None:
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        self.export(db, out, "-f", fmt)
        for path in out.iterdir():
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
        self.stored(tmp_path, "Second")
        self.export(db, out)
        assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml"]
        assert {load(p).title for p in out.iterdir()} == {"Second incident"}

    def test_an_empty_file_at_an_exports_name_is_replaced(self, tmp_path: Path) -> None:
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        out.mkdir()
        (out / "a.yaml").write_text("\n")
        self.export(db, out)
        assert load(out / "a.yaml").title == "First incident"

    def test_a_file_holding_an_unsaved_incident_at_another_ones_name_is_refused(
        self, tmp_path: Path
    ) -> None:
        """b.yaml holding an incident the store never saw was replaced by b's export."""
        db = self.stored(tmp_path, "First")
        out = tmp_path / "out"
        out.mkdir()
        (out / "b.yaml").write_text(BASE.replace("id: demo", "id: new-one"))
        output = self.export(db, out, code=2)
        assert self.refusal(out / "b.yaml", "of incident 'new-one'") in output


class TestPatternsOverTheStore:
    def test_report_equals_the_report_of_the_files(self, db_url: str) -> None:
        folder = str(EXAMPLES[0].parent)
        assert runner.invoke(cli, ["import", "--db", db_url, folder]).exit_code == 0
        stored = runner.invoke(cli, ["patterns", "--db", db_url, "--format", "json"])
        assert stored.exit_code == 0, stored.output
        files = runner.invoke(cli, ["patterns", folder, "--format", "json"])
        assert stored.output == files.output
        assert json.loads(stored.output)["incidents"] == len(EXAMPLES)

    def test_no_path_means_the_default_store(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        monkeypatch.setenv("CAUSEMAP_DB", db)
        runner.invoke(cli, ["import", *map(str, EXAMPLES[:2])])
        with Store.open(db) as store:
            store.delete(load(EXAMPLES[0]).id)
        result = runner.invoke(cli, ["patterns", "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["incidents"] == 1  # the deleted one is left out

    def test_a_store_that_does_not_exist_exits_3_and_is_not_created(self, tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 'typo.db'}"
        result = runner.invoke(cli, ["patterns", "--db", db])
        assert result.exit_code == 3, result.output
        assert f"no store at {db}" in result.output
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize("deleted", [False, True])
    def test_an_empty_store_is_an_empty_report_as_in_the_api(
        self, tmp_path: Path, deleted: bool
    ) -> None:
        """It exited 1 ("the input has problems") with nothing on standard output, while
        ``GET /patterns`` answers 200 with the empty report, ``export`` of the same store
        exits 0 and ``--since`` that leaves nothing out gives an empty report too."""
        from fastapi.testclient import TestClient

        from causemap.service import Settings, create_app

        if deleted:  # only deleted incidents: none is live
            _, db = stored_base(tmp_path)
            with Store.open(db) as store:
                store.delete("demo")
        else:
            db = f"sqlite:///{tmp_path / 's.db'}"
            Store.open(db).close()
        result = runner.invoke(cli, ["patterns", "--db", db, "--format", "json"])
        assert result.exit_code == 0, result.output
        assert f"causemap: the store at {db} holds no live incident" in result.stderr
        with TestClient(create_app(Settings(db=db))) as client:
            served = client.get("/api/v1/patterns")
        assert served.status_code == 200
        assert json.loads(result.stdout) == served.json()
        assert served.json()["incidents"] == 0

    def test_files_and_a_store_together_are_a_usage_error(self, tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        result = runner.invoke(cli, ["patterns", str(EXAMPLES[0]), "--db", db])
        assert result.exit_code == 2, result.output
        assert "not both" in result.output

    @pytest.mark.parametrize("option", [["--skip-invalid"], ["-j", "2"]])
    def test_file_options_without_files_are_a_usage_error(
        self, tmp_path: Path, option: list[str]
    ) -> None:
        """With no PATH the report is on the store: --skip-invalid and --jobs, which are
        about reading files, were ignored without a word."""
        db = f"sqlite:///{tmp_path / 's.db'}"
        Store.open(db).close()
        result = runner.invoke(cli, ["patterns", "--db", db, *option])
        assert result.exit_code == 2, result.output
        assert "is about reading files; with no PATH the report is on the store" in result.output
        assert option[0] in result.output


class TestDatabaseUrl:
    """A database URL causemap cannot use (another database, an async driver, SQLite in
    memory, no URL at all) is a bad option value, a usage error (2) naming --db or
    CAUSEMAP_DB, as every other bad option value or CAUSEMAP_* setting is; it exited 3,
    the code for a store that is there but cannot be reached, without naming either."""

    ARGS: ClassVar[dict[str, list[str]]] = {
        "import": ["import", "a.yaml"],
        "export": ["export", "out"],
        "patterns": ["patterns"],
        "serve": ["serve"],
    }
    URLS: ClassVar[dict[str, str]] = {
        "mysql://u:secret@db/cm": "unsupported database 'mysql'",
        "sqlite+aiosqlite:///a.db": "unsupported database driver 'sqlite+aiosqlite'",
        "sqlite:///:memory:": "an in-memory SQLite database would lose every incident",
        "causemap:secret@db": "not a database URL",
    }

    @pytest.fixture
    def inside(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        import uvicorn

        monkeypatch.chdir(tmp_path)
        (tmp_path / "a.yaml").write_text(BASE)
        monkeypatch.setattr(uvicorn, "run", lambda *_a, **_k: pytest.fail("served"))
        for name in ("CAUSEMAP_DB", "CAUSEMAP_TOKENS"):
            monkeypatch.delenv(name, raising=False)
        return tmp_path

    @pytest.mark.parametrize("command", list(ARGS))
    @pytest.mark.parametrize("url", list(URLS))
    def test_in_the_option(self, inside: Path, command: str, url: str) -> None:
        args = self.ARGS[command]
        result = runner.invoke(cli, [*args, "--db", url])
        assert result.exit_code == 2, result.output
        assert f"Invalid value for '--db': {self.URLS[url]}" in result.output
        assert "sqlite:///" in result.output
        assert "postgresql+psycopg://" in result.output
        assert "secret" not in result.output
        assert sorted(p.name for p in inside.iterdir()) == ["a.yaml"]

    @pytest.mark.parametrize("command", list(ARGS))
    def test_in_the_environment(
        self, inside: Path, monkeypatch: pytest.MonkeyPatch, command: str
    ) -> None:
        monkeypatch.setenv("CAUSEMAP_DB", "mysql://u:secret@db/cm")
        result = runner.invoke(cli, self.ARGS[command])
        assert result.exit_code == 2, result.output
        assert "CAUSEMAP_DB: unsupported database 'mysql'" in result.output
        assert "secret" not in result.output

    def test_a_bad_variable_is_no_matter_to_a_command_given_files(
        self, inside: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CAUSEMAP_DB", "mysql://u:secret@db/cm")
        result = runner.invoke(cli, ["patterns", "a.yaml"])
        assert result.exit_code == 0, result.output

    def test_the_option_wins_over_a_bad_variable(
        self, inside: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CAUSEMAP_DB", "mysql://u:secret@db/cm")
        result = runner.invoke(cli, ["export", "--db", f"sqlite:///{inside / 's.db'}", "out"])
        assert result.exit_code == 3, result.output  # valid, but there is no store there
        assert "no store at" in result.output


class TestServe:
    @pytest.fixture
    def calls(self, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
        import uvicorn

        seen: list[dict[str, Any]] = []
        monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append({"app": app, **kw}))
        monkeypatch.delenv("CAUSEMAP_TOKENS", raising=False)
        monkeypatch.delenv("CAUSEMAP_DB", raising=False)
        return seen

    def test_starts_uvicorn_on_loopback(self, calls: list[dict[str, Any]], tmp_path: Path) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        port = free_port()
        result = runner.invoke(cli, ["serve", "--db", db, "--port", str(port), "--workers", "2"])
        assert result.exit_code == 0, result.output
        assert f"serving http://127.0.0.1:{port}" in result.output
        [call] = calls
        assert call["app"] == "causemap.service.app:app_from_env"
        assert (call["factory"], call["port"], call["workers"]) == (True, port, 2)
        assert (tmp_path / "s.db").is_file()  # migrated before serving

    def test_an_ipv6_address_in_brackets_is_taken(
        self, calls: list[dict[str, Any]], tmp_path: Path
    ) -> None:
        """--host [::1], as a URL writes it, is loopback to the token check but failed to
        listen: "cannot listen on [[::1]]:8000: Name or service not known", exit 3."""
        db = f"sqlite:///{tmp_path / 's.db'}"
        port = free_port()
        result = runner.invoke(cli, ["serve", "--db", db, "--host", "[::1]", "--port", str(port)])
        assert result.exit_code == 0, result.output
        assert f"serving http://[::1]:{port}" in result.output
        [call] = calls
        assert call["host"] == "::1"

    def test_port_0_announces_the_port_it_serves(
        self, calls: list[dict[str, Any]], tmp_path: Path
    ) -> None:
        # The system picks a free port; the line a user copies must name it, not ":0".
        db = f"sqlite:///{tmp_path / 's.db'}"
        result = runner.invoke(cli, ["serve", "--db", db, "--port", "0"])
        assert result.exit_code == 0, result.output
        [call] = calls
        assert call["port"] > 0
        assert f"serving http://127.0.0.1:{call['port']} (" in result.output

    def test_a_port_in_use_exits_3_before_announcing_anything(
        self, calls: list[dict[str, Any]], tmp_path: Path
    ) -> None:
        import socket

        db = f"sqlite:///{tmp_path / 's.db'}"
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = runner.invoke(cli, ["serve", "--db", db, "--port", str(port)])
        assert result.exit_code == 3, result.output
        assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.output
        assert "serving" not in result.output
        assert calls == []

    def test_refuses_other_hosts_without_tokens(
        self, calls: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        db = f"sqlite:///{tmp_path / 's.db'}"
        refused = runner.invoke(cli, ["serve", "--db", db, "--host", "0.0.0.0"])
        assert refused.exit_code == 2
        assert "refusing to listen on 0.0.0.0 without tokens" in refused.output
        assert calls == []
        port = str(free_port())  # nothing may listen there: serve checks before announcing
        insecure = runner.invoke(
            cli, ["serve", "--db", db, "--host", "0.0.0.0", "--insecure", "--port", port]
        )
        assert insecure.exit_code == 0
        monkeypatch.setenv("CAUSEMAP_TOKENS", "write:" + "s" * 24)
        secured = runner.invoke(cli, ["serve", "--db", db, "--host", "0.0.0.0", "--port", port])
        assert secured.exit_code == 0
        assert "1 token;" in secured.output
        assert "s" * 24 not in secured.output
        assert len(calls) == 2

    @pytest.mark.parametrize(
        ("origin", "sent"),
        [
            ("https://wiki.example/", "https://wiki.example"),
            ("HTTPS://Wiki.Example", "https://wiki.example"),
            ("https://wiki.example:443", "https://wiki.example"),
            ("https://wiki.example/page", "https://wiki.example"),
            ("wiki.example", None),
        ],
    )
    @pytest.mark.parametrize("where", ["option", "variable"])
    def test_an_origin_no_browser_sends_is_a_usage_error(
        self,
        calls: list[dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        origin: str,
        sent: str | None,
        where: str,
    ) -> None:
        """CORS compares the Origin header with each allowed origin as a string: one
        copied from the address bar (a trailing slash) never matched, and every
        cross-origin call was refused without a word at start."""
        db, port = f"sqlite:///{tmp_path / 's.db'}", str(free_port())
        args = ["serve", "--db", db, "--port", port]
        if where == "option":
            args += ["--cors-origin", "https://ok.example", "--cors-origin", origin]
        else:
            monkeypatch.setenv("CAUSEMAP_CORS_ORIGINS", f"https://ok.example,{origin}")
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, result.output
        said = "--cors-origin" if where == "option" else "CAUSEMAP_CORS_ORIGINS"
        assert said in result.output
        assert f"{origin!r} is not an origin" in result.output
        if sent:
            assert f"browsers send {sent}" in result.output
        assert calls == []

    def test_origins_as_browsers_send_them_are_taken(
        self, calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.delenv("CAUSEMAP_CORS_ORIGINS", raising=False)
        db, port = f"sqlite:///{tmp_path / 's.db'}", str(free_port())
        origins = ["https://wiki.example", "http://localhost:5173", "http://[::1]:8080", "*"]
        args = [arg for origin in origins for arg in ("--cors-origin", origin)]
        result = runner.invoke(cli, ["serve", "--db", db, "--port", port, *args])
        assert result.exit_code == 0, result.output
        assert calls

    def test_cors_origin_takes_comma_separated_origins_as_the_variable_does(
        self, calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """The README gives both as comma-separated; the option refused 'a,b' as one
        malformed origin, suggesting 'browsers send https://wiki.example,http'."""
        monkeypatch.setenv("CAUSEMAP_CORS_ORIGINS", "")  # restored after the test
        db, port = f"sqlite:///{tmp_path / 's.db'}", str(free_port())
        origins = "https://wiki.example, http://localhost:5173"
        args = ["serve", "--db", db, "--port", port, "--cors-origin", origins]
        result = runner.invoke(cli, [*args, "--cors-origin", "https://b.example"])
        assert result.exit_code == 0, result.output
        assert calls
        assert os.environ["CAUSEMAP_CORS_ORIGINS"] == (
            "https://wiki.example,http://localhost:5173,https://b.example"
        )

    def test_malformed_tokens_are_a_usage_error(
        self, calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CAUSEMAP_TOKENS", "root:" + "s" * 24)
        result = runner.invoke(cli, ["serve"])
        assert result.exit_code == 2
        assert "s" * 24 not in result.output

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("CAUSEMAP_MAX_BODY", "0"),
            ("CAUSEMAP_RENDER_CACHE", "-1"),
            ("CAUSEMAP_DOT_WORKERS", "0"),
            ("CAUSEMAP_DOT_WAIT", "-2"),
            ("CAUSEMAP_DOT_TIMEOUT", "x"),
            # Beyond what a timer can hold: every svg, png and pdf render was a 500.
            ("CAUSEMAP_DOT_TIMEOUT", "10000000000"),
            ("CAUSEMAP_DOT_TIMEOUT", "3601"),
            # Beyond what zlib can count to: every GET /render/{format}/{encoded} was a 500.
            ("CAUSEMAP_MAX_BODY", "1" + "0" * 30),
            ("CAUSEMAP_MAX_BODY", str(2**30 + 1)),
            ("CAUSEMAP_HEAD_TIMEOUT", "0"),
        ],
    )
    def test_a_setting_out_of_range_is_named(
        self,
        calls: list[dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        name: str,
        value: str,
    ) -> None:
        """Every value out of range was reported as "CAUSEMAP_DOT_TIMEOUT: out of range"."""
        result = serve_refused(monkeypatch, tmp_path, name, value)
        assert f"{name}: " in result.output
        assert result.output.count("CAUSEMAP_") == 1, result.output
        assert calls == []

    @pytest.mark.parametrize(
        ("name", "value", "said"),
        [
            ("CAUSEMAP_MAX_BODY", "abc", "CAUSEMAP_MAX_BODY: expected a whole number, got 'abc'"),
            ("CAUSEMAP_MAX_BODY", "1.5", "CAUSEMAP_MAX_BODY: expected a whole number, got '1.5'"),
            ("CAUSEMAP_SSE_PING", "soon", "CAUSEMAP_SSE_PING: expected a number, got 'soon'"),
            # The bound was printed as 1.07374e+09.
            (
                "CAUSEMAP_MAX_BODY",
                str(2**30 + 1),
                "CAUSEMAP_MAX_BODY: expected at most 1073741824, got 1073741825",
            ),
            (
                "CAUSEMAP_SSE_PING",
                "3601",
                "CAUSEMAP_SSE_PING: expected at most 3600, got 3601",
            ),
            # A word the switch does not know left public renders off without a word.
            (
                "CAUSEMAP_PUBLIC_RENDER",
                "maybe",
                "CAUSEMAP_PUBLIC_RENDER: expected 1 or 0 (or true/false, yes/no, on/off), "
                "got 'maybe'",
            ),
        ],
    )
    def test_a_bad_setting_says_what_was_expected(
        self,
        calls: list[dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        name: str,
        value: str,
        said: str,
    ) -> None:
        """It said Python's "invalid literal for int() with base 10: 'abc'"; a bound was
        printed as 1.07374e+09, and an unknown switch word started the server."""
        result = serve_refused(monkeypatch, tmp_path, name, value)
        assert said in result.output
        assert calls == []

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("CAUSEMAP_SSE_POLL", "nan"),
            ("CAUSEMAP_SSE_POLL", "-1"),
            ("CAUSEMAP_SSE_POLL", "0"),
            ("CAUSEMAP_SSE_POLL", "inf"),
            ("CAUSEMAP_DOT_WAIT", "nan"),
            ("CAUSEMAP_DOT_WAIT", "inf"),
            ("CAUSEMAP_HEAD_TIMEOUT", "nan"),
            ("CAUSEMAP_HEAD_TIMEOUT", "inf"),
        ],
    )
    def test_a_wait_that_is_no_number_of_seconds_is_a_usage_error(
        self,
        calls: list[dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        name: str,
        value: str,
    ) -> None:
        """They started the server: then every event stream failed after its first event
        (nan, -1: anyio refuses the sleep), polled the database without pause (0) or
        never (inf), and a render that waited for dot failed with a 500 (nan)."""
        result = serve_refused(monkeypatch, tmp_path, name, value)
        assert f"{name}: " in result.output
        assert calls == []

    @pytest.mark.parametrize(
        ("value", "public"),
        [("", False), ("0", False), ("false", False), ("No", False), ("off", False),
         ("1", True), ("true", True), ("YES", True), (" on ", True)],
    )  # fmt: skip
    def test_public_render_takes_the_usual_words_for_on_and_off(
        self, value: str, public: bool
    ) -> None:
        settings = Settings.from_env({"CAUSEMAP_PUBLIC_RENDER": value})
        assert settings.public_render is public

    @pytest.mark.parametrize(
        ("host", "loopback"),
        [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True),
         ("localhost", True), ("0.0.0.0", False), ("::", False), ("example.com", False)],
    )  # fmt: skip
    def test_is_loopback(self, host: str, loopback: bool) -> None:
        assert is_loopback(host) is loopback


def test_help_imports_neither_the_service_nor_the_store() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from causemap.cli import cli; "
        "print(*(m in sys.modules for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'alembic')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"] * 4


def test_patterns_over_files_never_loads_the_store(tmp_path: Path) -> None:
    # The --db check imported the store package (SQLAlchemy, alembic: 0.3 s) for every
    # command that takes --db, given or not: a tenth of `patterns` over 1,000 files.
    import subprocess
    import sys

    code = (
        "import sys; from causemap.cli import main; sys.argv = ['causemap', 'patterns', "
        f"{str(EXAMPLES[0].parent)!r}, '-o', {str(tmp_path / 'r.json')!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(*(m in sys.modules for m in ('sqlalchemy', 'alembic')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert (tmp_path / "r.json").stat().st_size > 0
