"""The factor catalog: the built-in file is valid, user files load or fail with file:line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from causemap.catalog import builtin_catalog, load_catalog, loads_catalog
from causemap.catalog.loader import BUILTIN_PATH, check_catalog
from causemap.diagnostics import Diagnostic
from causemap.errors import CatalogError
from tests.conftest import ROOT

ENTRY = """
  - key: feature-flag-debt
    name: Stale feature flags
    definition: Flags nobody removed changed behaviour years later.
    level: process
    class: systemic
    phrases: [stale feature flag]
    keywords: [flag]
"""


def catalog_text(entries: str = ENTRY, head: str = "") -> str:
    return f"causemap-catalog: 1\nname: ours\n{head}entries:{entries}"


class TestBuiltin:
    def test_is_valid_with_no_warnings(self) -> None:
        checked = check_catalog(BUILTIN_PATH.read_bytes(), str(BUILTIN_PATH))
        assert checked.diagnostics == []
        assert len(builtin_catalog().entries) >= 40

    def test_satisfies_the_json_schema(self) -> None:
        schema = json.loads((ROOT / "schemas" / "catalog.schema.json").read_text())
        import yaml

        jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(BUILTIN_PATH.read_text()))

    @pytest.mark.parametrize(
        ("extra", "valid"),
        [
            ({"entries": []}, False),
            ({}, False),
            ({"extends": None, "entries": []}, False),
            ({"extends": "builtin", "entries": []}, True),
            ({"extends": "builtin"}, True),
            ({"entries": None}, False),  # an empty key is absent: there is no entry
            ({"extends": "builtin", "entries": None}, True),
        ],
    )
    def test_the_json_schema_needs_an_entry_unless_it_extends(
        self, extra: dict[str, object], valid: bool
    ) -> None:
        """The loader refuses a catalog with no entry that replaces the built-in one; the
        schema accepted it, so an editor said nothing."""
        doc = {"causemap-catalog": 1, "name": "Team", **extra}
        schema = json.loads((ROOT / "schemas" / "catalog.schema.json").read_text())
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
        assert (not errors) is valid, errors
        assert check_catalog(json.dumps(doc)).ok is valid

    def test_every_entry_has_matching_material(self) -> None:
        for entry in builtin_catalog().entries:
            assert entry.phrases, entry.key
            assert entry.keywords, entry.key
            assert entry.examples, entry.key


class TestLoad:
    def test_replace(self) -> None:
        catalog = loads_catalog(catalog_text())
        assert catalog.keys() == ["feature-flag-debt"]

    def test_extend_adds_and_overrides(self) -> None:
        override = ENTRY.replace("feature-flag-debt", "alerting-gap")
        catalog = loads_catalog(catalog_text(ENTRY + override, "extends: builtin\n"))
        builtin = builtin_catalog()
        assert len(catalog.entries) == len(builtin.entries) + 1
        assert catalog.keys()[: len(builtin.entries)] == builtin.keys()
        assert catalog.entry("alerting-gap").name == "Stale feature flags"
        assert builtin.entry("alerting-gap").name != "Stale feature flags"  # not mutated

    def test_errors_carry_file_line_and_column(self, tmp_path: Path) -> None:
        path = tmp_path / "mine.yaml"
        path.write_text(catalog_text(ENTRY.replace("level: process", "level: proces")))
        with pytest.raises(CatalogError) as caught:
            load_catalog(path)
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.format().startswith(f"{path}:7:12: error: /entries/0/level:")
        assert "did you mean 'process'?" in diagnostic.message

    def test_an_optional_key_left_empty_is_absent_as_in_incidents(self) -> None:
        empty = ENTRY + "    examples:\n    actions:\n    related:\n    sources:\n"
        checked = check_catalog(catalog_text(empty, head="$schema:\nextends:\n"), "x.yaml")
        assert checked.diagnostics == []
        assert checked.catalog == loads_catalog(catalog_text())

    def test_a_required_key_left_empty_is_still_refused_where_it_is(self) -> None:
        checked = check_catalog(catalog_text(ENTRY.replace("level: process", "level:")), "x.yaml")
        assert [d.format() for d in checked.diagnostics] == [
            "x.yaml:7:11: error: /entries/0/level: expected one of technical, operator, "
            "process, organization, external; got null [invalid-value]"
        ]

    @pytest.mark.parametrize("version", ["true", "'1'", "2"])
    def test_the_version_is_the_number_1_as_for_incidents(self, version: str) -> None:
        text = catalog_text().replace("causemap-catalog: 1", f"causemap-catalog: {version}")
        with pytest.raises(CatalogError) as caught:
            loads_catalog(text, "x.yaml")
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.code == "unsupported-version"
        assert diagnostic.pointer == "/causemap-catalog"

    def test_version_1_0_is_format_1(self) -> None:
        text = catalog_text().replace("causemap-catalog: 1", "causemap-catalog: 1.0")
        assert loads_catalog(text).causemap_catalog == 1

    def test_unknown_key_lists_catalog_keys(self) -> None:
        with pytest.raises(CatalogError, match=r"unknown key 'colour'.*definition"):
            loads_catalog(catalog_text(ENTRY + "    colour: red\n"), "x.yaml")

    def test_duplicate_keys(self) -> None:
        with pytest.raises(CatalogError, match="already used by /entries/0"):
            loads_catalog(catalog_text(ENTRY + ENTRY))

    def test_duplicate_keys_come_with_the_other_errors(self) -> None:
        """A catalog with a wrong field reported its duplicate keys only once that field
        was fixed, on the next run."""
        checked = check_catalog(catalog_text(ENTRY + ENTRY + "    colour: red\n"), "x.yaml")
        codes = sorted((d.code, d.pointer) for d in checked.diagnostics)
        assert codes == [("duplicate-key", "/entries/1/key"), ("unknown-key", "/entries/1/colour")]
        duplicate = next(d for d in checked.diagnostics if d.code == "duplicate-key")
        assert (duplicate.file, duplicate.line) == ("x.yaml", ENTRY.count("\n") + 4)

    def test_duplicate_mapping_keys_come_with_the_other_errors(self) -> None:
        """Two 'name:' lines in one entry were reported alone, the wrong level only on
        the next run; the built catalog keeps each key's first value, never accepted."""
        entry = ENTRY.replace("process", "proces") + "    name: Again\n"
        checked = check_catalog(
            catalog_text(entry + ENTRY.replace("  - key:", "  - key: x\n    key:")), "x.yaml"
        )
        found = [(d.code, d.pointer, d.line) for d in checked.diagnostics]
        assert found == [
            ("invalid-value", "/entries/0/level", 7),
            ("duplicate-key", "/entries/0/name", 11),
            ("duplicate-key", "/entries/1/key", 14),
        ]
        assert checked.catalog is None

    def test_a_catalog_valid_but_for_a_duplicate_mapping_key_is_refused(self) -> None:
        with pytest.raises(CatalogError, match="duplicate key 'name'"):
            loads_catalog(catalog_text(ENTRY + "    name: Again\n"))

    def test_a_misspelt_extends_names_the_value_and_the_one_allowed(self) -> None:
        # It said pydantic's "input should be 'builtin'" [literal-error], not what was given.
        checked = check_catalog(catalog_text(head="extends: builtn\n"), "x.yaml")
        (diagnostic,) = checked.diagnostics
        assert diagnostic.code == "invalid-value"
        assert diagnostic.message == "expected builtin; got 'builtn' (did you mean 'builtin'?)"
        assert (diagnostic.line, diagnostic.pointer) == (3, "/extends")

    def test_a_null_item_is_called_null_once(self) -> None:
        # It said "expected a string, got null None".
        checked = check_catalog(catalog_text(ENTRY + "    examples: [null]\n"), "x.yaml")
        (diagnostic,) = checked.diagnostics
        assert diagnostic.pointer == "/entries/0/examples/0"
        assert diagnostic.message == "expected a string, got null"

    def test_yaml_syntax_error_is_located(self) -> None:
        checked = check_catalog("causemap-catalog: 1\nname: [\n", "bad.yaml")
        assert checked.diagnostics[0].code == "yaml-syntax"
        assert checked.diagnostics[0].line is not None

    @pytest.mark.parametrize("text", ["", "# nothing yet\n"])
    def test_empty_file_asks_for_a_catalog(self, text: str) -> None:
        (diagnostic,) = check_catalog(text, "empty.yaml").diagnostics
        assert diagnostic.code == "empty"
        assert diagnostic.message == (
            "document is empty; expected a catalog mapping (causemap-catalog, name, entries)"
        )

    def test_unreadable_file(self, tmp_path: Path) -> None:
        with pytest.raises(CatalogError, match="cannot read catalog"):
            load_catalog(tmp_path / "missing.yaml")

    def test_unknown_related_is_a_warning(self) -> None:
        checked = check_catalog(catalog_text(ENTRY + "    related: [nope]\n"))
        assert checked.ok
        assert [d.code for d in checked.diagnostics] == ["unknown-related"]


