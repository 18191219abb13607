"""Prevention: scenario vs every path, cut sets, completing cut, depth, views."""

from __future__ import annotations

from typing import Any

import pytest

from causemap.analyses import analyze
from causemap.analyses.prevention import (
    all_paths_cut,
    depth_of_defence,
    example_paths,
    minimal_cut_sets,
    minimal_prevention_sets,
    scenario_prevented,
    suggested_cut,
    uncut_nodes,
)
from causemap.errors import CausemapError, CyclicGraph
from causemap.graph import to_graph
from causemap.loader import load
from causemap.model import Incident
from tests.conftest import EXAMPLES, make_incident


def worked_example(actions: list[dict[str, Any]] | None = None) -> Incident:
    """The B8/B9 example of causal-methods.md: a config push with an OR-gated late rollback."""
    nodes: list[dict[str, Any]] = [
        {
            "id": "impact",
            "kind": "impact",
            "label": "Checkout API 5xx for 40 min",
            "causes": ["spread", "late"],
        },
        {
            "id": "spread",
            "kind": "event",
            "label": "All regions failed",
            "level": "technical",
            "causes": ["deploy", "badcfg", "nocanary"],
        },
        {
            "id": "late",
            "kind": "event",
            "label": "Rollback started 35 min after onset",
            "level": "operator",
            "gate": "or",
            "causes": ["alert", "oncall-new"],
        },
        {
            "id": "deploy",
            "kind": "event",
            "label": "Config push to all regions",
            "level": "operator",
        },
        {
            "id": "badcfg",
            "kind": "condition",
            "label": "Config contained an invalid regex",
            "level": "technical",
            "causes": ["novalid"],
        },
        {
            "id": "novalid",
            "kind": "condition",
            "label": "No schema validation for config",
            "level": "process",
            "causes": ["pressure"],
        },
        {
            "id": "nocanary",
            "kind": "condition",
            "label": "Config pipeline has no canary stage",
            "level": "process",
        },
        {
            "id": "pressure",
            "kind": "factor",
            "label": "Quarter-end pressure reduced review time",
            "level": "organization",
        },
        {
            "id": "alert",
            "kind": "condition",
            "label": "Alert routed to a deprecated channel",
            "level": "operator",
        },
        {
            "id": "oncall-new",
            "kind": "condition",
            "label": "On-call engineer in first rotation",
            "level": "operator",
        },
    ]
    if actions is None:
        actions = [
            {
                "id": "ai-1",
                "title": "Add a canary stage to the config pipeline",
                "addresses": ["nocanary"],
                "owner": "release",
                "due": "2024-02-01",
            },
            {
                "id": "ai-2",
                "title": "Route the alert to the paging channel",
                "addresses": ["alert"],
                "owner": "sre",
                "due": "2024-02-01",
                "type": "detect",
            },
        ]
    return make_incident(nodes, actions=actions)


