"""What a diagram shows, worked out once for every output format.

``build_view(G, options, analysis, limits)`` decides which nodes, edges and action
notes are drawn, in which class, lane and state, and checks the drawing caps. The DOT and
Mermaid writers then only translate a :class:`View` into their syntax, so that both
formats always show the same thing.

Everything is sorted by the incident's own ids, and the identifiers used in the output
(``n0``, ``n1`` … and ``a0``, ``a1`` …) are numbered in that order: the same incident
gives the same view whatever order its file lists the nodes in.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from causemap.errors import LimitExceeded, NodeNotFound
from causemap.plain import clean
from causemap.render.options import DEFAULT_LIMITS, RenderLimits, RenderOptions
from causemap.render.style import LANE_ORDER
from causemap.render.text import natural_key

if TYPE_CHECKING:
    from causemap.analyses.result import Analysis
    from causemap.graph import CausalGraph

__all__ = [
    "ActionView",
    "BroadFinding",
    "EdgeView",
    "NodeView",
    "View",
    "build_view",
    "check_focus",
]

_SEVERITY_RANK = {"error": 0, "warning": 1}
BROAD = 3
"""A finding about more nodes than this, or about every node of the graph, is about the
graph, not a node: it is listed once (in the legend) instead of marking every node it
names (on a three-node chain, LINEAR_CHAIN would otherwise stamp all three). A finding
about no node and no edge (NO_SYSTEMIC_FACTOR) is listed there too."""


@dataclass(frozen=True)
class NodeView:
    """One node as drawn."""

    id: str
    """The incident's node id."""
    key: str
    """The identifier used in the output: ``n0``, ``n1`` …"""
    kind: str
    label: str
    """Cleaned label text, not yet escaped."""
    cls: str
    """proximate, systemic, impact, or none when nothing classified it."""
    lane: str
    unknown: bool = False
    gate_or: bool = False
    """True when any one of the node's causes would have sufficed (an OR gate)."""
    findings: tuple[tuple[str, str], ...] = ()
    """(severity, code) of the error and warning findings about this node."""
    uncovered: bool = False
    """On a causal path that no preventive action cuts (only with ``highlight="uncovered"``)."""
    focus: bool = False


@dataclass(frozen=True)
class EdgeView:
    """One cause → effect edge as drawn."""

    source: str
    target: str
    source_key: str
    target_key: str
    label: str | None
    gate_or: bool = False
    findings: tuple[tuple[str, str], ...] = ()
    uncovered: bool = False


@dataclass(frozen=True)
class ActionView:
    """One action item as a note."""

    id: str
    key: str
    """``a0``, ``a1`` …"""
    title: str
    status: str
    type: str
    owner: str | None
    due: str | None
    addresses: tuple[str, ...]
    """Keys of the drawn nodes this action addresses."""


@dataclass(frozen=True)
class BroadFinding:
    """The error or warning findings of one code about the graph: one legend line.

    Findings of one (severity, code) are counted, not listed: an incident with 2,000
    vague actions has 2,000 ACTION_VAGUE findings, and a line apiece said the same thing
    2,000 times and buried the rest of the legend.
    """

    severity: str
    code: str
    findings: int
    """How many findings of this severity and code are about the graph."""
    nodes: int
    """How many distinct nodes they name between them (0: none). Distinct, not summed:
    2,000 actions on the same 50 nodes are about 50 nodes, and a sum could exceed the
    incident's size."""


