"""A ready "Causal analysis" section for a postmortem document, in GitHub/GitLab Markdown.

The section holds the Mermaid diagram, a key to its shapes and colours, the proximate
factors in causal order (each after its causes, ties by id) and the systemic ones by
leverage (ties by paths through them, then by id, as the analysis ranks them; the section
says so), with
the reasons the analysis gave, the findings with the question to ask the room, and
whether the action items cut the causal paths to the impact.

Every piece of user text is escaped for Markdown: inline markup characters get a
backslash and ``&``, ``<``, ``>`` become entities, so a label can make neither a link,
an image, an HTML tag, emphasis, a table cell nor a math span. Text that starts a line
is also escaped for the block syntax that only counts there (``#`` headings, ``-``,
``+`` and ``1.`` list items, ``---`` and ``===`` rules and underlines), so it can make
neither a heading nor a list. The Mermaid block cannot be closed from inside: Mermaid
labels write backticks as entity codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from causemap.errors import LimitExceeded
from causemap.plain import clean
from causemap.render import style
from causemap.render.mermaid import mermaid_source
from causemap.render.options import DEFAULT_LIMITS, RenderLimits, RenderOptions
from causemap.render.text import natural_key
from causemap.render.view import View, build_view

if TYPE_CHECKING:
    from causemap.analyses.result import Analysis, Coverage
    from causemap.graph import CausalGraph

__all__ = ["code", "escape", "escape_line_start", "to_markdown"]

_INLINE = re.compile(r"([\\`*_\[\]{}|~$])")
# What is left of CommonMark's block syntax once escape() has run: "*", "_", "`", "~",
# "[" and "|" already carry a backslash, and ">" and "<" are entities.
_BLOCK_MARK = re.compile(r"^([#=+-])")
_ORDERED = re.compile(r"^(\d{1,9})([.)])")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MAX_PATHS = 5
# Leverage, as the analysis ranks it: ties by paths through the node, then by id.
_SYSTEMIC_ORDER = "Most leverage first; equal leverage: on more causal paths first, then by id."
_NONE = ["- none"]
_MAX_ABOUT = 8


def escape(text: str) -> str:
    """Return ``text`` on one line with every Markdown and HTML metacharacter neutralised.

    Examples
    --------
    >>> escape("[x](javascript:alert(1)) <b>*hi*</b> a|b")
    '\\\\[x\\\\](javascript:alert(1)) &lt;b&gt;\\\\*hi\\\\*&lt;/b&gt; a\\\\|b'
    """
    text = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _INLINE.sub(r"\\\1", text)


def escape_line_start(text: str) -> str:
    """Return :func:`escape` of ``text`` made safe to start a line with, too.

    Examples
    --------
    >>> [escape_line_start(t) for t in ["# Heading", "1. one", "- item", "--- x", "a # b"]]
    ['\\\\# Heading', '1\\\\. one', '\\\\- item', '\\\\--- x', 'a # b']
    """
    text = escape(text)
    return _ORDERED.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", text))


def code(identifier: str) -> str:
    """Return an id as inline code when it is a slug, else as escaped text."""
    return f"`{identifier}`" if _SLUG.match(identifier) else escape(identifier)


def _yes(value: bool) -> str:
    return "yes" if value else "**no**"


def _key(view: View) -> str:
    kinds = ", ".join(f"{style.KIND_SHAPES[k].description} = {k}" for k in view.kinds())
    parts = [f"Shapes: {kinds}."] if kinds else []
    if view.analysed or any(n.cls != "none" for n in view.nodes):
        colours = ", ".join(
            f"{style.CLASS_STYLES[c].colour} = {c} ({style.CLASS_STYLES[c].meaning})"
            for c in view.classes()
        )
        parts.append(f"Colours: {colours}.")
    if any(n.findings for n in view.nodes):
        parts.append(f"{style.MARKER} marks a method check to discuss (see Findings).")
    if any(n.unknown for n in view.nodes):
        parts.append("A dashed border is an open question.")
    if any(n.focus for n in view.nodes):
        parts.append(f"{style.FOCUS_NOTE.capitalize()}.")
    if any(e.gate_or for e in view.edges):
        parts.append("A circle arrowhead means any one cause suffices.")
    return "_" + " ".join(parts) + "_" if parts else ""


def _factors(G: CausalGraph, analysis: Analysis, cls: str) -> list[str]:
    members = {n for n, c in analysis.nodes.items() if c.class_ == cls and n in G}
    if cls == "systemic":
        rank = {r.node: i for i, r in enumerate(analysis.ranking)}
        order = sorted(members, key=lambda n: (rank.get(n, len(rank)), n))
    else:
        order = [n for n in nx.lexicographical_topological_sort(G) if n in members]
    lines = []
    for node in order:
        data = G.nodes[node]
        reasons = "; ".join(escape(r) for r in analysis.nodes[node].reasons)
        level = f", {escape(str(data['level']))}" if data.get("level") else ""
        lines.append(
            f"- **{escape(data['label'])}** ({code(node)}, {escape(str(data['kind']))}{level})"
            + (f": {reasons}" if reasons else "")
        )
    return lines or _NONE


def _findings(analysis: Analysis) -> list[str]:
    if not analysis.findings:
        return ["No method check fired."]
    lines = []
    for f in analysis.findings:
        mark = f"{style.MARKER} " if f.severity in ("error", "warning") else ""
        lines.append(f"- {mark}**{f.severity}** {code(f.code)}: {escape(f.message)}")
        lines.append(f"  - _Ask the room:_ {escape(f.prompt)}")
        about = [code(n) for n in f.nodes] + [f"{code(a)} → {code(b)}" for a, b in f.edges]
        about += [f"action {code(a)}" for a in f.actions]
        if len(about) > _MAX_ABOUT:
            about = [*about[:_MAX_ABOUT], f"and {len(about) - _MAX_ABOUT} more"]
        if about:
            lines.append(f"  - About: {', '.join(about)}")
        if f.rewrite:
            lines.append(f"  - Suggested wording: {escape(f.rewrite)}")
    return lines


def _path(nodes: Iterable[str]) -> str:
    return " → ".join(code(n) for n in nodes)


def _coverage(G: CausalGraph, analysis: Analysis) -> list[str]:
    p = analysis.prevention
    views: list[tuple[str, Coverage]] = [
        ("Planned (prevent and process actions)", p),
        ("Done so far (prevent and process actions)", p.done),
    ]
    if p.detection.actions:  # they may cut what the preventive actions leave uncut
        views.append(("All actions together (detect and mitigate too)", p.combined))
    lines = [
        "| | Scenario prevented | All causal paths cut | Depth of defence |",
        "|---|---|---|---|",
    ]
    for name, cov in views:
        lines.append(
            f"| {name} | {_yes(cov.scenario_prevented)} | {_yes(cov.all_paths_cut)} "
            f"| {cov.depth_of_defence} |"
        )
    lines.append("")
    if p.uncovered_paths:
        lines.append("Causal paths that no preventive action cuts:")
        lines.append("")
        lines += [f"- {_path(path)}" for path in p.uncovered_paths[:_MAX_PATHS]]
        more = len(p.uncovered_paths) - _MAX_PATHS
        if more > 0:
            lines.append(f"- … and {more} more")
        lines.append("")
    if p.unexplained:
        named = ", ".join(f"{code(n)} ({escape(G.nodes[n]['label'])})" for n in p.unexplained)
        lines += [
            f"No cause is linked to {named} yet: no action can prevent it until its causes "
            "are linked.",
            "",
        ]
    if p.suggested_cut:
        cut = ", ".join(f"{code(n)} ({escape(G.nodes[n]['label'])})" for n in p.suggested_cut)
        rest = "every other remaining path" if p.unexplained else "the remaining paths"
        lines += [f"Suggested cut, to cover {rest}: {cut}.", ""]
    if p.systemic_total:
        lines += [
            f"Systemic factors addressed by a preventive action: {p.systemic_addressed} "
            f"of {p.systemic_total}.",
            "",
        ]
    if p.detection.actions:
        named = ", ".join(code(a) for a in sorted(p.detection.actions, key=natural_key))
        lines += [
            f"Detection and mitigation actions ({named}) shorten or soften the impact; they "
            "are counted apart.",
            "",
        ]
    return lines


def _actions(G: CausalGraph) -> list[str]:
    actions = sorted(G.graph.get("actions", []), key=lambda a: natural_key(str(a["id"])))
    if not actions:
        return ["No action items yet."]
    lines = ["| Action | Status | Type | Owner | Due | Addresses |", "|---|---|---|---|---|---|"]
    for a in actions:
        status = style.ACTION_STYLES.get(a["status"], style.ACTION_STYLES["open"]).word
        status = f"**{status}**" if a["status"] == "done" else status
        lines.append(
            f"| {code(a['id'])}: {escape(a['title'])} | {status} | {escape(str(a['type']))} "
            f"| {escape(a['owner']) if a.get('owner') else ''} | {escape(str(a.get('due') or ''))} "
            f"| {', '.join(code(n) for n in a['addresses'])} |"
        )
    return lines


def markdown_source(
    G: CausalGraph, view: View | None, analysis: Analysis | None, omitted: str = ""
) -> str:
    """Return the Markdown section for ``G`` drawn as ``view``; with no view, the section
    says why the diagram was ``omitted`` and gives everything else."""
    ident, date = str(G.graph.get("id", "")), str(G.graph.get("date", ""))
    out = [
        "## Causal analysis",
        "",
        f"{escape_line_start(str(G.graph.get('title', '')))} ({code(ident)}, {date})",
        "",
    ]
    if view is None:
        out += [f"_The diagram is left out: {escape(omitted)}._", ""]
    else:
        out += ["```mermaid", mermaid_source(view).rstrip("\n"), "```", ""]
        key = _key(view)
        if key:
            out += [key, ""]
    impacts = [n for n in sorted(G.nodes, key=natural_key) if G.nodes[n]["kind"] == "impact"]
    out += ["### Impact", ""]
    out += [f"- **{escape(G.nodes[n]['label'])}** ({code(n)})" for n in impacts] + [""]
    if analysis is None:
        out += ["_No analysis was run: factors, findings and coverage are not shown._", ""]
    else:
        out += ["### Proximate factors: what happened", ""]
        out += [*_factors(G, analysis, "proximate"), ""]
        out += ["### Systemic factors: why it could happen", ""]
        systemic = _factors(G, analysis, "systemic")
        if systemic != _NONE:
            out += [f"_{_SYSTEMIC_ORDER}_", ""]
        out += [*systemic, ""]
        out += ["### Findings", "", *_findings(analysis), ""]
        out += ["### Action coverage", "", *_coverage(G, analysis)]
    out += ["### Action items", "", *_actions(G), ""]
    return "\n".join(out)


def to_markdown(
    G: CausalGraph,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> str:
    """Return the "Causal analysis" Markdown section for the causal graph ``G``.

    The diagram follows ``options``, except that its legend is the written key below it.
    An incident too large to draw (over ``limits``) gets the section without its diagram.
    """
    options = (options or RenderOptions()).model_copy(update={"legend": False})
    try:
        view = build_view(G, options, analysis, limits)
    except LimitExceeded as exc:  # too large to draw; the analysis is still worth reading
        return markdown_source(G, None, analysis, str(exc))
    return markdown_source(G, view, analysis)
