"""Mermaid flowcharts that render on GitHub and GitLab, with the DOT diagram's grammar.

Safe by construction, like the DOT writer:

* node ids are made from the incident's slugs with every character outside
  ``[A-Za-z0-9_]`` replaced, a prefix where they would start with a digit, and a numeric
  suffix where they would clash with each other, with a Mermaid keyword (``end``,
  ``graph``, ``click``, ``style`` …) or with an id the diagram makes itself (the lanes'
  subgraphs, the legend);
* label text is always a quoted string in which every character that means something to
  Mermaid, HTML or Markdown (quotes, brackets, braces, pipes, ``<``, ``>``, ``&``, ``#``,
  backticks, ``%``, backslashes) is written as a Mermaid entity code such as
  ``#quot;``, so a label can neither end its string, start a statement (``click … call``),
  nor become HTML or a Markdown string. Line breaks are causemap's own ``<br/>``.
* after sanitising a label, Mermaid rewrites what is left: ``$$…$$`` becomes KaTeX
  math, ``fa:fa-name`` a Font Awesome icon, a backslash and ``n`` a line break, and its
  own entity placeholders ``ﬂ°`` and ``¶ß`` become ``&`` and ``;`` (so ``ﬂ°lt¶ß`` showed
  ``<``). Entity codes do not survive to that point, so an empty ``<span></span>``,
  which shows nothing, is put between the two characters that start each pattern.
* before parsing, Mermaid drops the last ``;`` of every line that matches
  ``style.*:\\S*#.*;`` or ``classDef.*:\\S*#.*;``, which breaks the entity code that
  ``;`` ends (a label ``style color:#fff "quoted"`` showed ``"quoted#quot``). On such a
  line every colon not followed by a space is written ``#58;`` as well, so the line no
  longer matches; other lines keep their colons, so times and URLs stay readable.

Output is sorted the same way as the DOT source.

GitHub and GitLab draw a ``mermaid`` code block with Mermaid's default configuration,
which caps a diagram at ``maxTextSize`` = 50,000 characters of source and ``maxEdges`` =
500 links (https://mermaid.js.org/config/schema-docs/config-properties-maxtextsize.html,
https://mermaid.js.org/config/schema-docs/config-properties-maxedges.html). Past either,
the reader sees only an error box ("Maximum text size in diagram exceeded", "Edge limit
exceeded") where the diagram should be. :func:`viewer_problem` says when a flowchart
would get that box, so that the Markdown section can leave it out and the CLI can warn.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from causemap.render import style
from causemap.render.options import DEFAULT_LIMITS, RenderLimits, RenderOptions
from causemap.render.text import wrap
from causemap.render.view import ActionView, NodeView, View, build_view

if TYPE_CHECKING:
    from causemap.analyses.result import Analysis
    from causemap.graph import CausalGraph

__all__ = [
    "RESERVED",
    "VIEWER_MAX_EDGES",
    "VIEWER_MAX_TEXT",
    "escape",
    "mermaid_source",
    "to_mermaid",
    "viewer_problem",
]

RESERVED = frozenset(
    {
        "acctitle",
        "accdescr",
        "bt",
        "call",
        "callback",
        "class",
        "classdef",
        "click",
        "default",
        "direction",
        "end",
        "flowchart",
        "flowchart-elk",
        "graph",
        "href",
        "interpolate",
        "linkstyle",
        "lr",
        "rl",
        "style",
        "subgraph",
        "tb",
        "td",
    }
)
"""Words that cannot be node ids (compared case-insensitively)."""

_ENTITIES = {
    "&": "#amp;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "#": "#35;",
    "%": "#37;",
    "(": "#40;",
    ")": "#41;",
    "[": "#91;",
    "\\": "#92;",
    "]": "#93;",
    "`": "#96;",
    "{": "#123;",
    "|": "#124;",
    "}": "#125;",
}
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
# Mermaid's encodeEntities() drops the last ";" of lines like these before parsing.
_MANGLED = re.compile(r"(?:style|classDef).*:\S*#.*;")
_COLON = re.compile(r":(?!\s)")
# Where Mermaid's post-sanitising rewrites would start, in escaped text: "$$", "fa:fa-",
# "\n" (the backslash is #92; by then), "ﬂ°" and "¶ß".
_REWRITTEN = re.compile(
    r"(?<=\$)(?=\$)|(?:(?<=fa:)|(?<=fa[bklrs]:))(?=fa-)|(?<=#92;)(?=n)"
    r"|(?<=\ufb02)(?=\xb0)|(?<=\xb6)(?=\xdf)"
)
_BREAK = "<span></span>"
_NOT_ID = re.compile(r"[^A-Za-z0-9_]")
_INDENT = "    "
# Mermaid wraps labels at 200 px itself; lines this short fit inside, so the two never
# break the same line twice.
_NODE_WIDTH = 24
_NOTE_WIDTH = 28
_EDGE_WIDTH = 24

VIEWER_MAX_TEXT = 50_000
"""Mermaid's default ``maxTextSize``: the most characters (UTF-16 code units, as
JavaScript counts them) of source that GitHub and GitLab draw."""
VIEWER_MAX_EDGES = 500
"""Mermaid's default ``maxEdges``: the most links a flowchart may have there."""
# A link statement as mermaid_source() writes one: one indent (node lines in a subgraph
# have two), an id, a space and an arrow. A node line has no space after its id, and
# labels hold no ">" or "~" (they are entity codes), so nothing else matches.
_LINK_LINE = re.compile(r"^    [A-Za-z0-9_]+ (?:-->|--o|-\.-|~~~)", re.MULTILINE)


