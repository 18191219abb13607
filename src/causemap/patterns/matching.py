"""Matching: which nodes of different incidents are the same contributing factor.

Three layers, each measured on the labelled corpus (``bench/bench_matching.py``):

1. **keys**: nodes that carry the same ``factor:`` key are one factor, exactly
   (confidence 1);
2. **catalog**: a node whose best catalog suggestion is confident enough joins that
   entry's factor (confidence: the suggestion's). Below the threshold the matcher
   abstains: many nodes (triggers, incident-specific mechanisms) are instances of no
   shared factor, and a guess would pair them with nodes they have nothing in common
   with. Events need more confidence than conditions and factors, and are assigned
   after them, so that an incident's trigger does not take an entry from the condition
   that is the shared factor (a second node of one incident needs more confidence). The
   thresholds were chosen on the corpus's dev split by leave-one-incident-out
   (``bench/tune_dev.py``);
3. **clustering**: the remaining nodes are compared by text (TF-IDF cosine over word
   stems, IDF from the whole corpus) and graph context (the canonical factors of their
   causes and effects), and merged greedily, best pair first, into factors of their own
   or into a keyed factor they resemble.

Two rules keep the clustering honest and near-linear:

* **blocking**: a node is only compared with nodes that share one of its rarest words
  (each word's list is capped), never with every other node;
* **cannot-link**: two nodes of the same incident are never merged implicitly, and two
  clusters are merged only if no incident has a node in both; two different keys or
  catalog entries are never merged either.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Literal, NamedTuple

from causemap.patterns.suggest import Suggestion
from causemap.patterns.text import Analysed

__all__ = ["Layer", "Match", "MatchSettings", "NodeText", "match"]

Layer = Literal["key", "catalog", "cluster"]


class NodeText(NamedTuple):
    """One non-impact node, as the matcher sees it."""

    incident: str
    node: str
    label: str
    kind: str
    level: str | None
    key: str | None
    """The node's explicit ``factor:`` key."""
    text: Analysed
    neighbours: tuple[str, ...] = ()
    """Ids of the node's direct causes and effects in its incident."""
    suggestion: Suggestion | None = None
    """The best catalog suggestion for the node, if any."""


class Match(NamedTuple):
    """A node's canonical factor, how it was found, and how sure it is."""

    factor: str
    """Canonical factor id: a key, a catalog entry key, or ``cluster-N``."""
    layer: Layer
    confidence: float
    reason: str


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and weights; the defaults were tuned on the corpus's dev split."""

    catalog_threshold: float = 0.5
    """Least suggestion confidence for an automatic catalog assignment: below it the
    node is left to clustering (many nodes are incident-specific and have no factor)."""
    event_threshold: float = 0.7
    """Least confidence for assigning an event (triggers are rarely shared patterns)."""
    repeat_threshold: float = 0.9
    """Least confidence for a second node of one incident to join the same catalog entry."""
    cluster_threshold: float = 0.45
    """Least pair score for merging two nodes by similarity."""
    context_weight: float = 0.25
    """Weight of graph context (shared canonical causes and effects) in a pair score."""
    level_penalty: float = 0.1
    """Subtracted from a pair score when both nodes have a level and the levels differ."""
    block_terms: int = 4
    """How many of a node's rarest words it is blocked on."""
    block_cap: int = 200
    """Longest posting list used for blocking; more common words block nothing."""


class _Clusters:
    """Union-find over nodes with cannot-link: incident sets must stay disjoint."""

    def __init__(self, items: Sequence[NodeText]) -> None:
        self.parent = list(range(len(items)))
        self.incidents: list[set[str]] = [{item.incident} for item in items]
        self.label: list[str | None] = [None] * len(items)

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def fix(self, i: int, label: str, roots: dict[str, int]) -> None:
        """Put node ``i`` in the cluster of ``label`` (explicit: cannot-link does not apply)."""
        if label in roots:
            root = roots[label]
            self.parent[i] = root
            self.incidents[root] |= self.incidents[i]
        else:
            roots[label] = i
            self.label[i] = label

    def merge(self, i: int, j: int) -> bool:
        a, b = self.find(i), self.find(j)
        if a == b:
            return False
        if self.label[a] is not None and self.label[b] is not None:
            return False
        if not self.incidents[a].isdisjoint(self.incidents[b]):
            return False
        if len(self.incidents[a]) < len(self.incidents[b]):
            a, b = b, a
        self.parent[b] = a
        self.incidents[a] |= self.incidents[b]
        self.label[a] = self.label[a] or self.label[b]
        return True


class _Vectors:
    """Unit TF-IDF vectors over the corpus's node texts, built on first use."""

    def __init__(self, items: Sequence[NodeText]) -> None:
        self.items = items
        self.df: Counter[str] = Counter(chain.from_iterable(item.text.bag for item in items))
        self.n = len(items)
        self.cache: dict[int, dict[str, float]] = {}

    def __getitem__(self, i: int) -> dict[str, float]:
        found = self.cache.get(i)
        if found is None:
            n, df = self.n, self.df
            weights = {t: math.log(1 + n / df[t]) for t in self.items[i].text.bag}
            norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
            found = self.cache[i] = {t: v / norm for t, v in weights.items()}
        return found


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum([v * b[t] for t, v in a.items() if t in b])


