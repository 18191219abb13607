"""Properties over random valid incidents: analyses and text renderers never crash and are
deterministic, whatever the shape of the graph, the gates, the times or the actions."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causemap.analyses import analyze
from causemap.analyses.classify import (
    _ABSENCE,
    _TRANSIENT,
    RULES,
    _during,
    _latency,
    classify,
    event_chain,
)
from causemap.analyses.cutsets import (
    minimal_cut_sets,
    minimal_prevention_sets,
    verified_prevention_sets,
)
from causemap.analyses.prevention import occurs
from causemap.analyses.structure import Shape, incident_start
from causemap.graph import CausalGraph, from_graph, to_graph
from causemap.loader import dump, loads
from causemap.model import Incident
from causemap.render.dot import to_dot
from causemap.render.markdown import to_markdown
from causemap.render.mermaid import to_mermaid

KINDS = ["event", "condition", "factor"]
LEVELS = [None, "technical", "operator", "process", "organization", "external"]
TIMES = [None, "2024-01-01", "2024-01-03T10:00:00Z", "2023-06-01", "2024-01-03T09:00:00+02:00"]
WORDS = ["config", "push", "failed to", "Dana", "root cause", "no canary", "<b>", '"x"', "é"]


@st.composite
def incidents(draw: st.DrawFn) -> Incident:
    n = draw(st.integers(min_value=1, max_value=14))
    nodes: list[dict[str, Any]] = []
    for i in range(n):
        causes = draw(st.lists(st.integers(0, max(0, i - 1)), max_size=3, unique=True)) if i else []
        node: dict[str, Any] = {
            "id": f"n{i}",
            "kind": draw(st.sampled_from(KINDS)),
            "label": " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))),
            "causes": [f"n{c}" for c in causes],
            "gate": draw(st.sampled_from(["and", "or"])),
            "unknown": draw(st.booleans()),
        }
        if (level := draw(st.sampled_from(LEVELS))) is not None:
            node["level"] = level
        if (at := draw(st.sampled_from(TIMES))) is not None:
            node["at"] = at
        nodes.append(node)
    # Impacts: some of the last nodes' effects, possibly with no cause at all.
    k = draw(st.integers(min_value=1, max_value=2))
    for j in range(k):
        causes = draw(
            st.lists(st.sampled_from([f"n{i}" for i in range(n)]), max_size=3, unique=True)
        )
        nodes.append({"id": f"t{j}", "kind": "impact", "label": "Harm", "causes": causes})
    ids = [f"n{i}" for i in range(n)]
    actions = [
        {
            "id": f"a{j}",
            "title": draw(st.sampled_from(["Improve things", "Add a canary stage with 5% steps"])),
            "addresses": draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)),
            "status": draw(st.sampled_from(["open", "done", "wontfix", "in-progress"])),
            "type": draw(st.sampled_from(["prevent", "mitigate", "detect", "process"])),
        }
        for j in range(draw(st.integers(0, 3)))
    ]
    return Incident.model_validate(
        {
            "causemap": 1,
            "id": "p",
            "title": "Property",
            "date": "2024-01-03",
            "participants": ["Dana Ortiz"],
            "nodes": nodes,
            "actions": actions,
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incidents())
def test_analysis_and_text_renderers_never_crash(incident: Incident) -> None:
    G = to_graph(incident)
    result = analyze(G)
    assert set(result.nodes) == {n.id for n in incident.nodes}
    p = result.prevention
    if p.all_paths_cut:
        assert p.uncovered_paths == []
        assert p.suggested_cut == []
    for text in (
        to_dot(G, analysis=result),
        to_mermaid(G, analysis=result),
        to_markdown(G, analysis=result),
    ):
        assert text
    assert analyze(G).model_dump() == result.model_dump()


@settings(max_examples=100, deadline=None)
@given(incidents())
def test_round_trips(incident: Incident) -> None:
    assert from_graph(to_graph(incident)) == incident
    assert loads(dump(incident)) == incident
    assert loads(dump(incident, "json"), format="json") == incident


@st.composite
def structures(draw: st.DrawFn) -> Incident:
    """Small incidents (at most 7 roots, 2 impacts) whose every set of roots can be tried."""
    gates = st.sampled_from(["and", "or"])
    nodes: list[dict[str, Any]] = [
        {"id": f"r{i}", "kind": "condition", "label": "R"} for i in range(draw(st.integers(1, 7)))
    ]
    names = [node["id"] for node in nodes]
    for i in range(draw(st.integers(0, 8))):
        causes = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        nodes.append(
            {"id": f"x{i}", "kind": "event", "label": "X", "gate": draw(gates), "causes": causes}
        )
        names.append(f"x{i}")
    for j in range(draw(st.integers(1, 2))):
        causes = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        nodes.append(
            {"id": f"t{j}", "kind": "impact", "label": "T", "gate": draw(gates), "causes": causes}
        )
    doc = {"causemap": 1, "id": "s", "title": "S", "date": "2024-01-03", "nodes": nodes}
    return Incident.model_validate(doc)


def brute_force(G: CausalGraph) -> tuple[list[list[str]], list[set[str]]]:
    """Every minimal cut set (smallest first, then by the roots' order) and every minimal
    prevention set of up to three roots, by evaluating every set of roots."""
    shape = Shape.of(G)
    roots = shape.roots

    def impact(removed: set[str]) -> bool:
        state = occurs(G, removed, shape=shape)
        return any(state[t] for t in shape.impacts)

    cut: list[set[str]] = []
    prevent: list[set[str]] = []
    for size in range(len(roots) + 1):
        for combo in map(set, combinations(roots, size)):
            if impact(set(roots) - combo) and not any(c <= combo for c in cut):
                cut.append(combo)
            if 0 < size <= 3 and not impact(combo) and not any(p <= combo for p in prevent):
                prevent.append(combo)
    order = {r: i for i, r in enumerate(roots)}
    cut.sort(key=lambda c: (len(c), sum(1 << order[r] for r in c)))
    return [sorted(c, key=order.__getitem__) for c in cut], prevent


@settings(max_examples=200, deadline=None)
@given(structures())
def test_cut_sets_are_exactly_the_brute_force_ones(incident: Incident) -> None:
    G = to_graph(incident)
    expected, prevent = brute_force(G)
    cut_sets, truncated = minimal_cut_sets(G)
    assert not truncated
    assert cut_sets == expected
    assert analyze(G).prevention.minimal_cut_sets == expected
    sets, complete = minimal_prevention_sets(cut_sets)
    found = [set(p) for p in sets]
    assert complete
    assert all(p in prevent for p in found)
    assert len(found) == min(len(prevent), 20)


@settings(max_examples=200, deadline=None)
@given(
    structures(),
    st.integers(min_value=1, max_value=4),
    st.sampled_from([0, 20, 1_000_000]),
)
def test_capped_cut_sets_are_still_minimal(incident: Incident, max_sets: int, budget: int) -> None:
    G = to_graph(incident)
    expected, prevent = brute_force(G)
    cut_sets, truncated = minimal_cut_sets(G, max_sets=max_sets, budget=budget)
    assert all(c in expected for c in cut_sets)
    assert cut_sets or truncated
    if not truncated:
        assert cut_sets == expected
    sets, complete = verified_prevention_sets(G, cut_sets)
    found = [set(p) for p in sets]
    assert complete
    assert all(p in prevent for p in found)
    assert len(found) == min(len(prevent), 20)  # all, on graphs this small


def fan_out(G: CausalGraph, node: str, proximate: set[str]) -> int:
    """Proximate nodes ``node`` feeds directly or through non-proximate ones: a search."""
    reached: set[str] = set()
    stack, seen = [node], {node}
    while stack:
        for effect in G.succ[stack.pop()]:
            if effect not in seen:
                seen.add(effect)
                if effect in proximate:
                    reached.add(effect)
                elif G.nodes[effect]["kind"] != "impact":
                    stack.append(effect)
    return len(reached)


@settings(max_examples=150, deadline=None)
@given(incidents())
def test_common_mode_reasons_count_what_a_search_finds(incident: Incident) -> None:
    G = to_graph(incident)
    result = classify(G)
    proximate = {n for n, c in result.items() if c.class_ == "proximate"}
    for node, c in result.items():
        if c.class_ != "systemic":
            continue
        fan = fan_out(G, node, proximate)
        said = [r for r in c.reasons if "separate parts of the proximate chain" in r]
        reason = f"it feeds {fan} separate parts of the proximate chain (a common-mode contributor)"
        assert said == ([reason] if fan >= 2 else [])


def rule_fires(G: CausalGraph, node: str, rule: str, cls: Mapping[str, str]) -> bool:
    """Whether ``rule``'s condition (docs/analyses.md) holds for ``node``, given every
    node's final class."""
    data, kind = G.nodes[node], G.nodes[node]["kind"]
    chain = event_chain(G)
    start = incident_start(G, chain)
    label = data.get("label", "")
    effects = list(G.succ[node])
    fired: dict[str, bool] = {
        "override": bool(data.get("classification")),
        "impact": kind == "impact",
        "contributing-factor": kind == "factor",
        "event-chain": node in chain,
        "produced-by-chain": any(cls[c] == "proximate" for c in G.pred[node]),
        "latent-by-time": _latency(G, node, start, G.graph["date"]) is not None,
        "incident-time": _during(G, node, start) is not None,
        "transient-state": kind == "condition"
        and bool(_TRANSIENT.search(label))
        and not _ABSENCE.search(label),
        "latent-condition": kind == "condition",
        "planted-condition": kind == "event"
        and bool(effects)
        and all(cls[e] == "systemic" for e in effects),
        "event": kind == "event",
    }
    return fired[rule]


@settings(max_examples=300, deadline=None)
@given(incidents())
def test_the_rule_named_is_the_first_that_fires(incident: Incident) -> None:
    G = to_graph(incident)
    result = classify(G)
    cls = {n: c.class_ for n, c in result.items()}
    for node, c in result.items():
        assert c.rule == next(r for r in RULES if rule_fires(G, node, r, cls)), node


@st.composite
def plans(draw: st.DrawFn) -> Incident:
    """Small incidents with gates, impacts (some with no cause) and actions of every type
    and status, nodes in any order: every root-to-impact path can be listed."""
    n = draw(st.integers(1, 8))
    nodes: list[dict[str, Any]] = []
    for i in range(n):
        causes = draw(st.lists(st.integers(0, max(0, i - 1)), max_size=3, unique=True)) if i else []
        nodes.append(
            {
                "id": f"n{i}",
                "kind": draw(st.sampled_from(KINDS)),
                "label": draw(st.sampled_from(["A load spike", "No canary", "Deploy"])),
                "causes": [f"n{c}" for c in causes],
                "gate": draw(st.sampled_from(["and", "or"])),
                "unknown": draw(st.booleans()),
                "level": draw(st.sampled_from(["technical", "process", "organization"])),
            }
        )
    for j in range(draw(st.integers(1, 3))):
        causes = draw(st.lists(st.sampled_from([f"n{i}" for i in range(n)]), max_size=3))
        nodes.append({"id": f"t{j}", "kind": "impact", "label": "T", "causes": sorted(set(causes))})
    ids = [node["id"] for node in nodes]
    actions = [
        {
            "id": f"a{j}",
            "title": "Add a canary stage with 5% steps",
            "addresses": draw(st.lists(st.sampled_from(ids), max_size=3, unique=True)),
            "status": draw(st.sampled_from(["open", "done", "wontfix", "in-progress"])),
            "type": draw(st.sampled_from(["prevent", "mitigate", "detect", "process"])),
        }
        for j in range(draw(st.integers(0, 4)))
    ]
    doc = {"causemap": 1, "id": "p", "title": "P", "date": "2024-01-03", "actions": actions}
    return Incident.model_validate({**doc, "nodes": draw(st.permutations(nodes))})


def every_path(G: CausalGraph) -> list[list[str]]:
    """Every root-to-impact path, by depth-first search."""
    shape = Shape.of(G)
    found: list[list[str]] = []
    stack = [[root] for root in shape.roots]
    while stack:
        path = stack.pop()
        if path[-1] in shape.impacts:
            found.append(path)
        stack += [[*path, effect] for effect in G.succ[path[-1]]]
    return found


@settings(max_examples=300, deadline=None)
@given(plans())
def test_prevention_views_agree_with_listing_every_path(incident: Incident) -> None:
    G = to_graph(incident)
    result = analyze(G)
    p, paths = result.prevention, every_path(G)
    impacts = set(Shape.of(G).impacts)
    live = [a for a in G.graph["actions"] if a["status"] != "wontfix"]
    preventive = [a for a in live if a["type"] in ("prevent", "process")]
    views = [
        (p, preventive),
        (p.done, [a for a in preventive if a["status"] == "done"]),
        (p.detection, [a for a in live if a not in preventive]),
        (p.combined, live),
    ]
    for view, actions in views:
        addressed = {
            n
            for a in actions
            for n in a["addresses"]
            if not (a in preventive and n in impacts)  # removing the harm prevents nothing
        }
        assert set(view.addressed) == addressed
        state = occurs(G, addressed)
        assert view.scenario_prevented == (bool(addressed) and not any(state[t] for t in impacts))
        cut = [any(n in addressed for n in path) for path in paths]
        assert view.all_paths_cut == (bool(addressed) and all(cut))
        assert view.depth_of_defence == min(sum(n in addressed for n in q) for q in paths)
    uncut = [q for q in paths if not set(q) & set(p.addressed)]
    assert set(p.uncovered_nodes) == {n for q in uncut for n in q}
    assert all(q in uncut for q in p.uncovered_paths)
    cuttable = [q for q in uncut if q[0] not in impacts]
    assert all(set(q) & set(p.suggested_cut) for q in cuttable)
    for ranked in result.ranking:
        through = sum(ranked.node in q for q in paths)
        assert ranked.why.startswith(f"on {through:,} of {len(paths):,} root-to-impact paths")
        assert ("chokepoint" in ranked.why) == (through == len(paths))
