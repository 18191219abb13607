"""Graphviz DOT source, built from a whitelist and escaped by construction.

Nothing the user wrote reaches the DOT text except as the *content* of a quoted label:

* node names are generated (``n0``, ``a0``, ``legend3``), never taken from the incident;
* attribute names come from :data:`ATTRIBUTES`, and values other than labels are
  causemap's own constants from :mod:`causemap.render.style`;
* label text is cleaned to one line (no controls), wrapped, and every line escaped:
  backslashes are doubled, so ``\\N``, ``\\G``, ``\\L``, ``\\l`` and ``\\r`` stay literal
  text instead of escString sequences, quotes are escaped, so a label cannot close
  its string, and ``&`` becomes ``&amp;``, so an HTML entity stays the text it is.
  Line breaks are causemap's own ``\\n``/``\\l`` between escaped lines;
* labels are always quoted strings, never ``<...>`` HTML-like labels, so ``<IMG>`` or
  ``<TD HREF>`` in a label is just text.

The output is sorted (see :mod:`causemap.render.view`) and byte-identical for the same
incident, options and analysis. Layout-effort limits grow with the size of the graph.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from causemap.render import style
from causemap.render.options import DEFAULT_LIMITS, RenderLimits, RenderOptions
from causemap.render.text import EDGE_WIDTH, NODE_WIDTH, NOTE_WIDTH, wrap
from causemap.render.view import ActionView, EdgeView, NodeView, View, build_view

if TYPE_CHECKING:
    from causemap.analyses.result import Analysis
    from causemap.graph import CausalGraph

__all__ = ["ATTRIBUTES", "EscString", "dot_source", "escape", "to_dot"]

ATTRIBUTES = frozenset(
    {
        "arrowhead",
        "arrowsize",
        "bgcolor",
        "color",
        "constraint",
        "fillcolor",
        "fontcolor",
        "fontname",
        "fontsize",
        "height",
        "label",
        "labeljust",
        "labelloc",
        "margin",
        "mclimit",
        "minlen",
        "newrank",
        "nodesep",
        "nslimit",
        "nslimit1",
        "outputorder",
        "pad",
        "penwidth",
        "rank",
        "rankdir",
        "ranksep",
        "searchsize",
        "shape",
        "splines",
        "style",
        "width",
    }
)
"""Every attribute name causemap may write. Notably absent: ``image``, ``shapefile``,
``imagepath``, ``URL``/``href``, ``tooltip``, ``stylesheet``, ``fontpath`` and ``id``."""

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_MARKS = 3


@dataclass(frozen=True)
class EscString:
    """A label whose lines are already escaped and joined with DOT line breaks.

    Only :func:`label` makes one; any plain ``str`` attribute value is escaped whole.
    """

    text: str


def escape(text: str) -> str:
    """Escape ``text`` for a double-quoted DOT string with no escString or entity meaning left.

    Graphviz decodes HTML entities in every label (``&#x202E;`` would become a real
    right-to-left override, ``&lt;b&gt;`` would display as ``<b>``), so ``&`` is written
    as ``&amp;`` and the label shows exactly what the user typed.

    Examples
    --------
    >>> print(escape('say "hi" \\\\N &#60;'))
    say \\"hi\\" \\\\N &amp;#60;
    """
    if "\\" not in text and '"' not in text and "&" not in text:
        return text  # the usual case
    return text.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"')


def label(lines: Sequence[str], *, left: bool = False) -> EscString:
    """Join plain lines into one label: centred (``\\n``) or left-aligned (``\\l``)."""
    escaped = [escape(line) for line in lines]
    if left:
        return EscString("".join(line + "\\l" for line in escaped))
    return EscString("\\n".join(escaped))


def _attrs(attrs: Mapping[str, str | EscString]) -> str:
    if not ATTRIBUTES.issuperset(attrs):
        key = min(set(attrs) - ATTRIBUTES)
        raise ValueError(f"attribute {key!r} is not on causemap's DOT whitelist")
    parts = []
    for key in sorted(attrs):
        value = attrs[key]
        text = value.text if isinstance(value, EscString) else escape(value)
        parts.append(f'{key}="{text}"')
    return "[" + ", ".join(parts) + "]"


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"DOT node name {name!r} is not a generated identifier")
    return name


def _marks(marks: Sequence[tuple[str, str]]) -> list[str]:
    lines = [f"{style.MARKER} {severity}: {code}" for severity, code in marks[:_MAX_MARKS]]
    if len(marks) > _MAX_MARKS:
        lines.append(f"{style.MARKER} +{len(marks) - _MAX_MARKS} more")
    return lines


def _node(node: NodeView, highlight: bool) -> dict[str, str | EscString]:
    shape = style.KIND_SHAPES[node.kind]
    cls = style.CLASS_STYLES[node.cls]
    words = ["filled", *([shape.dot_style] if shape.dot_style else [])]
    if node.unknown:
        words.append("dashed")
    lines = _marks(node.findings)
    if node.unknown:
        lines.append("? open question")
    lines += wrap(node.label, NODE_WIDTH)
    attrs: dict[str, str | EscString] = {
        "label": label(lines),
        "shape": shape.dot_shape,
        "style": ",".join(words),
        "fillcolor": cls.fill,
        "color": cls.border,
        "penwidth": cls.penwidth,
    }
    if highlight and node.uncovered:
        attrs.update(color=style.UNCOVERED, penwidth="3")
    if node.focus:
        attrs.update(penwidth="4")
    return attrs


def _edge(edge: EdgeView, highlight: bool, upward: bool) -> dict[str, str | EscString]:
    attrs: dict[str, str | EscString] = {}
    if upward:
        # An effect in a lane above its cause: drawn, but not allowed to pull the lanes
        # out of order (the layout would otherwise reverse the invisible lane edges).
        attrs["constraint"] = "false"
    lines = _marks(edge.findings)
    if edge.label:
        lines += wrap(edge.label, EDGE_WIDTH)
    if lines:
        attrs["label"] = label(lines)
    if edge.gate_or:
        attrs["arrowhead"] = "empty"
    if highlight:
        if edge.uncovered:
            attrs.update(color=style.UNCOVERED, penwidth="3")
        else:
            attrs.update(color=style.FADED)
    return attrs


def _action(action: ActionView) -> dict[str, str | EscString]:
    look = style.ACTION_STYLES.get(action.status, style.ACTION_STYLES["open"])
    head = f"{look.word.upper()} · {action.type} · {action.id}"
    tail = " · ".join(part for part in (action.owner, action.due and f"due {action.due}") if part)
    lines = [head, *wrap(action.title, NOTE_WIDTH), *([tail] if tail else [])]
    return {
        "label": label(lines, left=True),
        "shape": "note",
        "style": f"filled,{look.border_style}",
        "fillcolor": look.fill,
        "color": "#444444",
        "fontsize": "9",
    }


def _effort(n_nodes: int, n_edges: int) -> dict[str, str | EscString]:
    """Layout-effort limits: none for postmortem-sized graphs, tighter as graphs grow."""
    size = max(n_nodes, n_edges // 3)
    if size <= 150:
        return {}
    if size <= 300:
        return {"nslimit": "4", "nslimit1": "4", "mclimit": "0.5"}
    return {"nslimit": "2", "nslimit1": "2", "mclimit": "0.2", "searchsize": "20"}


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def stmt(self, indent: int, head: str, attrs: Mapping[str, str | EscString] | None) -> None:
        tail = f" {_attrs(attrs)}" if attrs else ""
        self.lines.append("  " * indent + head + tail + ";")

    def raw(self, indent: int, text: str) -> None:
        self.lines.append("  " * indent + text)


def _legend_items(view: View) -> list[dict[str, str | EscString]]:
    """The legend: only what this diagram uses, in a fixed order."""
    items: list[dict[str, str | EscString]] = []
    for kind in view.kinds():
        shape = style.KIND_SHAPES[kind]
        items.append(
            {
                "label": label([kind]),
                "shape": shape.dot_shape,
                "style": ",".join(["filled", *([shape.dot_style] if shape.dot_style else [])]),
                "fillcolor": "#FFFFFF",
            }
        )
    if view.analysed or any(n.cls != "none" for n in view.nodes):
        for cls in view.classes():
            look = style.CLASS_STYLES[cls]
            items.append(
                {
                    "label": label([cls, f"({look.meaning})"]),
                    "shape": "box",
                    "style": "filled",
                    "fillcolor": look.fill,
                    "color": look.border,
                    "penwidth": look.penwidth,
                }
            )
    looks: dict[style.ActionStyle, list[str]] = {}
    for status in style.ACTION_STYLES:
        if any(a.status == status for a in view.actions):
            looks.setdefault(style.ACTION_STYLES[status], []).append(
                style.ACTION_STYLES[status].word
            )
    for note, words in looks.items():
        items.append(
            {
                "label": label([f"action: {' or '.join(words)}"]),
                "shape": "note",
                "style": f"filled,{note.border_style}",
                "fillcolor": note.fill,
                "color": "#444444",
            }
        )
    notes: list[str] = []
    if any(n.unknown for n in view.nodes):
        notes.append("dashed border: open question")
    if any(n.focus for n in view.nodes):
        notes.append(style.FOCUS_NOTE)
    if any(n.findings for n in view.nodes) or any(e.findings for e in view.edges):
        notes.append(f"{style.MARKER}: a method check to discuss")
    for broad in view.broad_findings:  # one line per (severity, code), however many
        notes.append(style.broad_finding(broad.severity, broad.code, broad.findings, broad.nodes))
    if any(e.gate_or for e in view.edges):
        notes.append("hollow arrowhead: any one cause suffices")
    if view.options.highlight == "uncovered" and view.analysed:
        notes.append(
            "every causal path is cut by a preventive action"
            if view.all_paths_cut
            else "heavy vermillion: a path no preventive action cuts"
        )
    if notes:
        items.append({"label": label(notes, left=True), "shape": "plaintext"})
    return items


def _legend(view: View, w: _Writer) -> None:
    items = _legend_items(view)
    if not items:
        return
    w.raw(1, "subgraph cluster_legend {")
    w.stmt(2, "graph", {"label": label(["Legend"]), "style": "rounded", "color": "#999999"})
    names = [_name(f"legend{i}") for i in range(len(items))]
    for name, attrs in zip(names, items, strict=True):
        w.stmt(2, name, {"fontsize": "9", **attrs})
    depths = _depths(view)
    if view.options.rankdir == "TB":
        # Top down, a legend row is as wide as its items: more of them side by side than
        # the diagram's widest rank has nodes (two at least) would make the legend wider
        # than the diagram. Stack the rest in rows.
        widest = max(Counter(depths.values()).values(), default=1)
        per_row = min(len(names), max(2, widest))
        columns = [names[i : i + per_row] for i in range(0, len(names), per_row)]
    else:
        # Left to right, each legend column takes one of the diagram's ranks, and a rank
        # is as wide as its widest node: more columns than the diagram has ranks would
        # spread the legend far wider than the diagram. Stack the rest in columns.
        rows = -(-len(names) // min(len(names), max(depths.values(), default=1)))
        columns = [names[i : i + rows] for i in range(0, len(names), rows)]
    for column in columns:
        if len(column) > 1:
            w.raw(2, "{rank=same; " + "; ".join(column) + ";}")
    # Invisible links keep the order: along a row or column they place its items, and
    # from one to the next they stack the rows (top down: every item in turn).
    tb = view.options.rankdir == "TB"
    heads = names if tb or len(columns) == 1 else [column[0] for column in columns]
    for before, after in itertools.pairwise(heads):
        w.stmt(2, f"{before} -> {after}", {"style": "invis"})
    w.raw(1, "}")


def _depths(view: View) -> dict[str, int]:
    """Return the rank the causal links alone give each node: 1 for a node with no cause,
    else one more than its deepest cause (the longest chain is the number of ranks)."""
    effects: dict[str, list[str]] = {}
    waiting = {node.key: 0 for node in view.nodes}
    for edge in view.edges:
        effects.setdefault(edge.source_key, []).append(edge.target_key)
        waiting[edge.target_key] += 1
    depth = dict.fromkeys((key for key, n in waiting.items() if n == 0), 1)
    ready = list(depth)
    while ready:  # Kahn's order: a node once all its causes have their depth
        key = ready.pop()
        for effect in effects.get(key, ()):
            depth[effect] = max(depth.get(effect, 1), depth[key] + 1)
            waiting[effect] -= 1
            if waiting[effect] == 0:
                ready.append(effect)
    return depth


def dot_source(view: View) -> str:
    """Return the DOT text of a :class:`View`."""
    options = view.options
    highlight = options.highlight == "uncovered" and view.analysed
    w = _Writer()
    w.raw(0, "digraph incident {")
    title = [f"{view.title}", f"{view.incident} · {view.date}"]
    graph: dict[str, str | EscString] = {
        "rankdir": options.rankdir,
        "newrank": "true",
        "label": label(title),
        "labelloc": "t",
        "labeljust": "l",
        "fontname": style.FONT,
        "fontsize": "14",
        "bgcolor": "#FFFFFF",
        "pad": "0.3",
        "nodesep": "0.3",
        "ranksep": "0.45",
        "outputorder": "edgesfirst",
        **_effort(len(view.nodes) + len(view.actions), len(view.edges)),
    }
    w.stmt(1, "graph", graph)
    w.stmt(1, "node", {"fontname": style.FONT, "fontsize": "11", "margin": "0.12,0.06"})
    w.stmt(
        1,
        "edge",
        {"fontname": style.FONT, "fontsize": "9", "color": style.EDGE, "arrowsize": "0.7"},
    )
    lane_of: dict[str, int] = {}
    if options.lanes == "level":
        lane_of = _lanes(view, w, highlight)
    else:
        for node in view.nodes:
            w.stmt(1, _name(node.key), _node(node, highlight))
    for edge in view.edges:
        upward = lane_of.get(edge.source_key, 0) > lane_of.get(edge.target_key, 0)
        w.stmt(
            1,
            f"{_name(edge.source_key)} -> {_name(edge.target_key)}",
            _edge(edge, highlight, upward),
        )
    for action in view.actions:
        w.stmt(1, _name(action.key), _action(action))
        for target in action.addresses:
            w.stmt(
                1,
                f"{_name(action.key)} -> {_name(target)}",
                {"style": "dotted", "arrowhead": "none", "color": "#555555"},
            )
    if options.legend:
        _legend(view, w)
    w.raw(0, "}")
    return "\n".join(w.lines) + "\n"


def _lanes(view: View, w: _Writer, highlight: bool) -> dict[str, int]:
    """AcciMap swimlanes: one cluster per level, kept in order by invisible separators.

    Every node of a lane points (invisibly) at a separator, and the separator at every
    node of the next lane, so each lane's ranks come wholly before the next lane's.
    """
    lanes = view.lanes()
    for i, (lane, members) in enumerate(lanes):
        w.raw(1, f"subgraph cluster_lane{i} {{")
        w.stmt(
            2,
            "graph",
            {
                "label": label([style.lane_title(lane)]),
                "labeljust": "l",
                "style": "filled",
                "fillcolor": style.LANE_FILLS[i % 2],
                "color": "#BBBBBB",
            },
        )
        for node in members:
            w.stmt(2, _name(node.key), _node(node, highlight))
        w.raw(1, "}")
    invisible: dict[str, str | EscString] = {"style": "invis"}
    for i in range(len(lanes) - 1):
        sep = _name(f"lanesep{i}")
        w.stmt(1, sep, {"shape": "point", "style": "invis", "width": "0", "height": "0"})
        for node in lanes[i][1]:
            w.stmt(1, f"{_name(node.key)} -> {sep}", invisible)
        for node in lanes[i + 1][1]:
            w.stmt(1, f"{sep} -> {_name(node.key)}", invisible)
    return {node.key: i for i, (_, members) in enumerate(lanes) for node in members}


def to_dot(
    G: CausalGraph,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> str:
    """Return the DOT source of the causal graph ``G``.

    Examples
    --------
    >>> from causemap.graph import to_graph
    >>> from causemap.loader import loads
    >>> G = to_graph(loads('''{"causemap": 1, "id": "demo", "title": "Demo",
    ...   "date": "2024-01-01", "nodes": [
    ...   {"id": "push", "kind": "event", "label": "Config \\\\"pushed\\\\""},
    ...   {"id": "down", "kind": "impact", "label": "Site down", "causes": ["push"]}]}'''))
    >>> source = to_dot(G, RenderOptions(legend=False))
    >>> print(source.splitlines()[-2])
      n1 -> n0;
    >>> 'label="Config \\\\"pushed\\\\""' in source
    True
    """
    return dot_source(build_view(G, options, analysis, limits))
