"""`causemap analyze` and `causemap lint`: formats, thresholds, annotations, config."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from causemap.cli import cli
from tests.conftest import ROOT
from tests.test_bad_inputs import BASE

runner = CliRunner()
UNEXPLAINED = """causemap: 1
id: unexplained
title: Two impacts, one unexplained
date: 2024-03-01
nodes:
  - {id: canary, kind: condition, label: No canary stage for config pushes, level: process}
  - {id: push, kind: event, label: Bad config pushed to all regions, causes: [canary]}
  - {id: errors, kind: impact, label: API errors for 20 minutes, causes: [push]}
  - {id: billing, kind: impact, label: Billing double-charged}
actions:
  - {id: a1, title: Page the on-call on errors, type: detect, addresses: [push]}
"""
EXAMPLE = str(ROOT / "examples" / "database-failover.yaml")


class TestAnalyze:
    def test_text_report(self) -> None:
        result = runner.invoke(cli, ["analyze", EXAMPLE])
        assert result.exit_code == 0, result.output
        headings = (
            "Prevention",
            "Proximate: what happened (",
            "Systemic: why it could (",
            "Findings (",
            "Most leverage",
        )
        for heading in headings:
            assert heading in result.output
        assert "\x1b[" not in result.output  # no colour when not a terminal

    def test_text_report_keeps_node_ids_whole_and_counts_in_words(self) -> None:
        result = runner.invoke(cli, ["analyze", str(ROOT / "examples" / "retry-storm.yaml")])
        assert result.exit_code == 0, result.output
        assert "findings: 0 errors, 1 warning, 1 info" in result.output
        uncut = [line for line in result.output.splitlines() if "→" in line]
        assert uncut
        # A wrapped path breaks between ids, never inside a hyphenated one.
        assert not any(line.rstrip().endswith("-") for line in uncut)
        assert "logins-failed" in result.output

    def test_an_impact_with_no_cause_is_named_and_the_cut_claims_only_the_rest(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "unexplained.yaml"
        path.write_text(UNEXPLAINED)
        text = runner.invoke(cli, ["analyze", str(path)], env={"COLUMNS": "200"})
        assert text.exit_code == 0, text.output
        assert "billing has no cause yet: no action can prevent it" in text.output
        assert "to cut every other path, also act on: canary" in text.output
        assert "to cut every path" not in text.output
        assert "smallest sets of root factors" not in text.output
        markdown = runner.invoke(cli, ["render", str(path), "-f", "markdown"])
        assert markdown.exit_code == 0, markdown.output
        assert "No cause is linked to `billing` (Billing double-charged) yet" in markdown.output
        assert "Suggested cut, to cover every other remaining path: `canary`" in markdown.output

    def test_all_actions_together_when_both_kinds_exist(self) -> None:
        path = str(ROOT / "examples" / "certificate-expiry.yaml")
        result = runner.invoke(cli, ["analyze", path], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert "all actions together (12 actions): scenario prevented yes, every path cut yes" in (
            result.output
        )

    def test_no_all_actions_line_with_one_kind_of_action(self, tmp_path: Path) -> None:
        path = tmp_path / "detect-only.yaml"
        path.write_text(UNEXPLAINED)  # one detect action, no preventive one
        result = runner.invoke(cli, ["analyze", str(path)])
        assert "detect and mitigate (1 action)" in result.output
        assert "all actions together" not in result.output

    def test_json_follows_the_schema(self) -> None:
        result = runner.invoke(cli, ["analyze", "--format", "json", EXAMPLE])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        schema = json.loads((ROOT / "schemas" / "analysis.schema.json").read_text())
        jsonschema.Draft202012Validator(schema).validate(data)
        assert data["incident"] == "database-failover"
        assert data["nodes"]["zone-network-fault"]["class"] == "proximate"
        assert set(data["prevention"]) >= {
            "scenario_prevented",
            "all_paths_cut",
            "uncovered_paths",
            "suggested_cut",
            "depth_of_defence",
            "minimal_cut_sets",
        }

    def test_markdown_is_the_postmortem_section(self) -> None:
        result = runner.invoke(cli, ["analyze", "--format", "markdown", EXAMPLE])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("## Causal analysis")
        assert "```mermaid" in result.output

    def test_output_is_deterministic(self) -> None:
        first = runner.invoke(cli, ["analyze", "--format", "json", EXAMPLE]).output
        assert runner.invoke(cli, ["analyze", "--format", "json", EXAMPLE]).output == first

    def test_invalid_file_exits_1_with_diagnostics(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_text(BASE.replace("kind: impact", "kind: event"))
        result = runner.invoke(cli, ["analyze", str(bad)])
        assert result.exit_code == 1
        assert "no impact node" in result.output

    def test_config_file(self, tmp_path: Path) -> None:
        config = tmp_path / "words.yaml"
        config.write_text("language:\n  blame: {extend: ['rollout-happy']}\n")
        doc = tmp_path / "i.yaml"
        doc.write_text(
            BASE.replace(
                "A config change was pushed to every region", "A rollout-happy change was pushed"
            )
        )
        plain = runner.invoke(cli, ["analyze", "--format", "json", str(doc)])
        tuned = runner.invoke(
            cli, ["analyze", "--format", "json", "--config", str(config), str(doc)]
        )
        codes = [{f["code"] for f in json.loads(r.output)["findings"]} for r in (plain, tuned)]
        assert "BLAME_LANGUAGE" not in codes[0]
        assert "BLAME_LANGUAGE" in codes[1]

    def test_bad_config_names_the_file(self, tmp_path: Path) -> None:
        config = tmp_path / "c.yaml"
        config.write_text("language:\n  blam: []\n")
        result = runner.invoke(cli, ["analyze", "--config", str(config), EXAMPLE])
        assert result.exit_code == 1
        assert f"{config}" in result.output
        assert "unknown key 'blam'" in result.output
        assert f"{config}:2:3: error: /language/blam" in result.output

    @pytest.mark.parametrize(
        ("text", "where", "code"),
        [
            ("language: [\n", ":2:1:", "yaml-syntax"),
            ("language: &a {blame: *a}\n", ":1:22:", "recursive-alias"),
        ],
    )
    def test_unreadable_config_names_file_line_and_column(
        self, tmp_path: Path, text: str, where: str, code: str
    ) -> None:
        config = tmp_path / "c.yaml"
        config.write_text(text)
        result = runner.invoke(cli, ["analyze", "--config", str(config), EXAMPLE])
        assert result.exit_code == 1, result.output
        assert f"{config}{where} error:" in result.output
        assert f"[{code}]" in result.output
        assert "internal error" not in result.output

    @pytest.mark.parametrize("files", [0, 2])
    @pytest.mark.parametrize("command", ["analyze", "suggest"])
    def test_a_folder_is_a_usage_error(self, tmp_path: Path, command: str, files: int) -> None:
        for i in range(files):
            (tmp_path / f"{i}.yaml").write_text(BASE.replace("id: demo", f"id: d{i}"))
        result = runner.invoke(cli, [command, str(tmp_path)])
        assert result.exit_code == 2, result.output
        assert f"{command} takes one incident file; {tmp_path} is a folder" in result.output


# A config file that is wrong in one way, and the diagnostic it gets: file:line:col and code.
BAD_CONFIGS: dict[str, tuple[str | bytes, str, str]] = {
    "tab": ("language:\n\tblame: []\n", "2:1: error: ", "[yaml-syntax]"),
    "python-tag": (
        'proximate_action_share: !!python/object/apply:os.system ["echo PWNED"]\n',
        "1:25: error: /proximate_action_share: unsupported YAML tag",
        "[yaml-tag]",
    ),
    "undefined-alias": ("x: *a\n", "1:4: error: /x: alias *a has no anchor", "[undefined-alias]"),
    "utf-16": ("\ufeffexample_paths: 3\n".encode("utf-16"), "1:1: error: ", "[encoding]"),
    "extend-not-a-list": (
        "language:\n  blame: {extend: 5}\n",
        "2:19: error: /language/blame/extend: expected a list of phrases to add, got a number",
        "[wrong-type]",
    ),
    "duplicate-key": (
        "example_paths: 3\nexample_paths: 4\n",
        "2:1: error: /example_paths: duplicate key 'example_paths' (first defined on line 1)",
        "[duplicate-key]",
    ),
    "unknown-key": (
        "foo: 1\n",
        "1:1: error: /foo: unknown key 'foo'; expected one of: language, "
        "proximate_action_share, example_paths",
        "[unknown-key]",
    ),
    "unknown-language-key": (
        "language:\n  blam: []\n",
        "2:3: error: /language/blam: unknown key 'blam' (did you mean 'blame'?); expected one "
        "of: hindsight, blame,",
        "[unknown-key]",
    ),
    "top-level-list": ("- a\n", "1:1: error: expected a config mapping", "[wrong-type]"),
}


class TestBidirectionalMarks:
    """An override or isolate mark left open in a title, label or action title reorders
    what follows it on a terminal; the reports drop them, as the diagrams do."""

    def test_analyze_and_lint_show_no_marks(self, tmp_path: Path) -> None:
        doc = (
            BASE.replace("title: Demo incident", "title: Demo incident \u202eevil")
            .replace("The pipeline had no canary stage", "The pipeline \u2066had no canary")
            .replace("Add a canary stage", "Add a \u202ecanary stage")
        )
        assert doc.count("\u202e") == 2
        path = tmp_path / "bidi.yaml"
        path.write_text(doc, encoding="utf-8")
        text = runner.invoke(cli, ["analyze", str(path)])
        assert text.exit_code == 0, text.output
        assert "Demo incident evil  (demo," in text.output
        assert "The pipeline had no canary" in text.output
        data = json.loads(runner.invoke(cli, ["analyze", "--format", "json", str(path)]).output)
        messages = "".join(f["message"] + (f["rewrite"] or "") for f in data["findings"])
        assert "The pipeline had no canary" in messages
        lint = runner.invoke(cli, ["lint", str(path)]).output
        assert "The pipeline had no canary" in lint
        marks = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069"}
        assert not marks & set(text.output + messages + lint)
        assert "\\u20" not in lint


class TestConfig:
    @pytest.mark.parametrize("case", BAD_CONFIGS)
    def test_bad_config_is_located_and_exits_1(self, tmp_path: Path, case: str) -> None:
        text, where, code = BAD_CONFIGS[case]
        config = tmp_path / "c.yaml"
        config.write_bytes(text if isinstance(text, bytes) else text.encode())
        result = runner.invoke(cli, ["analyze", "--config", str(config), EXAMPLE])
        assert result.exit_code == 1, result.output
        (line,) = [line for line in result.output.splitlines() if line.startswith(str(config))]
        assert line.startswith(f"{config}:{where}"), line
        assert line.endswith(code), line

    @pytest.mark.parametrize(
        "command",
        [["analyze"], ["lint"], ["render", "-f", "dot"]],
        ids=["analyze", "lint", "render"],
    )
    def test_every_command_reads_it_safely(self, tmp_path: Path, command: list[str]) -> None:
        config = tmp_path / "c.yaml"
        config.write_text(str(BAD_CONFIGS["python-tag"][0]))
        result = runner.invoke(cli, [*command, "--config", str(config), EXAMPLE])
        assert result.exit_code == 1, result.output
        assert f"{config}:1:25: error: /proximate_action_share: unsupported YAML tag" in (
            result.output
        )

    def test_every_problem_is_reported_in_one_run(self, tmp_path: Path) -> None:
        # A wrong 'extend' in language: hid every other problem until it was fixed.
        config = tmp_path / "c.yaml"
        config.write_text(
            "language:\n  blame: {extend: [1]}\n  blam: []\n  hindsight: {extend: 5}\n"
            "proximate_action_share: 2\nexample_path: 3\n"
        )
        result = runner.invoke(cli, ["analyze", "--config", str(config), EXAMPLE])
        assert result.exit_code == 1, result.output
        lines = [line for line in result.output.splitlines() if line.startswith(str(config))]
        places = [line[len(str(config)) :].split(": ")[0:3:2] for line in lines]
        assert places == [
            [":2:20", "/language/blame/extend/0"],
            [":3:3", "/language/blam"],
            [":4:23", "/language/hindsight/extend"],
            [":5:25", "/proximate_action_share"],
            [":6:1", "/example_path"],
        ], result.output

    def test_missing_file(self, tmp_path: Path) -> None:
        config = tmp_path / "nope.yaml"
        result = runner.invoke(cli, ["analyze", "--config", str(config), EXAMPLE])
        assert result.exit_code == 1, result.output
        assert f"{config}: error: cannot read file: No such file or directory" in result.output

    @pytest.mark.parametrize("text", ["", "# only a comment\n", "~\n"])
    def test_empty_config_is_the_defaults(self, tmp_path: Path, text: str) -> None:
        config = tmp_path / "c.yaml"
        config.write_text(text)
        result = runner.invoke(cli, ["analyze", "--config", str(config), EXAMPLE])
        assert result.exit_code == 0, result.output


RANK = {"error": 0, "warning": 1, "info": 2}


class TestLint:
    def test_findings_come_most_severe_first_then_in_line_order(self) -> None:
        # GitLab's action items sit at the end of the file: their findings used to come
        # among the node findings, in the analysis's order.
        path = ROOT / "tests" / "data" / "corpus" / "gitlab-2017-01-31.yaml"
        result = runner.invoke(cli, ["lint", "--format", "json", str(path)])
        (report,) = json.loads(result.output)
        places = [(RANK[d["severity"]], d["line"], d["column"]) for d in report["findings"]]
        assert places == sorted(places)
        assert any(d["pointer"].startswith("/actions/") for d in report["findings"])
        text = runner.invoke(cli, ["lint", str(path)]).output.splitlines()[:-1]
        assert [line.split(": ")[2] for line in text] == [d["pointer"] for d in report["findings"]]

    def test_examples_pass_at_error_level(self) -> None:
        result = runner.invoke(cli, ["lint", str(ROOT / "examples")])
        assert result.exit_code == 0, result.output

    def test_the_summary_says_how_many_files_are_invalid(self, tmp_path: Path) -> None:
        # "2 files, 9 findings" counted a broken file's format errors as findings unsaid.
        (tmp_path / "ok.yaml").write_text((ROOT / "examples" / "retry-storm.yaml").read_text())
        (tmp_path / "bad.yaml").write_text("causemap: 1\nid: bad\nnodes: 3\n")
        result = runner.invoke(cli, ["lint", str(tmp_path)])
        assert result.exit_code == 1
        assert re.match(r"2 files \(1 invalid\), \d+ findings$", result.output.splitlines()[-1])
        result = runner.invoke(cli, ["lint", str(tmp_path / "ok.yaml")])
        assert re.match(r"1 file, \d+ findings?$", result.output.splitlines()[-1])

    def test_fail_on_warning(self) -> None:
        result = runner.invoke(cli, ["lint", "--fail-on", "warning", EXAMPLE])
        assert result.exit_code == 1
        assert "[PATHS_UNCUT]" in result.output

    def test_github_annotations_point_at_the_node_line(self, tmp_path: Path) -> None:
        doc = tmp_path / "i.yaml"
        doc.write_text(
            BASE.replace(
                "The pipeline had no canary stage",
                "'Human error: the pipeline had no canary stage'",
            )
        )
        result = runner.invoke(cli, ["lint", "--format", "github", str(doc)])
        assert result.exit_code == 1  # BLAME and STOPS_AT_HUMAN (error)
        lines = [line for line in result.output.splitlines() if "STOPS_AT_HUMAN" in line]
        assert lines == [
            f"::error file={doc},line=10,col=5,title=STOPS_AT_HUMAN::" + lines[0].split("::", 2)[2]
        ]

    def test_action_findings_point_at_the_action_line(self, tmp_path: Path) -> None:
        doc = tmp_path / "i.yaml"
        doc.write_text(
            BASE.replace(
                "    title: Add a canary stage that halts on error-rate increase\n"
                "    addresses: [no-canary]\n"
                "    owner: release-eng\n"
                "    due: 2024-04-01\n",
                "    title: Improve things\n    addresses: [no-canary]\n",
            )
        )
        result = runner.invoke(cli, ["lint", "--format", "github", "--fail-on", "info", str(doc)])
        found = {
            line.split("title=", 1)[1].split("::", 1)[0]: line.split(",", 2)[1]
            for line in result.output.splitlines()
            if "title=ACTION_" in line
        }
        # /actions/0 is on line 19; the node it addresses, /nodes/1, on line 10.
        assert found == {
            "ACTION_NO_OWNER": "line=19",
            "ACTION_NO_DUE": "line=19",
            "ACTION_VAGUE": "line=19",
        }, result.output

    @pytest.mark.parametrize("select", ["NOPE", ",", "OPEN_QUESTION,NOPE"])
    def test_unknown_select_code_is_a_usage_error(self, select: str) -> None:
        result = runner.invoke(cli, ["lint", "--select", select, EXAMPLE])
        assert result.exit_code == 2, result.output
        assert "known codes: ORPHAN_NODE, IMPACT_WITHOUT_CAUSE, TIME_ORDER," in result.output

    def test_select_and_json(self) -> None:
        result = runner.invoke(
            cli, ["lint", "--format", "json", "--select", "OPEN_QUESTION", EXAMPLE]
        )
        data = json.loads(result.output)
        assert [f["code"] for f in data[0]["findings"]] == ["OPEN_QUESTION"]
        assert data[0]["findings"][0]["line"] > 1


CLOSED_OPEN = """causemap: 1
id: closed-open
title: An action closed but still open
date: 2024-03-05
nodes:
  - {id: push, kind: event, label: A config change was pushed to every region, level: operator,
     evidence: [deploy log]}
  - {id: no-canary, kind: condition, label: The pipeline had no canary stage, level: technical,
     evidence: [pipeline file], causes: [priority]}
  - {id: priority, kind: factor, label: Release speed was rewarded over safety checks,
     level: organization, evidence: [goals]}
  - {id: outage, kind: impact, label: Checkout returned errors for 40 minutes,
     causes: [push, no-canary], evidence: [dashboard]}
