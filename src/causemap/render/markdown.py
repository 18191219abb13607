"""A ready "Causal analysis" section for a postmortem document, in GitHub/GitLab Markdown.

The section holds the Mermaid diagram, a key to its shapes and colours, the proximate
factors in causal order (each after its causes, ties by id) and the systemic ones by
leverage (ties by paths through them, then by id, as the analysis ranks them; the section
says so), with
the reasons the analysis gave, the findings with the question to ask the room, and
whether the action items cut the causal paths to the impact. A diagram that GitHub and
GitLab would not draw (past Mermaid's default limits, see
:func:`causemap.render.mermaid.viewer_problem`) is left out with a line that says why and
how to draw it instead, since their error box in its place reads as a broken document.

Every piece of user text is escaped for Markdown: inline markup characters get a
backslash and ``&``, ``<``, ``>`` become entities, so a label can make neither a link
(but to an http(s) URL it holds, see below), an image, an HTML tag, emphasis, a table
cell nor a math span. Text that starts a line
is also escaped for the block syntax that only counts there (``#`` headings, ``-``,
``+`` and ``1.`` list items, ``---`` and ``===`` rules and underlines), so it can make
neither a heading nor a list. The Mermaid block cannot be closed from inside: Mermaid
labels write backticks as entity codes.

GitHub and GitLab act on plain text, too, once the Markdown is HTML: ``@alice`` and
``@org/team`` notify the people named, and ``#123``, ``GH-123`` and GitLab's ``!123`` link
to issues and merge requests and add a "mentioned in" note there. They do it in issues,
pull and merge requests and comments, where a postmortem gets pasted, and they scan the
rendered text, so a backslash (or ``&#64;``) is gone before they look. :func:`escape` puts
an invisible word joiner (U+2060, written ``&#x2060;``) after the ``@``, ``#``, ``GH-`` or
``!``: the text reads the same, but no pattern matches, so a blameless review can name
people without paging them. An ``@`` inside a word (``foo@bar``) is neither a mention nor
touched.

GitHub also links bare addresses itself (GFM's autolink extension): ``http(s)://`` and
``ftp://`` URLs, ``www.`` names and e-mail addresses. It finds them in the Markdown source
or around its backslash escapes, so an escaped ``_`` would show as ``\\_`` inside a
``www.`` link, and ``first\\_last@example.com`` would link to ``last@example.com``.
:func:`escape` therefore writes each address as a link of its own, which GitHub's
extension leaves alone and which shows exactly as typed: a URL as a ``<URL>`` autolink
(whose text no Markdown reads, so nothing in it is escaped), an e-mail address as a
``<first_last@example.com>`` autolink (a ``mailto:`` link), and a ``www.`` name as the link
GitHub would make of it, ``[www.example.com/a\\_b](<http://www.example.com/a_b>)``. An
address that CommonMark cannot write as an autolink (an ``_`` after the ``@``) and a
``www.`` with no name after it get a word joiner, which keeps GitHub from linking them at
all. The Mermaid block needs none of this: GitHub and GitLab leave code blocks alone, and
Mermaid draws the labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from causemap.errors import LimitExceeded
from causemap.plain import clean
from causemap.render import style
from causemap.render.mermaid import mermaid_source, viewer_problem
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
# What GitHub and GitLab turn into a mention or a reference, once the Markdown is HTML: an
# "@" that starts a word and is followed by a name; "#", "GH-" or "!" before a number.
_REFERENCE = re.compile(
    r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9_])|[#!](?=[0-9])|(?<![A-Za-z0-9])(?i:GH)-(?=[0-9])"
)
# U+2060 WORD JOINER: invisible and, unlike a zero-width space, no place to break a line.
# A hex reference, because a decimal one ("#8288") is itself an issue number in plain text.
_JOINER = "&#x2060;"
# What GFM's autolink extension links in plain text (see the module docstring), each as far
# as it takes it, to white space or "<" (here also to ">" and a backtick, so that no run of
# them can start a code span or a fence); _url_end() then cuts trailing punctuation as GFM
# does. A URL after no letter; a "www." at the start, after white space or one of "*_~(",
# or "[" and "]" as github.com has it; an address from the start of a run of the characters
# GFM allows before the "@" (each run is tried once: no backtracking into it).
_BARE = re.compile(
    r"(?P<url>(?<![a-z])(?:https?|ftp)://[a-z0-9][^\s<>`]*)"
    r"|(?P<www>(?:^|(?<=[\s*_~(\[\]]))www\.[^\s<>`]*)"
    r"|(?P<email>(?<![a-z0-9.+_-])[a-z0-9.+_-]+@[a-z0-9_-]+(?:\.[a-z0-9_-]+)+)",
    re.IGNORECASE,
)
_URL_TRAIL = frozenset("?!.,:*_~'\"")
# An "&" that would start an entity reference, which Markdown decodes even in an autolink.
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_CUT = "…"
"""What ends a text cut short (a finding quotes a label in 40 characters): a URL with it
in is no address to link to."""
# A domain label that CommonMark's e-mail autolink accepts.
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_MAX_PATHS = 5
# Leverage, as the analysis ranks it: ties by paths through the node, then by id.
_SYSTEMIC_ORDER = "Most leverage first; equal leverage: on more causal paths first, then by id."
_NONE = ["- none"]
_MAX_ABOUT = 8
# What to do instead when the diagram is too large for GitHub's and GitLab's Mermaid.
_AS_IMAGE = (
    "Draw it as an image with `causemap render -f svg` (or `-f png`; the same view options "
    "apply) and link that here, or draw a part of it with `--focus NODE`."
)


def escape(text: str) -> str:
    """Return ``text`` on one line with every Markdown and HTML metacharacter neutralised,
    and with no mention, issue reference or bare link that GitHub or GitLab would make of
    it, though it reads the same (see the module docstring): a blameless postmortem must
    not notify the people it names, nor write into the issues it cites. A URL, a
    ``www.`` name or an e-mail address stays a link, written so that it shows as typed.

    Examples
    --------
    >>> escape("[x](javascript:alert(1)) <b>*hi*</b> a|b")
    '\\\\[x\\\\](javascript:alert(1)) &lt;b&gt;\\\\*hi\\\\*&lt;/b&gt; a\\\\|b'
    >>> escape("paged @alice about #123, GH-7 and !8")
    'paged @&#x2060;alice about #&#x2060;123, GH-&#x2060;7 and !&#x2060;8'
    >>> escape("see https://wiki.example.com/db_failover?a=1&b=2.")
    'see <https://wiki.example.com/db_failover?a=1&b=2>.'
    >>> print(escape("first_last@example.com saw www.example.com/db_failover"))
    <first_last@example.com> saw [www.example.com/db\\_failover](<http://www.example.com/db_failover>)
    >>> escape("'see https://wiki.exa…'")
    "'see https:&#x2060;//wiki.exa…'"
    """
    text = clean(text)
    out: list[str] = []
    done = 0
    for bare in _BARE.finditer(text):
        start = bare.start()
        kind, found = bare.lastgroup, bare.group()
        if kind == "email":
            local, domain = found.split("@")
            if not domain[-1].isalpha():  # GFM links no such address
                continue
            if all(_LABEL.fullmatch(label) for label in domain.split(".")):
                out += [_plain(text[done:start]), f"<{found}>"]
                done = bare.end()
            else:  # an address GitHub links and CommonMark cannot write: no link
                at = start + len(local) + 1
                out += [_plain(text[done:at]), _JOINER]
                done = at
            continue
        end = start + _url_end(found)
        if _CUT in text[start:end]:  # cut short by a quote ("https://wiki.exa…"): no link
            scheme = start + (found.index(":") + 1 if kind == "url" else len("www"))
            out += [_plain(text[done:scheme]), _JOINER]
            end = scheme
        elif kind == "url":
            out += [_plain(text[done:start]), _autolink(text[start:end])]
        elif end > start + len("www."):
            out += [_plain(text[done:start]), _www_link(text[start:end])]
        else:  # "www." and no name: no link
            out += [_plain(text[done:start]), _JOINER]
            end = start
        done = end
    out.append(_plain(text[done:]))
    return "".join(out)


def _plain(text: str) -> str:
    """``text`` (no address in it) escaped for Markdown and HTML, mentions and references
    broken by a word joiner."""
    return _REFERENCE.sub(rf"\g<0>{_JOINER}", _markup(text))


def _markup(text: str) -> str:
    """``text`` with every Markdown and HTML metacharacter escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _INLINE.sub(r"\\\1", text)


def _url_end(url: str) -> int:
    """Where GFM's autolink would end ``url``: before trailing ``?!.,:*_~'"`` and before a
    closing parenthesis that opens nowhere in it, as in ``(see https://x.example/a)``."""
    end, unmatched = len(url), url.count(")") - url.count("(")
    while end:
        last = url[end - 1]
        if last in _URL_TRAIL:
            end -= 1
        elif last == ")" and unmatched > 0:
            end, unmatched = end - 1, unmatched - 1
        else:
            break
    return end


def _autolink(url: str) -> str:
    """``url`` as a CommonMark autolink, ``<url>``: its text is shown as written (no
    backslash escapes work there), and no emphasis, link or table cell can start inside
    it. Markdown still decodes entity references in it, so an ``&`` that would start one
    is written ``&amp;``; a ``|`` would end a table cell even there, so it is ``%7C``,
    which is the same URL."""
    return "<" + _ENTITY_LIKE.sub("&amp;", url).replace("|", "%7C") + ">"


def _www_link(name: str) -> str:
    """``name`` (``www.`` and more) as the link GitHub would make of it, with an
    ``http://`` target: an inline link, whose text is ``name`` escaped (GitHub's extension
    links nothing inside a link's text) and whose target, in ``<>``, is ``name`` with
    what Markdown would read there written as the same URL: ``%5C`` for a backslash,
    ``&amp;`` for an ``&`` that would start an entity, ``%7C`` for a ``|``, which would end
    a table cell even there."""
    target = _ENTITY_LIKE.sub("&amp;", name.replace("\\", "%5C")).replace("|", "%7C")
    return f"[{_markup(name)}](<http://{target}>)"


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
    says why the diagram was ``omitted`` and gives everything else. A diagram past
    Mermaid's default limits, which GitHub and GitLab keep, is left out the same way, with
    its size, the limits and how to draw it instead (see :func:`viewer_problem`)."""
    ident, date = str(G.graph.get("id", "")), str(G.graph.get("date", ""))
    out = [
        "## Causal analysis",
        "",
        f"{escape_line_start(str(G.graph.get('title', '')))} ({code(ident)}, {date})",
        "",
    ]
    source = mermaid_source(view) if view is not None else ""
    too_big = viewer_problem(source) if view is not None else None
    if view is None:
        out += [f"_The diagram is left out: {escape(omitted)}._", ""]
    elif too_big:  # GitHub and GitLab would show an error box, which reads as broken
        out += [f"_The diagram is left out: {escape(too_big)}. {_AS_IMAGE}_", ""]
    else:
        out += ["```mermaid", source.rstrip("\n"), "```", ""]
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
    An incident too large to draw (over ``limits``), or whose Mermaid text is too large
    for GitHub and GitLab to draw, gets the section without its diagram, saying why.
    """
    options = (options or RenderOptions()).model_copy(update={"legend": False})
    try:
        view = build_view(G, options, analysis, limits)
    except LimitExceeded as exc:  # too large to draw; the analysis is still worth reading
        return markdown_source(G, None, analysis, str(exc))
    return markdown_source(G, view, analysis)