def escape(text: str) -> str:
    """Write every Mermaid, HTML or Markdown metacharacter of ``text`` as an entity code.

    Examples
    --------
    >>> escape('"]) --> x[')
    '#quot;#93;#41; --#gt; x#91;'
    >>> escape("$$x$$ fa:fa-car")
    '$<span></span>$x$<span></span>$ fa:<span></span>fa-car'
    """
    escaped = _SPECIAL.sub(lambda m: _ENTITIES[m.group()], text)
    return _REWRITTEN.sub(_BREAK, escaped)


def _unmangled(line: str) -> str:
    """Return ``line`` with its colons as ``#58;`` if Mermaid would cut a ``;`` from it.

    Only called on lines of nodes, links and subgraphs, whose only colons are in labels.
    A colon followed by a space cannot start a match, so every other one is encoded.

    Examples
    --------
    >>> _unmangled('a("style color#58;#35;fff")')
    'a("style color#58;#35;fff")'
    >>> _unmangled('a("style color:#35;fff at 18:08, see: x")')
    'a("style color#58;#35;fff at 18#58;08, see: x")'
    >>> _unmangled('a("at 18:08")')
    'a("at 18:08")'
    """
    return _COLON.sub("#58;", line) if _MANGLED.search(line) else line


def _label(lines: list[str]) -> str:
    return '"' + "<br/>".join(escape(line) for line in lines) + '"'


