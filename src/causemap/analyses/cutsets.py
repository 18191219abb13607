"""Minimal cut sets and minimal prevention sets, in bounded time and memory.

A **cut set** is a set of root factors that together suffice for an impact; a **prevention
set** is a set of root factors whose removal stops every impact (causal-methods B8, FTA
path sets). Both families can be exponential in the number of OR gates: 30 OR pairs under
one AND gate give 2**30 minimal cut sets. So the work is bounded, whatever the graph:

* bottom-up MOCUS over bitsets keeps, at every node, at most ``max_sets`` sets of at most
  ``max_order`` roots: the smallest, then by the roots' document order. An AND node folds
  its causes in one at a time and caps after each step, so no step sees more than
  ``max_sets ** 2`` candidates; supersets are absorbed as it goes;
* every union and subset test is charged to a budget (weighted by the width of the
  bitsets); once it is spent, each node keeps only its smallest set, which is linear;
* nodes' families are freed once their last effect has used them.

When nothing was capped the result is exact: every minimal cut set, smallest first. When a
cap was hit the result says it is ``truncated``: the list may then be incomplete, but each
set in it is still a minimal cut set, checked against the gates by a bit-parallel
evaluation (one lane per scenario), and each prevention set listed is checked the same way
rather than read off the partial list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import combinations, islice
from typing import NamedTuple

from causemap.analyses.structure import Shape
from causemap.graph import CausalGraph

__all__ = [
    "BUDGET",
    "MAX_ORDER",
    "MAX_SETS",
    "PreventionSets",
    "impact_lanes",
    "minimal_cut_sets",
    "minimal_prevention_sets",
    "verified_prevention_sets",
]

MAX_SETS = 128
"""Most cut sets kept per node, and listed."""
MAX_ORDER = 64
"""Largest cut set kept; larger ones are dropped and the result marked truncated."""
BUDGET = 20_000_000
"""Set operations (unions and subset tests, per 256 roots of width) before each node keeps
only its smallest cut set."""
MAX_LANES = 8192
"""Most scenarios one bit-parallel evaluation checks."""
COMBINED = 400
"""Prevention sets of ``k`` factors are sought among the first ``COMBINED // k`` roots only
(200 for pairs, 133 for triples), so the search stays near a million combinations."""
_UNLIMITED = 1 << 62
MINIMIZE_ROUNDS = 4
"""Passes spent shrinking a capped cut set that is not minimal before it is left out."""


class _Work:
    """The remaining budget, charged per set operation times the bitsets' width."""

    def __init__(self, budget: int, roots: int) -> None:
        self.left = budget
        self.weight = 1 + roots // 256

    def spend(self, operations: int) -> bool:
        cost = operations * self.weight
        if cost > self.left:
            self.left = 0
            return False
        self.left -= cost
        return True


def _keep(candidates: Iterable[int], cap: int, work: _Work) -> tuple[list[int], bool]:
    """The minimal sets among ``candidates``, smallest first, at most ``cap`` of them, and
    whether a minimal one was left out (by the cap or because the budget ran out)."""
    kept: list[int] = []
    for candidate in sorted(set(candidates), key=lambda s: (s.bit_count(), s)):
        if kept and not work.spend(len(kept)):
            return kept, True
        if any(k & candidate == k for k in kept):
            continue
        if len(kept) == cap:
            return kept, True
        kept.append(candidate)
    return kept, False


