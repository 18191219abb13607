"""The view shared by the DOT and Mermaid writers: selection, classes, markers, caps."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from causemap.analyses import analyze
from causemap.analyses.result import Finding, FindingSeverity
from causemap.errors import LimitExceeded, NodeNotFound
from causemap.graph import to_graph
from causemap.loader import load
from causemap.model import Incident
from causemap.render.dot import dot_source
from causemap.render.mermaid import mermaid_source
from causemap.render.options import RenderLimits, RenderOptions
from causemap.render.view import BroadFinding, build_view
from tests.conftest import EXAMPLES, make_incident
from tests.render_fixtures import stub_analysis


def shuffled(incident: Incident, seed: int) -> Incident:
    """The same incident with its nodes, edges and actions listed in another order."""
    rng = random.Random(seed)
    data = incident.model_dump(by_alias=True)
    for key in ("nodes", "edges", "actions"):
        rng.shuffle(data[key])
    return Incident.model_validate(data)


class TestSelection:
    def test_nodes_are_sorted_and_numbered_by_id(self, chain: Incident) -> None:
        view = build_view(to_graph(chain))
        assert [n.id for n in view.nodes] == ["no-canary", "outage", "push", "spread"]
        assert [n.key for n in view.nodes] == ["n0", "n1", "n2", "n3"]
        assert [(e.source, e.target) for e in view.edges] == sorted(to_graph(chain).edges)

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_document_order_does_not_matter(self, seed: int) -> None:
        incident = load(EXAMPLES[0])
        options = RenderOptions(actions=True, lanes="level")
        assert build_view(to_graph(shuffled(incident, seed)), options) == build_view(
            to_graph(incident), options
        )

    def test_focus_keeps_ancestors_and_descendants(self, chain: Incident) -> None:
        view = build_view(to_graph(chain), RenderOptions(focus="push"))
        assert [n.id for n in view.nodes] == ["outage", "push", "spread"]
        assert [n.focus for n in view.nodes] == [False, True, False]

    def test_focus_drops_actions_on_hidden_nodes(self, chain: Incident) -> None:
        G = to_graph(chain)
        assert build_view(G, RenderOptions(actions=True, focus="push")).actions == ()
        shown = build_view(G, RenderOptions(actions=True, focus="no-canary")).actions
        assert [(a.id, a.addresses) for a in shown] == [("a1", ("n0",))]

    def test_unknown_focus_suggests_a_close_id(self, chain: Incident) -> None:
        with pytest.raises(NodeNotFound, match=r"no node 'psuh'.*did you mean 'push'"):
            build_view(to_graph(chain), RenderOptions(focus="psuh"))

    def test_actions_only_when_asked(self, chain: Incident) -> None:
        G = to_graph(chain)
        assert build_view(G).actions == ()
        (note,) = build_view(G, RenderOptions(actions=True)).actions
        assert (note.key, note.status, note.type) == ("a0", "open", "prevent")

    def test_edge_labels_can_be_left_out(self, chain: Incident) -> None:
        G = to_graph(chain)
        assert any(e.label for e in build_view(G).edges)
        assert not any(e.label for e in build_view(G, RenderOptions(edge_labels=False)).edges)


class TestClasses:
    def test_without_analysis_only_impacts_and_overrides_are_classed(self) -> None:
        incident = make_incident(
            [
                {"id": "a", "kind": "event", "label": "A"},
                {"id": "b", "kind": "condition", "label": "B", "classification": "systemic"},
                {"id": "i", "kind": "impact", "label": "I", "causes": ["a", "b"]},
            ]
        )
        view = build_view(to_graph(incident))
        assert [n.cls for n in view.nodes] == ["none", "systemic", "impact"]
        assert not view.analysed

    def test_analysis_decides_classes_and_markers(self, chain: Incident) -> None:
        G = to_graph(chain)
        view = build_view(G, analysis=stub_analysis(G))
        assert {n.id: n.cls for n in view.nodes} == {
            "no-canary": "systemic",
            "outage": "impact",
            "push": "proximate",
            "spread": "proximate",
        }
        assert view.nodes[0].findings == (("warning", "STUB_WARNING"),)
        assert view.edges[0].findings == (("error", "STUB_ERROR"),)

    def test_findings_about_many_nodes_are_listed_once(self, chain: Incident) -> None:
        G = to_graph(chain)
        analysis = stub_analysis(G)
        analysis.findings.append(
            Finding(
                code="BROAD",
                severity="warning",
                nodes=sorted(G.nodes),
                message="m",
                prompt="p",
            )
        )
        view = build_view(G, analysis=analysis)
        assert view.broad_findings == (BroadFinding("warning", "BROAD", findings=1, nodes=4),)
        assert all("BROAD" not in code for n in view.nodes for _, code in n.findings)

    def test_findings_about_every_node_of_a_small_graph_are_listed_once(self) -> None:
        # On a three-node chain LINEAR_CHAIN names all three nodes: stamping it on each of
        # them said the same thing three times, as if each node were at fault.
        incident = make_incident(
            [
                {"id": "push", "kind": "event", "label": "Bad config pushed"},
                {"id": "crash", "kind": "event", "label": "Servers crashed", "causes": ["push"]},
                {"id": "down", "kind": "impact", "label": "Site down", "causes": ["crash"]},
            ]
        )
        G = to_graph(incident)
        view = build_view(G, analysis=analyze(G))
        assert BroadFinding("warning", "LINEAR_CHAIN", findings=1, nodes=3) in view.broad_findings
        assert all(code != "LINEAR_CHAIN" for n in view.nodes for _, code in n.findings)
        # A finding about some of the nodes still marks them.
        assert ("warning", "NO_EVIDENCE") in dict.fromkeys(
            mark for n in view.nodes for mark in n.findings
        )

    def test_findings_about_no_node_are_listed_in_the_legend(self) -> None:
        # NO_SYSTEMIC_FACTOR names no node and no edge: it was drawn nowhere, so the
        # picture hid the warning the facilitator most needs the room to see.
        incident = make_incident(
            [
                {"id": "push", "kind": "event", "label": "Bad config pushed"},
                {"id": "down", "kind": "impact", "label": "Site down", "causes": ["push"]},
            ]
        )
        G = to_graph(incident)
        view = build_view(G, analysis=analyze(G))
        assert (
            BroadFinding("warning", "NO_SYSTEMIC_FACTOR", findings=1, nodes=0)
            in view.broad_findings
        )
        dot = dot_source(view)
        assert "⚠ warning: NO_SYSTEMIC_FACTOR\\l" in dot
        assert "(0 nodes)" not in dot
        mermaid = mermaid_source(view)
        assert '["⚠ warning: NO_SYSTEMIC_FACTOR"]' in mermaid

    def test_uncovered_edges_join_two_uncovered_nodes(self, chain: Incident) -> None:
        G = to_graph(chain)
        view = build_view(G, RenderOptions(highlight="uncovered"), stub_analysis(G))
        assert {n.id for n in view.nodes if n.uncovered} == {"push", "spread", "outage"}
        assert {(e.source, e.target) for e in view.edges if e.uncovered} == {
            ("push", "spread"),
            ("spread", "outage"),
        }
        assert view.all_paths_cut is False

    def test_or_gate_marks_incoming_edges(self) -> None:
        incident = make_incident(
            [
                {"id": "a", "kind": "event", "label": "A"},
                {"id": "b", "kind": "event", "label": "B"},
                {"id": "i", "kind": "impact", "label": "I", "causes": ["a", "b"], "gate": "or"},
            ]
        )
        view = build_view(to_graph(incident))
        assert all(e.gate_or for e in view.edges)
        assert [n.gate_or for n in view.nodes] == [False, False, True]

    def test_lanes_run_from_blunt_to_sharp_end(self, chain: Incident) -> None:
        lanes = build_view(to_graph(chain)).lanes()
        assert [(lane, [n.id for n in nodes]) for lane, nodes in lanes] == [
            ("process", ["no-canary"]),
            ("operator", ["push"]),
            ("no-level", ["spread"]),
            ("impact", ["outage"]),
        ]


def _dot_legend_findings(source: str) -> list[str]:
    """The finding lines of a DOT legend, in order."""
    legend = source.split("subgraph cluster_legend", 1)[1]
    return re.findall(r"⚠ [^\\\"]*", legend)


def _mermaid_legend_findings(source: str) -> list[str]:
    """The finding lines of a Mermaid legend, in order, with Mermaid's #NN; undone."""
    texts = re.findall(r'^ +legend_finding_\w+\["(.*)"\]$', source, re.MULTILINE)
    return [re.sub(r"#(\d+);", lambda m: chr(int(m[1])), text) for text in texts]