actions:
  - {id: a1, title: Add a canary stage that halts on a 1% error-rate increase,
     addresses: [no-canary], owner: release-eng, due: 2024-04-01, closed: 2024-03-20}
  - {id: a2, title: Require a staged rollout for every config push over 10% of regions,
     addresses: [push], owner: release-eng, due: 2024-04-01}
  - {id: a3, title: Add rollout safety to the quarterly release-team goals,
     addresses: [priority], owner: vp-eng, due: 2024-04-01, type: process}
"""


class TestLintFormatWarnings:
    """Warnings of the format itself (closed-not-done, orphan-node) are lint findings too."""

    def test_a_format_warning_fails_fail_on_warning(self, tmp_path: Path) -> None:
        doc = tmp_path / "i.yaml"
        doc.write_text(CLOSED_OPEN)
        result = runner.invoke(cli, ["lint", "--fail-on", "warning", str(doc)])
        warnings = [line for line in result.output.splitlines() if ": warning: " in line]
        assert len(warnings) == 1, result.output
        assert "[closed-not-done]" in warnings[0]
        assert result.exit_code == 1, result.output
        passed = runner.invoke(cli, ["lint", str(doc)])
        assert passed.exit_code == 0, passed.output

    def test_select_leaves_out_the_format_warnings(self, tmp_path: Path) -> None:
        doc = tmp_path / "i.yaml"
        doc.write_text(CLOSED_OPEN)
        result = runner.invoke(
            cli, ["lint", "--fail-on", "warning", "--select", "SINGLE_CAUSE", str(doc)]
        )
        assert result.exit_code == 0, result.output
        assert "closed-not-done" not in result.output
        assert "[SINGLE_CAUSE]" in result.output

    def test_a_node_reaching_no_impact_is_one_finding_not_two(self, tmp_path: Path) -> None:
        doc = tmp_path / "i.yaml"
        doc.write_text(
            BASE.replace(
                "  - id: outage\n",
                "  - {id: stray, kind: condition, label: A note that leads nowhere}\n"
                "  - id: outage\n",
            )
        )
        result = runner.invoke(cli, ["lint", "--format", "json", str(doc)])
        findings = json.loads(result.output)[0]["findings"]
        about_stray = [f["code"] for f in findings if f["pointer"] == "/nodes/2"]
        assert about_stray.count("ORPHAN_NODE") + about_stray.count("orphan-node") == 1, findings


class TestPreventionReport:
    def test_uncut_paths_sit_under_the_preventive_line_not_under_all_actions(self) -> None:
        """The example paths and the suggested cut are those of the preventive actions; printed
        under "all actions together", whose paths are all cut, they contradicted it."""
        path = str(ROOT / "examples" / "certificate-expiry.yaml")
        result = runner.invoke(cli, ["analyze", path], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        start = lines.index("Prevention")
        preventive = next(i for i, x in enumerate(lines) if x.startswith("  preventive actions"))
        done = next(i for i, x in enumerate(lines) if x.startswith("  preventive, done"))
        detail = [i for i, x in enumerate(lines[start:], start) if x.startswith("    uncut:")]
        detail.append(
            lines.index(
                "    to cut every path, also act on: routes-depend-on-mesh, recovery-took-hours"
            )
        )
        assert all(preventive < i < done for i in detail), lines[start : start + 14]

    def test_prevention_sets_cut_short_say_how_many_more(self) -> None:
        """Five of the fifteen smallest sets were shown as if they were all of them."""
        path = str(ROOT / "examples" / "certificate-expiry.yaml")
        result = runner.invoke(cli, ["analyze", path], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert "{job-monitoring-exit-codes}; and 10 more" in text

    def test_one_node_is_counted_in_the_singular(self, tmp_path: Path) -> None:
        path = tmp_path / "one.yaml"
        path.write_text(
            "causemap: 1\nid: one\ntitle: One\ndate: 2024-01-01\n"
            "nodes:\n  - {id: o, kind: impact, label: Users saw errors}\n"
        )
        result = runner.invoke(cli, ["analyze", str(path)])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[1].startswith("1 node: 0 proximate,")

    def test_the_done_view_says_it_counts_preventive_actions_only(self) -> None:
        """database-failover has six done actions; "done so far (4 actions)" counted the four
        preventive ones without saying so, and the Markdown row did the same."""
        result = runner.invoke(cli, ["analyze", EXAMPLE])
        assert "\n  preventive, done so far (4 actions): scenario prevented" in result.output
        markdown = runner.invoke(cli, ["analyze", "--format", "markdown", EXAMPLE]).output
        assert "\n| Done so far (prevent and process actions) | yes |" in markdown

    def test_the_statement_heading_sits_over_the_statements(self) -> None:
        result = runner.invoke(cli, ["analyze", EXAMPLE])
        lines = result.output.splitlines()
        at = lines.index("Proximate: what happened (9)")
        heading, first = lines[at + 1], lines[at + 2]
        assert first.index("A fault in the cloud") == heading.index("statement, and why")


class TestStatementTable:
    LONG = "the-pipeline-had-no-canary-stage-for-config-pushes-anywhere"

    def test_long_ids_and_rules_keep_the_statements_in_one_column(self, tmp_path: Path) -> None:
        """An id over 40 characters, or the rule contributing-factor (21 > 19), pushed its
        statement to the right of the column the heading and the other rows use."""
        path = tmp_path / "long.yaml"
        path.write_text(
            "causemap: 1\nid: long\ntitle: Long ids\ndate: 2024-01-01\nnodes:\n"
            f"  - {{id: {self.LONG}, kind: condition, label: No canary stage, level: process}}\n"
            "  - {id: budget, kind: factor, label: No budget for tooling, level: organization}\n"
            "  - {id: ops, kind: condition, label: Pushes were manual, level: process}\n"
            f"  - {{id: push, kind: event, label: Bad push, causes: [{self.LONG}, budget, ops]}}\n"
            "  - {id: out, kind: impact, label: Errors, causes: [push]}\n"
        )
        result = runner.invoke(cli, ["analyze", str(path)])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        at = lines.index("Systemic: why it could (3)")
        table = lines[at : lines.index("", at)]
        heading = table[1]
        column = heading.index("statement, and why")
        for label in ("No canary stage", "No budget for tooling", "Pushes were manual"):
            (line,) = [x for x in table if label in x]
            assert line.index(label) == column, "\n".join(table)
        rule = heading.index("rule")
        for name in ("latent-condition", "contributing-factor"):
            found = [x for x in table if f" {name} " in x]
            assert found, "\n".join(table)
            assert all(x.index(name) == rule for x in found), "\n".join(table)
        assert f"  {self.LONG}" in table
        assert max(len(x) for x in table) <= 100


class TestFindingsReport:
    def test_a_finding_about_more_than_four_actions_says_there_are_more(
        self, tmp_path: Path
    ) -> None:
        """The text showed four of six actions with no mark that two were left out."""
        action = (
            "{{id: a{0}, title: Block config pushes at peak, addresses: [push], owner: x, "
            "due: 2024-02-01}}"
        )
        path = tmp_path / "proximate.yaml"
        path.write_text(
            "causemap: 1\nid: prox\ntitle: Prox\ndate: 2024-01-01\nnodes:\n"
            "  - {id: no-canary, kind: condition, label: No canary stage, level: process}\n"
            "  - {id: push, kind: event, label: Config pushed, causes: [no-canary]}\n"
            "  - {id: out, kind: impact, label: Errors, causes: [push]}\nactions:\n"
            + "".join(f"  - {action.format(i)}\n" for i in range(1, 7))
        )
        result = runner.invoke(cli, ["analyze", str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert "none is systemic [push, a1, a2, a3, a4…] ask:" in text, result.output


class TestReadmeExcerpt:
    def test_the_readme_analyze_excerpt_is_real_output(self) -> None:
        """Every line the README shows of `causemap analyze` is printed, in that order,
        and lines shown one after the other are printed one after the other; '...'
        stands for lines left out."""
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        command = "$ causemap analyze examples/database-failover.yaml\n"
        shown = readme.split(command, 1)[1].split("```", 1)[0].splitlines()
        result = runner.invoke(cli, ["analyze", EXAMPLE])
        assert result.exit_code == 0, result.output
        printed = result.output.splitlines()
        at, elided = 0, True
        for line in shown:
            if line.strip() == "...":
                elided = True
                continue
            if elided:
                assert line in printed[at:], f"not printed (in this order): {line!r}"
                at = printed.index(line, at)
            else:
                assert printed[at : at + 1] == [line], f"not the next line printed: {line!r}"
            at, elided = at + 1, False


class TestAnalyzeMarkdownLimits:
    def test_a_diagram_over_the_cap_is_left_out_and_the_rest_is_written(
        self, tmp_path: Path
    ) -> None:
        """The Markdown section holds a diagram; an incident too large to draw still gets
        its factors, findings and coverage, with a line saying why the diagram is absent."""
        lines = ["causemap: 1", "id: big", "title: Big", "date: 2024-01-01", "nodes:"]
        lines.append("  - {id: n0, kind: event, label: S0}")
        lines += [
            f"  - {{id: n{i}, kind: event, label: S{i}, causes: [n{i - 1}]}}"
            for i in range(1, 1001)
        ]
        lines.append("  - {id: end, kind: impact, label: I, causes: [n1000]}")
        path = tmp_path / "big.yaml"
        path.write_text("\n".join(lines) + "\n")
        for command in (["analyze", "--format", "markdown"], ["render", "-f", "markdown"]):
            result = runner.invoke(cli, [*command, str(path)])
            assert result.exit_code == 0, result.output
            assert "_The diagram is left out: the diagram would have 1,002 nodes" in result.output
            assert "```mermaid" not in result.output
            assert "### Findings" in result.output
        # The diagram formats themselves still refuse, naming the file.
        dot = runner.invoke(cli, ["render", "-f", "mermaid", str(path)])
        assert dot.exit_code == 1
        assert f"{path}: error: the diagram would have 1,002 nodes" in dot.output
