"""What the cross-incident analysis needs from one incident, reduced to plain data.

:func:`extract` runs once per incident (in worker processes on large corpora): it
analyses every non-impact node's text, asks the catalog for the best suggestion for each
node without a factor key, finds each node's causes and effects, and keeps the action
items. Everything after this step works on these small records, never on the incident
models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from causemap.graph import CausalGraph
from causemap.model import Incident, Node
from causemap.patterns.suggest import CatalogIndex, Suggestion
from causemap.patterns.text import Analysed, analyse, glossary

__all__ = [
    "ActionFacts",
    "Classifier",
    "IncidentFacts",
    "NodeFacts",
    "bottom_up",
    "classes_of",
    "default_classifier",
    "extract",
    "extract_all",
    "incident_glossary",
    "node_class",
    "node_text",
]

Classifier = Callable[[Incident, CausalGraph], Mapping[str, str]]
"""Returns the class (proximate or systemic) of each node id of an incident."""


class NodeFacts(NamedTuple):
    """One non-impact node."""

    id: str
    label: str
    kind: str
    level: str | None
    key: str | None
    cls: str | None
    """Class from the classifier, else the reviewer's override, else None."""
    cls_source: str
    text: Analysed
    neighbours: tuple[str, ...]
    """Direct causes and effects that are not impacts."""
    effects: tuple[str, ...]
    """Direct effects that are not impacts: the edges along which recurring links are
    found (a list of every descendant per node was quadratic in a long chain)."""
    suggestion: Suggestion | None
    """The best catalog entry for a node without a ``key`` (None for a keyed node)."""


class ActionFacts(NamedTuple):
    """One action item."""

    id: str
    title: str
    status: str
    closed: dt.date | None
    addresses: tuple[str, ...]


class IncidentFacts(NamedTuple):
    """One incident, reduced."""

    id: str
    title: str
    date: dt.date
    severity: str | None
    nodes: tuple[NodeFacts, ...]
    actions: tuple[ActionFacts, ...]
    bottom_up: tuple[str, ...]
    """The ids of ``nodes`` with every node after all its ``effects``: the order in which
    the report gathers the factors below each node. It is found here, in the worker
    processes, rather than once per incident in the report's one process."""


def default_classifier() -> tuple[Classifier | None, str]:
    """causemap's own proximate/systemic classification, when this installation has it.

    Only the classification step of the analysis runs (not the method checks or the
    prevention analysis), so it stays cheap on large corpora. Returns the classifier and
    the name of its source, ``analysis`` or ``none``.
    """
    try:
        from causemap.analyses.classify import classify as classify_graph
    except ImportError:  # pragma: no cover - older causemap without analyses
        return None, "none"

    def classify(incident: Incident, G: CausalGraph) -> Mapping[str, str]:
        return {node: str(c.class_) for node, c in classify_graph(G).items()}

    return classify, "analysis"


def classes_of(
    incident: Incident, G: CausalGraph, classify: Classifier | None
) -> Mapping[str, str]:
    """The classifier's class of every node; none when there is no classifier or it fails
    (a corpus report goes on without classes rather than stop at one odd incident)."""
    if classify is None:
        return {}
    try:
        return classify(incident, G)
    except Exception:
        return {}


def node_class(node: Node, classes: Mapping[str, str]) -> tuple[str | None, str]:
    """A node's class and where it came from: the classifier (``analysis``), else the
    reviewer's override (``node``), else none."""
    if node.id in classes:
        return classes[node.id], "analysis"
    if node.classification is not None:
        return node.classification.value, "node"
    return None, "none"


def incident_glossary(incident: Incident) -> frozenset[str]:
    """Words left out of every node's text: the incident's service names and id, which
    say where it happened, not what kind of factor it was."""
    return glossary([*incident.services, incident.id])


def node_text(node: Node, drop: frozenset[str] = frozenset()) -> Analysed:
    """What a node's suggestions are scored on: its label and detail, as two sentences
    (a phrase or a negation does not run from one into the other)."""
    return analyse(node.label if not node.detail else f"{node.label}. {node.detail}", drop)


def extract(
    incident: Incident,
    G: CausalGraph,
    index: CatalogIndex,
    classify: Classifier | None = None,
) -> IncidentFacts:
    """Reduce a valid incident and its graph to :class:`IncidentFacts`."""
    impact = {n for n, data in G.nodes(data=True) if data["kind"] == "impact"}
    classes = classes_of(incident, G, classify)
    drop = incident_glossary(incident)
    nodes = []
    for node in incident.nodes:
        if node.kind == "impact":
            continue
        text = node_text(node, drop)
        cls, source = node_class(node, classes)
        # Enum values (one string each), not str() copies: a worker's results are
        # pickled, and a string met before in a batch pickles as a reference to it.
        # A node's own key decides its factor; the catalog is asked only for the others.
        best = index.score(text, node.level, top=1, cls=cls) if node.factor is None else []
        causes, effects = set(G.predecessors(node.id)), set(G.successors(node.id))
        neighbours = (causes | effects) - impact
        nodes.append(
            NodeFacts(
                id=node.id,
                label=node.label,
                kind=node.kind.value,
                level=node.level.value if node.level else None,
                key=node.factor,
                cls=cls,
                cls_source=source,
                text=text,
                neighbours=tuple(sorted(neighbours)),
                effects=tuple(sorted(effects - impact)),
                suggestion=best[0] if best else None,
            )
        )
    actions = tuple(
        ActionFacts(a.id, a.title, a.status.value, a.closed, tuple(a.addresses))
        for a in incident.actions
    )
    return IncidentFacts(
        incident.id,
        incident.title,
        incident.date,
        incident.severity,
        tuple(nodes),
        actions,
        bottom_up(nodes),
    )


def bottom_up(nodes: Sequence[NodeFacts]) -> tuple[str, ...]:
    """The ids of ``nodes`` in an order that puts each node after all its ``effects``
    (Kahn's algorithm from the nodes with no effect; the graph is acyclic, as the loader
    checks).

    Examples
    --------
    >>> from causemap.patterns.text import Analysed
    >>> def node(ident, effects):
    ...     return NodeFacts(ident, "", "event", None, None, None, "none", Analysed((), ()),
    ...                      (), effects, None)
    >>> bottom_up([node("a", ("b", "c")), node("b", ("c",)), node("c", ())])
    ('c', 'b', 'a')
    """
    waiting = {node.id: len(node.effects) for node in nodes}
    causes: dict[str, list[str]] = {node.id: [] for node in nodes}
    for node in nodes:
        for effect in node.effects:
            causes[effect].append(node.id)
    ready = [node.id for node in nodes if not node.effects]
    order: list[str] = []
    while ready:
        ident = ready.pop()
        order.append(ident)
        for cause in causes[ident]:
            waiting[cause] -= 1
            if not waiting[cause]:
                ready.append(cause)
    return tuple(order)


def extract_all(
    incidents: Iterable[tuple[Incident, CausalGraph]], index: CatalogIndex
) -> list[IncidentFacts]:
    """:func:`extract` over valid incidents in this process, with causemap's classifier
    (for incidents already in memory: a store's, or a request's)."""
    classify, _ = default_classifier()
    return [extract(incident, G, index, classify) for incident, G in incidents]
