"""Catalog suggestions for every node of one incident, as ``causemap suggest`` and
``POST /suggest`` show them.

A node is scored exactly as ``causemap patterns`` and the benchmark score it: on its label
and detail (without the incident's service names and id), with its AcciMap level and its
class, proximate or systemic (causemap's classification, else the reviewer's override).
One implementation, so that the entry the editor proposes first is the entry the patterns
report matches, and the published accuracy is the accuracy of what users see.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from causemap.diagnostics import Diagnostic, warning_at
from causemap.graph import CausalGraph
from causemap.model import Incident, Node
from causemap.patterns.facts import (
    IncidentFacts,
    classes_of,
    default_classifier,
    incident_glossary,
    node_class,
    node_text,
)
from causemap.patterns.suggest import CatalogIndex, Suggestion
from causemap.patterns.text import Analysed
from causemap.typos import Typos

__all__ = ["likely_typos", "suggest_nodes", "unknown_factors"]


def suggest_nodes(
    incident: Incident, G: CausalGraph, index: CatalogIndex, top: int = 3
) -> list[tuple[Node, list[Suggestion]]]:
    """Every non-impact node, in document order, with its ``top`` suggestions."""
    classify, _ = default_classifier()
    classes = classes_of(incident, G, classify)
    drop = incident_glossary(incident)
    rows = []
    for node in incident.nodes:
        if node.kind == "impact":
            continue
        cls, _ = node_class(node, classes)
        text = node_text(node, drop)
        found = index.score(text, node.level, top, cls=cls)
        rows.append((node, _with_examples(index, text, found)))
    return rows


def _with_examples(
    index: CatalogIndex, text: Analysed, found: list[Suggestion]
) -> list[Suggestion]:
    """``found``, each with its entry's example closest to the node's wording, shown to
    the reader as what an instance of the entry looks like."""
    closest = index.closest_examples(text, [s.key for s in found if s.example is None])
    return [s if s.example is not None else s._replace(example=closest[s.key]) for s in found]


def unknown_factors(incident: Incident, keys: Collection[str], catalog: str) -> list[Diagnostic]:
    """A warning at each node's ``factor`` that is not one of ``keys`` (those of the
    catalog named ``catalog``), with the key it is most likely a typo of, if any
    (:mod:`causemap.typos`): ``patterns`` takes such a key as a factor of its
    own, so a typo would split one factor in two.

    Examples
    --------
    >>> from causemap.model import Incident
    >>> doc = Incident.model_validate({"causemap": 1, "id": "x", "title": "t",
    ...     "date": "2024-01-01", "nodes": [{"id": "a", "kind": "condition",
    ...     "label": "no backoff", "factor": "retry-storm-no-backof"}]})
    >>> (found,) = unknown_factors(doc, ["retry-storm-no-backoff"], "ours")
    >>> found.pointer
    '/nodes/0/factor'
    >>> found.message.endswith("(ours); did you mean 'retry-storm-no-backoff'?")
    True
    """
    found = []
    typos = Typos(keys)  # each distinct key looked up once, within a budget
    for i, node in enumerate(incident.nodes):
        if node.factor is None or node.factor in keys:
            continue
        near = typos.near(node.factor)
        hint = f"; did you mean '{near}'?" if near else ""
        message = f"'{node.factor}' is not a key of the catalog ({catalog}){hint}"
        found.append(warning_at("unknown-factor", message, "nodes", i, "factor"))
    return found


def likely_typos(
    incidents: Sequence[IncidentFacts], keys: Collection[str]
) -> list[tuple[str, str, int, list[str]]]:
    """The ``factor`` keys of the corpus that are not catalog keys but likely typos of one:
    (key, the catalog key, how many nodes, the incidents that use it, in order).

    A team may use keys of its own ("capacity-gap"), and those are left alone; one an edit
    or two from a catalog key ("alerting-gpa", "alerting_gaps") is most likely a typo
    (:mod:`causemap.typos`), and the report counts it as a factor of its own,
    splitting one factor in two. Each distinct key is looked up once (:class:`Typos`).

    Examples
    --------
    >>> from causemap.patterns.facts import NodeFacts
    >>> from causemap.patterns.text import Analysed
    >>> def node(key):
    ...     return NodeFacts("n", "l", "condition", None, key, None, "none", Analysed((), ()),
    ...                      (), (), None)
    >>> import datetime as dt
    >>> corpus = [IncidentFacts("a", "A", dt.date(2024, 1, 1), None,
    ...                         (node("alerting-gap"), node("alerting-gpa"), node("ours"),
    ...                          node("our-alerting")), (), ("n",))]
    >>> likely_typos(corpus, ["alerting-gap"])
    [('alerting-gpa', 'alerting-gap', 1, ['a'])]
    """
    counts: dict[str, int] = {}
    used_in: dict[str, list[str]] = {}
    for incident in incidents:
        for node in incident.nodes:
            if node.key is None or node.key in keys:
                continue
            counts[node.key] = counts.get(node.key, 0) + 1
            where = used_in.setdefault(node.key, [])
            if not where or where[-1] != incident.id:
                where.append(incident.id)
    typos = Typos(keys)
    found = []
    for key in sorted(counts):
        near = typos.near(key)
        if near is not None:
            found.append((key, near, counts[key], used_in[key]))
    return found