class TestWarnings:
    """A catalog that loads with warnings says so: the warnings are not dropped."""

    INCIDENT = """causemap: 1
id: warn
title: T
date: 2024-01-01
summary: s
nodes:
  - {id: c, kind: condition, label: An old feature flag was still read}
  - {id: i, kind: impact, label: Users saw errors, causes: [c]}
"""

    def test_loader_hands_warnings_over(self, tmp_path: Path) -> None:
        path = tmp_path / "mine.yaml"
        path.write_text(catalog_text(ENTRY + "    related: [nope]\n"))
        seen: list[Diagnostic] = []
        catalog = load_catalog(path, warn=seen.append)
        assert catalog.keys() == ["feature-flag-debt"]
        (warning,) = seen
        assert warning.format().startswith(f"{path}:11:15: warning: /entries/0/related/0:")

    def test_an_entry_with_only_a_name_and_definition_is_not_called_unmatchable(self) -> None:
        # The warning said no node could ever be matched to such an entry, but its name
        # and definition are part of its profile, and nodes are matched to it.
        from causemap.patterns import patterns
        from tests.conftest import make_incident

        bare = "\n  - {key: storms, name: Retry storm, definition: d, level: process, "
        bare += "class: systemic}"
        checked = check_catalog(catalog_text(ENTRY + bare + "\n"), "mine.yaml")
        assert checked.catalog is not None
        (warning,) = checked.diagnostics
        assert (warning.code, warning.pointer, warning.line) == (
            "unmatchable-entry",
            "/entries/1",
            12,
        )
        assert warning.message == (
            "entry 'storms' has no phrases, keywords or examples, so nodes are matched to "
            "it on its name and definition alone"
        )
        corpus = [
            make_incident(
                [
                    {"id": "c", "kind": "condition", "label": "A retry storm hit"},
                    {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["c"]},
                ],
                id=ident,
                date=date,
            )
            for ident, date in (("a", "2024-01-01"), ("b", "2024-02-01"))
        ]
        (factor,) = patterns(corpus, checked.catalog).factors
        assert (factor.key, factor.source) == ("storms", "catalog")

    def test_wording_with_no_word_causemap_reads_is_a_warning(self) -> None:
        # The matcher reads letters and digits: a keyword of punctuation alone can never
        # match, and nothing used to say so. Wording in another script is read.
        examples = "[証明書の期限切れ, Сертификат истёк, '→ ✗', A cert expired]"
        entry = ENTRY + f"    examples: {examples}\n"
        entry = entry.replace("keywords: [flag]", "keywords: [flag, 証明書, '!!!']")
        checked = check_catalog(catalog_text(entry), "mine.yaml")
        assert checked.ok
        (warning,) = checked.diagnostics
        assert warning.code == "unreadable-wording"
        assert (warning.pointer, warning.line) == ("/entries/0/keywords/2", 10)
        assert warning.message == (
            "entry 'feature-flag-debt': 2 of its keywords, phrases and examples have no "
            "letter or digit, the only words causemap matches, so they can never match: "
            "'!!!', '→ ✗'"
        )

    @pytest.mark.parametrize("command", ["suggest", "patterns"])
    def test_the_cli_prints_them_and_goes_on(self, tmp_path: Path, command: str) -> None:
        from click.testing import CliRunner

        from causemap.cli import cli

        incident = tmp_path / "warn.yaml"
        incident.write_text(self.INCIDENT)
        path = tmp_path / "mine.yaml"
        unmatchable = "\n  - {key: empty, name: E, definition: d, level: process, class: systemic}"
        path.write_text(catalog_text(ENTRY + "    related: [nope]" + unmatchable + "\n"))
        result = CliRunner().invoke(cli, [command, str(incident), "--catalog", str(path)])
        assert result.exit_code == 0, result.output
        assert f"{path}:11:15: warning: /entries/0/related/0: related key 'nope'" in result.stderr
        assert f"{path}:12:5: warning: /entries/1: entry 'empty' has no phrases" in result.stderr
        assert "warning" not in result.stdout

    @pytest.mark.parametrize(
        ("head", "ref", "hint"),
        [
            ("extends: builtin\n", "alerting-gpa", "; did you mean 'alerting-gap'?"),
            (
                "extends: builtin\n",
                "retry_storm_no_backoff",
                "; did you mean 'retry-storm-no-backoff'?",
            ),
            ("extends: builtin\n", "alerting-gaps", "; did you mean 'alerting-gap'?"),
            ("", "feature-flag-dept", "; did you mean 'feature-flag-debt'?"),  # its own entry
            ("extends: builtin\n", "kill-switch", ""),  # a word short: not called a typo
            ("extends: builtin\n", "http-4xx-spike", ""),
            ("", "alerting-gpa", ""),  # a catalog that replaces the built-in has no alerting-gap
        ],
    )
    def test_an_unknown_related_key_names_the_key_it_is_likely_a_typo_of(
        self, head: str, ref: str, hint: str
    ) -> None:
        """By the rule factor keys follow (causemap.typos): the warning named the unknown
        key but not the entry it was a typo of."""
        checked = check_catalog(catalog_text(ENTRY + f"    related: [{ref}]\n", head))
        (warning,) = checked.diagnostics
        assert (warning.code, warning.pointer) == ("unknown-related", "/entries/0/related/0")
        assert warning.message == f"related key '{ref}' is not an entry of this catalog{hint}"

    def test_the_cli_prints_the_hint(self, tmp_path: Path) -> None:
        from click.testing import CliRunner

        from causemap.cli import cli

        incident = tmp_path / "warn.yaml"
        incident.write_text(self.INCIDENT)
        path = tmp_path / "mine.yaml"
        related = "    related: [no-kill-swtich, feature-flag-debt]\n"
        path.write_text(catalog_text(ENTRY + related, "extends: builtin\n"))
        result = CliRunner().invoke(cli, ["suggest", str(incident), "--catalog", str(path)])
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines() == [
            f"{path}:12:15: warning: /entries/0/related/0: related key 'no-kill-swtich' is not "
            "an entry of this catalog; did you mean 'no-kill-switch'? [unknown-related]"
        ]


