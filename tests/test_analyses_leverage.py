"""Leverage: path counts, chokepoints and the ranking with its explanations."""

from __future__ import annotations

from typing import Any

from causemap.analyses import analyze
from causemap.analyses.leverage import chokepoints, count, path_counts, rank
from causemap.analyses.result import ClassName
from causemap.analyses.structure import Shape
from causemap.graph import to_graph
from causemap.model import Incident
from tests.adversarial import ladder
from tests.conftest import make_incident


def diamond():
    """Two roots meet at a chokepoint that leads to the impact; a side root joins late."""
    return make_incident(
        [
            {"id": "a", "kind": "condition", "label": "A", "level": "process"},
            {"id": "b", "kind": "event", "label": "B"},
            {"id": "choke", "kind": "event", "label": "Choke", "causes": ["a", "b"]},
            {"id": "side", "kind": "condition", "label": "Side"},
            {"id": "t", "kind": "impact", "label": "T", "causes": ["choke", "side"]},
        ]
    )


def test_path_counts_are_exact() -> None:
    counts, total = path_counts(to_graph(diamond()))
    assert total == 3
    assert counts["choke"] == 2
    assert counts["a"] == counts["b"] == counts["side"] == 1


def test_chokepoints_dominate_the_impact() -> None:
    G = to_graph(diamond())
    assert chokepoints(G) == set()  # 'side' bypasses 'choke'
    G.remove_edge("side", "t")
    G.remove_node("side")
    assert chokepoints(G) == {"choke"}


def test_ranking_puts_the_chokepoint_first_and_explains() -> None:
    inc = diamond()
    inc.nodes = [n for n in inc.nodes if n.id != "side"]
    inc.node("t").causes = ["choke"]
    ranking = analyze(inc).ranking
    assert ranking[0].node == "choke"
    assert "chokepoint" in ranking[0].why
    assert "on 2 of 2 root-to-impact paths" in ranking[0].why
    assert [r.node for r in ranking] == sorted(
        [r.node for r in ranking], key=lambda n: -next(r.score for r in ranking if r.node == n)
    )


def test_corpus_support_raises_leverage() -> None:
    inc = diamond()
    inc.node("a").factor = "global-change-no-staged-rollout"
    G = to_graph(inc)
    plain = {r.node: r.score for r in analyze(G).ranking}
    shared = analyze(G, support={"global-change-no-staged-rollout": 7})
    assert {r.node: r.score for r in shared.ranking}["a"] > plain["a"]
    assert "appears in 7 incidents" in next(r.why for r in shared.ranking if r.node == "a")


def test_corpus_support_of_one_incident_is_singular() -> None:
    inc = diamond()
    inc.node("a").factor = "global-change-no-staged-rollout"
    shared = analyze(to_graph(inc), support={"global-change-no-staged-rollout": 1})
    why = next(r.why for r in shared.ranking if r.node == "a")
    assert why.endswith("its factor appears in 1 incident"), why


def test_huge_path_counts_are_explained_by_their_magnitude() -> None:
    G = to_graph(Incident.model_validate(ladder(40, 4)))
    _, total = path_counts(G)
    assert total == 4**40  # exact, never enumerated
    (first, *_) = rank(G, dict.fromkeys(G, "systemic"), shape=Shape.of(G))
    assert "of about 1.21e+24 root-to-impact paths" in first.why


def test_counts_past_python_printing_limit_are_shown() -> None:
    # A legal 15,000-node incident has about 2**15,000 paths: 4,516 digits, more than the
    # 4,300 Python will print, which made the ranking raise ValueError.
    assert count(2**15_000) == "about 2.82e+4515"
    assert count(10**15 - 1) == "999,999,999,999,999"
    assert count(10**15) == "about 1.00e+15"
    assert count(10**16 - 1) == "about 1.00e+16"


class TestRankTies:
    """Equal scores are ordered by paths through the node, then systemic first, then id."""

    def test_more_paths_first(self) -> None:
        # n0 (organization, 2 of 5 paths) and n3 (technical, 3 of 5) both score 0.355.
        inc = make_incident(
            [
                {"id": "n0", "kind": "condition", "label": "N0", "level": "organization"},
                {"id": "n1", "kind": "factor", "label": "N1", "level": "technical"},
                {"id": "n2", "kind": "factor", "label": "N2", "causes": ["n0", "n1"]},
                {
                    "id": "n3",
                    "kind": "factor",
                    "label": "N3",
                    "level": "technical",
                    "causes": ["n1", "n2"],
                },
                {"id": "t", "kind": "impact", "label": "T", "causes": ["n3", "n2"]},
            ]
        )
        scores = {r.node: r.score for r in analyze(inc).ranking}
        assert scores["n0"] == scores["n3"]
        order = [r.node for r in analyze(inc).ranking]
        assert order.index("n3") < order.index("n0"), order

    def test_systemic_first_then_id_whatever_the_document_order(self) -> None:
        # A proximate process node and a systemic technical one weigh the same (0.15 x 0.4).
        nodes: list[dict[str, Any]] = [
            {"id": "z-tech", "kind": "condition", "label": "Z", "level": "technical"},
            {"id": "a-proc", "kind": "event", "label": "A", "level": "process"},
            {"id": "m-tech", "kind": "condition", "label": "M", "level": "technical"},
            {"id": "t", "kind": "impact", "label": "T", "causes": ["z-tech", "a-proc", "m-tech"]},
        ]
        classes: dict[str, ClassName] = {
            "z-tech": "systemic",
            "m-tech": "systemic",
            "a-proc": "proximate",
        }
        for document in (nodes, [nodes[1], nodes[2], nodes[0], nodes[3]]):
            G = to_graph(make_incident(document))
            ranking = rank(G, classes)
            assert len({r.score for r in ranking}) == 1
            assert [r.node for r in ranking] == ["m-tech", "z-tech", "a-proc"]
