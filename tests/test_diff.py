"""Graph diffs between two versions of an incident, and how the analysis changed."""

from __future__ import annotations

from typing import Any

from causemap.analyses.result import Analysis, Classification, Finding, Prevention
from causemap.diff import analysis_changes, default_analyzer, diff
from causemap.graph import CausalGraph
from causemap.model import Incident


def edited(incident: Incident, **changes: Any) -> Incident:
    return Incident.model_validate({**incident.model_dump(by_alias=True), **changes})


class TestDiff:
    def test_same_incident_is_empty(self, chain: Incident) -> None:
        result = diff(chain, chain)
        assert result.empty
        assert result.analysis is None

    def test_fields_nodes_edges_actions(self, chain: Incident) -> None:
        doc = chain.model_dump(by_alias=True, exclude_defaults=True)
        nodes = [n for n in doc["nodes"] if n["id"] != "no-canary"]
        nodes[0]["label"] = "Config pushed to every region"
        nodes.append({"id": "paged", "kind": "event", "label": "On-call paged",
                      "causes": ["spread"]})  # fmt: skip
        doc.update(
            title="New title",
            severity="sev1",
            nodes=nodes,
            edges=[{"from": "push", "to": "spread", "label": "pushed everywhere"}],
            actions=[{"id": "a1", "title": "Add a canary stage", "addresses": ["push"]}],
        )
        after = Incident.model_validate(doc)
        result = diff(chain, after)
        assert result.fields == {"title": ("T", "New title"), "severity": (None, "sev1")}
        assert result.nodes.added == ["paged"]
        assert result.nodes.removed == ["no-canary"]
        [label] = result.nodes.changed
        assert label.id == "push"
        assert label.fields == {"label": ("Config pushed", "Config pushed to every region")}
        assert result.edges.added == [("spread", "paged")]
        assert result.edges.removed == [("no-canary", "spread")]
        [edge] = result.edges.changed
        assert edge.id == "push->spread"
        assert edge.fields == {"label": (None, "pushed everywhere")}
        assert result.actions.changed[0].fields == {"addresses": (["no-canary"], ["push"])}
        assert not result.empty

    def test_moving_a_link_between_causes_and_edges_is_no_change(self, chain: Incident) -> None:
        doc = chain.model_dump(by_alias=True, exclude_defaults=True)
        doc["nodes"][2]["causes"] = []
        doc["edges"].append({"from": "push", "to": "spread"})
        assert diff(chain, Incident.model_validate(doc)).empty

    def test_analysis_hook(self, chain: Incident) -> None:
        def analyze(G: CausalGraph) -> Analysis:
            classes = {n: Classification.model_validate({"class": "proximate", "rule": "r"})
                       for n in G}  # fmt: skip
            findings = [] if "no-canary" in G else [
                Finding(code="SINGLE_ROOT", severity="warning", nodes=["push"],
                        message="one root", prompt="what else?")
            ]  # fmt: skip
            return Analysis(incident="t", nodes=classes, findings=findings,
                            prevention=Prevention(), ranking=[])  # fmt: skip

        doc = chain.model_dump(by_alias=True, exclude_defaults=True)
        doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "no-canary"]
        doc["edges"], doc["actions"] = [], []
        result = diff(chain, Incident.model_validate(doc), analyze=analyze)
        assert result.analysis is not None
        assert result.analysis.classes == {"no-canary": ("proximate", None)}
        assert result.analysis.findings_added == [
            {"code": "SINGLE_ROOT", "nodes": ["push"], "message": "one root"}
        ]
        assert result.analysis.findings_removed == []

    def test_default_analyzer_is_the_library_analysis(self, chain: Incident) -> None:
        from causemap.analyses import analyze

        assert default_analyzer() is analyze
        doc = chain.model_dump(by_alias=True, exclude_defaults=True)
        doc["actions"] = []
        result = diff(chain, Incident.model_validate(doc), analyze=default_analyzer())
        assert result.analysis is not None
        assert result.analysis.prevention


