"""DOT source: whitelisted attributes, escaping, the views, determinism and golden files."""

from __future__ import annotations

import re
import subprocess

import pytest

from causemap.analyses import analyze
from causemap.graph import to_graph
from causemap.loader import load
from causemap.model import Incident
from causemap.render import style
from causemap.render.dot import ATTRIBUTES, EscString, escape, label, to_dot
from causemap.render.options import RenderOptions
from tests.conftest import EXAMPLES, ROOT, contrast, make_incident
from tests.render_fixtures import GOLDEN, golden_cases, golden_output, stub_analysis
from tests.test_render_view import shuffled

_ATTR = re.compile(r'(?:\[|, )([A-Za-z0-9_]+)="')
_STATEMENT = re.compile(
    r"^\s*(?:subgraph cluster_\w+ \{|\{rank=same;[ \w;]*\}|\}|(\w+)(?: -> (\w+))?(?: \[.*\])?;)$"
)


def attribute_names(source: str) -> set[str]:
    return set(_ATTR.findall(source))


def node_line(source: str, key: str) -> str:
    return next(line for line in source.splitlines() if line.strip().startswith(f"{key} ["))


class TestEscape:
    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            ('a "quoted" word', 'a \\"quoted\\" word'),
            ("\\N \\G \\L \\l \\r", "\\\\N \\\\G \\\\L \\\\l \\\\r"),
            ("trailing \\", "trailing \\\\"),
            ('\\"', '\\\\\\"'),
        ],
    )
    def test_quotes_and_backslashes(self, raw: str, escaped: str) -> None:
        assert escape(raw) == escaped

    def test_label_joins_escaped_lines_with_our_own_breaks(self) -> None:
        assert label(['say "hi"', "\\n"]) == EscString('say \\"hi\\"\\n\\\\n')
        assert label(["a", "b"], left=True) == EscString("a\\lb\\l")


class TestWhitelist:
    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_every_view_uses_only_whitelisted_attributes(self, path: object) -> None:
        G = to_graph(load(path))  # type: ignore[arg-type]
        analysis = stub_analysis(G)
        for options in (
            RenderOptions(),
            RenderOptions(lanes="level", actions=True, highlight="uncovered"),
            RenderOptions(direction="TB", legend=False, edge_labels=False),
        ):
            source = to_dot(G, options, analysis)
            assert attribute_names(source) <= ATTRIBUTES
            assert not {"image", "shapefile", "URL", "href", "stylesheet", "id"} & ATTRIBUTES

    def test_every_statement_names_generated_nodes(self, chain: Incident) -> None:
        source = to_dot(to_graph(chain), RenderOptions(actions=True, lanes="level"))
        for line in source.splitlines()[1:-1]:
            match = _STATEMENT.match(line)
            assert match, line
            for name in filter(None, match.groups()):
                assert re.fullmatch(r"graph|node|edge|n\d+|a\d+|legend\d+|lanesep\d+", name)

    def test_labels_are_quoted_strings_never_html(self, chain: Incident) -> None:
        source = to_dot(to_graph(chain), RenderOptions(actions=True))
        assert "label=<" not in source
        assert len(re.findall(r'label="', source)) == source.count("label=")


