"""Shared structural facts about a causal graph: scope, roots, the event spine, times.

Every function takes the graph first and returns plain data; the other analyses build on
these. "Document order" is the order of nodes in the file, which networkx keeps, and is
used to break every tie so that results are deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from causemap.errors import CyclicGraph
from causemap.graph import CausalGraph
from causemap.model import instant_to_datetime

__all__ = [
    "SHARP_LEVELS",
    "Shape",
    "ancestors_of",
    "descendants_of",
    "impacts",
    "incident_start",
    "order",
    "roots",
    "scope",
    "spine",
    "start_time",
    "topological",
]

SHARP_LEVELS = frozenset({"technical", "operator", None})
"""Levels at the sharp end; a node without a level is taken to be there."""


def order(G: CausalGraph) -> dict[str, int]:
    """Map each node to its position in the document.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")])
    >>> order(G)
    {'a': 0, 'b': 1}
    """
    return {node: i for i, node in enumerate(G)}


def impacts(G: CausalGraph) -> list[str]:
    """The impact nodes, in document order."""
    return [n for n, data in G.nodes(data=True) if data.get("kind") == "impact"]


def ancestors_of(G: CausalGraph, targets: Iterable[str]) -> set[str]:
    """All nodes with a path to any of ``targets`` (the targets excluded unless reached)."""
    seen: set[str] = set()
    stack = list(targets)
    while stack:
        for cause in G.pred[stack.pop()]:
            if cause not in seen:
                seen.add(cause)
                stack.append(cause)
    return seen


def descendants_of(G: CausalGraph, sources: Iterable[str]) -> set[str]:
    """All nodes reachable from any of ``sources`` (the sources excluded unless reached)."""
    seen: set[str] = set()
    stack = list(sources)
    while stack:
        for effect in G.succ[stack.pop()]:
            if effect not in seen:
                seen.add(effect)
                stack.append(effect)
    return seen


def scope(G: CausalGraph) -> set[str]:
    """The impacts and every node that reaches one: the part of the graph analysed."""
    targets = impacts(G)
    return ancestors_of(G, targets) | set(targets)


def roots(G: CausalGraph, within: set[str] | None = None) -> list[str]:
    """Nodes with no cause (inside ``within``, when given), in document order.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "c"), ("b", "c")])
    >>> roots(G)
    ['a', 'b']
    """
    if within is None:
        return [n for n in G if G.in_degree(n) == 0]
    return [n for n in G if n in within and not any(p in within for p in G.pred[n])]


def topological(G: CausalGraph) -> list[str]:
    """A topological order (causes before effects) that follows document order on ties.

    Raises
    ------
    CyclicGraph
        If ``G`` has a cycle (only a graph edited in code can: the loader refuses them).
    """
    position = order(G)
    try:
        return list(nx.lexicographical_topological_sort(G, key=position.__getitem__))
    except nx.NetworkXUnfeasible:
        raise CyclicGraph([str(u) for u, _ in nx.find_cycle(G)]) from None


def start_time(G: CausalGraph, node: str) -> dt.datetime | None:
    """When ``node`` happened or began, as an aware datetime, if the document says."""
    value = G.nodes[node].get("at")
    return instant_to_datetime(value) if value is not None else None


def spine(G: CausalGraph) -> set[str]:
    """The proximal event chain: sharp-end events with an all-event path to an impact.

    This is CAST's "proximal event chain" (Leveson): the trigger and the mechanism,
    found by a reverse search from the impacts through events at the technical or
    operator level (or with no level, or external events: outside triggers).
    """

    def eligible(node: str) -> bool:
        data = G.nodes[node]
        level = data.get("level")
        return data.get("kind") == "event" and (level in SHARP_LEVELS or level == "external")

    found: set[str] = set()
    stack = [p for t in impacts(G) for p in G.pred[t] if eligible(p)]
    found.update(stack)
    while stack:
        for cause in G.pred[stack.pop()]:
            if cause not in found and eligible(cause):
                found.add(cause)
                stack.append(cause)
    return found


def incident_start(G: CausalGraph, proximal: set[str]) -> dt.datetime | None:
    """The earliest time given on the event spine, else the incident's date."""
    times = [t for n in proximal if (t := start_time(G, n)) is not None]
    if times:
        return min(times)
    date = G.graph.get("date")
    return instant_to_datetime(date) if isinstance(date, dt.date) else None


@dataclass(frozen=True)
class Shape:
    """The structural facts every analysis needs, computed once per graph.

    Analyses accept an optional ``shape`` so that :func:`causemap.analyses.analyze` computes
    these once instead of once per function; pass none and each function computes its own.
    A shape describes the graph as it was: recompute it after changing the graph.
    """

    position: dict[str, int]
    """Document order of every node."""
    sequence: list[str]
    """Every node in topological order, ties in document order."""
    impacts: list[str]
    """The impact nodes, in document order."""
    scope: frozenset[str]
    """The impacts and every node that reaches one."""
    roots: list[str]
    """Nodes of the scope with no cause inside it, in document order."""

    @classmethod
    def of(cls, G: CausalGraph) -> Shape:
        """Compute the shape of ``G``."""
        within = frozenset(scope(G))
        return cls(
            position=order(G),
            sequence=topological(G),
            impacts=impacts(G),
            scope=within,
            roots=roots(G, set(within)),
        )