class TestMixedUp:
    """A catalog given where an incident belongs, or the other way round (an easy slip:
    the team keeps factors.yaml beside its incidents), says so in one line; it was nine
    or more errors about every key, with hints such as "did you mean 'causemap'?"."""

    @pytest.mark.parametrize("command", ["suggest", "patterns", "validate"])
    def test_a_catalog_given_as_an_incident(self, tmp_path: Path, command: str) -> None:
        from click.testing import CliRunner

        from causemap.cli import cli

        path = tmp_path / "factors.yaml"
        path.write_text(catalog_text(head="extends: builtin\n"))
        result = CliRunner().invoke(cli, [command, str(path)])
        assert result.exit_code == 1
        errors = [line for line in result.output.splitlines() if ": error: " in line]
        assert errors == [
            f"{path}:1:19: error: /causemap-catalog: this is a factor catalog, not an "
            "incident (suggest and patterns take a catalog with --catalog FILE) "
            "[catalog-not-incident]"
        ]

    def test_an_incident_given_as_the_catalog(self, tmp_path: Path) -> None:
        from click.testing import CliRunner

        from causemap.cli import cli

        incident = tmp_path / "warn.yaml"
        incident.write_text(TestWarnings.INCIDENT)
        result = CliRunner().invoke(cli, ["suggest", "--catalog", str(incident), str(incident)])
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{incident}:1:11: error: /causemap: this is an incident, not a factor catalog "
            "(causemap-catalog: 1); give incidents as arguments [incident-not-catalog]"
        ]


class TestReadme:
    def test_the_extend_sample_extends(self) -> None:
        # The catalog README tells users how to extend the built-in catalog: its sample
        # must do that, not replace it.
        text = (ROOT / "src" / "causemap" / "catalog" / "README.md").read_text()
        (sample,) = [
            block.split("```", 1)[0]
            for block in text.split("```yaml\n")[1:]
            if "extends: builtin" in block.split("```", 1)[0]
        ]
        lines = sample.splitlines()
        indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        catalog = loads_catalog("\n".join(line[indent:] for line in lines))
        assert catalog.keys()[:-1] == builtin_catalog().keys()
        assert catalog.keys()[-1] == "feature-flag-debt"
