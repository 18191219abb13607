"""Shared material for the rendering tests: a stand-in analysis, hostile incidents, what
GitHub and GitLab would make of Markdown, and the golden files."""

from __future__ import annotations

import itertools
import re
from html import unescape
from pathlib import Path
from typing import Any

import networkx as nx
from markdown_it import MarkdownIt

from causemap.analyses.result import (
    Analysis,
    Classification,
    Coverage,
    Finding,
    Prevention,
    Ranked,
)
from causemap.graph import CausalGraph
from causemap.model import Incident
from tests.conftest import make_incident

_PREVENTIVE = {"prevent", "process"}


def _uncovered(G: CausalGraph, addressed: set[str]) -> set[str]:
    rest = G.subgraph(n for n in G if n not in addressed)
    roots = [n for n in rest if G.in_degree(n) == 0]
    sinks = [n for n in rest if G.nodes[n]["kind"] == "impact"]
    down = set(roots).union(*(nx.descendants(rest, r) for r in roots))
    up = set(sinks).union(*(nx.ancestors(rest, s) for s in sinks))
    return down & up


def stub_analysis(G: CausalGraph) -> Analysis:
    """A hand-built analysis with every part the renderers read.

    Events are proximate and everything else systemic; one warning sits on the first
    node, one error on the first edge; prevention is computed from the preventive actions.
    """
    nodes = {}
    for n, data in G.nodes(data=True):
        cls = "impact" if data["kind"] == "impact" else "proximate"
        if data["kind"] in ("condition", "factor"):
            cls = "systemic"
        nodes[n] = Classification.model_validate(
            {"class": cls, "rule": "stub", "reasons": [f"Stub reason for {n}."]}
        )
    first = sorted(G.nodes)[0]
    findings = [
        Finding(
            code="STUB_WARNING",
            severity="warning",
            nodes=[first],
            message=f"Node {first} looks thin.",
            prompt="What else was true at that moment?",
        )
    ]
    if G.number_of_edges():
        edge = sorted(G.edges)[0]
        findings.insert(
            0,
            Finding(
                code="STUB_ERROR",
                severity="error",
                edges=[edge],
                message="This link skips a step.",
                prompt="What happened in between?",
            ),
        )
    actions = G.graph.get("actions", [])
    planned = [a for a in actions if a["type"] in _PREVENTIVE and a["status"] != "wontfix"]
    addressed = {n for a in planned for n in a["addresses"]}
    uncovered = _uncovered(G, addressed)
    impacts = [n for n in G if G.nodes[n]["kind"] == "impact"]
    roots = [n for n in G if G.in_degree(n) == 0]
    paths = [
        p
        for r, i in itertools.product(sorted(roots), sorted(impacts))
        for p in itertools.islice(nx.all_simple_paths(G, r, i), 2)
        if not set(p) & addressed
    ][:3]
    prevention = Prevention(
        actions=sorted(a["id"] for a in planned),
        addressed=sorted(addressed),
        scenario_prevented=not uncovered,
        all_paths_cut=not uncovered,
        depth_of_defence=0 if uncovered else 1,
        uncovered_paths=paths,
        uncovered_nodes=sorted(uncovered),
        suggested_cut=sorted(n for n in uncovered if n not in impacts)[:1],
        done=Coverage(actions=[a["id"] for a in planned if a["status"] == "done"]),
        detection=Coverage(
            actions=sorted(a["id"] for a in actions if a["type"] not in _PREVENTIVE)
        ),
        systemic_total=sum(1 for c in nodes.values() if c.class_ == "systemic"),
    )
    ranking = [
        Ranked(node=n, score=0.5, why="stub")
        for n in sorted(n for n, c in nodes.items() if c.class_ != "impact")
    ]
    return Analysis(
        incident=str(G.graph["id"]),
        nodes=nodes,
        findings=findings,
        prevention=prevention,
        ranking=ranking,
    )


def hostile_labels(marker: Path) -> list[str]:
    """Labels that try to break out of every output format, some naming a local file."""
    return [
        f'"]; x [image="{marker}"]; y [label="',
        f'<IMG SRC="{marker}"/>',
        '<<TABLE><TR><TD HREF="javascript:alert(1)">x</TD></TR></TABLE>>',
        f'<x> shape=epsf shapefile="{marker}" label=<y>',
        'URL="javascript:alert(1)" fontname="x\\" onload=\\"alert(1)"',
        "javascript:alert(1)",
        "\\N \\G \\L \\l \\r \\E \\T \\H \\",
        "first line\nsecond line\r\nthird\tline",
        "<script>alert(1)</script>",
        "%3Cscript%3Ealert(1)%3C/script%3E",
        '"]) --> x[',
        "click n0 call alert()",
        '%%{init: {"securityLevel": "loose"}}%%',
        "[x](javascript:alert(1))",
        "![img](http://example.invalid/x.png)",
        '<b onmouseover="alert(1)">html</b> &lt;i&gt;',
        "```\n# heading\n| a | b |",
        "`code` *em* _em_ ~~del~~ $x$",
        "\u202eevil\u202c",
        "pay&#x202E;lol.exe &#60;b&#62; &#xD800; &amp;",
    ]