def _candidates(
    items: Sequence[NodeText], is_open: set[int], df: Counter[str], settings: MatchSettings
) -> list[tuple[int, int]]:
    """Pairs (i < j) of nodes of different incidents, one of them still unmatched, that
    share one of their rarest words: the blocking step. Sorted, so the result is stable."""
    blocks: dict[str, list[int]] = defaultdict(list)
    cap, k = settings.block_cap, settings.block_terms
    for i, item in enumerate(items):
        rare = [t for t in item.text.bag if 1 < df[t] <= cap]
        if len(rare) > k:
            rare.sort(key=df.__getitem__)  # bag is sorted, so ties stay in word order
            rare = rare[:k]
        for term in rare:
            blocks[term].append(i)
    incident = [item.incident for item in items]
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        for x, i in enumerate(members):
            here, open_i = incident[i], i in is_open
            for j in members[x + 1 :]:
                if (open_i or j in is_open) and incident[j] != here:
                    pairs.add((i, j))
    return sorted(pairs)


def match(
    items: Sequence[NodeText],
    settings: MatchSettings | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[Match | None]:
    """Return the canonical factor of every node (None when it matched nothing).

    ``progress`` is called with percentages of the work done, adding up to 100.

    Examples
    --------
    >>> from causemap.patterns.text import analyse
    >>> def node(inc, ident, label, key=None):
    ...     return NodeText(inc, ident, label, "condition", None, key, analyse(label))
    >>> found = match([
    ...     node("a", "n1", "The nightly backup job had no clear owner", key="unclear-ownership"),
    ...     node("b", "n1", "Nightly backup job: no clear owner"),
    ...     node("b", "n2", "Nightly backup job: no clear owner at all"),
    ... ])
    >>> [(m.factor, m.layer) if m else None for m in found]
    [('unclear-ownership', 'key'), ('unclear-ownership', 'cluster'), None]
    """
    settings = settings or MatchSettings()
    clusters = _Clusters(items)
    roots: dict[str, int] = {}
    result: list[Match | None] = [None] * len(items)
    for i, item in enumerate(items):
        if item.key is not None:
            clusters.fix(i, item.key, roots)
            result[i] = Match(item.key, "key", 1.0, "factor key set on the node")
    taken: set[tuple[str, str]] = set()
    # Conditions and factors first: they, not triggers, are what incidents share. The
    # sort keys are made in one pass in node order (a key function reaching into the
    # nodes in sorted order was a third of this phase at 240,000 nodes).
    order = [
        (item.kind == "event", -item.suggestion.confidence, i)
        for i, item in enumerate(items)
        if item.suggestion is not None and result[i] is None
    ]
    order.sort()
    why_of: dict[tuple[str, tuple[str, ...], tuple[str, ...]], str] = {}
    for is_event, _, i in order:
        item, best = items[i], items[i].suggestion
        assert best is not None
        threshold = settings.catalog_threshold
        if is_event:
            threshold = max(threshold, settings.event_threshold)
        if (item.incident, best.key) in taken:
            threshold = max(threshold, settings.repeat_threshold)
        if best.confidence >= threshold:
            taken.add((item.incident, best.key))
            clusters.fix(i, best.key, roots)
            why = why_of.get((best.key, best.phrases, best.keywords))
            if why is None:
                evidence = ", ".join(f"'{p}'" for p in (*best.phrases, *best.keywords)[:4])
                why = f"catalog entry '{best.name}'" + (
                    f" (matched {evidence})" if evidence else ""
                )
                why_of[best.key, best.phrases, best.keywords] = why
            result[i] = Match(best.key, "catalog", best.confidence, why)
    if progress:
        progress(50)
    vectors = _Vectors(items)
    is_open = {i for i in range(len(items)) if result[i] is None}
    canonical = {(items[i].incident, items[i].node): m.factor for i, m in enumerate(result) if m}
    context: dict[int, frozenset[str]] = {}

    def around(i: int) -> frozenset[str]:
        found = context.get(i)
        if found is None:
            item = items[i]
            found = context[i] = frozenset(
                canonical[item.incident, n]
                for n in item.neighbours
                if (item.incident, n) in canonical
            )
        return found

    scored = []
    for i, j in _candidates(items, is_open, vectors.df, settings):
        text = _cosine(vectors[i], vectors[j])
        ctx_i, ctx_j = around(i), around(j)
        union = len(ctx_i | ctx_j)
        shared = len(ctx_i & ctx_j) / union if union else 0.0
        score = text + settings.context_weight * shared
        a, b = items[i], items[j]
        if a.level and b.level and a.level != b.level:
            score -= settings.level_penalty
        if score >= settings.cluster_threshold:
            scored.append((-round(score, 6), i, j, text, shared))
    scored.sort()
    linked: dict[int, tuple[float, int, float, float]] = {}
    for neg, i, j, text, shared in scored:
        if clusters.merge(i, j):
            for k, other in ((i, j), (j, i)):
                if k in is_open and k not in linked:
                    linked[k] = (-neg, other, text, shared)
    if progress:
        progress(50)
    return _finish(items, clusters, result, linked)


def _finish(
    items: Sequence[NodeText],
    clusters: _Clusters,
    result: list[Match | None],
    linked: dict[int, tuple[float, int, float, float]],
) -> list[Match | None]:
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        members[clusters.find(i)].append(i)
    names: dict[int, str] = {}
    taken = {label for label in clusters.label if label is not None}  # keys and entries
    count = 0
    for root, group in sorted(members.items(), key=lambda kv: kv[1][0]):
        if clusters.label[root] is not None:
            names[root] = str(clusters.label[root])
        elif len(group) > 1:
            count += 1
            while f"cluster-{count}" in taken:  # a team's own key may be "cluster-1"
                count += 1
            names[root] = f"cluster-{count}"
    for i in range(len(items)):
        if result[i] is not None or i not in linked:
            continue
        root = clusters.find(i)
        if root not in names:
            continue
        score, other, text, shared = linked[i]
        peer = items[other]
        why = f"worded like {peer.incident}/{peer.node} (text {text:.2f}"
        why += f", shared causes/effects {shared:.2f})" if shared else ")"
        result[i] = Match(names[root], "cluster", round(min(1.0, score), 4), why)
    return result