def _vague_actions(count: int) -> Incident:
    """A six-node chain and ``count`` vague actions, each on four of its first five nodes."""
    nodes: list[dict[str, Any]] = [{"id": "s1", "kind": "event", "label": "Config pushed"}]
    for i in range(2, 6):
        nodes.append(
            {"id": f"s{i}", "kind": "event", "label": f"Step {i}", "causes": [f"s{i - 1}"]}
        )
    nodes.append({"id": "out", "kind": "impact", "label": "Checkout down", "causes": ["s5"]})
    actions = [
        {
            "id": f"a{j}",
            "title": "Fix it",
            "owner": "web team",
            "due": "2024-03-01",
            "addresses": [f"s{(j + k) % 5 + 1}" for k in range(4)],
        }
        for j in range(count)
    ]
    return make_incident(nodes, actions=actions)


class TestBroadFindings:
    """Findings about the graph as a whole: one legend line per (severity, code)."""

    def test_many_findings_of_one_code_are_one_legend_line_with_a_count(self) -> None:
        # 30 vague actions used to give 30 identical legend lines. Each action names four
        # nodes, but between them they name five: the count is of distinct nodes, not 120.
        G = to_graph(_vague_actions(30))
        view = build_view(G, analysis=analyze(G))
        line = "⚠ warning: ACTION_VAGUE (30 findings, 5 nodes)"
        dot = dot_source(view)
        assert [t for t in _dot_legend_findings(dot) if "ACTION_VAGUE" in t] == [line], dot
        assert dot.count("ACTION_VAGUE") == 1
        mermaid = mermaid_source(view)
        assert [t for t in _mermaid_legend_findings(mermaid) if "ACTION_VAGUE" in t] == [line]
        assert '["⚠ warning: ACTION_VAGUE #40;30 findings, 5 nodes#41;"]' in mermaid

    def test_findings_about_no_node_are_counted_without_nodes(self, chain: Incident) -> None:
        G = to_graph(chain)
        analysis = stub_analysis(G)
        analysis.findings += [
            Finding(code="GRAPH_WIDE", severity="error", message=f"m{i}", prompt="p")
            for i in range(2_000)
        ]
        view = build_view(G, analysis=analysis)
        assert _dot_legend_findings(dot_source(view)) == ["⚠ error: GRAPH_WIDE (2000 findings)"]
        assert _mermaid_legend_findings(mermaid_source(view)) == [
            "⚠ error: GRAPH_WIDE (2000 findings)"
        ]

    def test_legend_lines_stay_in_severity_then_code_order(self, chain: Incident) -> None:
        G = to_graph(chain)
        analysis = stub_analysis(G)
        marks: list[tuple[FindingSeverity, str]] = [
            ("warning", "ZULU"),
            ("error", "MIKE"),
            ("warning", "ALPHA"),
            ("warning", "ZULU"),
            ("info", "NOT_DRAWN"),
            ("error", "DELTA"),
            ("warning", "ZULU"),
            ("error", "MIKE"),
        ]
        analysis.findings += [
            Finding(code=code, severity=severity, nodes=sorted(G.nodes), message="m", prompt="p")
            for severity, code in marks
        ]
        view = build_view(G, analysis=analysis)
        expected = [
            "⚠ error: DELTA (4 nodes)",
            "⚠ error: MIKE (2 findings, 4 nodes)",
            "⚠ warning: ALPHA (4 nodes)",
            "⚠ warning: ZULU (3 findings, 4 nodes)",
        ]
        assert _dot_legend_findings(dot_source(view)) == expected
        assert _mermaid_legend_findings(mermaid_source(view)) == expected

    def test_a_single_finding_renders_as_before(self) -> None:
        # Pinned text: no count for one finding, so diagrams with no repeated code
        # (the golden files among them) are byte-identical to what they were.
        G = to_graph(_vague_actions(1))
        view = build_view(G, analysis=analyze(G))
        assert "⚠ warning: ACTION_VAGUE (4 nodes)\\l" in dot_source(view)
        line = '        legend_finding_ACTION_VAGUE["⚠ warning: ACTION_VAGUE #40;4 nodes#41;"]'
        assert line in mermaid_source(view).splitlines()


