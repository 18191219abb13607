"""What changed between two versions of an incident: fields, nodes, edges, actions, analysis.

Edges are compared on the causal graph, so moving a link from a node's ``causes`` to
``edges`` (or back) is no change unless its label or evidence changed; a node's
``causes`` list is therefore not compared as a field.

A node whose id changed and nothing else (the same fields and the same links, once the
other renames are applied) is reported as renamed, ``[old, new]``, not as one node removed
and another added; its links, the actions aimed at it and its analysis are then compared
under the new id, so a rename alone changes nothing else. Only an unambiguous pairing
counts: two removed nodes with the same content are never guessed between. So is an
action whose id alone changed (its targets read under the nodes' new ids).

How the analysis changed is optional: pass ``analyze`` (a function ``G → Analysis``,
normally :func:`default_analyzer`) and the diff also reports which nodes changed class,
which findings appeared or went away, and which prevention figures moved.
"""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from causemap.graph import CausalGraph, build_graph
from causemap.loader import canonical
from causemap.model import Incident

__all__ = [
    "Analyzer",
    "AnalysisChanges",
    "Changed",
    "EdgeChanges",
    "IncidentDiff",
    "ItemChanges",
    "NodeChanges",
    "analysis_changes",
    "default_analyzer",
    "diff",
]

Analyzer = Callable[[CausalGraph], BaseModel]
"""A function from the causal graph to an analysis result (``causemap.analyses.analyze``)."""

_CONFIG = ConfigDict(extra="forbid", use_attribute_docstrings=True)
_SECTIONS = frozenset({"nodes", "edges", "actions"})


class Changed(BaseModel):
    """One item whose fields changed: ``fields`` maps a field to ``[before, after]``."""

    model_config = _CONFIG

    id: str
    fields: dict[str, tuple[Any, Any]]


class ItemChanges(BaseModel):
    """Nodes or actions, by id: added, removed, changed, and renamed."""

    model_config = _CONFIG

    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    changed: list[Changed] = Field(default_factory=list)
    renamed: list[tuple[str, str]] = Field(default_factory=list)
    """Items whose id alone changed, ``[old, new]``: same fields (and, for a node, the
    same links)."""


class NodeChanges(ItemChanges):
    """Nodes, by id: added, removed, changed, and renamed (a node renamed keeps its
    links, under its new id)."""


class EdgeChanges(BaseModel):
    """Cause → effect links ``[from, to]``: added, removed, and label or evidence changed."""

    model_config = _CONFIG

    added: list[tuple[str, str]] = Field(default_factory=list)
    removed: list[tuple[str, str]] = Field(default_factory=list)
    changed: list[Changed] = Field(default_factory=list)
    """Changed links, with ``id`` written ``from->to``."""


class AnalysisChanges(BaseModel):
    """How the analysis of the incident changed."""

    model_config = _CONFIG

    classes: dict[str, tuple[str | None, str | None]] = Field(default_factory=dict)
    """Nodes whose class changed: ``[before, after]`` (null where the node did not exist)."""
    findings_added: list[dict[str, Any]] = Field(default_factory=list)
    """Findings only the newer version has: ``code``, ``nodes`` and ``message``. A finding is
    the same in both when its code and what it is about (nodes, edges, actions) are, even
    if its message changed (it quotes a label that was reworded)."""
    findings_removed: list[dict[str, Any]] = Field(default_factory=list)
    """Findings only the older version has."""
    prevention: dict[str, tuple[Any, Any]] = Field(default_factory=dict)
    """Prevention figures that changed (``scenario_prevented``, ``all_paths_cut`` …); those
    of the done, detection and combined views are named ``done.scenario_prevented`` …"""


class IncidentDiff(BaseModel):
    """Everything that differs between two versions of an incident."""

    model_config = _CONFIG

    fields: dict[str, tuple[Any, Any]] = Field(default_factory=dict)
    """Incident fields (title, severity, tags …) that changed: ``[before, after]``."""
    nodes: NodeChanges = Field(default_factory=NodeChanges)
    edges: EdgeChanges = Field(default_factory=EdgeChanges)
    actions: ItemChanges = Field(default_factory=ItemChanges)
    analysis: AnalysisChanges | None = None
    """How the analysis changed; null when no analyzer was available."""

    @property
    def empty(self) -> bool:
        """True when the two versions hold the same incident."""
        sections = (self.nodes, self.edges, self.actions)
        return (
            not self.fields
            and not self.nodes.renamed
            and not self.actions.renamed
            and not any(s.added or s.removed or s.changed for s in sections)
        )