class TestDefaults:
    def test_a_field_back_to_its_default_reports_the_default(self, chain: Incident) -> None:
        """Going back to a default used to be reported as ``null``, not ``false`` / ``and``."""
        doc = chain.model_dump(by_alias=True, exclude_defaults=True)
        doc["nodes"][1].update(unknown=True, gate="or")
        doc["tags"] = ["db"]
        marked = Incident.model_validate(doc)
        assert diff(marked, chain).nodes.changed[0].fields == {
            "unknown": (True, False),
            "gate": ("or", "and"),
        }
        assert diff(chain, marked).nodes.changed[0].fields == {
            "unknown": (False, True),
            "gate": ("and", "or"),
        }
        assert diff(marked, chain).fields == {"tags": (["db"], [])}

    def test_reordered_nodes_and_actions_are_no_change(self, chain: Incident) -> None:
        """The analysis used to report a path finding gone and back (its nodes reordered)."""
        doc = chain.model_dump(by_alias=True, exclude_defaults=True)
        doc["nodes"].reverse()
        doc["actions"].reverse()
        result = diff(chain, Incident.model_validate(doc), analyze=default_analyzer())
        assert result.empty
        assert result.analysis is not None
        assert result.analysis.model_dump(exclude_defaults=True) == {}


class TestVerdicts:
    def test_marking_an_action_done_shows_what_is_now_prevented(self, chain: Incident) -> None:
        """Only the planned view's figures were compared: done, detection and combined
        verdicts could move with nothing reported."""
        doc = chain.model_dump(by_alias=True, exclude_defaults=True)
        doc["actions"][0]["status"] = "done"
        result = diff(chain, Incident.model_validate(doc), analyze=default_analyzer())
        assert result.analysis is not None
        assert result.analysis.prevention == {"done.scenario_prevented": (False, True)}


class TestAnalysisChanges:
    def test_prevention_figures_and_classes(self) -> None:
        before = {
            "nodes": {"a": {"class": "proximate"}, "b": {"class": "systemic"}},
            "findings": [{"code": "X", "nodes": ["a"], "message": "m"}],
            "prevention": {"scenario_prevented": False, "depth_of_defence": 0, "actions": []},
        }
        after = {
            "nodes": {"a": {"class": "systemic"}, "b": {"class": "systemic"}},
            "findings": [],
            "prevention": {"scenario_prevented": True, "depth_of_defence": 0, "actions": ["x"]},
        }
        changes = analysis_changes(before, after)
        assert changes.classes == {"a": ("proximate", "systemic")}
        assert changes.findings_removed == [{"code": "X", "nodes": ["a"], "message": "m"}]
        assert changes.prevention == {"scenario_prevented": (False, True)}

    def test_a_finding_whose_message_changed_is_neither_new_nor_resolved(self) -> None:
        # The message quotes a label that was reworded: still the same finding.
        before = {"findings": [{"code": "X", "nodes": ["a"], "message": "“Old” is vague"}]}
        after = {"findings": [{"code": "X", "nodes": ["a"], "message": "“New” is vague"}]}
        changes = analysis_changes(before, after)
        assert changes.findings_added == []
        assert changes.findings_removed == []

    def test_findings_are_matched_by_code_and_subject_once_each(self) -> None:
        one = {"code": "X", "nodes": ["a"], "message": "m"}
        other = {"code": "X", "nodes": ["b"], "message": "m"}
        action = {"code": "X", "nodes": [], "actions": ["a1"], "message": "m"}
        changes = analysis_changes({"findings": [one]}, {"findings": [one, one, other, action]})
        assert changes.findings_added == [
            one,
            other,
            {"code": "X", "nodes": [], "message": "m"},
        ]
        assert changes.findings_removed == []


def renamed(incident: Incident, renames: dict[str, str]) -> Incident:
    """``incident`` with node ids renamed everywhere: nodes, causes, edges, actions."""
    doc = incident.model_dump(by_alias=True, exclude_defaults=True)
    new = lambda ident: renames.get(ident, ident)  # noqa: E731
    for node in doc["nodes"]:
        node["id"] = new(node["id"])
        node["causes"] = [new(c) for c in node.get("causes", [])]
    for edge in doc.get("edges", []):
        edge["from"], edge["to"] = new(edge["from"]), new(edge["to"])
    for action in doc.get("actions", []):
        action["addresses"] = [new(a) for a in action.get("addresses", [])]
    return Incident.model_validate(doc)