def hostile_incident(marker: Path) -> Incident:
    """An incident whose every piece of free text is hostile; ids are Mermaid keywords."""
    labels = hostile_labels(marker)
    ids = ["end", "click", "graph", "style", "subgraph", "class", "default"]
    nodes: list[dict[str, Any]] = []
    for i, text in enumerate(labels):
        node: dict[str, Any] = {
            "id": ids[i] if i < len(ids) else f"n{i}",
            "kind": ["event", "condition", "factor"][i % 3],
            "label": text,
            "level": ["technical", "operator", "process", "organization"][i % 4],
        }
        if i:
            node["causes"] = [nodes[i - 1]["id"]]
        nodes.append(node)
    nodes[3]["unknown"] = True
    nodes.append(
        {"id": "impact", "kind": "impact", "label": labels[0], "causes": [nodes[-1]["id"]]}
    )
    edges = [
        {"from": nodes[i]["id"], "to": nodes[i + 1]["id"], "label": labels[i]}
        for i in range(len(labels) - 1)
    ]
    actions = [
        {
            "id": f"a{i}",
            "title": text,
            "addresses": [nodes[i]["id"]],
            "owner": labels[(i + 1) % len(labels)],
            "status": ["open", "done", "in-progress", "wontfix"][i % 4],
        }
        for i, text in enumerate(labels)
    ]
    return make_incident(
        nodes, id="hostile", title=labels[0][:200], summary=labels[1], edges=edges, actions=actions
    )


# What GitHub and GitLab make of plain text in rendered Markdown, outside code and links:
# @user and @org/team mentions (html-pipeline's MentionFilter: "@" after a non-word
# character, then a letter or digit), #123 and owner/repo#123, GH-123, and GitLab's !123.
def long_labelled_chain(nodes: int = 120) -> Incident:
    """A chain of ``nodes`` events with 450-character labels: well within causemap's
    caps, but about 67,000 characters of Mermaid, past the 50,000 GitHub draws."""
    words = "the replica lag alarm fired while the failover script waited on a lock "
    label = (words * 7)[:450]
    return make_incident(
        [
            {"id": "n0", "kind": "event", "label": label},
            *(
                {"id": f"n{i}", "kind": "event", "label": label, "causes": [f"n{i - 1}"]}
                for i in range(1, nodes)
            ),
            {"id": "end", "kind": "impact", "label": "Down", "causes": [f"n{nodes - 1}"]},
        ],
        id="long",
    )


def densely_linked(causes: int = 26, effects: int = 20) -> Incident:
    """Every one of ``causes`` conditions causes every one of ``effects`` events, which
    all cause the impact: 540 links by default, past the 500 GitHub draws, in a Mermaid
    text of only about 11,000 characters."""
    conditions = [f"c{i}" for i in range(causes)]
    events = [f"e{j}" for j in range(effects)]
    return make_incident(
        [
            *({"id": c, "kind": "condition", "label": c.upper()} for c in conditions),
            *({"id": e, "kind": "event", "label": e.upper(), "causes": conditions} for e in events),
            {"id": "end", "kind": "impact", "label": "Down", "causes": events},
        ],
        id="dense",
    )


_ACTED_ON = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9]|#[0-9]|(?<![A-Za-z0-9])(?i:GH)-[0-9]|![0-9]")
_GFM = MarkdownIt("gfm-like").disable("linkify")  # linkify-it-py is not installed


def shown_text(markdown: str) -> str:
    """The text a reader sees where GitHub looks for mentions: ``markdown`` rendered (GFM
    tables and strikethrough), without code blocks, code spans and link texts (GitHub
    leaves those alone), tags dropped and entities decoded."""
    html = _GFM.render(markdown)
    html = re.sub(r"<(pre|code|a)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]*>", "", html))


def acted_on(markdown: str) -> list[str]:
    """The mentions and references GitHub or GitLab would make of ``markdown``."""
    return _ACTED_ON.findall(shown_text(markdown))


# What GFM's autolink extension links by itself in the text a reader sees outside links and
# code: a URL; a "www." name at the start, after white space or one of "*_~([]"; an e-mail
# address. GitHub finds them in the source around backslash escapes, so it would link an
# escaped www.example.com/a\_b with the backslash shown and an escaped first\_last@x.example
# to last@x.example: escape() must leave it none to find.
_BARE_LINK = re.compile(
    r"(?<![a-z])(?:https?|ftp)://|(?:^|(?<=[\s*_~(\[\]]))www\.\S|[a-z0-9.+_-]@[a-z0-9_-]+\.[a-z0-9]",
    re.IGNORECASE,
)


def bare_links(markdown: str) -> list[str]:
    """The starts of the links GitHub's autolink extension would make of ``markdown``."""
    return _BARE_LINK.findall(shown_text(markdown))


# --- golden files --------------------------------------------------------------------

GOLDEN = Path(__file__).resolve().parent / "golden"
_EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def golden_cases() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(file name, example stem, format, options) of every golden file."""
    cases: list[tuple[str, str, str, dict[str, Any]]] = []
    for example in sorted(_EXAMPLES.glob("*.yaml")):
        for fmt, suffix in (("dot", "dot"), ("mermaid", "mmd"), ("markdown", "md")):
            cases.append((f"{example.stem}.{suffix}", example.stem, fmt, {}))
    views: dict[str, dict[str, Any]] = {
        "lanes-actions": {"lanes": "level", "actions": True},
        "highlight": {"highlight": "uncovered", "edge_labels": False},
        "focus-tb": {"focus": "retry-amplification", "direction": "TB"},
    }
    for view, options in views.items():
        stem = "retry-storm" if "focus" in options else "database-failover"
        for fmt, suffix in (("dot", "dot"), ("mermaid", "mmd")):
            cases.append((f"{stem}.{view}.{suffix}", stem, fmt, options))
    return cases


def golden_output(stem: str, fmt: str, options: dict[str, Any]) -> str:
    """What ``causemap render`` makes of an example today."""
    from causemap.loader import load
    from causemap.render import RenderOptions, render

    incident = load(_EXAMPLES / f"{stem}.yaml")
    return render(incident, fmt, RenderOptions(**options)).decode("utf-8")