def _fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    keys = list(dict.fromkeys([*before, *after]))
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def _plain(incident: Incident) -> dict[str, Any]:
    """The canonical form with every default filled back in, nodes and actions included.

    Defaults are left out of the canonical form, so a field going back to its default
    (``unknown: false``, ``gate: and``) would otherwise read as going to ``null``.
    """
    canon, full = canonical(incident), incident.model_dump(mode="json", by_alias=True)

    def filled(short: dict[str, Any], whole: dict[str, Any]) -> dict[str, Any]:
        return {k: short.get(k, v) for k, v in whole.items()}

    plain = filled(canon, full)
    for section in ("nodes", "actions"):
        pairs = zip(canon.get(section, []), full[section], strict=True)
        plain[section] = [filled(short, whole) for short, whole in pairs]
    return plain


def _items(
    before: list[dict[str, Any]], after: list[dict[str, Any]], skip: frozenset[str]
) -> ItemChanges:
    old = {item["id"]: item for item in before}
    new = {item["id"]: item for item in after}
    changed = []
    for key in new:
        if key in old:
            fields = _fields(
                {k: v for k, v in old[key].items() if k not in skip},
                {k: v for k, v in new[key].items() if k not in skip},
            )
            if fields:
                changed.append(Changed(id=key, fields=fields))
    return ItemChanges(
        added=[k for k in new if k not in old],
        removed=[k for k in old if k not in new],
        changed=changed,
    )


def _edges(G: CausalGraph, H: CausalGraph) -> EdgeChanges:
    def data(graph: CausalGraph, edge: tuple[str, str]) -> dict[str, Any]:
        attrs = graph.edges[edge]
        return {"label": attrs.get("label"), "evidence": list(attrs.get("evidence") or [])}

    old, new = list(G.edges), list(H.edges)
    changed = []
    for edge in new:
        if G.has_edge(*edge) and (fields := _fields(data(G, edge), data(H, edge))):
            changed.append(Changed(id=f"{edge[0]}->{edge[1]}", fields=fields))
    return EdgeChanges(
        added=[e for e in new if not G.has_edge(*e)],
        removed=[e for e in old if not H.has_edge(*e)],
        changed=changed,
    )