class _Ids:
    """Stable, unique, keyword-free Mermaid ids (after pipdeptree's ``_mermaid_id``)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.tried: dict[str, int] = {}
        """Per base, how far its candidates were tried: all before are taken for good, so
        many clashes of one base (node ids that differ only in punctuation) cost linear time."""

    def make(self, raw: str) -> str:
        base = _NOT_ID.sub("_", raw)
        if not base or base[0].isdigit():
            base = f"n_{base}"
        tried = self.tried.get(base, 0)  # 0: the base itself, k: the base with _{k - 1}
        candidate = f"{base}_{tried - 1}" if tried else base
        while candidate.lower() in RESERVED or candidate in self.used:
            tried += 1
            candidate = f"{base}_{tried - 1}"
        self.tried[base] = tried
        self.used.add(candidate)
        return candidate


def _marks(marks: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"{style.MARKER} {severity}: {code}" for severity, code in marks]


def _node_line(node: NodeView, ident: str) -> str:
    shape = style.KIND_SHAPES[node.kind]
    lines = _marks(node.findings)
    if node.unknown:
        lines.append("? open question")
    lines += wrap(node.label, _NODE_WIDTH)
    return f"{ident}{shape.mermaid_open}{_label(lines)}{shape.mermaid_close}"


def _action_line(action: ActionView, ident: str) -> str:
    look = style.ACTION_STYLES.get(action.status, style.ACTION_STYLES["open"])
    head = f"{look.word.upper()} · {action.type} · {action.id}"
    tail = " · ".join(part for part in (action.owner, action.due and f"due {action.due}") if part)
    lines = [head, *wrap(action.title, _NOTE_WIDTH), *([tail] if tail else [])]
    return f"{ident}>{_label(lines)}]"


def _class_defs() -> dict[str, str]:
    defs = {
        cls: f"fill:{look.fill},stroke:{look.border},stroke-width:{look.penwidth}px,color:#000000"
        for cls, look in style.CLASS_STYLES.items()
    }
    defs["unknown"] = "stroke-dasharray:5 4"
    defs["uncovered"] = f"stroke:{style.UNCOVERED},stroke-width:3px"
    defs["focus"] = "stroke-width:4px"
    dash = {"solid": "", "dashed": ",stroke-dasharray:5 4", "dotted": ",stroke-dasharray:2 3"}
    for status, look in style.ACTION_STYLES.items():
        defs[_action_class(status)] = (
            f"fill:{look.fill},stroke:#444444,color:#000000{dash[look.border_style]}"
        )
    defs["legend"] = "fill:#FFFFFF,stroke:#555555,color:#000000"
    return defs


def _action_class(status: str) -> str:
    return "action_" + _NOT_ID.sub("_", status)


def _legend(view: View, ids: _Ids, tag: Callable[[str, str], None]) -> list[str]:
    entries: list[tuple[str, str, str, str, str]] = []
    for kind in view.kinds():
        shape = style.KIND_SHAPES[kind]
        entries.append((kind, kind, shape.mermaid_open, shape.mermaid_close, "legend"))
    if view.analysed or any(n.cls != "none" for n in view.nodes):
        for cls in view.classes():
            text = f"{cls}: {style.CLASS_STYLES[cls].meaning}"
            entries.append((f"class_{cls}", text, "[", "]", cls))
    for status in sorted({a.status for a in view.actions}):
        word = style.ACTION_STYLES.get(status, style.ACTION_STYLES["open"]).word
        entries.append((f"action_{status}", f"action: {word}", ">", "]", _action_class(status)))
    for broad in view.broad_findings:  # one line per (severity, code), however many
        text = style.broad_finding(broad.severity, broad.code, broad.findings, broad.nodes)
        entries.append((f"finding_{broad.code}", text, "[", "]", "legend"))
    if any(n.focus for n in view.nodes):
        entries.append(("focus", style.FOCUS_NOTE, "[", "]", "focus"))
    if not entries:
        return []
    lines = [f'{_INDENT}subgraph {ids.make("legend")}["Legend"]']
    for key, text, open_, close, cls in entries:
        ident = ids.make(f"legend_{key}")
        tag(cls, ident)
        if cls == "focus":
            tag("legend", ident)  # a white box with the focused node's heavy border
        lines.append(f"{_INDENT * 2}{ident}{open_}{_label([text])}{close}")
    lines.append(f"{_INDENT}end")
    return lines


def mermaid_source(view: View) -> str:
    """Return the Mermaid flowchart of a :class:`View`."""
    options = view.options
    highlight = options.highlight == "uncovered" and view.analysed
    ids = _Ids()
    node_ids = {node.key: ids.make(node.id) for node in view.nodes}
    action_ids = {action.key: ids.make(f"action_{action.id}") for action in view.actions}
    out = [f"flowchart {options.rankdir}"]
    classes: dict[str, list[str]] = {}

    def tag(cls: str, ident: str) -> None:
        classes.setdefault(cls, []).append(ident)

    for node in view.nodes:
        ident = node_ids[node.key]
        tag(node.cls, ident)
        if node.unknown:
            tag("unknown", ident)
        if highlight and node.uncovered:
            tag("uncovered", ident)
        if node.focus:
            tag("focus", ident)
    links: list[str] = []
    heavy: list[int] = []
    faded: list[int] = []
    if options.lanes == "level":
        lanes = view.lanes()
        lane_ids = [ids.make(f"lane_{i}") for i in range(len(lanes))]
        for ident, (lane, members) in zip(lane_ids, lanes, strict=True):
            out.append(f'{_INDENT}subgraph {ident}["{escape(style.lane_title(lane))}"]')
            out += [f"{_INDENT * 2}{_node_line(n, node_ids[n.key])}" for n in members]
            out.append(f"{_INDENT}end")
        links += [f"{a} ~~~ {b}" for a, b in itertools.pairwise(lane_ids)]
    else:
        out += [f"{_INDENT}{_node_line(n, node_ids[n.key])}" for n in view.nodes]
    for edge in view.edges:
        arrow = "--o" if edge.gate_or else "-->"
        lines = _marks(edge.findings) + (wrap(edge.label, _EDGE_WIDTH) if edge.label else [])
        text = f"|{_label(lines)}|" if lines else ""
        if highlight:
            (heavy if edge.uncovered else faded).append(len(links))
        links.append(f"{node_ids[edge.source_key]} {arrow}{text} {node_ids[edge.target_key]}")
    for action in view.actions:
        ident = action_ids[action.key]
        out.append(f"{_INDENT}{_action_line(action, ident)}")
        tag(_action_class(action.status), ident)
        links += [f"{ident} -.- {node_ids[target]}" for target in action.addresses]
    if options.legend:
        out += _legend(view, ids, tag)
    out += [f"{_INDENT}{link}" for link in links]
    out = [_unmangled(line) for line in out]
    defs = _class_defs()
    out += [f"{_INDENT}classDef {cls} {defs[cls]}" for cls in sorted(classes)]
    out += [f"{_INDENT}class {','.join(classes[cls])} {cls}" for cls in sorted(classes)]
    if heavy:
        out.append(
            f"{_INDENT}linkStyle {','.join(map(str, heavy))} "
            f"stroke:{style.UNCOVERED},stroke-width:4px"
        )
    if faded:
        out.append(f"{_INDENT}linkStyle {','.join(map(str, faded))} stroke:{style.FADED}")
    return "\n".join(out) + "\n"


def viewer_problem(source: str) -> str | None:
    """Return why GitHub or GitLab would show an error box in place of ``source``, a
    flowchart written by :func:`mermaid_source`, or None when they draw it.

    They draw with Mermaid's default limits, :data:`VIEWER_MAX_TEXT` characters and
    :data:`VIEWER_MAX_EDGES` links; every link counts, lane spacers and action links too.

    Examples
    --------
    >>> viewer_problem("flowchart LR\\n    a --> b\\n") is None
    True
    >>> viewer_problem("flowchart LR\\n" + "    a --> b\\n" * 501).split(";")[0]
    'its Mermaid text has 501 links'
    """
    size = len(source.encode("utf-16-le")) // 2
    links = len(_LINK_LINE.findall(source))
    over = []
    if size > VIEWER_MAX_TEXT:
        over.append(f"is {size:,} characters long")
    if links > VIEWER_MAX_EDGES:
        over.append(f"has {links:,} links")
    if not over:
        return None
    return (
        f"its Mermaid text {' and '.join(over)}; GitHub and GitLab draw Mermaid diagrams of "
        f"at most {VIEWER_MAX_TEXT:,} characters and {VIEWER_MAX_EDGES:,} links (Mermaid's "
        "defaults) and show an error box in place of a larger one"
    )


def to_mermaid(
    G: CausalGraph,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> str:
    """Return the Mermaid flowchart of the causal graph ``G``.

    Examples
    --------
    >>> from causemap.graph import to_graph
    >>> from causemap.loader import loads
    >>> G = to_graph(loads('''{"causemap": 1, "id": "demo", "title": "Demo",
    ...   "date": "2024-01-01", "nodes": [
    ...   {"id": "end", "kind": "event", "label": "Config <pushed>"},
    ...   {"id": "down", "kind": "impact", "label": "Site down", "causes": ["end"]}]}'''))
    >>> for line in to_mermaid(G, RenderOptions(legend=False)).splitlines()[:4]:
    ...     print(line)
    flowchart LR
        down[["Site down"]]
        end_0("Config #lt;pushed#gt;")
        end_0 --> down
    """
    return mermaid_source(build_view(G, options, analysis, limits))
