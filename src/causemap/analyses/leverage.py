"""Leverage: which nodes would prevent the most if they were removed.

Fault-tree importance measures all tie in a retrospective AND graph (every factor is in
the one cut set), so the ranking uses structural measures instead (causal-methods B10):

* the share of root-to-impact paths through the node (path counts by two passes of
  dynamic programming; exact, with big integers, never enumerated);
* whether the node is a chokepoint: every path from the roots to the impacts passes it
  (immediate dominators with a virtual source and sink);
* fan-out: how many nodes it feeds directly;
* its level and class: systemic, blunt-end factors carry more leverage than one trigger;
* optionally, how many incidents of a corpus share its factor key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import networkx as nx

from causemap.analyses.result import ClassName, Ranked
from causemap.analyses.structure import Shape
from causemap.counts import counted
from causemap.graph import CausalGraph

__all__ = ["chokepoints", "count", "path_counts", "rank"]

_LEVEL_WEIGHT = {
    "organization": 1.0,
    "process": 0.8,
    "external": 0.4,
    "operator": 0.3,
    "technical": 0.4,
    None: 0.3,
}


def count(n: int) -> str:
    """``n`` with thousands separators, or its magnitude once it has more than 15 digits.

    Path counts are exact and can run to thousands of digits: Python refuses to print an
    integer of more than 4,300 (and takes quadratic time to print a long one), and a
    reader only needs the magnitude.

    Examples
    --------
    >>> count(1234567)
    '1,234,567'
    >>> count(4**40)
    'about 1.21e+24'
    >>> count(2**20_000)
    'about 3.98e+6020'
    """
    if n < 10**15:
        return f"{n:,}"
    magnitude = math.log10(n)
    exponent = math.floor(magnitude)
    mantissa = round(10 ** (magnitude - exponent), 2)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"about {mantissa:.2f}e+{exponent}"


def path_counts(G: CausalGraph, *, shape: Shape | None = None) -> tuple[dict[str, int], int]:
    """Root-to-impact paths through each node, and the total number of such paths.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "c"), ("b", "c"), ("c", "t")])
    >>> G.add_node("t", kind="impact")
    >>> path_counts(G)
    ({'a': 1, 'b': 1, 'c': 2, 't': 2}, 2)
    """
    shape = shape or Shape.of(G)
    sequence = [n for n in shape.sequence if n in shape.scope]
    into: dict[str, int] = {}
    for node in sequence:
        causes = [into[p] for p in G.pred[node] if p in into]
        into[node] = sum(causes) if causes else 1
    targets = set(shape.impacts)
    out: dict[str, int] = {}
    for node in reversed(sequence):
        effects = [out[e] for e in G.succ[node] if e in out]
        out[node] = (1 if node in targets else 0) + sum(effects)
    total = sum(into[t] for t in targets if t in into)
    return {n: into[n] * out[n] for n in sequence}, total


def chokepoints(G: CausalGraph, *, shape: Shape | None = None) -> set[str]:
    """Nodes that every root-to-impact path passes through."""
    shape = shape or Shape.of(G)
    within, starts, ends = shape.scope, shape.roots, shape.impacts
    if not starts or not ends:
        return set()
    H: nx.DiGraph[str] = nx.DiGraph(G.subgraph(within))
    source, sink = "\0source", "\0sink"
    H.add_edges_from((source, r) for r in starts)
    H.add_edges_from((t, sink) for t in ends)
    idom = nx.immediate_dominators(H, source)
    found: set[str] = set()
    node = idom.get(sink)
    while node is not None and node != source:
        found.add(node)
        node = idom.get(node) if idom.get(node) != node else None
    return found - set(ends)


def rank(
    G: CausalGraph,
    classes: Mapping[str, ClassName],
    support: Mapping[str, int] | None = None,
    *,
    shape: Shape | None = None,
) -> list[Ranked]:
    """Rank non-impact nodes by leverage, highest first, each with a one-line why.

    ``support`` maps a factor key to the number of incidents of a corpus that share it.
    Equal scores (as rounded and shown) are ordered by the number of root-to-impact paths
    through the node, most first (removing it prevents more), then systemic before
    proximate (the fix lasts longer), then by id: never by where the node sits in the file,
    so that moving a statement in the document does not reorder the ranking.
    """
    shape = shape or Shape.of(G)
    counts, total = path_counts(G, shape=shape)
    choke = chokepoints(G, shape=shape)
    support = support or {}
    most_support = max(support.values(), default=0)
    ranked: list[Ranked] = []
    for node, data in G.nodes(data=True):
        if data.get("kind") == "impact" or node not in counts:
            continue
        share = counts[node] / total if total else 0.0
        fan = G.out_degree(node)
        level = data.get("level")
        key = data.get("factor")
        seen = support.get(key, 0) if key else 0
        systemic = classes.get(node) == "systemic"
        score = (
            0.45 * share
            + 0.2 * (node in choke)
            + 0.1 * min(fan, 4) / 4
            + 0.15 * _LEVEL_WEIGHT.get(level, 0.3) * (1.0 if systemic else 0.5)
            + 0.1 * (seen / most_support if most_support else 0.0)
        )
        why = [f"on {count(counts[node])} of {count(total)} root-to-impact paths"]
        if node in choke:
            why.append("a chokepoint: every path passes through it")
        if fan > 1:
            why.append(f"feeds {fan} effects")
        why.append(
            f"{'systemic' if systemic else 'proximate'}" + (f", {level} level" if level else "")
        )
        if seen:
            why.append(f"its factor appears in {counted(seen, 'incident')}")
        ranked.append(Ranked(node=node, score=round(score, 4), why="; ".join(why)))
    ranked.sort(
        key=lambda r: (-r.score, -counts[r.node], classes.get(r.node) != "systemic", r.node)
    )
    return ranked
