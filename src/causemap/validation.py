"""Structural rules of the format that need the whole document.

The pydantic models check each value on its own; these rules relate values to each
other: ids are unique, references name existing nodes, the graph is acyclic, there is an
impact, it causes nothing and carries no class. Errors make a document invalid; warnings
(nodes that reach no impact, odd action bookkeeping) do not.

Every diagnostic carries the JSON pointer of the value at fault, so that the loader can
add file, line and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import networkx as nx

from causemap.diagnostics import Diagnostic, Hints, error_at, warning_at
from causemap.graph import CausalGraph, build_graph
from causemap.model import ActionStatus, Incident, NodeKind

__all__ = ["check_corpus", "check_structure"]


def _unknown(ref: str, hints: Hints, what: str, *path: str | int) -> Diagnostic:
    near = hints.near(ref)
    hint = f" (did you mean '{near}'?)" if near else ""
    return error_at("unknown-node", f"{what} '{ref}' is not a node of this incident{hint}", *path)


def check_structure(incident: Incident, G: CausalGraph | None = None) -> list[Diagnostic]:
    """Return the structural errors and warnings of ``incident``.

    ``G`` may be passed when the caller already built the graph with
    :func:`causemap.graph.build_graph`.

    Examples
    --------
    >>> from causemap.model import Incident
    >>> inc = Incident.model_validate({
    ...     "causemap": 1, "id": "demo", "title": "Demo", "date": "2024-01-01",
    ...     "nodes": [{"id": "a", "kind": "event", "label": "A", "causes": ["b"]},
    ...               {"id": "b", "kind": "event", "label": "B", "causes": ["a"]}]})
    >>> [d.format() for d in check_structure(inc)]  # doctest: +NORMALIZE_WHITESPACE
    ["<input>: error: /nodes: no impact node: at least one node needs 'kind: impact' [no-impact]",
     '<input>: error: /nodes/0/causes/0: cycle: a → b → a [cycle]']
    """
    if G is None:
        G = build_graph(incident)
    return [
        *_ids(incident),
        *_references(incident),
        *_graph_rules(incident, G),
        *_impact_factors(incident),
        *_action_rules(incident),
    ]


def _ids(incident: Incident) -> Iterator[Diagnostic]:
    seen: dict[str, int] = {}
    for i, node in enumerate(incident.nodes):
        if node.id in seen:
            yield error_at(
                "duplicate-node-id",
                f"node id '{node.id}' is already used by /nodes/{seen[node.id]}",
                "nodes",
                i,
                "id",
            )
        else:
            seen[node.id] = i
    actions: dict[str, int] = {}
    for i, action in enumerate(incident.actions):
        if action.id in actions:
            yield error_at(
                "duplicate-action-id",
                f"action id '{action.id}' is already used by /actions/{actions[action.id]}",
                "actions",
                i,
                "id",
            )
        else:
            actions[action.id] = i


def _references(incident: Incident) -> Iterator[Diagnostic]:
    kinds = {n.id: n.kind for n in incident.nodes}
    hints = Hints(kinds)
    for i, node in enumerate(incident.nodes):
        if node.kind == NodeKind.IMPACT and node.classification is not None:
            yield error_at(
                "classified-impact",
                f"impact '{node.id}' has a classification; an impact is the harm, and only "
                "its causes are proximate or systemic (remove 'classification')",
                "nodes",
                i,
                "classification",
            )
        seen: set[str] = set()
        for j, cause in enumerate(node.causes):
            path = ("nodes", i, "causes", j)
            if cause == node.id:
                yield error_at(
                    "self-loop", f"node '{node.id}' lists itself as its own cause", *path
                )
            elif cause not in kinds:
                yield _unknown(cause, hints, "cause", *path)
            elif cause in seen:
                yield error_at("duplicate-edge", f"cause '{cause}' is listed twice", *path)
            elif kinds[cause] == NodeKind.IMPACT:
                yield error_at(
                    "impact-has-effects",
                    f"impact '{cause}' is listed as a cause of "
                    f"'{node.id}'; an impact causes nothing (make it an event, or add "
                    "a separate impact)",
                    *path,
                )
            seen.add(cause)
    edges: dict[tuple[str, str], int] = {}
    for i, edge in enumerate(incident.edges):
        for end, ref in (("from", edge.source), ("to", edge.target)):
            if ref not in kinds:
                yield _unknown(ref, hints, f"edge {end}", "edges", i, end)
        if edge.source == edge.target:
            yield error_at("self-loop", f"edge from '{edge.source}' to itself", "edges", i)
        elif (edge.source, edge.target) in edges:
            yield error_at(
                "duplicate-edge",
                f"edge {edge.source} → {edge.target} is already listed "
                f"at /edges/{edges[edge.source, edge.target]}",
                "edges",
                i,
            )
        elif kinds.get(edge.source) == NodeKind.IMPACT:
            yield error_at(
                "impact-has-effects",
                f"edge starts at impact '{edge.source}'; an impact causes nothing",
                "edges",
                i,
                "from",
            )
        edges.setdefault((edge.source, edge.target), i)
    for i, action in enumerate(incident.actions):
        for j, ref in enumerate(action.addresses):
            if ref not in kinds:
                yield _unknown(ref, hints, "addressed node", "actions", i, "addresses", j)


def _edge_pointers(incident: Incident) -> dict[tuple[str, str], tuple[str | int, ...]]:
    """The pointer of each (cause, effect) where it is first listed: in ``edges``, else
    in the effect's ``causes``. Built once, so that placing every cycle of a graph with
    thousands of them is linear, not a scan of the document per cycle."""
    found: dict[tuple[str, str], tuple[str | int, ...]] = {}
    for i, edge in enumerate(incident.edges):
        found.setdefault((edge.source, edge.target), ("edges", i))
    for i, node in enumerate(incident.nodes):
        for j, cause in enumerate(node.causes):
            found.setdefault((cause, node.id), ("nodes", i, "causes", j))
    return found


def _graph_rules(incident: Incident, G: CausalGraph) -> Iterator[Diagnostic]:
    impacts = [n for n, data in G.nodes(data=True) if data["kind"] == NodeKind.IMPACT]
    if not impacts:
        yield error_at(
            "no-impact", "no impact node: at least one node needs 'kind: impact'", "nodes"
        )
    if not nx.is_directed_acyclic_graph(G):
        order = {node.id: i for i, node in enumerate(incident.nodes)}
        pointers = _edge_pointers(incident)
        components = [c for c in nx.strongly_connected_components(G) if len(c) > 1]
        for component in sorted(components, key=lambda c: min(order[n] for n in c)):
            start = min(component, key=order.__getitem__)
            cycle = nx.find_cycle(G.subgraph(component), source=start)
            path = " → ".join([*(u for u, _ in cycle), cycle[0][0]])
            where = pointers.get((cycle[-1][0], cycle[-1][1]), ("nodes",))
            yield error_at("cycle", f"cycle: {path}", *where)
        return
    if impacts:
        reaching = set(impacts)
        stack = list(impacts)
        while stack:  # one reverse search from every impact at once
            for cause in G.pred[stack.pop()]:
                if cause not in reaching:
                    reaching.add(cause)
                    stack.append(cause)
        index = {node.id: i for i, node in enumerate(incident.nodes)}
        for node_id in G:
            if node_id not in reaching:
                yield warning_at(
                    "orphan-node",
                    f"node '{node_id}' reaches no impact: link it to what it caused, or remove it",
                    "nodes",
                    index[node_id],
                )


def _impact_factors(incident: Incident) -> Iterator[Diagnostic]:
    """A factor key on an impact: ``causemap patterns`` counts factors among what led to
    an impact and leaves impacts out, so the key would be ignored without a word."""
    for i, node in enumerate(incident.nodes):
        if node.kind == NodeKind.IMPACT and node.factor is not None:
            yield warning_at(
                "factor-on-impact",
                f"impact '{node.id}' has a factor key, which the patterns report ignores: "
                "factors are what led to an impact; put the key on the node it describes",
                "nodes",
                i,
                "factor",
            )


def _action_rules(incident: Incident) -> Iterator[Diagnostic]:
    for i, action in enumerate(incident.actions):
        if action.closed is not None and action.status != ActionStatus.DONE:
            yield warning_at(
                "closed-not-done",
                f"action '{action.id}' has a 'closed' date but its status is '{action.status}'",
                "actions",
                i,
                "closed",
            )
        if action.closed is not None and action.closed < incident.date:
            yield warning_at(
                "closed-before-incident",
                f"action '{action.id}' was closed "
                f"({action.closed}) before the incident began ({incident.date})",
                "actions",
                i,
                "closed",
            )


def check_corpus(incidents: Iterable[tuple[str, Incident]]) -> Iterator[tuple[str, Diagnostic]]:
    """Yield (file, diagnostic) for incident ids used by more than one file."""
    first: dict[str, str] = {}
    for name, incident in incidents:
        if incident.id in first:
            yield (
                name,
                error_at(
                    "duplicate-incident-id",
                    f"incident id '{incident.id}' is already used by {first[incident.id]}",
                    "id",
                ),
            )
        else:
            first[incident.id] = name