class TestLimits:
    def test_too_many_nodes(self, chain: Incident) -> None:
        with pytest.raises(LimitExceeded, match="4 nodes and notes; diagrams allow at most 3"):
            build_view(to_graph(chain), limits=RenderLimits(max_nodes=3))

    def test_action_notes_count_as_nodes(self, chain: Incident) -> None:
        limits = RenderLimits(max_nodes=4)
        build_view(to_graph(chain), limits=limits)
        with pytest.raises(LimitExceeded, match="5 nodes and notes"):
            build_view(to_graph(chain), RenderOptions(actions=True), limits=limits)

    def test_too_many_edges(self, chain: Incident) -> None:
        with pytest.raises(LimitExceeded, match="3 edges and links; diagrams allow at most 2"):
            build_view(to_graph(chain), limits=RenderLimits(max_edges=2))

    def test_label_too_long_names_the_node(self, chain: Incident) -> None:
        with pytest.raises(LimitExceeded, match="label of node 'spread' is 22 characters"):
            build_view(to_graph(chain), limits=RenderLimits(max_label=20))

    def test_the_hint_fits_the_options(self, chain: Incident) -> None:
        G, limits = to_graph(chain), RenderLimits(max_nodes=2)
        with pytest.raises(LimitExceeded, match=r"\(to draw it, focus on one node\)$"):
            build_view(G, limits=limits)
        with pytest.raises(LimitExceeded) as caught:
            build_view(G, RenderOptions(focus="spread", actions=True), limits=limits)
        assert str(caught.value).endswith(
            "(to draw it, leave out the action notes, or focus on a node with fewer causes "
            "and effects than 'spread', nearer the start or the end of the causal chains)"
        )

    def test_focus_is_applied_before_the_caps(self, chain: Incident) -> None:
        view = build_view(
            to_graph(chain), RenderOptions(focus="outage"), limits=RenderLimits(max_nodes=4)
        )
        assert len(view.nodes) == 4
        small = build_view(
            to_graph(chain), RenderOptions(focus="no-canary"), limits=RenderLimits(max_nodes=3)
        )
        assert len(small.nodes) == 3