@dataclass(frozen=True)
class View:
    """Everything a writer needs to draw one incident."""

    incident: str
    title: str
    date: str
    options: RenderOptions
    nodes: tuple[NodeView, ...]
    edges: tuple[EdgeView, ...]
    actions: tuple[ActionView, ...]
    analysed: bool
    """True when an analysis supplied the classes, findings and coverage."""
    all_paths_cut: bool | None = None
    """From the analysis: whether the actions cut every path (None without analysis)."""
    broad_findings: tuple[BroadFinding, ...] = ()
    """The error and warning findings about the graph, one per (severity, code), in
    severity then code order."""

    def lanes(self) -> list[tuple[str, list[NodeView]]]:
        """Return the non-empty lanes, top (blunt end) to bottom, with their nodes."""
        return [
            (lane, members)
            for lane in LANE_ORDER
            if (members := [n for n in self.nodes if n.lane == lane])
        ]

    def kinds(self) -> list[str]:
        """Return the node kinds drawn, in legend order."""
        present = {n.kind for n in self.nodes}
        return [k for k in ("event", "condition", "factor", "impact") if k in present]

    def classes(self) -> list[str]:
        """Return the classes drawn, in legend order."""
        present = {n.cls for n in self.nodes}
        return [c for c in ("proximate", "systemic", "impact", "none") if c in present]


_Marks = dict[str, set[tuple[str, str]]]
_EdgeMarks = dict[tuple[str, str], set[tuple[str, str]]]


def _findings(
    analysis: Analysis | None, n_nodes: int
) -> tuple[_Marks, _EdgeMarks, list[BroadFinding]]:
    by_node: _Marks = {}
    by_edge: _EdgeMarks = {}
    broad: dict[tuple[str, str], set[str]] = {}  # mark → the nodes its findings name
    counts: Counter[tuple[str, str]] = Counter()
    if analysis is None:
        return by_node, by_edge, []
    for finding in analysis.findings:
        if finding.severity not in _SEVERITY_RANK:
            continue
        mark = (finding.severity, finding.code)
        named = set(finding.nodes)
        if len(named) > BROAD or 1 < n_nodes <= len(named) or not (named or finding.edges):
            broad.setdefault(mark, set()).update(named)
            counts[mark] += 1
        else:
            for node in finding.nodes:
                by_node.setdefault(node, set()).add(mark)
        for source, target in finding.edges:
            by_edge.setdefault((source, target), set()).add(mark)
    return (
        by_node,
        by_edge,
        [
            BroadFinding(severity, code, counts[severity, code], len(broad[severity, code]))
            for severity, code in _sorted_marks(broad)
        ],
    )


def _sorted_marks(marks: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(marks, key=lambda m: (_SEVERITY_RANK[m[0]], m[1])))


def _class_of(node_id: str, data: dict[str, Any], analysis: Analysis | None) -> str:
    if analysis is not None and node_id in analysis.nodes:
        return analysis.nodes[node_id].class_
    if data["kind"] == "impact":
        return "impact"
    return str(data.get("classification") or "none")


def _lane_of(data: dict[str, Any]) -> str:
    if data.get("level"):
        return str(data["level"])
    return "impact" if data["kind"] == "impact" else "no-level"


def _smaller(options: RenderOptions) -> str:
    """What would make an over-large diagram smaller, given what ``options`` already do."""
    tips = []
    if options.actions:
        tips.append("leave out the action notes")
    if options.focus is None:
        tips.append("focus on one node")
    else:
        tips.append(
            f"focus on a node with fewer causes and effects than '{options.focus}', "
            "nearer the start or the end of the causal chains"
        )
    return "to draw it, " + ", or ".join(tips)