class TestWorkedExample:
    def test_minimal_cut_sets_follow_the_gates(self) -> None:
        cut_sets, truncated = minimal_cut_sets(to_graph(worked_example()))
        assert not truncated
        assert sorted(map(sorted, cut_sets)) == [
            ["alert", "deploy", "nocanary", "pressure"],
            ["deploy", "nocanary", "oncall-new", "pressure"],
        ]

    def test_prevention_sets_are_the_minimal_hitting_sets(self) -> None:
        cut_sets, _ = minimal_cut_sets(to_graph(worked_example()))
        sets, complete = minimal_prevention_sets(cut_sets)
        assert complete
        assert sorted(map(sorted, sets)) == [
            ["alert", "oncall-new"],
            ["deploy"],
            ["nocanary"],
            ["pressure"],
        ]

    def test_scenario_prevented_but_paths_uncut(self) -> None:
        result = analyze(worked_example())
        p = result.prevention
        assert p.scenario_prevented
        assert not p.all_paths_cut
        assert p.depth_of_defence == 0
        assert p.addressed == ["nocanary"]
        assert {tuple(path) for path in p.uncovered_paths} >= {
            ("deploy", "spread", "impact"),
            ("alert", "late", "impact"),
        }
        assert p.suggested_cut
        assert not (set(p.suggested_cut) & {"impact"})
        assert "PATHS_UNCUT" in {f.code for f in result.findings}

    def test_completing_cut_closes_every_path(self) -> None:
        G = to_graph(worked_example())
        p = analyze(G).prevention
        assert all_paths_cut(G, set(p.addressed) | set(p.suggested_cut))

    def test_detection_actions_are_counted_apart(self) -> None:
        p = analyze(worked_example()).prevention
        assert p.detection.actions == ["ai-2"]
        assert p.detection.addressed == ["alert"]
        assert "alert" not in p.addressed
        assert p.combined.addressed == ["nocanary", "alert"]

    def test_done_view_counts_only_done_actions(self) -> None:
        actions = [
            {
                "id": "a",
                "title": "Add a canary stage",
                "addresses": ["nocanary"],
                "status": "done",
                "closed": "2024-01-20",
            },
            {"id": "b", "title": "Validate config against its schema", "addresses": ["novalid"]},
        ]
        p = analyze(worked_example(actions)).prevention
        assert p.done.actions == ["a"]
        assert p.done.scenario_prevented
        assert p.actions == ["a", "b"]

    def test_wontfix_actions_do_not_count(self) -> None:
        actions = [
            {
                "id": "a",
                "title": "Add a canary stage",
                "addresses": ["nocanary"],
                "status": "wontfix",
            }
        ]
        p = analyze(worked_example(actions)).prevention
        assert p.actions == []
        assert not p.scenario_prevented


class TestGates:
    def or_incident(self) -> Incident:
        return make_incident(
            [
                {"id": "a", "kind": "condition", "label": "A"},
                {"id": "b", "kind": "condition", "label": "B"},
                {"id": "t", "kind": "impact", "label": "T", "gate": "or", "causes": ["a", "b"]},
            ]
        )

    def test_or_gate_needs_every_alternative_removed(self) -> None:
        G = to_graph(self.or_incident())
        assert not scenario_prevented(G, {"a"})
        assert scenario_prevented(G, {"a", "b"})

    def test_and_gate_needs_one_cause_removed(self) -> None:
        G = to_graph(self.or_incident())
        G.nodes["t"]["gate"] = "and"
        assert scenario_prevented(G, {"a"})
        assert not all_paths_cut(G, {"a"})

    def test_depth_of_defence_counts_addressed_nodes_on_the_weakest_path(self) -> None:
        inc = make_incident(
            [
                {"id": "r", "kind": "condition", "label": "R"},
                {"id": "m", "kind": "event", "label": "M", "causes": ["r"]},
                {"id": "t", "kind": "impact", "label": "T", "causes": ["m"]},
            ]
        )
        G = to_graph(inc)
        assert depth_of_defence(G, {"r", "m"}) == 2
        assert depth_of_defence(G, {"m"}) == 1
        assert depth_of_defence(G, set()) == 0


