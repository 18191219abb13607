"""Loading YAML and JSON, canonical dumping, and discovering files."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from pydantic import BaseModel

from causemap.errors import InvalidIncident
from causemap.loader import (
    canonical,
    check_bytes,
    check_data,
    check_file,
    discover,
    dump,
    load,
    loads,
)
from causemap.model import Action, Edge, Incident, Node, is_slug
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

    @pytest.mark.parametrize("text", ["1e3", "2E5", "1e+3", "7e-10", "+.5", "-1.e2"])
    def test_exponent_numbers_of_yaml_1_2_are_quoted(self, text: str) -> None:
        """YAML 1.1, which the emitter follows, has no float without a dot ('1e3'): it
        wrote them plain, and the 1.2 reader took them back as numbers, so an id such as
        '1e3' (a valid slug) made a file that did not load."""
        slug = text.lower() if is_slug(text.lower()) else "x"
        inc = loads(
            f'{{"causemap": 1, "id": "{slug}", "title": "{text}", "date": "2024-01-01", '
            f'"severity": "{text}", "tags": ["{text}"], "nodes": ['
            f'{{"id": "{slug}", "kind": "event", "label": "{text}"}}, '
            f'{{"id": "i", "kind": "impact", "label": "{text}", "causes": ["{slug}"]}}]}}'
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

    LONG = (
        "The replica was promoted while it still replayed "
        "the write-ahead log of the old primary, so"
    )

    @pytest.mark.parametrize(
        ("field", "text", "written"),
        [
            ("label", "Pager ignored 🔥", "  label: Pager ignored 🔥\n"),
            ("detail", "We rolled back.\n\n", "  detail: |+\n    We rolled back.\n\n"),
            (
                "detail",
                f"{LONG} writes were lost.\r\nErrors.",
                f'  detail: "{LONG}\\\n    \\ writes were lost.\\r\\nErrors."\n',
            ),
            (
                "label",
                f"\t{LONG} writes were lost.",
                f'  label: "\\t{LONG}\\\n    \\ writes were lost."\n',
            ),
        ],
        ids=["astral", "blank-line-end", "crlf", "tab"],
    )
    def test_the_bytes_do_not_depend_on_libyaml(
        self, chain: Incident, field: str, text: str, written: str
    ) -> None:
        """The canonical text is PyYAML's own emitter's wherever causemap runs. libyaml's
        (``yaml.CSafeDumper``) writes these otherwise: it escapes an emoji, folds a long
        double-quoted text at another place, and after a text that ends in a blank line it
        ends the document with ``...``: a switch to it would rewrite exported files."""
        first = chain.nodes[0].model_copy(update={field: text})
        out = dump(chain.model_copy(update={"nodes": [first, *chain.nodes[1:]]}))
        assert written in out, out
        assert out.endswith("  - no-canary\n"), out

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


def test_discover_skips_node_modules(tmp_path: Path) -> None:
    """`causemap lint .` in a JavaScript repository read every package's JSON and YAML
    under node_modules/ and failed on each; given by name, such a folder is read."""
    for name in ["incidents/a.yaml", "node_modules/pkg/package.json", "web/node_modules/b.yml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["incidents/a.yaml"]
    named = [p.name for p in discover([tmp_path / "node_modules"])]
    assert named == ["package.json"]


def test_discover_yields_broken_links_and_survives_link_loops(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text("x")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a loop back to the root
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["gone.yaml", "sub/a.yaml"]
    (checked,) = [check_file(p) for p in discover([tmp_path]) if p.name == "gone.yaml"]
    assert "cannot read file" in checked.diagnostics[0].message


def test_discover_yields_links_that_point_at_each_other(tmp_path: Path) -> None:
    """A symbolic-link loop (a -> b -> a) is a file that cannot be read, not a crash."""
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    assert [p.name for p in discover([tmp_path])] == ["a.yaml", "b.yaml"]
    assert [p.name for p in discover([tmp_path / "a.yaml"])] == ["a.yaml"]
    message = check_file(tmp_path / "a.yaml").diagnostics[0].message
    assert message == "cannot read file: Too many levels of symbolic links"


@pytest.mark.parametrize("link", ["0-first", "a", "m", "q", "s", "t", "z-last"])
def test_discover_walks_a_linked_folder_once_where_first_reached_in_name_order(
    tmp_path: Path, link: str
) -> None:
    """A folder and a link to it beside it: its files are listed once, under the name
    that comes first, whatever order the file system lists the folder in."""
    for name in ["real/a.yaml", "real/sub/b.yaml", "other/c.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / link).symlink_to(tmp_path / "real")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    first = link if link < "real" else "real"
    assert found == sorted([f"{first}/a.yaml", f"{first}/sub/b.yaml", "other/c.yaml"])


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


class TestLineEndings:
    """Every diagnostic counts lines alike, whatever ends them (LF, CRLF or a lone CR),
    and a U+2028 or NEL inside a string does not end a line, as editors count them."""

    YAML = (
        "causemap: 1\n"
        "id: demo\n"
        'title: "Demo{inside}"\n'
        "date: 2024-03-05\n"
        "nodes:\n"
        "  - {id: push, kind: event, label: Pushed}\n"
        "  - {id: out, kind: {kind}, label: Down, causes: [push]}\n"
    )
    JSON = (
        "{\n"
        '  "causemap": 1,\n'
        '  "id": "demo",\n'
        '  "title": "Demo{inside}",\n'
        '  "date": "2024-03-05",\n'
        '  "nodes": [\n'
        '    {"id": "push", "kind": "event", "label": "Pushed"},\n'
        '    {"id": "out", "kind": "{kind}", "label": "Down", "causes": ["push"]}\n'
        "  ]\n"
        "}\n"
    )

    @staticmethod
    def where(
        text: str, name: str, ending: str, encoding: str = "utf-8"
    ) -> tuple[str, int | None, int | None]:
        data = text.replace("\n", ending).encode(encoding)
        checked = check_bytes(data, name)
        assert checked.errors, name
        first = checked.errors[0]
        return first.code, first.line, first.column

    @pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
    @pytest.mark.parametrize(
        ("name", "text", "expected"),
        [
            ("doc.yaml", YAML.replace("{inside}", "").replace("{kind}", "impakt"), 7),
            ("doc.yaml", YAML.replace("{inside}", "").replace("{kind}", "impact]"), 7),
            ("doc.yaml", YAML.replace("{inside}", "é").replace("{kind}", "impact"), 3),
            ("doc.json", JSON.replace("{inside}", "").replace("{kind}", "impakt"), 8),
            ("doc.json", JSON.replace("{inside}", "").replace('"{kind}",', '"impact"'), 8),
            ("doc.json", JSON.replace("{inside}", "é").replace("{kind}", "impact"), 4),
        ],
        ids=[
            "yaml-invalid",
            "yaml-syntax",
            "yaml-latin1",
            "json-invalid",
            "json-syntax",
            "json-latin1",
        ],
    )
    def test_same_line_whatever_ends_lines(
        self, name: str, text: str, expected: int, ending: str
    ) -> None:
        encoding = "latin-1" if "é" in text else "utf-8"
        plain = self.where(text, name, "\n", encoding)
        assert plain[1] == expected
        assert self.where(text, name, ending, encoding) == plain

    @pytest.mark.parametrize("inside", ["\u2028", "\u2029", "\x85"])
    @pytest.mark.parametrize("name", ["doc.yaml", "doc.json"])
    def test_unicode_separators_in_text_do_not_end_lines(self, name: str, inside: str) -> None:
        text = self.YAML if name == "doc.yaml" else self.JSON
        plain = self.where(text.replace("{inside}", "").replace("{kind}", "impakt"), name, "\n")
        odd = text.replace("{inside}", f"a{inside}b").replace("{kind}", "impakt")
        assert self.where(odd, name, "\n") == plain

    def test_duplicate_key_names_the_first_line_alike(self) -> None:
        text = "causemap: 1\rid: demo\rid: again\r"
        errors = check_bytes(text.encode(), "doc.yaml").errors
        duplicate = next(d for d in errors if d.code == "duplicate-key")
        assert "first defined on line 2" in duplicate.message


class TestEncodings:
    """A document in another Unicode encoding is named as such, with or without a BOM."""

    TEXT = "causemap: 1\nid: demo\ntitle: Demo\n"

    @pytest.mark.parametrize(
        ("encoding", "named"),
        [
            ("utf-16", "UTF-16"),
            ("utf-16-le", "UTF-16"),
            ("utf-16-be", "UTF-16"),
            ("utf-32", "UTF-32"),
            ("utf-32-le", "UTF-32"),
            ("utf-32-be", "UTF-32"),
        ],
    )
    def test_other_unicode_encodings_are_named(self, encoding: str, named: str) -> None:
        (error,) = check_bytes(self.TEXT.encode(encoding), "doc.yaml").errors
        assert (error.code, error.line, error.column) == ("encoding", 1, 1)
        assert error.message == f"document is {named}; save it as UTF-8"

    def test_binary_data_is_still_binary(self) -> None:
        (error,) = check_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "doc.yaml").errors
        assert (error.code, error.line) == ("binary", 3)

    @pytest.mark.parametrize("escape", ["\\ud83d", "\\ude00", "\\ude00\\ud83d"])
    def test_json_lone_surrogate_escape_is_located(self, escape: str) -> None:
        text = (
            '{"causemap": 1, "id": "demo",\n'
            f' "title": "Demo {escape} cut", "date": "2024-01-01", "nodes": []}}\n'
        )
        (error,) = check_bytes(text.encode(), "doc.json").errors
        assert (error.line, error.column) == (2, 11)
        assert "surrogate" in error.message

    def test_json_surrogate_pairs_are_characters(self) -> None:
        text = dump(loads(TestYamlScalars.DOC), "json").replace("Norway", "\\ud83d\\ude00")
        assert loads(text, format="json").nodes[0].label == "\U0001f600"


class TestReadmeExamples:
    """The format example in the README is a file a reader can copy and validate."""

    def test_the_format_example_is_a_valid_incident(self) -> None:
        from causemap.loader import check_bytes
        from tests.conftest import ROOT

        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        section = readme.split("## The incident format", 1)[1]
        block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
        checked = check_bytes(block.encode(), "README.md")
        assert [d.format() for d in checked.diagnostics] == []
        assert checked.incident is not None
        # It still shows every field of the format.
        for key in ("until:", "level:", "factor:", "evidence:", "unknown:", "gate:", "closed:"):
            assert key in block


LOCKFILE = (
    "lockfileVersion: '9.0'\nsettings:\n  autoInstallPeers: true\npackages:\n"
    "  '@scope/a@1.0.0':\n    resolution: {integrity: sha512-abc}\n"
)


class TestForeignDocuments:
    """A YAML or JSON file found beside the incidents that is something else (a lockfile,
    a manifest) is refused in one line, before it is validated key by key; a large one
    took seconds and hundreds of megabytes to be told every key it lacks and has."""

    @pytest.mark.parametrize(
        ("name", "text"),
        [
            ("pnpm-lock.yaml", LOCKFILE),
            ("package-lock.json", '{"name": "x", "lockfileVersion": 3, "packages": {}}'),
            ("deep-tag.yaml", LOCKFILE + "  b:\n    when: !!python/name:os.system\n"),
        ],
    )
    def test_it_is_refused_in_one_line(self, name: str, text: str) -> None:
        checked = check_bytes(text.encode(), name)
        (only,) = checked.diagnostics
        assert only.code == "not-an-incident"
        assert (only.line, only.column, only.pointer) == (1, 1, "")
        assert "not a causemap incident: it has no 'causemap:' or 'nodes:' key" in only.message
        assert "lockfileVersion" in only.message

    @pytest.mark.parametrize(
        "text",
        [
            "id: x\ntitle: T\ndate: 2024-01-01\nnodes: []\nowner: me\n",  # forgot the version
            "lockfileVersion: 1\ncausemap: 1\n",  # an incident's key after a foreign one
            "{}\n",
            "title: T\n",
        ],
    )
    def test_a_document_with_an_incident_key_is_validated_in_full(self, text: str) -> None:
        checked = check_bytes(text.encode(), "i.yaml")
        codes = {d.code for d in checked.diagnostics}
        assert "not-an-incident" not in codes
        assert "missing-key" in codes


class TestMissingVersion:
    def test_the_message_says_what_to_write(self) -> None:
        checked = check_bytes(b"id: x\ntitle: T\ndate: 2024-01-01\nnodes: []\n", "i.yaml")
        [missing] = [d for d in checked.diagnostics if d.pointer == "/causemap"]
        assert missing.code == "missing-key"
        assert "add 'causemap: 1'" in missing.message, missing.message


@pytest.mark.parametrize(
    ("value", "warned"),
    [
        ('"2024-03-05T10:00:00.123456789Z"', True),  # a tracer's nanoseconds
        ("2024-03-05T10:00:00.123456789+02:00", True),  # unquoted, YAML's own timestamp
        ('"2024-03-05T10:00:00.123456Z"', False),
        ('"2024-03-05T10:00:00Z"', False),
    ],
)
def test_digits_past_the_microsecond_are_a_warning(value: str, warned: bool) -> None:
    doc = (
        "causemap: 1\nid: ns\ntitle: T\ndate: 2024-03-05\nnodes:\n"
        f"  - {{id: a, kind: event, label: Pushed, at: {value}}}\n"
        "  - {id: b, kind: impact, label: Down, causes: [a]}\n"
    )
    checked = check_bytes(doc.encode(), "ns.yaml")
    assert checked.ok
    found = [d for d in checked.diagnostics if d.code == "time-precision"]
    assert bool(found) is warned
    if warned:
        (warning,) = found
        assert (warning.pointer, warning.line, warning.severity) == ("/nodes/0/at", 6, "warning")
        assert "gives 9 digits of a second; causemap keeps 6" in warning.message


class TestDuplicateKeys:
    """Every duplicate key is reported in one run, each at its own line and pointer,
    together with the document's other errors, as a catalog's duplicate entry keys are."""

    YAML = (
        "causemap: 1\n"
        "id: demo\n"
        "title: Demo\n"
        "title: Again\n"
        "date: 2024-01-01\n"
        "nodes:\n"
        "  - id: push\n"
        "    kind: event\n"
        "    label: Config pushed\n"
        "    label: twice\n"
        "  - {id: down, kind: impakt, label: Site down, causes: [push], label: x}\n"
    )

    @staticmethod
    def found(text: str, name: str) -> list[tuple[str, str, int | None, int | None]]:
        checked = check_bytes(text.encode(), name)
        assert checked.incident is None
        return [(d.code, d.pointer, d.line, d.column) for d in checked.errors]

    def test_every_duplicate_and_the_other_errors(self) -> None:
        assert self.found(self.YAML, "doc.yaml") == [
            ("duplicate-key", "/title", 4, 1),
            ("duplicate-key", "/nodes/0/label", 10, 5),
            ("invalid-value", "/nodes/1/kind", 11, 22),
            ("duplicate-key", "/nodes/1/label", 11, 64),
        ]

    def test_json_alike(self) -> None:
        text = (
            '{"causemap": 1, "id": "demo", "id": "x", "title": "Demo", "date": "2024-01-01",\n'
            ' "nodes": [{"id": "a", "kind": "impakt", "label": "A", "label": "B"}]}\n'
        )
        assert self.found(text, "doc.json") == [
            ("duplicate-key", "/id", 1, 31),
            ("invalid-value", "/nodes/0/kind", 2, 32),
            ("duplicate-key", "/nodes/0/label", 2, 56),
        ]

    def test_a_valid_document_but_for_its_duplicates_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "doc.yaml"
        path.write_text(self.YAML.replace("impakt", "impact"))
        with pytest.raises(InvalidIncident) as info:
            load(path)
        assert [d.pointer for d in info.value.diagnostics] == [
            "/title",
            "/nodes/0/label",
            "/nodes/1/label",
        ]

    def test_the_first_value_is_the_one_validated(self) -> None:
        text = (
            "causemap: 1\nid: demo\ntitle: Demo\ndate: 2024-01-01\n"
            "nodes: [{id: i, kind: impact, label: Down}]\nnodes: 3\n"
        )
        errors = check_bytes(text.encode(), "doc.yaml").errors
        assert [(d.code, d.line) for d in errors] == [("duplicate-key", 6)]

    def test_a_duplicates_value_is_still_guarded(self) -> None:
        bomb = "".join(
            f"{a}: &{a} [{', '.join(['*' + p] * 9 if p else ['lol'] * 9)}]\n"
            for p, a in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
        )
        text = "causemap: 1\nx: 1\nx:\n" + "".join("  " + line + "\n" for line in bomb.splitlines())
        codes = [d.code for d in check_bytes(text.encode(), "doc.yaml").errors]
        assert codes == ["duplicate-key", "too-large"]


class TestWideMappings:
    """Every error of a node with many keys is placed at its own key, and a value
    named by a duplicated key is found at its first occurrence (the one kept)."""

    def test_each_unknown_key_at_its_line(self) -> None:
        head = "causemap: 1\nid: wide\ntitle: t\ndate: 2024-01-01\nnodes:\n  - id: a\n"
        lines = [f"    k{i}: v\n" for i in range(300)]
        text = head + "    kind: impact\n    label: [not, text]\n" + "".join(lines)
        checked = check_bytes(text.encode(), "wide.yaml")
        unknown = [(d.pointer, d.line, d.column) for d in checked.errors if d.code == "unknown-key"]
        assert unknown == [(f"/nodes/0/k{i}", 9 + i, 5) for i in range(300)]
        (label,) = [d for d in checked.errors if d.pointer == "/nodes/0/label"]
        assert (label.line, label.column) == (8, 12)


class TestLongKeys:
    """A key longer than the 1,024 characters YAML allows an implicit key still leaves
    every error of a JSON document placed: JSON is located as JSON."""

    LONG = "k" * 1100
    JSON = (
        "{\n"
        '  "causemap": 1, "id": "demo", "title": "Demo", "date": "2024-03-05",\n'
        '  "nodes": [\n'
        '    {"id": "push", "kind": "evnt", "label": "Pushed"},\n'
        '    {"id": "out", "kind": "impact", "label": "Down", "{long}": 1, "causes": ["push"]}\n'
        "  ]\n"
        "}\n"
    )

    def test_every_error_of_a_json_document_is_placed(self) -> None:
        text = self.JSON.replace("{long}", self.LONG)
        checked = check_bytes(text.encode(), "doc.json")
        assert [(d.code, d.pointer, d.line, d.column) for d in checked.errors] == [
            ("invalid-value", "/nodes/0/kind", 4, 28),
            ("unknown-key", f"/nodes/1/{self.LONG}", 5, 54),
        ]

    def test_a_duplicate_key_after_it_is_placed(self) -> None:
        text = self.JSON.replace('"{long}": 1', f'"{self.LONG}": 1, "id": "o"')
        checked = check_bytes(text.encode(), "doc.json")
        duplicate = next(d for d in checked.errors if d.code == "duplicate-key")
        assert (duplicate.pointer, duplicate.line, duplicate.column) == ("/nodes/1/id", 5, 1161)
        assert duplicate.message == "duplicate key 'id' (first defined on line 5)"

    @pytest.mark.parametrize("key", [LONG, f'"{LONG}"'])
    def test_a_long_yaml_key_is_named_at_its_start_with_the_way_to_write_it(self, key: str) -> None:
        text = f"causemap: 1\nid: demo\nnodes:\n  - {key}: 1\n"
        (error,) = check_bytes(text.encode(), "doc.yaml").errors
        assert (error.code, error.line, error.column) == ("yaml-syntax", 4, 5)
        assert "key longer than 1,024 characters" in error.message
        assert "write it as '? key'" in error.message
        long = f"causemap: 1\nid: demo\nnodes:\n  - ? {key}\n    : 1\n"
        assert "yaml-syntax" not in [d.code for d in check_bytes(long.encode(), "doc.yaml").errors]


class TestManyCycles:
    """Each of many cycles is reported at the edge that closes it, listed in ``edges``
    or in a node's ``causes``, and placed at its line."""

    def test_each_cycle_at_its_closing_edge(self) -> None:
        head = "causemap: 1\nid: loops\ntitle: t\ndate: 2024-01-01\nnodes:\n"
        head += "  - {id: hurt, kind: impact, label: I}\n"
        pairs = [
            f"  - {{id: a{i}, kind: event, label: A{'' if i % 2 else f', causes: [b{i}]'}}}\n"
            f"  - {{id: b{i}, kind: event, label: B, causes: [a{i}]}}\n"
            for i in range(50)
        ]
        edges = [f"  - {{from: b{i}, to: a{i}}}\n" for i in range(1, 50, 2)]
        text = head + "".join(pairs) + "edges:\n" + "".join(edges)
        checked = check_bytes(text.encode(), "loops.yaml")
        cycles = [(d.message, d.pointer, d.line) for d in checked.errors if d.code == "cycle"]
        in_nodes = [
            (f"cycle: a{i} → b{i} → a{i}", f"/nodes/{1 + 2 * i}/causes/0", 7 + 2 * i)
            for i in range(0, 50, 2)
        ]
        in_edges = [
            (f"cycle: a{i} → b{i} → a{i}", f"/edges/{i // 2}", 108 + i // 2)
            for i in range(1, 50, 2)
        ]
        assert cycles == in_nodes + in_edges  # in the order of the document


class TestUnknownReferences:
    """Every unknown reference is an error at its place; its "did you mean" hint is the
    same wherever it is cited, and hints stop (the errors do not) once their budget of
    comparisons is spent."""

    HEAD = "causemap: 1\nid: refs\ntitle: t\ndate: 2024-01-01\nnodes:\n"

    def document(self, causes: list[str], cited: str = "") -> bytes:
        """40 nodes (each citing ``cited``, if given) and an impact caused by ``causes``."""
        also = f", causes: [{cited}]" if cited else ""
        nodes = [f"  - {{id: push-{i}, kind: event, label: P{also}}}\n" for i in range(40)]
        nodes.append(f"  - {{id: hurt, kind: impact, label: I, causes: [{', '.join(causes)}]}}\n")
        return (self.HEAD + "".join(nodes)).encode()

    def messages(self, data: bytes) -> list[str]:
        checked = check_bytes(data, "refs.yaml")
        assert {d.code for d in checked.errors} == {"unknown-node"}
        return [d.message for d in checked.errors]

    def test_a_reference_cited_often_gets_its_hint_each_time(self) -> None:
        messages = self.messages(self.document([f"push-{i}" for i in range(40)], "pussh-7"))
        hint = "cause 'pussh-7' is not a node of this incident (did you mean 'push-7'?)"
        assert messages == [hint] * 40

    def test_hints_stop_when_their_budget_is_spent(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from causemap import diagnostics

        wrong = [f"pusj-{i}" for i in range(10)]
        monkeypatch.setattr(diagnostics, "HINT_BUDGET", 4 * 41)  # four lookups among 41 ids
        messages = self.messages(self.document([*wrong, "pusj-0"]))
        hinted = [f" (did you mean 'push-{i}'?)" if i < 4 else "" for i in range(10)]
        assert messages == [
            *(
                f"cause '{w}' is not a node of this incident{h}"
                for w, h in zip(wrong, hinted, strict=True)
            ),
            "cause 'pusj-0' is not a node of this incident (did you mean 'push-0'?)",
        ]


class TestCollectorPaused:
    """Loading pauses the cycle collector and always gives it back as it was: running,
    stopped by the caller, or with objects a forking caller froze still frozen."""

    DOC = b"causemap: 1\nid: x\ntitle: t\ndate: 2024-01-01\nnodes:\n"
    DOC += b"  - {id: i, kind: impact, label: I}\n"

    @pytest.mark.parametrize("data", [DOC, DOC + b"  - {id: i, kind: oops}\n", b"{", b"- [a"])
    def test_collector_restored(self, data: bytes) -> None:
        import gc

        assert gc.isenabled()
        check_bytes(data, "x.yaml")
        check_bytes(data, "x.json")
        assert gc.isenabled()
        gc.disable()
        try:
            check_bytes(data, "x.yaml")
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_frozen_objects_stay_frozen(self) -> None:
        import gc

        gc.freeze()
        try:
            frozen = gc.get_freeze_count()
            assert check_bytes(self.DOC, "x.yaml").ok
            assert gc.get_freeze_count() >= frozen
        finally:
            gc.unfreeze()


class TestYamlSyntax:
    """A syntax error found far from what caused it names where that starts."""

    @pytest.mark.parametrize(
        ("broken", "where"),
        [
            ('title: "Demo', "while scanning a quoted scalar (from line 3, column 8)"),
            ("title: [Demo", "while parsing a flow sequence (from line 3, column 8)"),
        ],
    )
    def test_the_message_names_the_line_it_starts_on(self, broken: str, where: str) -> None:
        text = f"causemap: 1\nid: demo\n{broken}\ndate: 2024-01-01\nnodes: []\n"
        (error,) = check_bytes(text.encode(), "doc.yaml").errors
        assert error.code == "yaml-syntax"
        assert error.message.startswith(where), error.message


TEMPLATE = """\
$schema:
causemap: 1
id: demo
title: Demo incident
date: 2024-03-05
severity:
services:
tags:
participants:
summary:
nodes:
  - id: push
    kind: event
    label: A config change was pushed to every region
    detail:
    at:
    until:
    level:
    factor:
    tags:
    evidence:
    unknown:
    gate:
    classification:
    causes:
  - id: outage
    kind: impact
    label: Checkout returned errors for 40 minutes
    causes: [push]
edges:
  - from: push
    to: outage
    label:
    evidence:
actions:
  - id: a1
    title: Add a canary stage that halts on error-rate increase
    addresses:
    owner:
    due:
    status:
    closed:
    type:
    link:
"""
"""An incident written from a template: every optional key of every object left empty."""

KEYLESS = "".join(
    line
    for line in TEMPLATE.splitlines(keepends=True)
    if not line.endswith(":\n") or line in ("nodes:\n", "edges:\n", "actions:\n")
)
"""The same incident without the empty keys."""


def _keys(model: type[BaseModel], *, required: bool) -> list[str]:
    """The keys of ``model`` as documents write them, the required or the optional ones."""
    return [f.alias or n for n, f in model.model_fields.items() if f.is_required() == required]


def _every_key(*, required: bool) -> list[Any]:
    """(where, key) for the required or optional keys of every object of the format."""
    places: list[tuple[tuple[str | int, ...], type[BaseModel]]] = [
        ((), Incident),
        (("nodes", 0), Node),
        (("edges", 0), Edge),
        (("actions", 0), Action),
    ]
    return [
        pytest.param(where, key, id="/".join(map(str, (*where, key))))
        for where, model in places
        for key in _keys(model, required=required)
    ]


def _keyless(where: tuple[str | int, ...], key: str, *, null: bool) -> dict[str, Any]:
    """KEYLESS as data, with ``key`` of the object at ``where`` set to null, or removed."""
    data = yaml.safe_load(KEYLESS)
    target = data
    for part in where:
        target = target[part]
    if null:
        target[key] = None
    else:
        target.pop(key, None)
    return cast(dict[str, Any], data)


class TestEmptyOptionalKeys:
    """An optional key left empty (``tags:`` alone, ``null`` in JSON) means the key is
    absent: a template's empty fields were refused ("expected a list, got null")."""

    def test_a_template_with_every_optional_key_empty_loads_as_without_them(self) -> None:
        checked = check_bytes(TEMPLATE.encode(), "template.yaml")
        assert [d.format() for d in checked.diagnostics] == []
        assert checked.incident is not None
        keyless = loads(KEYLESS)
        assert checked.incident == keyless
        assert checked.incident.model_dump() == keyless.model_dump()
        assert checked.incident.model_fields_set == keyless.model_fields_set
        # The canonical form, which export writes and the store digests, has no trace of them.
        assert dump(checked.incident) == dump(keyless)
        assert dump(checked.incident, "json") == dump(keyless, "json")
        assert "tags" not in dump(checked.incident)

    @pytest.mark.parametrize(("where", "key"), _every_key(required=False))
    def test_each_optional_key_given_null_is_absent(
        self, where: tuple[str | int, ...], key: str
    ) -> None:
        checked = check_data(_keyless(where, key, null=True), name="doc.json")
        assert [d.format() for d in checked.diagnostics] == []
        absent = check_data(_keyless(where, key, null=False), name="doc.json").incident
        assert checked.incident is not None
        assert absent is not None
        assert checked.incident == absent
        assert canonical(checked.incident) == canonical(absent)

    @pytest.mark.parametrize(("where", "key"), _every_key(required=True))
    def test_each_required_key_given_null_is_refused_where_it_is(
        self, where: tuple[str | int, ...], key: str
    ) -> None:
        checked = check_data(_keyless(where, key, null=True), name="doc.json")
        assert checked.incident is None
        pointer = "".join(f"/{part}" for part in (*where, key))
        assert [d.pointer for d in checked.errors] == [pointer]

    @pytest.mark.parametrize(
        ("line", "expected"),
        [
            (
                "title: Demo incident",
                "4:7: error: /title: expected a string, got null [wrong-type]",
            ),
            (
                "    kind: event",
                "13:10: error: /nodes/0/kind: expected one of event, condition, factor, "
                "impact; got null [invalid-value]",
            ),
            (
                "    label: Checkout returned errors for 40 minutes",
                "28:11: error: /nodes/1/label: expected a string, got null [wrong-type]",
            ),
            (
                "    to: outage",
                "32:8: error: /edges/0/to: expected a string, got null [wrong-type]",
            ),
            ("  - id: a1", "36:8: error: /actions/0/id: expected a string, got null [wrong-type]"),
        ],
    )
    def test_a_required_key_left_empty_is_refused_with_its_line(
        self, line: str, expected: str
    ) -> None:
        # In the template, beside the optional keys left empty, which are not reported.
        key = line.split(":")[0]
        text = TEMPLATE.replace(f"{line}\n", f"{key}:\n", 1)
        assert text != TEMPLATE
        checked = check_bytes(text.encode(), "doc.yaml")
        assert [d.format() for d in checked.diagnostics] == [f"doc.yaml:{expected}"]