def _same_content(
    before: list[dict[str, Any]], after: list[dict[str, Any]], ignored: tuple[str, ...]
) -> dict[str, str]:
    """Removed id → added id, for each pair of items whose content (every field but
    ``ignored``) is that of exactly one removed and exactly one added item: two removed
    items with the same content are never guessed between. In the order of ``before``."""
    kept = {i["id"] for i in before} & {i["id"] for i in after}

    def by_content(items: list[dict[str, Any]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for item in items:
            if item["id"] not in kept:
                content = {k: v for k, v in item.items() if k not in ignored}
                out.setdefault(json.dumps(content, sort_keys=True), []).append(item["id"])
        return out

    olds, news = by_content(before), by_content(after)
    return {
        ids[0]: news[content][0]
        for content, ids in olds.items()
        if len(ids) == 1 and len(news.get(content, ())) == 1
    }


def _renames(
    before: list[dict[str, Any]], after: list[dict[str, Any]], G: CausalGraph, H: CausalGraph
) -> dict[str, str]:
    """Removed node id → added node id, for each node whose id alone changed.

    A pair is a candidate when its content (every field but ``id`` and ``causes``) is that
    of exactly one removed and exactly one added node; it stays one while its causes and
    effects, with every candidate rename applied, are those of the added node. Dropping a
    pair can break another (two linked nodes renamed together), so this repeats until no
    pair is dropped. In the order of ``before``.
    """
    pairs = _same_content(before, after, ("id", "causes"))
    while pairs:

        def links(old: str) -> bool:
            def mapped(ids: Any) -> set[str]:
                return {pairs.get(i, i) for i in ids}

            new = pairs[old]
            return mapped(G.pred[old]) == set(H.pred[new]) and mapped(G.succ[old]) == set(
                H.succ[new]
            )

        broken = [old for old in pairs if not links(old)]
        if not broken:
            break
        for old in broken:
            del pairs[old]
    order = {n["id"]: i for i, n in enumerate(before)}
    return dict(sorted(pairs.items(), key=lambda pair: order[pair[0]]))


def _renamed(
    incident: Incident, renames: Mapping[str, str], actions: Mapping[str, str]
) -> Incident:
    """``incident`` with node ids renamed in its nodes, causes, edges and action targets,
    and action ids renamed as ``actions`` says."""

    def new(ident: str) -> str:
        return renames.get(ident, ident)

    return incident.model_copy(
        update={
            "nodes": [
                n.model_copy(update={"id": new(n.id), "causes": [new(c) for c in n.causes]})
                for n in incident.nodes
            ],
            "edges": [
                e.model_copy(update={"source": new(e.source), "target": new(e.target)})
                for e in incident.edges
            ],
            "actions": [
                a.model_copy(
                    update={
                        "id": actions.get(a.id, a.id),
                        "addresses": [new(t) for t in a.addresses],
                    }
                )
                for a in incident.actions
            ],
        }
    )


def diff(before: Incident, after: Incident, *, analyze: Analyzer | None = None) -> IncidentDiff:
    """Compare two versions of an incident.

    Examples
    --------
    >>> from causemap.loader import loads
    >>> a = loads('''
    ... causemap: 1
    ... id: d
    ... title: D
    ... date: 2024-01-01
    ... nodes:
    ...   - {id: push, kind: event, label: Pushed}
    ...   - {id: down, kind: impact, label: Down, causes: [push]}
    ... ''')
    >>> b = a.model_copy(update={"title": "D2"})
    >>> diff(a, b).fields
    {'title': ('D', 'D2')}
    >>> diff(a, a).empty
    True
    """
    old, new = _plain(before), _plain(after)
    G, H = build_graph(before), build_graph(after)
    renames = _renames(old["nodes"], new["nodes"], G, H)
    if renames:
        before = _renamed(before, renames, {})
        old = _plain(before)
    moved = _same_content(old["actions"], new["actions"], ("id",))
    if moved:
        before = _renamed(before, {}, moved)
        old = _plain(before)
    if renames or moved:
        G = build_graph(before)
    nodes = _items(old["nodes"], new["nodes"], frozenset({"id", "causes"}))
    result = IncidentDiff(
        fields=_fields(
            {k: v for k, v in old.items() if k not in _SECTIONS},
            {k: v for k, v in new.items() if k not in _SECTIONS},
        ),
        nodes=NodeChanges(**{**dict(nodes), "renamed": list(renames.items())}),
        actions=_items(old["actions"], new["actions"], frozenset({"id"})).model_copy(
            update={"renamed": list(moved.items())}
        ),
    )
    result.edges = _edges(G, H)
    if analyze is not None:
        result.analysis = analysis_changes(analyze(G), analyze(H))
    return result


def _dump(result: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True)
    return dict(result)


def _finding(finding: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "code": finding.get("code"),
        "nodes": list(finding.get("nodes") or []),
        "message": finding.get("message"),
    }


def _finding_key(finding: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two findings the same one: the check and what it is about.

    What it is about is compared as sets: the analysis lists them in the document's
    order, so reordering nodes must not turn one finding into a removed and an added one.
    """
    return (
        finding.get("code"),
        tuple(sorted(finding.get("nodes") or ())),
        tuple(sorted(tuple(edge) for edge in finding.get("edges") or ())),
        tuple(sorted(finding.get("actions") or ())),
    )


def _unmatched(
    findings: list[Mapping[str, Any]], others: list[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The findings with no counterpart (same key) among ``others``, each matched once."""
    left = Counter(_finding_key(f) for f in others)
    out = []
    for finding in findings:
        key = _finding_key(finding)
        if left[key]:
            left[key] -= 1
        else:
            out.append(_finding(finding))
    return out


def analysis_changes(
    before: BaseModel | Mapping[str, Any], after: BaseModel | Mapping[str, Any]
) -> AnalysisChanges:
    """Compare two analysis results (:class:`causemap.analyses.result.Analysis` shaped)."""
    old, new = _dump(before), _dump(after)

    def classes(analysis: dict[str, Any]) -> dict[str, str | None]:
        return {node: c.get("class") for node, c in (analysis.get("nodes") or {}).items()}

    old_classes, new_classes = classes(old), classes(new)
    moved = {
        node: (old_classes.get(node), new_classes.get(node))
        for node in dict.fromkeys([*old_classes, *new_classes])
        if old_classes.get(node) != new_classes.get(node)
    }
    old_findings = list(old.get("findings") or [])
    new_findings = list(new.get("findings") or [])

    def scalars(analysis: dict[str, Any]) -> dict[str, Any]:
        """Figures of the planned view, and of the others (``done.scenario_prevented`` …)."""
        prevention = analysis.get("prevention") or {}
        views = {"": prevention} | {
            f"{k}.": v for k, v in prevention.items() if isinstance(v, Mapping)
        }
        return {
            f"{prefix}{k}": v
            for prefix, view in views.items()
            for k, v in view.items()
            if isinstance(v, bool | int | float)
        }

    return AnalysisChanges(
        classes=moved,
        findings_added=_unmatched(new_findings, old_findings),
        findings_removed=_unmatched(old_findings, new_findings),
        prevention=_fields(scalars(old), scalars(new)),
    )


def default_analyzer() -> Analyzer | None:
    """``causemap.analyses.analyze`` when this build has it, else None."""
    module = importlib.import_module("causemap.analyses")
    found: Analyzer | None = getattr(module, "analyze", None)
    return found