class TestViews:
    def test_flows_left_to_right_by_default_and_top_down_with_lanes(self, chain: Incident) -> None:
        G = to_graph(chain)
        assert 'rankdir="LR"' in to_dot(G)
        assert 'rankdir="TB"' in to_dot(G, RenderOptions(lanes="level"))
        assert 'rankdir="LR"' in to_dot(G, RenderOptions(lanes="level", direction="LR"))

    def test_legend_columns_follow_the_longest_chain_through_a_shortcut(self) -> None:
        # b → c → a plus the shortcut b → a: three ranks, so the four-item legend is
        # stacked in two columns; counting the ranks once crashed on the shortcut.
        incident = make_incident(
            [
                {"id": "a", "kind": "impact", "label": "A", "causes": ["b", "c"]},
                {"id": "b", "kind": "event", "label": "B"},
                {"id": "c", "kind": "condition", "label": "C", "causes": ["b"]},
            ]
        )
        source = to_dot(to_graph(incident))
        assert "{rank=same; legend0; legend1;}" in source
        assert "legend0 -> legend2" in source

    def test_shapes_by_kind_and_fills_by_class(self, chain: Incident) -> None:
        G = to_graph(chain)
        source = to_dot(G, analysis=stub_analysis(G))
        assert 'shape="ellipse"' in node_line(source, "n0")  # no-canary: condition
        assert 'fillcolor="#80B9DF"' in node_line(source, "n0")  # systemic blue
        assert 'shape="doubleoctagon"' in node_line(source, "n1")  # outage: impact
        assert 'style="filled,rounded"' in node_line(source, "n2")  # push: event
        assert 'fillcolor="#FCE8C2"' in node_line(source, "n2")  # proximate orange

    def test_finding_markers_on_nodes_and_edges(self, chain: Incident) -> None:
        G = to_graph(chain)
        source = to_dot(G, analysis=stub_analysis(G))
        assert 'label="⚠ warning: STUB_WARNING\\nNo canary stage"' in node_line(source, "n0")
        assert re.search(r'n0 -> n3 \[label="⚠ error: STUB_ERROR\\n', source)

    def test_lanes_are_ordered_clusters_with_invisible_separators(self, chain: Incident) -> None:
        source = to_dot(to_graph(chain), RenderOptions(lanes="level"))
        titles = re.findall(r'subgraph cluster_lane\d+ \{\n    graph \[.*label="(\w[^"]*)"', source)
        assert titles == ["Process", "Operator", "No level given", "Impact"]
        assert 'n0 -> lanesep0 [style="invis"];' in source
        assert 'lanesep0 -> n2 [style="invis"];' in source

    def test_an_effect_in_a_higher_lane_does_not_reorder_the_lanes(self) -> None:
        incident = make_incident(
            [
                {"id": "t", "kind": "event", "label": "T", "level": "technical"},
                {"id": "o", "kind": "event", "label": "O", "level": "organization"},
                {"id": "i", "kind": "impact", "label": "I", "causes": ["t", "o"]},
            ],
            edges=[{"from": "t", "to": "o"}],
        )
        source = to_dot(to_graph(incident), RenderOptions(lanes="level"))
        assert 'n2 -> n1 [constraint="false"];' in source  # t (technical) -> o (organization)
        assert "n1 -> n0;" in source  # o -> i flows downward: no attributes needed

    def test_actions_are_notes_done_solid_open_dashed(self, chain: Incident) -> None:
        data = chain.model_dump(by_alias=True)
        data["actions"].append({"id": "a2", "title": "Done one", "addresses": ["push"]})
        data["actions"][1]["status"] = "done"
        source = to_dot(to_graph(Incident.model_validate(data)), RenderOptions(actions=True))
        assert re.search(r'a0 \[.*label="OPEN · prevent · a1\\lAdd a canary stage\\l"', source)
        assert 'style="filled,dashed"' in node_line(source, "a0")
        assert 'style="filled,solid"' in node_line(source, "a1")
        assert 'a0 -> n0 [arrowhead="none", color="#555555", style="dotted"];' in source

    def test_highlight_uncovered(self, chain: Incident) -> None:
        G = to_graph(chain)
        source = to_dot(G, RenderOptions(highlight="uncovered"), stub_analysis(G))
        assert 'n2 -> n3 [color="#D55E00", penwidth="3"]' in source
        assert re.search(r'n0 -> n3 \[color="#858585"', source)
        assert 'color="#D55E00"' in node_line(source, "n2")
        assert "heavy vermillion: a path no preventive action cuts" in source

    def test_highlight_legend_names_the_preventive_actions(self) -> None:
        """The heavy paths are those no preventive action cuts; in certificate-expiry the
        mitigations cut every one of them, so "a path no action cuts" was false."""
        incident = load(ROOT / "examples" / "certificate-expiry.yaml")
        G = to_graph(incident)
        analysis = analyze(incident)
        assert analysis.prevention.combined.all_paths_cut
        source = to_dot(G, RenderOptions(highlight="uncovered"), analysis)
        assert "heavy vermillion: a path no preventive action cuts" in source
        assert "no action cuts" not in source

    def test_highlight_without_analysis_draws_nothing_special(self, chain: Incident) -> None:
        G = to_graph(chain)
        assert to_dot(G, RenderOptions(highlight="uncovered")) == to_dot(G)

    def test_focus_node_is_heavy(self, chain: Incident) -> None:
        source = to_dot(to_graph(chain), RenderOptions(focus="spread"))
        assert 'penwidth="4"' in node_line(source, "n3")
        assert "heavy border: the node in focus" in source  # the legend says what it means
        assert "heavy border" not in to_dot(to_graph(chain))

    def test_or_gate_inputs_have_hollow_arrowheads(self) -> None:
        incident = make_incident(
            [
                {"id": "a", "kind": "event", "label": "A"},
                {"id": "b", "kind": "event", "label": "B"},
                {"id": "i", "kind": "impact", "label": "I", "causes": ["a", "b"], "gate": "or"},
            ]
        )
        source = to_dot(to_graph(incident))
        assert source.count('[arrowhead="empty"]') == 2
        assert "hollow arrowhead: any one cause suffices" in source

    def test_legend_lists_only_what_is_drawn(self, chain: Incident) -> None:
        G = to_graph(chain)
        plain = to_dot(G)
        assert 'label="event"' in plain
        assert 'label="factor"' not in plain
        assert "proximate" not in plain
        assert "cluster_legend" not in to_dot(G, RenderOptions(legend=False))
        assert 'label="proximate\\n(what happened)"' in to_dot(G, analysis=stub_analysis(G))

    @pytest.mark.parametrize(
        ("size", "expected"),
        [
            (100, []),
            (250, ['mclimit="0.5"', 'nslimit="4"', 'nslimit1="4"']),
            (400, ['mclimit="0.2"', 'nslimit="2"', 'nslimit1="2"', 'searchsize="20"']),
        ],
    )
    def test_effort_limits_grow_with_the_graph(self, size: int, expected: list[str]) -> None:
        nodes: list[dict[str, object]] = [
            {"id": f"e{i}", "kind": "event", "label": f"E{i}", "causes": [f"e{i - 1}"] if i else []}
            for i in range(size - 1)
        ]
        nodes.append({"id": "i", "kind": "impact", "label": "I", "causes": [f"e{size - 2}"]})
        graph_line = to_dot(to_graph(make_incident(nodes))).splitlines()[1]
        assert all(part in graph_line for part in expected)
        if not expected:
            assert "nslimit" not in graph_line
            assert "mclimit" not in graph_line


