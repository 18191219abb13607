"""The causal graph: an incident as a ``networkx.DiGraph`` with edges cause → effect.

``to_graph`` checks the structure first and refuses an invalid incident; ``from_graph``
turns a graph back into the model without loss, so a program may edit the graph with
networkx and write the result back.

What the graph carries:

* ``G.graph``: the incident's own fields (``id``, ``title``, ``date`` …) and ``actions``,
  a list of action dicts;
* each node: every field of :class:`~causemap.model.Node` (enums as plain strings, times
  as ``datetime``/``date``), in document order;
* each edge: ``label``, ``evidence`` and ``declared`` (``"causes"``, ``"edges"`` or
  ``"both"``: where the document declared it), with ``index`` for its place in ``edges``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

import networkx as nx

from causemap.model import Incident

if TYPE_CHECKING:
    CausalGraph: TypeAlias = nx.DiGraph[str]
else:
    CausalGraph = nx.DiGraph

__all__ = ["CausalGraph", "from_graph", "impacts", "to_graph"]

_INCIDENT_SKIP = frozenset({"nodes", "edges", "actions"})
_PARTS = {"nodes": True, "actions": True}


_ENUM_FIELDS = frozenset({"kind", "level", "gate", "classification", "status", "type"})


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """The model's enum fields as plain strings; every other value as it is."""
    for key in _ENUM_FIELDS.intersection(data):
        value = data[key]
        if isinstance(value, StrEnum):
            data[key] = value.value
    return data


def build_graph(incident: Incident) -> CausalGraph:
    """Build the graph without checking it; references to unknown nodes are skipped.

    Use :func:`to_graph` unless the incident has already been validated.
    """
    G: CausalGraph = nx.DiGraph()
    G.graph.update(incident.model_dump(by_alias=True, exclude=set(_INCIDENT_SKIP)))
    # One dump of the nodes and actions, not one per model: the same dicts, at half the cost.
    parts = incident.model_dump(include=_PARTS)
    G.graph["actions"] = [_plain(a) for a in parts["actions"]]
    for node in parts["nodes"]:
        if node["id"] not in G:
            G.add_node(node["id"], **_plain(node))
    for node in incident.nodes:
        for cause in node.causes:
            if cause in G and cause != node.id:
                G.add_edge(cause, node.id, label=None, evidence=[], declared="causes")
    for index, edge in enumerate(incident.edges):
        if edge.source not in G or edge.target not in G or edge.source == edge.target:
            continue
        data = G.edges[edge.source, edge.target] if G.has_edge(edge.source, edge.target) else None
        declared = "both" if data is not None and data["declared"] == "causes" else "edges"
        G.add_edge(
            edge.source,
            edge.target,
            label=edge.label,
            evidence=list(edge.evidence),
            declared=declared,
            index=index,
        )
    return G


def to_graph(incident: Incident) -> CausalGraph:
    """Return the causal graph of a valid incident.

    Raises
    ------
    InvalidIncident
        If the incident breaks a structural rule (unknown ids, cycles, no impact …).

    Examples
    --------
    >>> from causemap.model import Incident
    >>> inc = Incident.model_validate({
    ...     "causemap": 1, "id": "demo", "title": "Demo", "date": "2024-01-01",
    ...     "nodes": [{"id": "push", "kind": "event", "label": "Config pushed"},
    ...               {"id": "down", "kind": "impact", "label": "Site down",
    ...                "causes": ["push"]}]})
    >>> G = to_graph(inc)
    >>> list(G.edges)
    [('push', 'down')]
    >>> G.nodes["down"]["kind"]
    'impact'
    """
    from causemap.errors import InvalidIncident
    from causemap.validation import check_structure

    G = build_graph(incident)
    problems = check_structure(incident, G)
    if any(d.severity == "error" for d in problems):
        raise InvalidIncident(problems, incident.id)
    return G


def impacts(G: CausalGraph) -> list[str]:
    """Return the impact nodes, in document order."""
    return [n for n, data in G.nodes(data=True) if data["kind"] == "impact"]


def from_graph(G: CausalGraph) -> Incident:
    """Return the incident a graph describes; the inverse of :func:`to_graph`.

    Edges the document declared in ``causes`` go back there, edges from ``edges`` keep
    their place, and edges added to the graph later become ``causes`` entries, or
    ``edges`` entries when they carry a label or evidence.
    """
    doc: dict[str, Any] = {k: v for k, v in G.graph.items() if k != "actions"}
    doc["actions"] = list(G.graph.get("actions", []))
    nodes: list[dict[str, Any]] = []
    listed: list[tuple[int, dict[str, Any]]] = []
    extra: list[dict[str, Any]] = []
    for node_id, attrs in G.nodes(data=True):
        node = dict(attrs)
        node["id"] = node_id
        kept = [c for c in node.get("causes", []) if G.has_edge(c, node_id)]
        added = []
        for cause, _, data in G.in_edges(node_id, data=True):
            declared = data.get("declared")
            if declared in ("causes", "both") or cause in kept:
                continue
            if declared == "edges":
                continue
            if data.get("label") or data.get("evidence"):
                extra.append(_edge_doc(cause, node_id, data))
            else:
                added.append(cause)
        node["causes"] = kept + added
        nodes.append(node)
    for source, target, data in G.edges(data=True):
        if data.get("declared") in ("edges", "both"):
            listed.append((data.get("index", 0), _edge_doc(source, target, data)))
    doc["nodes"] = nodes
    doc["edges"] = [e for _, e in sorted(listed, key=lambda item: item[0])] + extra
    return Incident.model_validate(doc)


def _edge_doc(source: str, target: str, data: dict[str, Any]) -> dict[str, Any]:
    edge: dict[str, Any] = {"from": source, "to": target}
    if data.get("label"):
        edge["label"] = data["label"]
    if data.get("evidence"):
        edge["evidence"] = list(data["evidence"])
    return edge