class TestBounds:
    def test_paths_are_examples_never_an_enumeration(self) -> None:
        # A ladder has 2**30 paths; we report at most k of them, quickly.
        nodes: list[dict[str, Any]] = [{"id": "r", "kind": "condition", "label": "R"}]
        prev = ["r"]
        for i in range(30):
            nodes.append({"id": f"a{i}", "kind": "event", "label": "A", "causes": prev})
            nodes.append({"id": f"b{i}", "kind": "event", "label": "B", "causes": prev})
            prev = [f"a{i}", f"b{i}"]
        nodes.append({"id": "t", "kind": "impact", "label": "T", "causes": prev})
        G = to_graph(make_incident(nodes))
        assert len(example_paths(G, set(), k=5)) == 1  # one per root
        assert len(uncut_nodes(G, set())) == 62

    def test_a_cut_through_thousands_of_paths_is_found(self) -> None:
        # Each root reaches the impact on a path of its own, so each needs a cut point:
        # a flow of 2,000 augmenting paths (minutes with Edmonds-Karp's one per search).
        nodes: list[dict[str, Any]] = []
        for i in range(2000):
            nodes.append({"id": f"r{i}", "kind": "condition", "label": "R", "level": "process"})
            nodes.append({"id": f"x{i}", "kind": "event", "label": "X", "causes": [f"r{i}"]})
        edges = [{"from": f"x{i}", "to": "t"} for i in range(2000)]
        nodes.append({"id": "t", "kind": "impact", "label": "T", "gate": "or"})
        G = to_graph(make_incident(nodes, edges=edges))
        cut, weight = suggested_cut(G, set(), dict.fromkeys(G, "systemic"))
        assert cut == [f"r{i}" for i in range(2000)]  # the cheaper, blunt-end node of each
        assert weight == 2 * 2000
        assert all_paths_cut(G, set(cut))

    def test_or_explosion_is_capped_and_flagged(self) -> None:
        nodes: list[dict[str, Any]] = []
        layer: list[str] = []  # one OR gate per layer
        for i in range(12):
            nodes += [
                {"id": f"x{i}", "kind": "condition", "label": "X"},
                {"id": f"y{i}", "kind": "condition", "label": "Y"},
                {
                    "id": f"o{i}",
                    "kind": "event",
                    "label": "O",
                    "gate": "or",
                    "causes": [f"x{i}", f"y{i}"],
                },
            ]
            layer.append(f"o{i}")
        nodes.append({"id": "t", "kind": "impact", "label": "T", "causes": layer})
        cut_sets, truncated = minimal_cut_sets(to_graph(make_incident(nodes)))
        assert truncated  # 2**12 combinations exceed the cap
        assert 0 < len(cut_sets) <= 128


@pytest.mark.parametrize("status", ["open", "done"])
def test_actions_on_every_root_cut_every_path(status: str) -> None:
    G = to_graph(
        worked_example(
            [
                {"id": f"a-{r}", "title": f"Remove {r}", "addresses": [r], "status": status}
                for r in ("deploy", "pressure", "nocanary", "alert", "oncall-new")
            ]
        )
    )
    p = analyze(G).prevention
    assert p.all_paths_cut
    assert p.depth_of_defence >= 1
    assert p.uncovered_paths == []
    assert p.suggested_cut == []


def test_an_impact_with_no_cause_is_analysed() -> None:
    # A valid (if unfinished) incident: the impact stands alone, its causes not yet linked.
    G = to_graph(
        make_incident(
            [
                {"id": "push", "kind": "event", "label": "Pushed"},
                {"id": "harm", "kind": "impact", "label": "Errors"},
                {"id": "late", "kind": "impact", "label": "Slow", "causes": ["push"]},
            ]
        )
    )
    analysis = analyze(G)
    p = analysis.prevention
    assert not p.all_paths_cut
    assert not p.scenario_prevented
    assert p.suggested_cut == ["push"]  # cuts what a node can cut; the lone impact stays
    assert p.unexplained == ["harm"]
    # Removing the harm itself is no prevention, and nothing else stops it.
    assert p.minimal_prevention_sets == []
    (finding,) = [f for f in analysis.findings if f.code == "IMPACT_WITHOUT_CAUSE"]
    assert finding.nodes == ["harm"]
    assert finding.severity == "warning"


def test_explained_impacts_raise_no_unexplained_finding() -> None:
    analysis = analyze(worked_example())
    assert analysis.prevention.unexplained == []
    assert analysis.prevention.minimal_prevention_sets
    assert "IMPACT_WITHOUT_CAUSE" not in {f.code for f in analysis.findings}


class TestActionsOnImpacts:
    """An action aimed at the impact itself softens the harm; it removes no cause."""

    def test_a_preventive_action_on_the_impact_cuts_nothing(self) -> None:
        actions = [{"id": "a", "title": "Prevent checkout errors", "addresses": ["impact"]}]
        result = analyze(worked_example(actions))
        p = result.prevention
        assert not p.scenario_prevented
        assert not p.all_paths_cut
        assert p.depth_of_defence == 0
        assert p.addressed == []
        assert "PATHS_UNCUT" in {f.code for f in result.findings}

    def test_a_mitigation_on_the_impact_still_counts_as_mitigation(self) -> None:
        actions = [
            {
                "id": "a",
                "title": "Serve a static checkout page on 5xx",
                "addresses": ["impact"],
                "type": "mitigate",
            }
        ]
        p = analyze(worked_example(actions)).prevention
        assert p.detection.addressed == ["impact"]
        assert not p.scenario_prevented


