"""The causal graph: attributes, edge merging, and the lossless way back."""

from __future__ import annotations

import networkx as nx
import pytest

from causemap.errors import InvalidIncident
from causemap.graph import from_graph, impacts, to_graph
from causemap.model import Incident
from tests.conftest import EXAMPLES, make_incident


class TestToGraph:
    def test_edges_point_cause_to_effect(self, chain: Incident) -> None:
        G = to_graph(chain)
        assert sorted(G.edges) == [
            ("no-canary", "spread"),
            ("push", "spread"),
            ("spread", "outage"),
        ]

    def test_every_attribute_is_carried(self, chain: Incident) -> None:
        G = to_graph(chain)
        assert G.nodes["no-canary"]["level"] == "process"
        assert type(G.nodes["no-canary"]["kind"]) is str
        assert G.edges["no-canary", "spread"]["label"] == "nothing held it back"
        assert G.graph["id"] == "t"
        assert G.graph["actions"][0]["addresses"] == ["no-canary"]

    def test_causes_and_edges_merge_into_one_edge(self) -> None:
        inc = make_incident(
            [
                {"id": "a", "kind": "event", "label": "A"},
                {"id": "i", "kind": "impact", "label": "I", "causes": ["a"]},
            ],
            edges=[{"from": "a", "to": "i", "label": "because"}],
        )
        G = to_graph(inc)
        assert G.number_of_edges() == 1
        assert G.edges["a", "i"]["label"] == "because"

    def test_invalid_incident_is_refused(self) -> None:
        inc = make_incident([{"id": "a", "kind": "event", "label": "A"}])
        with pytest.raises(InvalidIncident, match="no impact"):
            to_graph(inc)

    def test_impacts(self, chain: Incident) -> None:
        assert impacts(to_graph(chain)) == ["outage"]


class TestFromGraph:
    def test_round_trip_is_lossless(self, chain: Incident) -> None:
        assert from_graph(to_graph(chain)) == chain

    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_round_trip_of_examples(self, path) -> None:
        from causemap.loader import load

        incident = load(path)
        assert from_graph(to_graph(incident)) == incident

    def test_edits_made_with_networkx_are_kept(self, chain: Incident) -> None:
        G = to_graph(chain)
        G.remove_edge("push", "spread")
        G.add_node("review", kind="factor", label="Review was skipped", level="process")
        G.add_edge("review", "push")
        G.add_edge("review", "no-canary", label="no one owned it")
        back = from_graph(G)
        assert back.node("spread").causes == []
        assert back.node("push").causes == ["review"]
        assert [(e.source, e.target) for e in back.edges] == [
            ("no-canary", "spread"),
            ("review", "no-canary"),
        ]
        assert nx.is_isomorphic(to_graph(back), G)
