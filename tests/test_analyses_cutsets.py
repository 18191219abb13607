"""Cut sets and prevention sets: exact when small, bounded and still minimal when not."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from causemap.analyses import analyze
from causemap.analyses.cutsets import (
    MAX_ORDER,
    MAX_SETS,
    impact_lanes,
    minimal_cut_sets,
    minimal_prevention_sets,
    verified_prevention_sets,
)
from causemap.analyses.prevention import occurs
from causemap.analyses.structure import impacts
from causemap.graph import CausalGraph, to_graph
from causemap.model import Incident
from causemap.report import analysis_text
from tests.adversarial import dense, ladder, or_pairs

MEMORY = 32 << 20
"""Peak Python allocations allowed for one adversarial cut-set run (the old code needed
gigabytes)."""


def id_of(doc: dict[str, Any]) -> str:
    return str(doc["id"])


def graph(doc: dict[str, Any]) -> CausalGraph:
    return to_graph(Incident.model_validate(doc))


def sufficient(G: CausalGraph, roots: set[str]) -> bool:
    """Does an impact occur with only ``roots`` present? (The plain evaluation.)"""
    every = {n for n in G if not G.pred[n]}
    state = occurs(G, every - roots)
    return any(state[t] for t in impacts(G))


def assert_minimal_cut_set(G: CausalGraph, cut_set: list[str]) -> None:
    assert sufficient(G, set(cut_set)), cut_set
    for root in cut_set:
        assert not sufficient(G, set(cut_set) - {root}), (cut_set, root)


class TestMinimalCutSets:
    def test_thirty_or_pairs_are_capped_flagged_and_minimal(self) -> None:
        # 2**30 minimal cut sets: the input that used to take 24 GB and be killed.
        G = graph(or_pairs(30))
        cut_sets, truncated = minimal_cut_sets(G)
        assert truncated
        assert len(cut_sets) == MAX_SETS
        assert len({tuple(c) for c in cut_sets}) == MAX_SETS
        # The smallest first, then by the roots' document order: r0, r2, r4 … first.
        assert cut_sets[0] == [f"r{2 * i}" for i in range(30)]
        for cut_set in cut_sets:
            assert len(cut_set) == 30
            assert {int(r[1:]) // 2 for r in cut_set} == set(range(30))  # one of each pair
        for cut_set in cut_sets[:8]:
            assert_minimal_cut_set(G, cut_set)

    @pytest.mark.parametrize("doc", [or_pairs(30), dense(300), ladder(40, 4)], ids=id_of)
    def test_adversarial_inputs_stay_small(self, doc: dict[str, Any]) -> None:
        G = graph(doc)
        tracemalloc.start()
        try:
            cut_sets, _ = minimal_cut_sets(G)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert 0 < len(cut_sets) <= MAX_SETS
        assert all(len(c) <= MAX_ORDER for c in cut_sets)
        assert peak < MEMORY, peak

    def test_a_dense_dag_is_exact(self) -> None:
        # Its AND products used to be built in full before absorption (4 GB, killed); they
        # collapse to one set, every root, once supersets are absorbed as they appear.
        G = graph(dense(300))
        cut_sets, truncated = minimal_cut_sets(G)
        assert not truncated
        assert cut_sets == [[f"n{i}" for i in range(24)]]

    def test_a_ladder_of_4_to_the_40_paths_is_exact(self) -> None:
        cut_sets, truncated = minimal_cut_sets(graph(ladder(40, 4)))
        assert not truncated
        assert cut_sets == [["l0w0"], ["l0w1"], ["l0w2"], ["l0w3"]]

    def test_a_spent_budget_still_gives_a_minimal_cut_set(self) -> None:
        G = graph(or_pairs(30))
        cut_sets, truncated = minimal_cut_sets(G, budget=0)
        assert truncated
        assert cut_sets == [[f"r{2 * i}" for i in range(30)]]

    def test_sets_over_the_order_cap_are_dropped_and_flagged(self) -> None:
        cut_sets, truncated = minimal_cut_sets(graph(or_pairs(5)), max_order=4)
        assert truncated
        assert cut_sets == []

    def test_small_caps_give_minimal_sets(self) -> None:
        G = graph(or_pairs(6))
        for max_sets in (1, 2, 5):
            cut_sets, truncated = minimal_cut_sets(G, max_sets=max_sets)
            assert truncated
            assert len(cut_sets) == max_sets
            for cut_set in cut_sets:
                assert_minimal_cut_set(G, cut_set)


class TestVerifiedPreventionSets:
    def test_pairs_are_found_though_the_cut_sets_were_truncated(self) -> None:
        G = graph(or_pairs(30))
        cut_sets, truncated = minimal_cut_sets(G)
        assert truncated
        sets, complete = verified_prevention_sets(G, cut_sets)
        assert complete
        assert sets == [[f"r{2 * i}", f"r{2 * i + 1}"] for i in range(20)]

    def test_a_set_that_meets_only_the_listed_cut_sets_is_not_reported(self) -> None:
        # {r0} meets the one listed cut set, but r1 alone still causes the impact.
        G = graph(or_pairs(2))
        assert verified_prevention_sets(G, [["r0", "r2"]]).sets == [["r0", "r1"], ["r2", "r3"]]

    def test_analysis_reports_them(self) -> None:
        p = analyze(graph(or_pairs(30))).prevention
        assert p.truncated
        assert len(p.minimal_cut_sets) == MAX_SETS
        assert p.minimal_prevention_sets[0] == ["r0", "r1"]


class TestPreventionSearchCap:
    """Pairs and triples are sought among the first 200 and 133 roots only; a graph with
    more says its lists may be incomplete rather than pretend none exists."""

    @staticmethod
    def wide_groups() -> dict[str, Any]:
        # Five AND groups of 64 roots, any group enough for the harm; the shared root x is
        # in four of them, so {x, d<i>} prevents it: 64 pairs, all past the 253rd root.
        groups = {g: [f"{g}{i}" for i in range(63)] for g in "abce"}
        groups["d"] = [f"d{i}" for i in range(64)]
        nodes: list[dict[str, Any]] = [{"id": "x", "kind": "condition", "label": "shared"}]
        for roots in groups.values():
            nodes += [{"id": r, "kind": "condition", "label": f"root {r}"} for r in roots]
        for g, roots in groups.items():
            causes = roots if g == "d" else ["x", *roots]
            nodes.append({"id": f"all-{g}", "kind": "event", "label": g, "causes": causes})
        causes = [f"all-{g}" for g in groups]
        nodes.append({"id": "t", "kind": "impact", "label": "harm", "gate": "or", "causes": causes})
        return {"causemap": 1, "id": "wide", "title": "Wide", "date": "2026-01-01", "nodes": nodes}

    def test_the_search_says_it_was_incomplete(self) -> None:
        G = graph(self.wide_groups())
        cut_sets, truncated = minimal_cut_sets(G)
        assert not truncated
        assert len(cut_sets) == 5
        assert sufficient(G, set(cut_sets[-1]))  # the d group
        assert minimal_prevention_sets(cut_sets) == ([], False)
        assert verified_prevention_sets(G, cut_sets) == ([], False)

    def test_the_analysis_and_its_report_say_so(self) -> None:
        incident = Incident.model_validate(self.wide_groups())
        analysis = analyze(to_graph(incident))
        assert analysis.prevention.minimal_prevention_sets == []
        assert analysis.prevention.truncated
        text = " ".join(analysis_text(incident, analysis).split())
        assert "too many root factors to list every cut set and prevention set" in text

    def test_a_small_graph_is_complete(self) -> None:
        incident = Incident.model_validate(or_pairs(3))
        analysis = analyze(to_graph(incident))
        assert not analysis.prevention.truncated
        assert "too many root factors" not in analysis_text(incident, analysis)


class TestImpactLanes:
    def test_each_lane_is_one_scenario(self) -> None:
        G = graph(or_pairs(2))  # t = (r0 or r1) and (r2 or r3)
        scenarios = [{"r0", "r2"}, {"r0", "r1"}, {"r1", "r3"}, set()]
        present = {
            r: sum(1 << j for j, s in enumerate(scenarios) if r in s)
            for r in ("r0", "r1", "r2", "r3")
        }
        occurred = impact_lanes(G, present, len(scenarios))
        assert [bool(occurred >> j & 1) for j in range(4)] == [True, False, True, False]
        assert [sufficient(G, s) for s in scenarios] == [True, False, True, False]
