"""The committed JSON Schemas match the models, and accept what the loader accepts."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from causemap.loader import canonical, load, loads
from causemap.schema import schema_text, schemas, write_schemas
from tests.conftest import EXAMPLES, ROOT


@pytest.mark.parametrize("name", list(schemas()))
def test_committed_schema_is_current(name: str) -> None:
    path = ROOT / "schemas" / f"{name}.schema.json"
    assert path.exists(), f"{path} missing: run `make schemas`"
    assert path.read_text(encoding="utf-8") == schema_text(schemas()[name]), (
        f"{path} is stale: run `make schemas`"
    )


def test_no_stray_schema_files() -> None:
    committed = {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    assert committed == {f"{name}.schema.json" for name in schemas()}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_satisfy_the_json_schema(path) -> None:
    schema = json.loads((ROOT / "schemas" / "incident.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(canonical(load(path)))


def test_json_schema_rejects_unknown_keys() -> None:
    schema = json.loads((ROOT / "schemas" / "incident.schema.json").read_text())
    doc = {
        "causemap": 1,
        "id": "x",
        "title": "X",
        "date": "2024-01-01",
        "colour": "red",
        "nodes": [{"id": "i", "kind": "impact", "label": "I"}],
    }
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.Draft202012Validator(schema).validate(doc)


class TestEmptyOptionalKeys:
    """The schema takes null for an optional key, as the loader does (``tags:`` left
    empty in a template), and not for a required one, which the loader refuses."""

    @staticmethod
    def _errors(text: str) -> list[str]:
        """Where the committed schema finds ``text`` wrong."""
        from causemap.source import parse

        schema = json.loads((ROOT / "schemas" / "incident.schema.json").read_text())
        validator = jsonschema.Draft202012Validator(schema)
        data = parse(text, "x.yaml", "yaml").value
        return sorted({e.json_path for e in validator.iter_errors(data)})

    def test_a_template_with_every_optional_key_empty_is_valid(self) -> None:
        from tests.test_loader import TEMPLATE

        assert loads(TEMPLATE)  # the loader reads it
        assert self._errors(TEMPLATE) == []

    @pytest.mark.parametrize(
        ("line", "where"),
        [
            ("title: Demo incident", "$.title"),
            ("    kind: event", "$.nodes[0].kind"),
            ("    to: outage", "$.edges[0].to"),
            ("  - id: a1", "$.actions[0].id"),
        ],
    )
    def test_a_required_key_left_empty_is_not(self, line: str, where: str) -> None:
        from tests.test_loader import TEMPLATE

        text = TEMPLATE.replace(f"{line}\n", f"{line.split(':')[0]}:\n", 1)
        assert self._errors(text) == [where]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_carry_the_modeline(path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/incident.schema.json"


class TestConfigSchema:
    """schemas/config.schema.json accepts every config the loader reads, and no other."""

    @staticmethod
    def _validator() -> jsonschema.Draft202012Validator:
        schema = json.loads((ROOT / "schemas" / "config.schema.json").read_text())
        return jsonschema.Draft202012Validator(schema)

    @pytest.mark.parametrize(
        "blame",
        [["sloppy"], {"extend": ["sloppy"]}],
        ids=["replace", "extend"],
    )
    def test_a_word_list_may_replace_or_extend_the_default(self, blame: object) -> None:
        from causemap.analyses.config import loads_config

        doc = {"language": {"blame": blame}}
        loads_config(json.dumps(doc))  # the loader reads both forms
        assert not list(self._validator().iter_errors(doc))

    @pytest.mark.parametrize(
        "blame",
        [{"extend": "sloppy"}, {"extend": ["sloppy"], "more": 1}, {"add": ["sloppy"]}],
        ids=["not-a-list", "extra-key", "other-key"],
    )
    def test_other_mappings_are_refused(self, blame: object) -> None:
        from causemap.analyses.config import loads_config
        from causemap.errors import InvalidIncident

        doc = {"language": {"blame": blame}}
        with pytest.raises(InvalidIncident):
            loads_config(json.dumps(doc))
        assert list(self._validator().iter_errors(doc))


MINIMAL: dict[str, Any] = {
    "causemap": 1,
    "id": "x",
    "title": "X",
    "date": "2024-01-01",
    "nodes": [
        {"id": "a", "kind": "event", "label": "A"},
        {"id": "i", "kind": "impact", "label": "I", "causes": ["a"]},
    ],
}
"""A valid incident with nothing optional."""


class TestIncidentSchemaText:
    """Text the loader refuses as blank, the incident schema refuses too, so an editor
    flags it before `causemap validate` does."""

    @pytest.mark.parametrize(
        ("where", "value"),
        [
            ((), {"severity": ""}),
            ((), {"title": "   "}),
            ((), {"tags": [""]}),
            ((), {"participants": [" "]}),
            ((), {"summary": "\n"}),
            (("nodes", 0), {"label": "  "}),
            (("nodes", 0), {"detail": ""}),
            (("nodes", 0), {"evidence": ["", "log line"]}),
            ((), {"edges": [{"from": "a", "to": "i", "label": " "}]}),
            ((), {"actions": [{"id": "a1", "title": "T", "addresses": ["a"], "owner": ""}]}),
        ],
    )
    def test_blank_text_is_refused_by_both(
        self, where: tuple[str | int, ...], value: dict[str, Any]
    ) -> None:
        from causemap.loader import check_bytes

        doc = copy.deepcopy(MINIMAL)
        target: Any = doc
        for step in where:
            target = target[step]
        target.update(value)
        assert check_bytes(json.dumps(doc).encode(), "x.json").incident is None
        schema = json.loads((ROOT / "schemas" / "incident.schema.json").read_text())
        validator = jsonschema.Draft202012Validator(schema)
        assert list(validator.iter_errors(doc))
        assert not list(validator.iter_errors(MINIMAL))


class TestWriteSchemas:
    """write_schemas writes each file whole or not at all, as ``schema --out`` and
    ``export`` do: it wrote them in place, so a full disk left a truncated schema that
    editors then used."""

    def test_a_write_failing_midway_leaves_every_file_whole(self, tmp_path: Path) -> None:
        old = {f"{name}.schema.json": '{"old": true}\n' for name in schemas()}
        for name, text in old.items():
            (tmp_path / name).write_text(text)
        # A "full disk": no file may grow past 1,000 bytes (EFBIG instead of SIGXFSZ).
        script = (
            "import resource, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))\n"
            "from causemap.schema import write_schemas\n"
            "write_schemas(sys.argv[1])\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True
        )
        assert done.returncode != 0
        assert "File too large" in done.stderr
        assert {p.name: p.read_text() for p in tmp_path.iterdir()} == old

    def test_writes_every_schema(self, tmp_path: Path) -> None:
        written = write_schemas(tmp_path / "new")
        assert sorted(p.name for p in (tmp_path / "new").iterdir()) == sorted(
            p.name for p in written
        )
        for path in written:
            assert path.read_text(encoding="utf-8") == schema_text(schemas()[path.name[:-12]])


class TestSuggestSchemas:
    """Both documented shapes of suggestions have a committed schema, printed by
    ``causemap schema``, that real output satisfies: ``causemap suggest --format json``
    (a list of nodes) and ``POST /suggest`` (suggestions by node id). Neither had one."""

    @staticmethod
    def _validator(name: str) -> jsonschema.Draft202012Validator:
        path = ROOT / "schemas" / f"{name}.schema.json"
        return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))

    @pytest.mark.parametrize("name", ["suggest", "suggest-api"])
    def test_causemap_schema_prints_it(self, name: str) -> None:
        from click.testing import CliRunner

        from causemap.cli import cli

        result = CliRunner().invoke(cli, ["schema", name])
        assert result.exit_code == 0, result.output
        printed = json.loads(result.output)
        assert printed["$id"].endswith(f"/{name}.schema.json")
        assert printed == json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())

    @pytest.mark.parametrize("top", [1, 50])
    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_the_cli_json_satisfies_it(self, path: Path, top: int) -> None:
        from click.testing import CliRunner

        from causemap.cli import cli

        result = CliRunner().invoke(cli, ["suggest", str(path), "-f", "json", "--top", str(top)])
        assert result.exit_code == 0, result.output
        self._validator("suggest").validate(json.loads(result.output))

    def test_the_cli_json_with_factors_set_satisfies_it(self) -> None:
        from click.testing import CliRunner

        from causemap.cli import cli

        doc = copy.deepcopy(MINIMAL)
        doc["nodes"][0]["factor"] = "no-canary"
        result = CliRunner().invoke(cli, ["suggest", "-", "-f", "json"], input=json.dumps(doc))
        assert result.exit_code == 0, result.output
        out = json.loads(result.stdout)  # a warning of the unknown key goes to stderr
        assert out["nodes"][0]["factor"] == "no-canary"
        self._validator("suggest").validate(out)

    def test_each_shape_is_refused_by_the_others_schema(self) -> None:
        from click.testing import CliRunner

        from causemap.cli import cli

        result = CliRunner().invoke(cli, ["suggest", str(EXAMPLES[0]), "-f", "json"])
        listed = json.loads(result.output)
        keyed = {
            "incident": listed["incident"],
            "nodes": {row["node"]: row["suggestions"] for row in listed["nodes"]},
        }
        self._validator("suggest-api").validate(keyed)
        assert list(self._validator("suggest-api").iter_errors(listed))
        assert list(self._validator("suggest").iter_errors(keyed))