class TestDeterminism:
    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_shuffled_input_gives_identical_dot(self, path: object) -> None:
        incident = load(path)  # type: ignore[arg-type]
        options = RenderOptions(actions=True, lanes="level", highlight="uncovered")
        G = to_graph(incident)
        expected = to_dot(G, options, stub_analysis(G))
        for seed in (1, 2):
            H = to_graph(shuffled(incident, seed))
            assert to_dot(H, options, stub_analysis(H)) == expected


@pytest.mark.dot
class TestGraphvizReadsIt:
    def test_escaped_labels_render_as_literal_text(self) -> None:
        incident = make_incident(
            [
                {"id": "a", "kind": "event", "label": 'A \\N "quoted" \\G label \\l'},
                {"id": "i", "kind": "impact", "label": "I", "causes": ["a"]},
            ]
        )
        source = to_dot(to_graph(incident), RenderOptions(legend=False))
        svg = subprocess.run(
            ["dot", "-Tsvg"], input=source, capture_output=True, text=True, check=True
        ).stdout
        texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
        assert "A \\N &quot;quoted&quot; \\G label \\l" in texts
        assert not any("incident" in t or "n0" in t for t in texts)


class TestGolden:
    @pytest.mark.parametrize(
        "case", [c for c in golden_cases() if c[2] == "dot"], ids=lambda c: c[0]
    )
    def test_matches_golden_file(self, case: tuple[str, str, str, dict[str, object]]) -> None:
        name, stem, fmt, options = case
        expected = (GOLDEN / name).read_text(encoding="utf-8")
        assert golden_output(stem, fmt, options) == expected, (
            f"{name} is stale: run `make golden` and review the diff"
        )


@pytest.mark.parametrize("colour", [style.FADED, style.EDGE, style.UNCOVERED])
def test_links_keep_the_contrast_graphics_need(colour: str) -> None:
    # WCAG 1.4.11: parts of a graphic needed to understand it, 3:1 against the background;
    # the faded links off the uncovered paths are still links to follow.
    for background in ("#FFFFFF", "#FBFBFC"):  # the picture, and the web editor's canvas
        ratio = contrast(background, colour)
        assert ratio >= 3.0, (colour, background, round(ratio, 2))
