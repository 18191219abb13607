"""``causemap render``: formats, destinations, views, exit codes and messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from causemap.cli import cli
from causemap.cli.render import FORMAT_NAMES
from causemap.loader import dump
from causemap.render import FORMATS
from tests.conftest import EXAMPLES
from tests.render_fixtures import densely_linked, long_labelled_chain
from tests.test_bad_inputs import BASE

runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def two_incidents(tmp_path: Path) -> tuple[Path, Path]:
    """a.yaml and b.yaml: the same incident under the ids demo and other."""
    return write(tmp_path, "a.yaml", BASE), write(
        tmp_path, "b.yaml", BASE.replace("id: demo", "id: other")
    )


def test_format_names_match_the_registry() -> None:
    assert list(FORMAT_NAMES) == list(FORMATS)


class TestOutputs:
    def test_one_input_text_format_goes_to_stdout(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        result = runner.invoke(cli, ["render", str(path), "-f", "mermaid"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("flowchart LR\n")

    def test_dash_is_stdout_and_stdin_works(self) -> None:
        result = runner.invoke(cli, ["render", "-", "-f", "dot", "-o", "-"], input=BASE)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("digraph incident {")

    def test_format_follows_the_output_suffix(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        out = tmp_path / "deep" / "x.md"
        result = runner.invoke(cli, ["render", str(path), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert result.output == f"wrote {out}\n"
        assert out.read_text(encoding="utf-8").startswith("## Causal analysis\n")

    def test_several_inputs_go_to_a_folder_by_incident_id(self, tmp_path: Path) -> None:
        a, b = two_incidents(tmp_path)
        out = tmp_path / "out"
        result = runner.invoke(cli, ["render", str(a), str(b), "-f", "json", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == ["demo.json", "other.json"]

    def test_a_folder_of_one_incident_goes_to_a_folder(self, tmp_path: Path) -> None:
        """-o named a file when the folder held one incident and a folder from the second
        on, when the file then in the way made it a usage error."""
        (tmp_path / "in").mkdir()
        write(tmp_path / "in", "a.yaml", BASE)
        out = tmp_path / "out"
        result = runner.invoke(cli, ["render", str(tmp_path / "in"), "-f", "json", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert [p.name for p in out.iterdir()] == ["demo.json"]

    def test_several_inputs_need_a_folder(self, tmp_path: Path) -> None:
        a, b = two_incidents(tmp_path)
        result = runner.invoke(cli, ["render", str(a), str(b), "-f", "dot"])
        assert result.exit_code == 2
        assert "several inputs: write them to a folder with -o DIR" in result.output
        result = runner.invoke(cli, ["render", str(a), str(b), "-o", str(a)])
        assert result.exit_code == 2
        assert "not a folder" in result.output

    def test_several_text_outputs_may_share_stdout(self, tmp_path: Path) -> None:
        a, b = two_incidents(tmp_path)
        result = runner.invoke(cli, ["render", str(a), str(b), "-f", "markdown", "-o", "-"])
        assert result.exit_code == 0, result.output
        assert result.output.count("## Causal analysis") == 2

    @pytest.mark.parametrize("fmt", ["svg", "json", "mermaid"])
    def test_documents_that_do_not_concatenate_never_share_stdout(
        self, tmp_path: Path, fmt: str
    ) -> None:
        # Two SVG or JSON documents, or two Mermaid diagrams, end to end are not one.
        a, b = two_incidents(tmp_path)
        result = runner.invoke(cli, ["render", str(a), str(b), "-f", fmt, "-o", "-"])
        assert result.exit_code == 2
        assert f"several {fmt} documents cannot share one standard output" in result.output
        assert "use -o DIR" in result.output

    def test_dot_graphs_may_share_stdout(self, tmp_path: Path) -> None:
        # dot reads every graph of a stream: 'causemap render a b -f dot | dot -Tsvg -O'.
        a, b = two_incidents(tmp_path)
        result = runner.invoke(cli, ["render", str(a), str(b), "-f", "dot", "-o", "-"])
        assert result.exit_code == 0, result.output
        assert result.output.count("digraph") == 2

    def test_binary_never_to_a_terminal(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        code = (
            "import sys; from causemap.cli import cli; sys.stdout.isatty = lambda: True; "
            f"cli.main(['render', {str(path)!r}, '-f', 'png'], prog_name='causemap')"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 2
        assert "refusing to write binary png to a terminal" in done.stderr

    def test_unknown_format_is_a_usage_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        assert runner.invoke(cli, ["render", str(path), "-f", "gif"]).exit_code == 2


class TestMermaidLimits:
    """GitHub and GitLab show an error box for Mermaid past 50,000 characters or 500
    links: the Markdown section leaves such a diagram out, and -f mermaid warns."""

    def test_mermaid_is_written_whole_with_a_warning(self, tmp_path: Path) -> None:
        path = write(tmp_path, "long.json", dump(long_labelled_chain(), "json"))
        result = runner.invoke(cli, ["render", str(path), "-f", "mermaid"])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("flowchart LR\n")
        assert result.stdout.count("-->") == 120  # every link, none cut
        size = len(result.stdout)  # all of it within the Basic Multilingual Plane
        assert size > 50_000
        assert result.stderr == (
            f"{path}: warning: its Mermaid text is {size:,} characters long; GitHub and GitLab "
            "draw Mermaid diagrams of at most 50,000 characters and 500 links (Mermaid's "
            "defaults) and show an error box in place of a larger one; -f svg draws it\n"
        )

    def test_too_many_links_are_warned_of_when_written_to_a_file(self, tmp_path: Path) -> None:
        path = write(tmp_path, "dense.json", dump(densely_linked(), "json"))
        out = tmp_path / "dense.mmd"
        result = runner.invoke(cli, ["render", str(path), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert f"{path}: warning: its Mermaid text has 540 links; " in result.stderr
        assert out.read_text(encoding="utf-8").count(" --> ") == 540

    def test_markdown_leaves_the_diagram_out_and_says_why(self, tmp_path: Path) -> None:
        path = write(tmp_path, "dense.json", dump(densely_linked(), "json"))
        result = runner.invoke(cli, ["render", str(path), "-f", "markdown"])
        assert result.exit_code == 0, result.output
        assert "```mermaid" not in result.stdout
        assert "_The diagram is left out: its Mermaid text has 540 links; " in result.stdout
        assert "`causemap render -f svg`" in result.stdout
        assert result.stderr == ""


class TestViews:
    def test_view_options_reach_the_renderer(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        result = runner.invoke(
            cli,
            ["render", str(path), "-f", "dot", "--lanes", "level", "--actions", "--no-legend"],
        )
        assert result.exit_code == 0, result.output
        assert 'rankdir="TB"' in result.output
        assert "cluster_lane0" in result.output
        assert "OPEN · prevent · a1" in result.output
        assert "cluster_legend" not in result.output

    def test_direction_and_edge_labels(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        result = runner.invoke(
            cli, ["render", str(path), "-f", "mermaid", "--direction", "TB", "--no-edge-labels"]
        )
        assert result.output.startswith("flowchart TB\n")

    def test_focus_on_an_unknown_node_is_a_usage_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        result = runner.invoke(cli, ["render", str(path), "-f", "dot", "--focus", "psuh"])
        assert result.exit_code == 2
        assert "no node 'psuh' in incident 'demo' (did you mean 'push'?)" in result.output
        bad = runner.invoke(cli, ["render", str(path), "--focus", "Not An Id"])
        assert bad.exit_code == 2
        assert "'Not An Id' is not a node id" in bad.output

    def test_focus_missing_from_one_of_several_inputs_writes_nothing(self, tmp_path: Path) -> None:
        # 'push' is in a.yaml, not in b.yaml: a.yaml's diagram was written, then the
        # usage error came (exit 2) with the folder half written.
        write(tmp_path, "a.yaml", BASE)
        write(tmp_path, "b.yaml", BASE.replace("id: demo", "id: other").replace("push", "deploy"))
        out = tmp_path / "out"
        for inputs in ([str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")], [str(tmp_path)]):
            result = runner.invoke(
                cli, ["render", *inputs, "-f", "mermaid", "--focus", "push", "-o", str(out)]
            )
            assert result.exit_code == 2, result.output
            assert "no node 'push' in incident 'other'" in result.output
            assert "wrote" not in result.output
            assert not out.exists()

    def test_focus_keeps_the_neighbourhood(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        result = runner.invoke(cli, ["render", str(path), "-f", "mermaid", "--focus", "push"])
        assert result.exit_code == 0, result.output
        assert "no_canary" not in result.output
        assert "push --> outage" in result.output


class TestErrors:
    def test_invalid_input_prints_diagnostics_and_exits_1(self, tmp_path: Path) -> None:
        good = write(tmp_path, "good.yaml", BASE.replace("id: demo", "id: good"))
        bad = write(tmp_path, "bad.yaml", BASE.replace("kind: condition", "kind: conditon"))
        out = tmp_path / "out"
        result = runner.invoke(cli, ["render", str(good), str(bad), "-f", "dot", "-o", str(out)])
        assert result.exit_code == 1
        assert f"{bad}:11:11: error: /nodes/1/kind" in result.output
        assert (out / "good.dot").exists()
        assert "Traceback" not in result.output

    def test_an_unknown_suffix_is_a_usage_error_not_svg_in_disguise(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        out = tmp_path / "diagram.jpg"
        result = runner.invoke(cli, ["render", str(path), "-o", str(out)])
        assert result.exit_code == 2, result.output
        assert "no output format has the suffix '.jpg'" in result.output
        assert not out.exists()
        # Named explicitly, the format wins.
        assert runner.invoke(cli, ["render", str(path), "-o", str(out), "-f", "dot"]).exit_code == 0
        assert out.read_text().startswith("digraph")

    @pytest.mark.parametrize(
        "body",
        [
            'cat >/dev/null; echo "Error: syntax error" >&2; exit 1',
            'cat >/dev/null; echo "<svg><script>x</script></svg>"',
        ],
        ids=["dot-fails", "unsafe-svg"],
    )
    def test_a_failed_drawing_names_the_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
    ) -> None:
        # With several inputs, 'Graphviz dot failed' or 'rendered SVG refused' named none.
        fake = tmp_path / "bin"
        fake.mkdir()
        (fake / "dot").write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (fake / "dot").chmod(0o755)
        monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
        a, b = two_incidents(tmp_path)
        out = tmp_path / "out"
        result = runner.invoke(cli, ["render", str(a), str(b), "-f", "svg", "-o", str(out)])
        assert result.exit_code == 3, result.output
        assert f"causemap: error: {a}: " in result.output
        assert "Traceback" not in result.output

    @pytest.mark.parametrize(
        "fail",
        ['echo "Error: syntax error" >&2; exit 1', "kill -9 $$"],
        ids=["dot-fails", "dot-killed"],
    )
    def test_a_failed_drawing_does_not_stop_the_other_inputs(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail: str
    ) -> None:
        # One input that dot could not draw (or that ran out of time) used to stop the
        # run with exit 3, leaving the inputs after it undrawn.
        fake = tmp_path / "bin"
        fake.mkdir()
        script = (
            f'#!/bin/sh\ninput=$(cat)\ncase "$input" in *POISON*) {fail};; esac\n'
            f'printf "%s" "$input" | exec /usr/bin/dot "$@"\n'
        )
        (fake / "dot").write_text(script, encoding="utf-8")
        (fake / "dot").chmod(0o755)
        monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
        a = write(tmp_path, "a.yaml", BASE)
        b = write(tmp_path, "b.yaml", BASE.replace("id: demo", "id: b").replace("Demo", "POISON"))
        c = write(tmp_path, "c.yaml", BASE.replace("id: demo", "id: c"))
        bad = write(tmp_path, "d.yaml", BASE.replace("id: demo", "id: d").replace("event", "evnt"))
        out = tmp_path / "out"
        args = ["render", str(a), str(b), str(c), str(bad), "-f", "svg", "-o", str(out)]
        result = runner.invoke(cli, args)
        assert result.exit_code == 3, result.output  # the worst: environment beats input
        assert f"causemap: error: {b}: " in result.output
        assert f"{bad}:7:11: error: /nodes/0/kind" in result.output
        assert sorted(p.name for p in out.iterdir()) == ["c.svg", "demo.svg"]
        assert "Traceback" not in result.output

    def test_missing_graphviz_still_reports_invalid_inputs(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The first valid input raised 'not found' and the run ended there: an invalid
        # input after it was never reported.
        monkeypatch.setenv("PATH", str(tmp_path))
        a = write(tmp_path, "a.yaml", BASE)
        bad = write(tmp_path, "b.yaml", BASE.replace("id: demo", "id: b").replace("event", "evnt"))
        c = write(tmp_path, "c.yaml", BASE.replace("id: demo", "id: c"))
        out = tmp_path / "out"
        result = runner.invoke(cli, ["render", str(a), str(bad), str(c), "-o", str(out)])
        assert result.exit_code == 3, result.output
        assert f"{bad}:7:11: error: /nodes/0/kind" in result.output
        assert result.output.count("Graphviz 'dot' was not found on PATH") == 1
        assert "Traceback" not in result.output

    def test_limit_exceeded_names_the_file(self, tmp_path: Path) -> None:
        nodes = (
            "".join(f"  - {{id: e{i}, kind: event, label: E{i}}}\n" for i in range(1001))
            + "  - {id: i, kind: impact, label: I, causes: [e0]}\n"
        )
        doc = "causemap: 1\nid: big\ntitle: Big\ndate: 2024-01-01\nnodes:\n" + nodes
        path = write(tmp_path, "big.yaml", doc)
        result = runner.invoke(cli, ["render", str(path), "-f", "dot"])
        assert result.exit_code == 1
        assert f"{path}: error: the diagram would have 1,002 nodes" in result.output

    def test_missing_graphviz_exits_3(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        monkeypatch.setenv("PATH", str(tmp_path))
        result = runner.invoke(cli, ["render", str(path), "-f", "svg"])
        assert result.exit_code == 3
        assert "Graphviz 'dot' was not found on PATH" in result.output
        assert runner.invoke(cli, ["render", str(path), "-f", "dot"]).exit_code == 0


@pytest.mark.dot
class TestWithGraphviz:
    @pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
    def test_every_example_renders(self, tmp_path: Path, fmt: str) -> None:
        result = runner.invoke(
            cli, ["render", str(EXAMPLES[0].parent), "-f", fmt, "-o", str(tmp_path)]
        )
        assert result.exit_code == 0, result.output
        assert len(list(tmp_path.glob(f"*.{fmt}"))) == len(EXAMPLES)


def test_help_loads_no_renderer_and_no_networkx() -> None:
    # Lazy imports keep --help and every start-up fast; bench/bench_render.py times it.
    code = (
        "import sys; from causemap.cli import cli\n"
        "try:\n    cli.main(['--help'], prog_name='causemap')\nexcept SystemExit:\n    pass\n"
        "print('causemap.render' in sys.modules, 'networkx' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stderr.split() == ["False", "False"], done.stderr
