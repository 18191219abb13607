"""Loading YAML and JSON, canonical dumping, and discovering files."""

from __future__ import annotations

from pathlib import Path

import pytest

from causemap.errors import InvalidIncident
from causemap.loader import check_file, discover, dump, load, loads
from causemap.model import Incident
from tests.conftest import EXAMPLES


class TestYamlScalars:
    """YAML 1.2 core schema: only true/false are booleans; dates stay text."""

    DOC = """
causemap: 1
id: demo
title: no
date: 2024-01-01
tags: [on, off, yes, 1e3x, "007"]
nodes:
  - {id: i, kind: impact, label: Norway, unknown: true}
"""

    def test_norway_problem_does_not_happen(self) -> None:
        inc = loads(self.DOC)
        assert inc.title == "no"
        assert inc.tags == ["on", "off", "yes", "1e3x", "007"]
        assert inc.nodes[0].unknown is True


class TestLoad:
    def test_load_raises_with_diagnostics(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.yaml"
        path.write_text("causemap: 1\nid: x\n")
        with pytest.raises(InvalidIncident) as info:
            load(path)
        assert {d.code for d in info.value.diagnostics} == {"missing-key"}
        assert all(d.file == str(path) for d in info.value.diagnostics)

    def test_unreadable_file_is_a_diagnostic(self, tmp_path: Path) -> None:
        checked = check_file(tmp_path / "missing.yaml")
        assert [d.code for d in checked.errors] == ["unreadable"]

    def test_json_and_yaml_give_the_same_model(self, chain: Incident) -> None:
        assert loads(dump(chain, "json"), format="json") == loads(dump(chain, "yaml"))


class TestDump:
    def test_round_trip(self, chain: Incident) -> None:
        assert loads(dump(chain)) == chain

    def test_canonical_form_is_stable(self, chain: Incident) -> None:
        text = dump(chain)
        assert dump(loads(text)) == text
        assert text.startswith("# yaml-language-server: $schema=")
        assert "gate:" not in text  # defaults are left out

    def test_strings_that_look_like_other_types_are_quoted(self) -> None:
        inc = loads(
            '{"causemap": 1, "id": "x", "title": "yes", "date": "2024-01-01", '
            '"tags": ["1.5", "null", "2024-01-01"], '
            '"nodes": [{"id": "i", "kind": "impact", "label": "true"}]}'
        )
        assert loads(dump(inc)) == inc

    @pytest.mark.parametrize(
        "text",
        ["a\x85b", "ends\x85", "\x85starts", "two\nlines\x85", "a\u2028b", "a\u2029b\nc"],
    )
    def test_line_separator_characters_survive(self, chain: Incident, text: str) -> None:
        """NEL (U+0085, the Windows-1252 ellipsis read as Latin-1) is a line break to a
        YAML reader: written as it is, it came back as a space or a newline."""
        inc = chain.model_copy(update={"title": text, "summary": text})
        back = loads(dump(inc))
        assert (back.title, back.summary) == (text, text)

    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_examples_round_trip(self, path: Path) -> None:
        incident = load(path)
        assert loads(dump(incident)) == incident
        assert loads(dump(incident, "json"), format="json") == incident


def test_discover_walks_folders_in_order(tmp_path: Path) -> None:
    for name in ["b.yaml", "a.json", "sub/c.yml", ".hidden/d.yaml", "notes.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["a.json", "b.yaml", "sub/c.yml"]


def test_discover_yields_broken_links_and_survives_link_loops(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text("x")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a loop back to the root
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["gone.yaml", "sub/a.yaml"]
    (checked,) = [check_file(p) for p in discover([tmp_path]) if p.name == "gone.yaml"]
    assert "cannot read file" in checked.diagnostics[0].message


def test_a_folder_read_as_a_file_says_so(tmp_path: Path) -> None:
    checked = check_file(tmp_path)
    assert checked.diagnostics[0].message == "is a folder, not an incident file"


def test_discover_yields_a_file_reached_twice_once(tmp_path: Path) -> None:
    for name in ["a.yaml", "sub/b.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "copy.yaml").write_text("x")  # a different file, even if it says the same
    paths = [tmp_path / "sub", tmp_path, tmp_path / "a.yaml", tmp_path / "sub" / ".." / "a.yaml"]
    found = [p.relative_to(tmp_path).as_posix() for p in discover(paths)]
    assert found == ["sub/b.yaml", "a.yaml", "copy.yaml"]