def check_focus(G: CausalGraph, focus: str | None) -> None:
    """Raise :class:`NodeNotFound` if ``focus`` is given and is not a node of ``G``, so
    that a caller drawing several incidents can refuse before drawing any."""
    if focus is not None and focus not in G:
        close = difflib.get_close_matches(focus, sorted(G.nodes), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise NodeNotFound(f"no node '{focus}' in incident '{G.graph.get('id')}'{hint}")


def _shown(G: CausalGraph, focus: str | None) -> set[str]:
    if focus is None:
        return set(G.nodes)
    check_focus(G, focus)
    return {focus} | nx.ancestors(G, focus) | nx.descendants(G, focus)


def _check_label(text: str | None, what: str, limits: RenderLimits) -> None:
    if text is not None and len(text) > limits.max_label:
        raise LimitExceeded(
            f"{what} is {len(text):,} characters long; diagrams allow at most "
            f"{limits.max_label:,} per label"
        )


def build_view(
    G: CausalGraph,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> View:
    """Return what a diagram of ``G`` shows under ``options``.

    Raises
    ------
    NodeNotFound
        If ``options.focus`` names a node that is not in ``G``.
    LimitExceeded
        If the drawing would have more nodes, edges or longer labels than ``limits`` allow.
    """
    options = options or RenderOptions()
    shown = _shown(G, options.focus)
    node_marks, edge_marks, broad = _findings(analysis, G.number_of_nodes())
    highlight = options.highlight == "uncovered" and analysis is not None
    uncovered = set(analysis.prevention.uncovered_nodes) if highlight and analysis else set()

    actions_raw = (
        sorted(G.graph.get("actions", []), key=lambda a: natural_key(str(a["id"])))
        if options.actions
        else []
    )
    actions_raw = [a for a in actions_raw if any(n in shown for n in a.get("addresses", []))]
    n_links = sum(len({n for n in a["addresses"] if n in shown}) for a in actions_raw)
    edges_shown = [(u, v) for u, v in G.edges if u in shown and v in shown]
    if len(shown) + len(actions_raw) > limits.max_nodes:
        raise LimitExceeded(
            f"the diagram would have {len(shown) + len(actions_raw):,} nodes and notes; "
            f"diagrams allow at most {limits.max_nodes:,} ({_smaller(options)})"
        )
    if len(edges_shown) + n_links > limits.max_edges:
        raise LimitExceeded(
            f"the diagram would have {len(edges_shown) + n_links:,} edges and links; "
            f"diagrams allow at most {limits.max_edges:,} ({_smaller(options)})"
        )
    _check_label(G.graph.get("title"), "the incident title", limits)

    keys = {node_id: f"n{i}" for i, node_id in enumerate(sorted(shown))}
    nodes = []
    for node_id in sorted(shown):
        data = G.nodes[node_id]
        _check_label(data["label"], f"the label of node '{node_id}'", limits)
        nodes.append(
            NodeView(
                id=node_id,
                key=keys[node_id],
                kind=str(data["kind"]),
                label=clean(data["label"]),
                cls=_class_of(node_id, data, analysis),
                lane=_lane_of(data),
                unknown=bool(data.get("unknown")),
                gate_or=data.get("gate") == "or" and G.in_degree(node_id) > 1,
                findings=_sorted_marks(node_marks.get(node_id, ())),
                uncovered=node_id in uncovered,
                focus=node_id == options.focus,
            )
        )
    edges = []
    for source, target in sorted(edges_shown):
        data = G.edges[source, target]
        label = data.get("label") if options.edge_labels else None
        _check_label(label, f"the label of edge {source} → {target}", limits)
        edges.append(
            EdgeView(
                source=source,
                target=target,
                source_key=keys[source],
                target_key=keys[target],
                label=clean(label) if label else None,
                gate_or=G.nodes[target].get("gate") == "or" and G.in_degree(target) > 1,
                findings=_sorted_marks(edge_marks.get((source, target), ())),
                uncovered=source in uncovered and target in uncovered,
            )
        )
    actions = []
    for i, action in enumerate(actions_raw):
        _check_label(action["title"], f"the title of action '{action['id']}'", limits)
        due = action.get("due")
        actions.append(
            ActionView(
                id=str(action["id"]),
                key=f"a{i}",
                title=clean(action["title"]),
                status=str(action.get("status") or "open"),
                type=str(action.get("type") or "prevent"),
                owner=clean(action["owner"]) if action.get("owner") else None,
                due=str(due) if due else None,
                addresses=tuple(keys[n] for n in sorted(set(action["addresses"]) & shown)),
            )
        )
    return View(
        incident=str(G.graph.get("id", "")),
        title=clean(str(G.graph.get("title", ""))),
        date=str(G.graph.get("date", "")),
        options=options,
        nodes=tuple(nodes),
        edges=tuple(edges),
        actions=tuple(actions),
        analysed=analysis is not None,
        all_paths_cut=analysis.prevention.all_paths_cut if analysis is not None else None,
        broad_findings=tuple(broad),
    )