class TestImpactWithoutCause:
    """An impact nothing leads to yet is on an uncut 'path' that no action can cut."""

    def incident(self) -> Incident:
        return make_incident(
            [
                {"id": "push", "kind": "event", "label": "Pushed"},
                {"id": "refunds", "kind": "impact", "label": "Refunds owed"},
                {"id": "late", "kind": "impact", "label": "Slow", "causes": ["push"]},
            ]
        )

    def test_paths_uncut_does_not_overclaim_the_cut_and_the_impact_is_flagged(self) -> None:
        findings = analyze(self.incident()).findings
        (finding,) = [f for f in findings if f.code == "PATHS_UNCUT"]
        assert finding.prompt.endswith("Adding actions on 'Pushed' would cut every other one.")
        assert "refunds" in finding.nodes
        (unexplained,) = [f for f in findings if f.code == "IMPACT_WITHOUT_CAUSE"]
        assert "'Refunds owed' has no cause" in unexplained.message

    def test_the_cut_is_still_claimed_when_it_completes(self) -> None:
        inc = self.incident()
        inc.node("refunds").causes.append("push")
        (finding,) = [f for f in analyze(inc).findings if f.code == "PATHS_UNCUT"]
        assert finding.prompt.endswith("Adding actions on 'Pushed' would cut them all.")
        assert "e.g. 'Pushed' → " in finding.message  # the room reads wording, not ids


class TestNoActions:
    @pytest.mark.parametrize(
        "actions",
        [
            [],
            [{"type": "detect"}],
            [{"type": "prevent", "status": "wontfix"}],
        ],
    )
    def test_paths_uncut_says_no_preventive_action_is_recorded(
        self, actions: list[dict[str, Any]]
    ) -> None:
        # "the actions do not prevent this scenario" read as if some had been tried.
        inc = worked_example(
            [
                {"id": f"a{k}", "title": "Alert on bad config", "addresses": ["badcfg"], **a}
                for k, a in enumerate(actions)
            ]
        )
        (finding,) = [f for f in analyze(inc).findings if f.code == "PATHS_UNCUT"]
        assert finding.message.startswith("no preventive action is recorded yet, so ")

    def test_a_preventive_action_keeps_the_usual_verdict(self) -> None:
        inc = worked_example(
            [{"id": "a0", "title": "Validate regexes", "type": "prevent", "addresses": ["badcfg"]}]
        )
        (finding,) = [f for f in analyze(inc).findings if f.code == "PATHS_UNCUT"]
        assert finding.message.startswith("the actions ")


class TestConfig:
    def test_example_paths_setting_bounds_the_uncovered_paths(self) -> None:
        from causemap.analyses import AnalysisConfig

        inc = worked_example([])
        assert len(analyze(inc).prevention.uncovered_paths) == 5
        config = AnalysisConfig(example_paths=2)
        p = analyze(inc, config=config).prevention
        assert p.uncovered_paths == analyze(inc).prevention.uncovered_paths[:2]


class TestCyclicGraphs:
    def test_a_graph_edited_into_a_cycle_is_a_causemap_error_naming_the_cycle(self) -> None:
        """The loader refuses cycles; a graph edited in code reaches the analyses anyway,
        and a library user catching CausemapError got networkx's NetworkXUnfeasible."""
        G = to_graph(load(EXAMPLES[0]))
        a, b = list(G)[:2]
        G.add_edge(a, b)
        G.add_edge(b, a)
        with pytest.raises(CyclicGraph) as caught:
            analyze(G)
        assert isinstance(caught.value, CausemapError)
        assert sorted(caught.value.cycle) == sorted([a, b])
        message = str(caught.value)
        assert f"{a} -> " in message
        assert "causes must come before effects" in message
