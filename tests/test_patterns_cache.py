"""The facts cache of ``causemap patterns``: a second run reads unchanged files from it,
gives the same report byte for byte, and a broken cache never fails a report."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from causemap.catalog import builtin_catalog, loads_catalog
from causemap.cli import cli
from causemap.loader import load
from causemap.model import Incident
from causemap.patterns import collect as collect_module
from causemap.patterns.cache import (
    FILE_NAME,
    INDEX_KEY,
    KEEP_DAYS,
    FactsCache,
    file_digest,
    loads,
)
from causemap.patterns.collect import collect
from causemap.patterns.facts import IncidentFacts, extract
from causemap.patterns.index import CatalogIndex
from causemap.store import Store
from tests.conftest import EXAMPLES

runner = CliRunner()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "incidents"
    folder.mkdir()
    for path in EXAMPLES:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CAUSEMAP_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def reduced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the incidents reduced (read, classified, scored) rather than cached."""
    done: list[str] = []

    def counting(incident: Incident, *args: Any, **kwargs: Any) -> IncidentFacts:
        done.append(incident.id)
        return extract(incident, *args, **kwargs)

    monkeypatch.setattr(collect_module, "extract", counting)
    return done


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the catalogs whose index was built (not loaded from the cache)."""
    done: list[str] = []
    build = CatalogIndex.__init__

    def counting(self: CatalogIndex, catalog: Any, *args: Any, **kwargs: Any) -> None:
        done.append(catalog.name)
        build(self, catalog, *args, **kwargs)

    monkeypatch.setattr(CatalogIndex, "__init__", counting)
    return done


def report(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["patterns", *args, "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


def test_second_run_reads_nothing_again_and_says_the_same(
    corpus: Path, cache_dir: Path, reduced: list[str]
) -> None:
    code, first, _ = report(str(corpus))
    assert code == 0
    assert len(reduced) == len(EXAMPLES)
    assert (cache_dir / FILE_NAME).is_file()
    reduced.clear()
    code, second, err = report(str(corpus))
    assert code == 0
    assert err == ""
    assert reduced == []
    assert second == first
    uncached = runner.invoke(cli, ["patterns", str(corpus), "--format", "json", "--no-cache"])
    assert uncached.stdout == first


def test_an_edited_file_is_read_again_and_only_it(
    corpus: Path, cache_dir: Path, reduced: list[str]
) -> None:
    report(str(corpus))
    reduced.clear()
    path = sorted(corpus.iterdir())[0]
    path.write_text(path.read_text().replace("title:", "title: Edited -", 1))
    code, out, _ = report(str(corpus))
    assert code == 0
    assert len(reduced) == 1
    assert "Edited -" in out


def test_a_renamed_or_moved_file_is_still_cached(
    corpus: Path, cache_dir: Path, reduced: list[str]
) -> None:
    report(str(corpus))
    reduced.clear()
    path = sorted(corpus.iterdir())[0]
    (corpus / "archive").mkdir()
    path.rename(corpus / "archive" / f"renamed{path.suffix}")
    assert report(str(corpus))[0] == 0
    assert reduced == []


def test_another_catalog_is_another_generation(
    corpus: Path, cache_dir: Path, reduced: list[str], tmp_path: Path
) -> None:
    catalog = tmp_path / "ours.yaml"
    catalog.write_text(
        "causemap-catalog: 1\nname: ours\nextends: builtin\nentries:\n"
        "  - key: our-own-gap\n    name: Our own gap\n    definition: A gap of ours.\n"
        "    level: process\n    class: systemic\n"
    )
    report(str(corpus))
    reduced.clear()
    report(str(corpus), "--catalog", str(catalog))
    assert len(reduced) == len(EXAMPLES)
    reduced.clear()
    report(str(corpus))  # the built-in catalog's rows are kept beside the others
    assert reduced == []


def test_no_cache_neither_reads_nor_writes(
    corpus: Path, cache_dir: Path, reduced: list[str]
) -> None:
    report(str(corpus), "--no-cache")
    assert not cache_dir.exists()
    report(str(corpus))
    reduced.clear()
    report(str(corpus), "--no-cache")
    assert len(reduced) == len(EXAMPLES)


@pytest.fixture
def stored(tmp_path: Path, corpus: Path) -> str:
    """A store holding the examples; its URL."""
    db = f"sqlite:///{tmp_path / 'team.db'}"
    assert runner.invoke(cli, ["import", "--db", db, str(corpus)]).exit_code == 0
    return db


def test_a_store_report_reduces_only_new_revisions(stored: str, reduced: list[str]) -> None:
    db = stored
    code, first, _ = report("--db", db)
    assert code == 0
    assert len(reduced) == len(EXAMPLES)
    reduced.clear()
    assert report("--db", db) == (0, first, "")
    assert reduced == []
    incident = load(EXAMPLES[0])
    with Store.open(db) as store:
        store.put(incident.model_copy(update={"title": "Retitled"}))
    code, again, _ = report("--db", db)
    assert reduced == [incident.id]
    assert "Retitled" in again
    reduced.clear()
    report("--db", db, "--no-cache")
    assert len(reduced) == len(EXAMPLES)


def test_the_service_report_reduces_only_new_revisions(
    stored: str, corpus: Path, reduced: list[str]
) -> None:
    from fastapi.testclient import TestClient

    from causemap.service import Settings, create_app

    db = stored
    with TestClient(create_app(Settings(db=db))) as client:
        first = client.get("/api/v1/patterns")
    assert first.status_code == 200
    assert len(reduced) == len(EXAMPLES)
    reduced.clear()
    with TestClient(create_app(Settings(db=db))) as client:  # a new process, a new memo
        again = client.get("/api/v1/patterns")
    assert reduced == []
    assert again.content == first.content
    assert again.json() == json.loads(report(str(corpus), "--no-cache")[1])


def test_a_cache_file_that_is_no_database_is_rebuilt(
    corpus: Path, cache_dir: Path, reduced: list[str]
) -> None:
    code, first, _ = report(str(corpus), "--no-cache")
    cache_dir.mkdir()
    (cache_dir / FILE_NAME).write_bytes(b"this is not a database" * 100)
    code, out, err = report(str(corpus))
    assert code == 0
    assert out == first
    assert f"warning: the patterns cache {cache_dir / FILE_NAME} was unreadable" in err
    assert "rebuilt it" in err
    reduced.clear()
    assert report(str(corpus)) == (0, first, "")
    assert reduced == []


def test_a_cache_folder_that_cannot_be_made_is_skipped_with_a_warning(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CAUSEMAP_CACHE_DIR", str(blocker / "cache"))
    expected = report(str(corpus), "--no-cache")[1]
    code, out, err = report(str(corpus))
    assert code == 0
    assert out == expected
    assert err.count("warning: the patterns cache") == 1
    assert "going on without it" in err


def test_a_damaged_row_is_a_miss(corpus: Path, cache_dir: Path, reduced: list[str]) -> None:
    code, first, _ = report(str(corpus))
    with sqlite3.connect(cache_dir / FILE_NAME) as db:
        db.execute("UPDATE facts SET data = x'00ff'")
    db.close()
    reduced.clear()
    code, out, err = report(str(corpus))
    assert code == 0
    assert out == first
    assert err == ""
    assert len(reduced) == len(EXAMPLES)
    reduced.clear()
    report(str(corpus))  # and the rows were written again
    assert reduced == []


def test_an_invalid_file_is_never_cached(corpus: Path, cache_dir: Path, reduced: list[str]) -> None:
    (corpus / "broken.yaml").write_text("causemap: 1\nid: broken\nnodes: [\n")
    for _ in range(2):
        result = runner.invoke(cli, ["patterns", str(corpus), "--format", "json"])
        assert result.exit_code == 1
        assert "broken.yaml:4" in result.stderr or "broken.yaml:3" in result.stderr
    with sqlite3.connect(cache_dir / FILE_NAME) as db:
        facts = db.execute("SELECT count(*) FROM facts WHERE digest != ?", [INDEX_KEY])
        assert facts.fetchone() == (len(EXAMPLES),)
    db.close()


def test_the_same_bytes_as_json_and_as_yaml_are_two_keys() -> None:
    data = b'{"causemap": 1}'
    assert file_digest("a.json", data) != file_digest("a.yaml", data)
    assert file_digest("a.yaml", data) == file_digest("b.YML", data)
    assert file_digest("a.yaml", data) != file_digest("a.yaml", data + b" ")


def test_rows_unused_for_a_month_are_dropped(tmp_path: Path) -> None:
    catalog = builtin_catalog()
    cache = FactsCache(tmp_path, catalog.digest())
    cache.put([(b"old", b"x"), (b"read", b"y")])
    cache.close()
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute("UPDATE facts SET used = used - ?", [KEEP_DAYS + 1])
    db.close()
    cache = FactsCache(tmp_path, catalog.digest())
    assert cache.get([b"read"]) == {b"read": b"y"}  # a row read is a row used
    cache.put([(b"more", b"z")])
    assert set(cache.get([b"old", b"read", b"more"])) == {b"read", b"more"}
    cache.close()


def test_collect_with_a_cache_in_worker_processes(tmp_path: Path, corpus: Path) -> None:
    """Enough files for the worker pool: pickled facts come back from the workers, go into
    the cache, and come out of it equal."""
    files = []
    for i in range(collect_module.PARALLEL_FROM + 10):
        source = EXAMPLES[i % len(EXAMPLES)]
        text = source.read_text(encoding="utf-8")
        ident = text.split("\nid: ", 1)[1].split("\n", 1)[0]
        path = tmp_path / f"copy-{i}.yaml"
        path.write_text(text.replace(f"\nid: {ident}\n", f"\nid: {ident}-{i}\n", 1))
        files.append(path)
    catalog = builtin_catalog()
    plain = collect(files, catalog, jobs=2)
    cache = FactsCache(tmp_path / "cache", catalog.digest())
    first = collect(files, catalog, jobs=2, cache=cache)
    second = collect(files, catalog, jobs=2, cache=cache)
    cache.close()
    assert not plain.diagnostics
    assert first.incidents == plain.incidents == second.incidents
    assert len(second.incidents) == len(files)


def test_another_causemap_is_another_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    from causemap.patterns import cache as cache_module

    catalog = builtin_catalog()
    before = cache_module.generation(catalog.digest())
    monkeypatch.setattr(cache_module, "_code_digest", lambda: b"another causemap")
    assert cache_module.generation(catalog.digest()) != before
    other = loads_catalog(
        "causemap-catalog: 1\nname: x\nentries:\n  - key: our-gap\n    name: Our gap\n"
        "    definition: Ours.\n    level: process\n    class: systemic\n"
    )
    monkeypatch.undo()
    assert cache_module.generation(other.digest()) != before


def test_default_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from causemap.patterns.cache import default_folder

    monkeypatch.delenv("CAUSEMAP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/x/cache")
    assert default_folder() == Path("/x/cache/causemap")
    monkeypatch.setenv("CAUSEMAP_CACHE_DIR", "/y")
    assert default_folder() == Path("/y")
    monkeypatch.delenv("CAUSEMAP_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_folder() == Path(os.path.expanduser("~/.cache/causemap"))


def test_a_first_run_knows_there_is_nothing_to_look_up(corpus: Path, cache_dir: Path) -> None:
    # Before any run, and with only the index kept (as `suggest` leaves it), no file's
    # facts are stored: the run reads no file up front to look for them.
    catalog = builtin_catalog()
    with FactsCache(cache_dir, catalog.digest()) as cache:
        assert not cache.holds_facts()
        cache.index(catalog)
        assert not cache.holds_facts()
    assert report(str(corpus))[0] == 0
    with FactsCache(cache_dir, catalog.digest()) as cache:
        assert cache.holds_facts()
    with FactsCache(cache_dir, "another catalog") as cache:
        assert not cache.holds_facts()


def test_the_kept_index_loads_and_scores_as_the_one_built(corpus: Path, cache_dir: Path) -> None:
    """The index a run keeps comes back whole, in either build (the compiled one pickles
    its classes only when they say so): it is not rebuilt, and ranks as a new one does."""
    assert report(str(corpus))[0] == 0
    catalog = builtin_catalog()
    with FactsCache(cache_dir, catalog.digest()) as cache:
        row = cache.get([INDEX_KEY])[INDEX_KEY]
    kept = loads(row)
    assert isinstance(kept, CatalogIndex)
    fresh = CatalogIndex(catalog)
    labels = [node.label for path in EXAMPLES for node in load(path).nodes]
    assert [kept.suggest(label) for label in labels] == [fresh.suggest(label) for label in labels]
    assert any(kept.suggest(label) for label in labels)


@pytest.mark.patches_internals  # counts the index's builds in CatalogIndex.__init__
def test_the_catalog_index_is_kept_for_the_next_run(
    corpus: Path, cache_dir: Path, reduced: list[str], built: list[str]
) -> None:
    """A run that finds an edited file loads the catalog's index instead of building it
    (a quarter of a second), and says the same as a run without the cache."""
    report(str(corpus))
    assert len(built) == 1
    built.clear()
    path = sorted(corpus.iterdir())[0]
    path.write_text(path.read_text().replace("title:", "title: Edited -", 1))
    code, out, err = report(str(corpus))
    assert (code, err) == (0, "")
    assert len(reduced) == len(EXAMPLES) + 1
    assert built == []
    assert out == report(str(corpus), "--no-cache")[1]
    assert len(built) == 1  # --no-cache builds its own


@pytest.mark.patches_internals  # counts the index's builds in CatalogIndex.__init__
def test_a_damaged_index_row_is_built_again(
    corpus: Path, cache_dir: Path, built: list[str]
) -> None:
    first = report(str(corpus))[1]
    (corpus / "new.yaml").write_text(
        (corpus / "retry-storm.yaml").read_text().replace("\nid: retry-storm\n", "\nid: new\n")
    )
    with sqlite3.connect(cache_dir / FILE_NAME) as db:
        db.execute("UPDATE facts SET data = x'00ff' WHERE digest = ?", [INDEX_KEY])
    db.close()
    built.clear()
    code, out, err = report(str(corpus))
    assert (code, err) == (0, "")
    assert built == ["causemap built-in catalog"]
    assert out != first  # the new incident is in it
    (corpus / "new.yaml").unlink()
    (corpus / "newer.yaml").write_text(
        (corpus / "retry-storm.yaml").read_text().replace("\nid: retry-storm\n", "\nid: newer\n")
    )
    built.clear()
    assert report(str(corpus))[0] == 0
    assert built == []  # and it was kept again


@pytest.mark.patches_internals  # counts the index's builds in CatalogIndex.__init__
def test_suggest_keeps_the_catalog_index_with_its_examples(
    cache_dir: Path, built: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from causemap.patterns.examples import ExampleLookup

    examples: list[str] = []
    read = ExampleLookup._examples_of

    def counting(self: ExampleLookup, key: str) -> Any:
        examples.append(key)
        return read(self, key)

    monkeypatch.setattr(ExampleLookup, "_examples_of", counting)
    example = str(EXAMPLES[0])
    uncached = runner.invoke(cli, ["suggest", example, "--format", "json", "--no-cache"])
    assert uncached.exit_code == 0
    assert not cache_dir.exists()  # --no-cache keeps nothing
    assert len(built) == 1
    for expected_builds in (2, 2):
        examples.clear()
        result = runner.invoke(cli, ["suggest", example, "--format", "json"])
        assert (result.exit_code, result.stderr) == (0, "")
        assert result.stdout == uncached.stdout
        assert len(built) == expected_builds  # the first run built and kept it
    assert examples == []  # and the examples' table with it


def test_suggest_goes_on_when_the_cache_cannot_be_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CAUSEMAP_CACHE_DIR", str(blocker / "cache"))
    example = str(EXAMPLES[0])
    result = runner.invoke(cli, ["suggest", example])
    assert result.exit_code == 0
    assert result.stdout == runner.invoke(cli, ["suggest", example, "--no-cache"]).stdout
    assert result.stderr.count("warning: the patterns cache") == 1


@pytest.mark.patches_internals  # counts the index's builds in CatalogIndex.__init__
def test_a_restarted_service_loads_the_catalog_index(cache_dir: Path, built: list[str]) -> None:
    from fastapi.testclient import TestClient

    from causemap.service import Settings, create_app

    body = EXAMPLES[0].read_text(encoding="utf-8")
    answers = []
    for _ in range(2):  # two processes, as it were: each app prepares its catalog
        with TestClient(create_app(Settings(db=f"sqlite:///{cache_dir.parent}/s.db"))) as client:
            answer = client.post(
                "/api/v1/suggest", content=body, headers={"Content-Type": "application/yaml"}
            )
        assert answer.status_code == 200
        answers.append(answer.json())
    assert answers[0] == answers[1]
    assert len(built) == 1