def _bits(mask: int) -> Iterator[int]:
    """Indices of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def minimal_cut_sets(
    G: CausalGraph,
    *,
    shape: Shape | None = None,
    max_sets: int = MAX_SETS,
    max_order: int = MAX_ORDER,
    budget: int = BUDGET,
) -> tuple[list[list[str]], bool]:
    """Minimal combinations of root factors sufficient for an impact, and a truncated flag.

    Bottom-up MOCUS over bitsets: a root is its own set; an AND node combines its causes'
    families by union, an OR node pools them; supersets are absorbed at every step. Sets
    are listed smallest first, then by the document order of their roots. Time and memory
    are bounded by the caps and the budget (see the module docstring); when one is hit,
    the flag is set and the list holds minimal cut sets, not necessarily all of them.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "x"), ("b", "x"), ("c", "t"), ("x", "t")])
    >>> G.add_node("t", kind="impact", gate="or")
    >>> minimal_cut_sets(G)
    ([['c'], ['a', 'b']], False)
    """
    shape = shape or Shape.of(G)
    basic = shape.roots
    bit = {node: 1 << i for i, node in enumerate(basic)}
    work = _Work(budget, len(basic))
    impacts = set(shape.impacts)
    waiting = {n: sum(1 for e in G.succ[n] if e in shape.scope) for n in shape.scope}
    families: dict[str, list[int]] = {}
    cap = max_sets
    capped = False  # a family cap or the budget was hit: the result may be approximate
    too_large = False  # a set over max_order was dropped
    for node in shape.sequence:
        if node not in shape.scope:
            continue
        if node in bit:
            families[node] = [bit[node]]
            continue
        causes = [families[p] for p in G.pred[node]]
        if G.nodes[node].get("gate") == "or":
            if cap > 1 and not work.spend(sum(map(len, causes))):
                cap, capped = 1, True
            pooled = (s for family in causes for s in family[:cap])
            family, dropped = _keep(pooled, cap, work)
        else:
            family, dropped = [0], False
            for sets in causes:
                if len(family) == 1 and len(sets) == 1:  # the common case, kept cheap
                    union_of_one = family[0] | sets[0]
                    if union_of_one.bit_count() > max_order:
                        family, too_large = [], True
                        break
                    family = [union_of_one]
                    continue
                if cap > 1 and not work.spend(len(family) * len(sets)):
                    cap, capped = 1, True
                union = {a | b for a in family[:cap] for b in sets[:cap]}
                small = [s for s in union if s.bit_count() <= max_order]
                too_large = too_large or len(small) < len(union)
                family, step_dropped = _keep(small, cap, work)
                dropped = dropped or step_dropped
                if not family:
                    break
        if dropped:
            capped = True
            if not work.left:
                cap = 1
        families[node] = family
        for cause in G.pred[node]:
            waiting[cause] -= 1
            if not waiting[cause] and cause not in impacts:
                del families[cause]
    # Any impact will do: pool the impacts' families like an OR node.
    if cap > 1 and not work.spend(sum(len(families[t]) for t in shape.impacts)):
        cap, capped = 1, True
    pooled = (s for t in shape.impacts for s in families[t][:cap])
    top, dropped = _keep(pooled, max_sets if cap > 1 else 1, work)
    capped = capped or dropped
    if capped:
        top = _minimal_only(G, shape, top)
    names = [[basic[i] for i in _bits(s)] for s in top]
    return names, capped or too_large


def impact_lanes(
    G: CausalGraph,
    present: Mapping[str, int],
    lanes: int,
    *,
    shape: Shape | None = None,
    others: bool = False,
) -> int:
    """Evaluate ``lanes`` scenarios at once: the lanes in which some impact occurs.

    Lane ``j`` of ``present[root]`` says whether the root occurs in scenario ``j``; a root
    missing from ``present`` occurs in every scenario if ``others``, else in none. A node
    with causes occurs when all of them do (gate ``and``) or any does (gate ``or``). One
    pass over the graph, whatever ``lanes``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "t"), ("b", "t")])
    >>> G.add_node("t", kind="impact")
    >>> bin(impact_lanes(G, {"a": 0b011, "b": 0b110}, 3))  # only scenario 1 has both
    '0b10'
    """
    shape = shape or Shape.of(G)
    full = (1 << lanes) - 1
    missing = full if others else 0
    value: dict[str, int] = {}
    for node in shape.sequence:
        if node not in shape.scope:
            continue
        causes = G.pred[node]
        if not causes:
            value[node] = present.get(node, missing) & full
        elif G.nodes[node].get("gate") == "or":
            v = 0
            for cause in causes:
                v |= value[cause]
            value[node] = v
        else:
            v = full
            for cause in causes:
                v &= value[cause]
            value[node] = v
    occurred = 0
    for t in shape.impacts:
        occurred |= value[t]
    return occurred


def _lanes_of(scenarios: Sequence[Iterable[int]], basic: Sequence[str]) -> dict[str, int]:
    """Lane masks for :func:`impact_lanes`: scenario ``j`` lists the indices of its roots."""
    width = (len(scenarios) + 7) // 8
    rows: dict[int, bytearray] = {}
    for lane, roots in enumerate(scenarios):
        byte, flag = lane >> 3, 1 << (lane & 7)
        for i in roots:
            if (row := rows.get(i)) is None:
                row = rows[i] = bytearray(width)
            row[byte] |= flag
    return {basic[i]: int.from_bytes(row, "little") for i, row in rows.items()}


def _minimal_only(G: CausalGraph, shape: Shape, sets: list[int]) -> list[int]:
    """Shrink each sufficient set until no root can be dropped, in a few passes; leave
    out any that is not minimal by then. Sets stay sufficient: each step is checked."""
    basic = shape.roots
    done: list[int] = []
    todo = sets
    for _ in range(MINIMIZE_ROUNDS):
        if not todo:
            break
        batch: list[int] = []
        lanes = 0
        for s in todo:  # one pass per round: as many sets as fit in the lanes
            if lanes + s.bit_count() > MAX_LANES:
                break
            batch.append(s)
            lanes += s.bit_count()
        scenarios = [[i for i in _bits(s) if i != drop] for s in batch for drop in _bits(s)]
        occurred = impact_lanes(G, _lanes_of(scenarios, basic), len(scenarios), shape=shape)
        todo = []
        lane = 0
        for s in batch:
            spare = next((i for k, i in enumerate(_bits(s)) if occurred >> (lane + k) & 1), None)
            lane += s.bit_count()
            if spare is None:
                done.append(s)
            else:
                todo.append(s & ~(1 << spare))
    kept, _ = _keep(done, len(done), _Work(_UNLIMITED, 0))
    return kept


class PreventionSets(NamedTuple):
    """Minimal prevention sets, smallest first, and whether the search was complete."""

    sets: list[list[str]]
    complete: bool
    """False when sets of two or three factors were sought among the first roots only
    (:data:`COMBINED`), or among too many candidates to check at once: some may be missing.
    Stopping at ``limit`` sets is not incompleteness."""


def minimal_prevention_sets(
    cut_sets: Sequence[Sequence[str]], *, max_size: int = 3, limit: int = 20
) -> PreventionSets:
    """Minimal sets of factors that meet every cut set (so removing them prevents it all).

    Exact only when ``cut_sets`` is the complete family; see
    :func:`verified_prevention_sets` for a truncated one.

    Examples
    --------
    >>> minimal_prevention_sets([["a", "b"], ["a", "c"]])
    PreventionSets(sets=[['a'], ['b', 'c']], complete=True)
    """
    if not cut_sets:
        return PreventionSets([], True)
    hits, elements, full = _hits(cut_sets)
    found: list[tuple[str, ...]] = []
    complete = True
    for size in range(1, max_size + 1):
        pool, whole = _pool(elements, size)
        complete = complete and whole
        for combo in combinations(pool, size):
            if any(set(f).issubset(combo) for f in found):
                continue
            mask = 0
            for e in combo:
                mask |= hits[e]
            if mask == full:
                found.append(combo)
                if len(found) >= limit:
                    return PreventionSets([list(c) for c in found], complete)
    return PreventionSets([list(c) for c in found], complete)


def _hits(cut_sets: Sequence[Sequence[str]]) -> tuple[dict[str, int], list[str], int]:
    hits: dict[str, int] = {}  # element -> bitmask of the cut sets it belongs to
    for i, cut_set in enumerate(cut_sets):
        for element in cut_set:
            hits[element] = hits.get(element, 0) | (1 << i)
    return hits, list(hits), (1 << len(cut_sets)) - 1  # elements in order of first appearance


def _pool(elements: list[str], size: int) -> tuple[list[str], bool]:
    """The elements combined into sets of ``size``, and whether they are all of them."""
    if size == 1 or len(elements) <= COMBINED // size:
        return elements, True
    return elements[: COMBINED // size], False


def verified_prevention_sets(
    G: CausalGraph,
    cut_sets: Sequence[Sequence[str]],
    *,
    shape: Shape | None = None,
    max_size: int = 3,
    limit: int = 20,
) -> PreventionSets:
    """Minimal prevention sets, each checked against the gates, for a truncated cut-set list.

    A set that meets every listed cut set may still miss one that was not listed, so the
    candidates (the roots of the listed sets first, then the others, in document order)
    are evaluated: a set is kept when removing it stops every impact and removing any
    smaller part of it does not. At most one bit-parallel pass per size.
    """
    shape = shape or Shape.of(G)
    basic = shape.roots
    index = {node: i for i, node in enumerate(basic)}
    hits, elements, full = _hits(cut_sets)
    listed = set(elements)
    elements += [b for b in basic if b not in listed]
    found: list[tuple[str, ...]] = []
    complete = True
    for size in range(1, max_size + 1):
        pool, whole = _pool(elements, size)
        pending = (
            combo
            for combo in combinations(pool, size)
            if _meets(combo, hits, full) and not any(set(f).issubset(combo) for f in found)
        )
        most = MAX_LANES // (size + 1 if size > 1 else 1)
        candidates = list(islice(pending, most + 1))
        complete = complete and whole and len(candidates) <= most
        del candidates[most:]
        if not candidates:
            continue
        # Lanes: each candidate removed; then, above size 1, each candidate less one root.
        removed = [[index[e] for e in combo] for combo in candidates]
        if size > 1:
            removed += [[index[e] for e in combo if e != x] for combo in candidates for x in combo]
        ones = (1 << len(removed)) - 1
        present = {b: ones & ~lanes for b, lanes in _lanes_of(removed, basic).items()}
        occurred = impact_lanes(G, present, len(removed), shape=shape, others=True)
        lane = len(candidates)
        for k, combo in enumerate(candidates):
            smaller = range(lane + k * size, lane + (k + 1) * size) if size > 1 else range(0)
            if not occurred >> k & 1 and all(occurred >> j & 1 for j in smaller):
                found.append(combo)
                if len(found) >= limit:
                    break
        if len(found) >= limit:
            break
    return PreventionSets([list(c) for c in found], complete)


def _meets(combo: tuple[str, ...], hits: Mapping[str, int], full: int) -> bool:
    mask = 0
    for e in combo:
        mask |= hits.get(e, 0)
    return mask == full