class TestRenames:
    def test_a_renamed_node_is_a_rename_not_a_removal_and_an_addition(
        self, chain: Incident
    ) -> None:
        after = renamed(chain, {"no-canary": "canary-missing"})
        result = diff(chain, after, analyze=default_analyzer())
        assert result.nodes.renamed == [("no-canary", "canary-missing")]
        assert (result.nodes.added, result.nodes.removed, result.nodes.changed) == ([], [], [])
        # Its links and the action aimed at it follow the new id: nothing else changed.
        assert result.edges == diff(chain, chain).edges
        assert result.actions == diff(chain, chain).actions
        assert result.analysis is not None
        assert result.analysis.classes == {}
        assert result.analysis.findings_added == result.analysis.findings_removed == []
        assert not result.empty
        dumped = result.model_dump(mode="json")
        assert dumped["nodes"]["renamed"] == [["no-canary", "canary-missing"]]

    def test_two_linked_nodes_renamed_together(self, chain: Incident) -> None:
        after = renamed(chain, {"push": "pushed", "spread": "spread-everywhere"})
        result = diff(chain, after)
        assert result.nodes.renamed == [("push", "pushed"), ("spread", "spread-everywhere")]
        assert (result.nodes.added, result.nodes.removed) == ([], [])
        assert (result.edges.added, result.edges.removed) == ([], [])

    def test_a_renamed_node_that_also_changed_is_removed_and_added(self, chain: Incident) -> None:
        after = renamed(chain, {"no-canary": "canary-missing"})
        after.node("canary-missing").label = "No canary stage for config"
        result = diff(chain, after)
        assert result.nodes.renamed == []
        assert (result.nodes.added, result.nodes.removed) == (["canary-missing"], ["no-canary"])

    def test_a_renamed_node_with_other_links_is_removed_and_added(self, chain: Incident) -> None:
        after = renamed(chain, {"no-canary": "canary-missing"})
        after.node("outage").causes.append("canary-missing")
        result = diff(chain, after)
        assert result.nodes.renamed == []
        assert result.nodes.added == ["canary-missing"]

    def test_two_identical_nodes_renamed_are_not_guessed(self, chain: Incident) -> None:
        doc = chain.model_dump(by_alias=True, exclude_defaults=True)
        doc["nodes"] += [
            {"id": "x1", "kind": "condition", "label": "Same", "causes": []},
            {"id": "x2", "kind": "condition", "label": "Same", "causes": []},
        ]
        before = Incident.model_validate(doc)
        after = renamed(before, {"x1": "y1", "x2": "y2"})
        result = diff(before, after)
        assert result.nodes.renamed == []
        assert (result.nodes.added, result.nodes.removed) == (["y1", "y2"], ["x1", "x2"])

    def test_a_renamed_action_is_a_rename(self, chain: Incident) -> None:
        """An action whose id alone changed was one action removed and another added."""
        (first, *_) = chain.actions
        moved = [
            a.model_copy(update={"id": "stage-rollouts"}) if a is first else a
            for a in chain.actions
        ]
        after = chain.model_copy(update={"actions": moved})
        result = diff(chain, after, analyze=default_analyzer())
        assert result.actions.renamed == [(first.id, "stage-rollouts")]
        assert (result.actions.added, result.actions.removed, result.actions.changed) == (
            [],
            [],
            [],
        )
        assert result.analysis is not None
        assert result.analysis.findings_added == result.analysis.findings_removed == []
        assert not result.empty
        assert result.model_dump(mode="json")["actions"]["renamed"] == [
            [first.id, "stage-rollouts"]
        ]

    def test_an_action_renamed_with_a_node_it_addresses(self, chain: Incident) -> None:
        (first, *_) = chain.actions
        target = first.addresses[0]
        after = renamed(chain, {target: "renamed-target"})
        moved = [
            a.model_copy(update={"id": "a-new"}) if a.id == first.id else a for a in after.actions
        ]
        result = diff(chain, after.model_copy(update={"actions": moved}))
        assert result.nodes.renamed == [(target, "renamed-target")]
        assert result.actions.renamed == [(first.id, "a-new")]
        assert result.actions.changed == []

    def test_a_renamed_action_that_also_changed_is_removed_and_added(self, chain: Incident) -> None:
        (first, *_) = chain.actions
        moved = [
            a.model_copy(update={"id": "a-new", "title": "Something else"}) if a is first else a
            for a in chain.actions
        ]
        result = diff(chain, chain.model_copy(update={"actions": moved}))
        assert result.actions.renamed == []
        assert (result.actions.added, result.actions.removed) == (["a-new"], [first.id])
