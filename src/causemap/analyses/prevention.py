"""Would the action items have prevented this? Scenario, structural cut, depth, cut sets.

Two different questions, both answered (causal-methods B8/B9):

* **scenario prevented**: with every addressed node removed, does the impact still follow
  under the AND/OR gates? A Boolean evaluation of this incident's structure. Under AND
  gates one addressed cause is enough, which is why the second question exists;
* **all paths cut**: does every causal path from a root to an impact pass through an
  addressed node? If not, the uncovered paths and a minimum-weight completing cut.

Plus the depth of defence (fewest addressed nodes on any root-to-impact path), the
minimal cut sets of root factors and the minimal prevention sets (from
:mod:`~causemap.analyses.cutsets`, bounded whatever the gates). Everything is linear or
bounded, never an enumeration of all paths.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

import networkx as nx
from networkx.algorithms.flow import dinitz

from causemap.analyses.cutsets import (
    PreventionSets,
    minimal_cut_sets,
    minimal_prevention_sets,
    verified_prevention_sets,
)
from causemap.analyses.result import ClassName, Coverage, Prevention
from causemap.analyses.structure import Shape, ancestors_of, descendants_of
from causemap.graph import CausalGraph

__all__ = [
    "PREVENTIVE_TYPES",
    "all_paths_cut",
    "depth_of_defence",
    "example_paths",
    "minimal_cut_sets",
    "minimal_prevention_sets",
    "prevention",
    "scenario_prevented",
    "suggested_cut",
    "targets",
    "uncut_nodes",
]

PREVENTIVE_TYPES = frozenset({"prevent", "process"})
EXAMPLE_PATHS = 5


def occurs(G: CausalGraph, removed: set[str], *, shape: Shape | None = None) -> dict[str, bool]:
    """Evaluate the structure: does each node still occur with ``removed`` taken away?

    Roots occur unless removed; a node with causes occurs when all of them occur (gate
    ``and``) or any of them occurs (gate ``or``).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "t"), ("b", "t")])
    >>> G.add_node("t", gate="or")
    >>> occurs(G, {"a"})["t"]
    True
    """
    state: dict[str, bool] = {}
    for node in (shape or Shape.of(G)).sequence:
        if node in removed:
            state[node] = False
            continue
        causes = [state[p] for p in G.pred[node]]
        if not causes:
            state[node] = True
        elif G.nodes[node].get("gate") == "or":
            state[node] = any(causes)
        else:
            state[node] = all(causes)
    return state


def scenario_prevented(G: CausalGraph, removed: set[str], *, shape: Shape | None = None) -> bool:
    """True when no impact occurs once ``removed`` is taken away."""
    shape = shape or Shape.of(G)
    state = occurs(G, removed, shape=shape)
    return not any(state[t] for t in shape.impacts)


def uncut_nodes(G: CausalGraph, removed: set[str], *, shape: Shape | None = None) -> set[str]:
    """Nodes on some root-to-impact path that avoids ``removed``."""
    shape = shape or Shape.of(G)
    within = shape.scope - removed
    starts = [r for r in shape.roots if r in within]
    forward = set(starts)
    stack = list(starts)
    while stack:
        for effect in G.succ[stack.pop()]:
            if effect in within and effect not in forward:
                forward.add(effect)
                stack.append(effect)
    ends = [t for t in shape.impacts if t in forward]
    backward = set(ends)
    stack = list(ends)
    while stack:
        for cause in G.pred[stack.pop()]:
            if cause in forward and cause not in backward:
                backward.add(cause)
                stack.append(cause)
    return backward


def all_paths_cut(G: CausalGraph, removed: set[str], *, shape: Shape | None = None) -> bool:
    """True when every root-to-impact path passes through a node of ``removed``."""
    return not uncut_nodes(G, removed, shape=shape)


def example_paths(
    G: CausalGraph,
    removed: set[str],
    k: int = EXAMPLE_PATHS,
    *,
    shape: Shape | None = None,
    uncut: set[str] | None = None,
) -> list[list[str]]:
    """Up to ``k`` shortest uncut root-to-impact paths, one per root, in document order."""
    shape = shape or Shape.of(G)
    uncut = uncut if uncut is not None else uncut_nodes(G, removed, shape=shape)
    targets = set(shape.impacts)
    paths: list[list[str]] = []
    for root in shape.roots:
        if root not in uncut or len(paths) >= k:
            continue
        parent: dict[str, str | None] = {root: None}
        queue = deque([root])
        while queue:
            node = queue.popleft()
            if node in targets:
                path = [node]
                while (step := parent[path[-1]]) is not None:
                    path.append(step)
                paths.append(path[::-1])
                break
            for effect in G.succ[node]:
                if effect in uncut and effect not in parent:
                    parent[effect] = node
                    queue.append(effect)
    return paths


def depth_of_defence(G: CausalGraph, addressed: set[str], *, shape: Shape | None = None) -> int:
    """Fewest addressed nodes on any root-to-impact path (0 when some path is uncut)."""
    shape = shape or Shape.of(G)
    best: dict[str, int] = {}
    for node in shape.sequence:
        if node not in shape.scope:
            continue
        causes = [best[p] for p in G.pred[node] if p in best]
        best[node] = (node in addressed) + (min(causes) if causes else 0)
    values = [best[t] for t in shape.impacts if t in best]
    return min(values) if values else 0


def cut_weight(G: CausalGraph, node: str, cls: ClassName) -> int:
    """How costly ``node`` is as a cut point: systemic and blunt-end nodes weigh less."""
    level = str(G.nodes[node].get("level"))
    base = {"organization": 2, "process": 2, "external": 5}.get(level, 3)
    if cls != "systemic":
        base += 4
    if G.nodes[node].get("unknown"):
        base += 2
    return base


def suggested_cut(
    G: CausalGraph,
    removed: set[str],
    classes: Mapping[str, ClassName],
    *,
    shape: Shape | None = None,
    uncut: set[str] | None = None,
) -> tuple[list[str], int]:
    """A minimum-weight set of extra nodes cutting every uncut path, and its weight.

    Node splitting turns the vertex cut into an edge cut, solved by max-flow; impacts
    cannot be cut. Systemic nodes weigh less, so the cut prefers them. Dinitz's algorithm
    finds the flow in a few phases of shortest augmenting paths; Edmonds-Karp, one path at
    a time, took minutes when thousands of paths each needed their own cut point. Every
    maximum flow leaves the same residual graph reachability, so the cut is the same.
    """
    shape = shape or Shape.of(G)
    uncut = uncut if uncut is not None else uncut_nodes(G, removed, shape=shape)
    if not uncut:
        return [], 0
    targets = set(shape.impacts)
    H: nx.DiGraph[Any] = nx.DiGraph()
    source, sink = ("", "source"), ("", "sink")
    position = shape.position
    for node in sorted(uncut, key=position.__getitem__):
        if node in targets:
            H.add_edge((node, "in"), (node, "out"))  # no capacity: cannot be cut
            H.add_edge((node, "out"), sink)
        else:
            H.add_edge((node, "in"), (node, "out"), capacity=cut_weight(G, node, classes[node]))
        if not any(p in uncut for p in G.pred[node]) and node not in targets:
            # An impact with no cause is on no path that a node could cut.
            H.add_edge(source, (node, "in"))
        for effect in G.succ[node]:
            if effect in uncut:
                H.add_edge((node, "out"), (effect, "in"))
    if source not in H:
        return [], 0
    weight, (reachable, _) = nx.minimum_cut(H, source, sink, flow_func=dinitz)
    cut = [
        n
        for n in uncut
        if n not in targets and (n, "in") in reachable and (n, "out") not in reachable
    ]
    return sorted(cut, key=position.__getitem__), int(weight)


def targets(G: CausalGraph, action: Mapping[str, Any]) -> list[str]:
    """The nodes ``action`` removes or weakens, as far as coverage is concerned.

    A prevent or process action aimed at an impact removes no cause: it cannot cut a path
    or stop the scenario, so only its other targets count. A detect or mitigate action
    may well aim at the impact itself (it softens the harm), so every target counts.
    """
    preventive = action["type"] in PREVENTIVE_TYPES
    return [
        n
        for n in action["addresses"]
        if n in G and not (preventive and G.nodes[n].get("kind") == "impact")
    ]


def _coverage(G: CausalGraph, actions: list[dict[str, Any]], shape: Shape) -> Coverage:
    addressed = {n for a in actions for n in targets(G, a)}
    return Coverage(
        actions=[a["id"] for a in actions],
        addressed=sorted(addressed, key=shape.position.__getitem__),
        scenario_prevented=bool(addressed) and scenario_prevented(G, addressed, shape=shape),
        all_paths_cut=bool(addressed) and all_paths_cut(G, addressed, shape=shape),
        depth_of_defence=depth_of_defence(G, addressed, shape=shape),
    )


def prevention(
    G: CausalGraph,
    classes: Mapping[str, ClassName],
    *,
    shape: Shape | None = None,
    complete: bool = True,
    paths: int = EXAMPLE_PATHS,
) -> Prevention:
    """The prevention verdict for the incident's action items.

    ``paths`` is how many example uncovered paths to give. With ``complete=False`` the
    suggested cut, the minimal cut sets and the minimal prevention sets (a third of the
    work, and nothing a diagram draws) stay empty.
    """
    shape = shape or Shape.of(G)
    actions: list[dict[str, Any]] = [
        a for a in G.graph.get("actions", []) if a["status"] != "wontfix"
    ]
    preventive = [a for a in actions if a["type"] in PREVENTIVE_TYPES]
    planned = _coverage(G, preventive, shape)
    addressed = set(planned.addressed)
    uncut = uncut_nodes(G, addressed, shape=shape)
    cut: list[str] = []
    cut_sets: list[list[str]] = []
    truncated = False
    if complete:
        cut, _ = suggested_cut(G, addressed, classes, shape=shape, uncut=uncut)
        cut_sets, truncated = minimal_cut_sets(G, shape=shape)
    unexplained = [t for t in shape.impacts if not G.pred[t]]
    if unexplained:  # removing an impact is not prevention; nothing stops a causeless one
        prevention_sets = PreventionSets([], True)
    elif truncated:
        prevention_sets = verified_prevention_sets(G, cut_sets, shape=shape)
    else:
        prevention_sets = minimal_prevention_sets(cut_sets)
    covered = addressed | descendants_of(G, addressed)
    systemic = [n for n, c in classes.items() if c == "systemic"]
    return Prevention(
        **planned.model_dump(),
        uncovered_paths=example_paths(G, addressed, paths, shape=shape, uncut=uncut),
        uncovered_nodes=sorted(uncut, key=shape.position.__getitem__),
        suggested_cut=cut,
        minimal_cut_sets=cut_sets,
        minimal_prevention_sets=prevention_sets.sets,
        unexplained=unexplained,
        truncated=truncated or not prevention_sets.complete,
        done=_coverage(G, [a for a in preventive if a["status"] == "done"], shape),
        detection=_coverage(G, [a for a in actions if a["type"] not in PREVENTIVE_TYPES], shape),
        combined=_coverage(G, actions, shape),
        systemic_addressed=sum(1 for n in systemic if n in covered),
        systemic_total=len(systemic),
    )


def addressed_closure(G: CausalGraph, addressed: set[str]) -> set[str]:
    """Nodes addressed directly or through an addressed ancestor."""
    return addressed | descendants_of(G, addressed)


def unaddressed_ancestors(G: CausalGraph, node: str, addressed: set[str]) -> bool:
    """True when neither ``node`` nor any of its ancestors is addressed."""
    return node not in addressed and not (ancestors_of(G, [node]) & addressed)
