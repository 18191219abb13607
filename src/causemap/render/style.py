"""The visual grammar: one table for every renderer (DOT, Mermaid, the Markdown legend).

* **Shape says kind.** event: rounded box; condition: ellipse; factor: hexagon; impact:
  double octagon. Shapes survive greyscale printing and colour blindness unchanged.
* **Colour says class.** Colours come from the Okabe-Ito palette, which stays apart under
  the common colour-vision deficiencies. The fills also differ in lightness (proximate
  lightest, then systemic, then impact), so a greyscale print keeps the classes apart, and
  impacts add a heavy border.
* **Line style says certainty and status.** A dashed border is an open question
  (``unknown: true``); action notes are solid when done, dashed while open and dotted
  when declined.
* **Weight says attention.** Paths that no preventive action cuts are drawn heavy and vermillion;
  nodes with error or warning findings carry a ``⚠`` line naming the check.

Every colour and shape in the output comes from here, never from user data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ACTION_STYLES",
    "CLASS_STYLES",
    "EDGE",
    "FADED",
    "FONT",
    "KIND_SHAPES",
    "LANE_FILLS",
    "LANE_ORDER",
    "MARKER",
    "UNCOVERED",
    "ActionStyle",
    "ClassStyle",
    "KindShape",
    "broad_finding",
    "lane_title",
]

FONT: Final = "Helvetica,Arial,sans-serif"
"""One font stack for every label; DejaVu Sans stands in where Helvetica is missing."""

MARKER: Final = "⚠"
"""Prefix of the finding line in a node label."""


def broad_finding(severity: str, code: str, findings: int, nodes: int) -> str:
    """The legend line of the findings of one code about the graph.

    One line however many findings there are: how many, when more than one, and how many
    distinct nodes they name between them, if any (both counted in
    :class:`causemap.render.view.BroadFinding`). A thousand identical lines would bury the
    rest of the legend and say nothing a count does not.

    Examples
    --------
    >>> broad_finding("warning", "NO_SYSTEMIC_FACTOR", 1, 0)
    '⚠ warning: NO_SYSTEMIC_FACTOR'
    >>> broad_finding("warning", "LINEAR_CHAIN", 1, 3)
    '⚠ warning: LINEAR_CHAIN (3 nodes)'
    >>> broad_finding("warning", "ACTION_VAGUE", 2000, 50)
    '⚠ warning: ACTION_VAGUE (2000 findings, 50 nodes)'
    """
    counts = [f"{findings} findings"] if findings > 1 else []
    if nodes:
        counts.append(f"{nodes} node" + ("s" if nodes > 1 else ""))
    return f"{MARKER} {severity}: {code}" + (f" ({', '.join(counts)})" if counts else "")


@dataclass(frozen=True)
class KindShape:
    """How a node kind is drawn."""

    dot_shape: str
    dot_style: str
    """Extra DOT style words (``rounded``), combined with ``filled``."""
    mermaid_open: str
    mermaid_close: str
    description: str
    """Words for the legend and the Markdown key."""


KIND_SHAPES: Final[dict[str, KindShape]] = {
    "event": KindShape("box", "rounded", "(", ")", "rounded box"),
    "condition": KindShape("ellipse", "", "([", "])", "ellipse"),
    "factor": KindShape("hexagon", "", "{{", "}}", "hexagon"),
    "impact": KindShape("doubleoctagon", "", "[[", "]]", "double outline"),
}


@dataclass(frozen=True)
class ClassStyle:
    """How a class (or the absence of one) is coloured."""

    fill: str
    border: str
    penwidth: str
    colour: str
    """The colour's name, for the Markdown key."""
    meaning: str


# Okabe-Ito: orange #E69F00, sky blue #56B4E9, blue #0072B2, vermillion #D55E00,
# reddish purple #CC79A7, bluish green #009E73, yellow #F0E442. Fills are tints of them
# whose relative luminance steps down ~0.83 → ~0.45 → ~0.29, so greyscale keeps them apart.
CLASS_STYLES: Final[dict[str, ClassStyle]] = {
    "proximate": ClassStyle("#FCE8C2", "#A66A00", "1.2", "orange", "what happened"),
    "systemic": ClassStyle("#80B9DF", "#00507D", "1.2", "blue", "why it could happen"),
    "impact": ClassStyle("#CC79A7", "#000000", "2.5", "purple", "the harm"),
    "none": ClassStyle("#FFFFFF", "#555555", "1.0", "white", "not classified"),
}

UNCOVERED: Final = "#D55E00"
"""Vermillion: nodes and edges on a causal path that no preventive action cuts."""

FOCUS_NOTE: Final = "heavy border: the node in focus, shown with its causes and effects"
"""What ``--focus`` draws, said in every legend that has it."""

EDGE: Final = "#333333"
"""Ordinary cause → effect edges."""

FADED: Final = "#858585"
"""Edges off the uncovered paths when ``highlight`` is on: faded, yet 3.6:1 against the
background, the contrast WCAG asks of graphics."""


@dataclass(frozen=True)
class ActionStyle:
    """How an action note is drawn, by status."""

    fill: str
    border_style: str
    word: str
    """Status word shown in the note's first line."""


ACTION_STYLES: Final[dict[str, ActionStyle]] = {
    "done": ActionStyle("#B3E2D5", "solid", "done"),
    "in-progress": ActionStyle("#FAF5C0", "dashed", "in progress"),
    "open": ActionStyle("#FAF5C0", "dashed", "open"),
    "wontfix": ActionStyle("#E6E6E6", "dotted", "won't fix"),
}

LANE_ORDER: Final = (
    "external",
    "organization",
    "process",
    "operator",
    "technical",
    "no-level",
    "impact",
)
"""AcciMap levels from the blunt end (top) to the sharp end, then unlevelled nodes and
unlevelled impacts at the bottom."""

LANE_FILLS: Final = ("#F4F4F4", "#FFFFFF")
"""Alternating lane backgrounds."""


def lane_title(lane: str) -> str:
    """Return the heading shown on a swimlane.

    Examples
    --------
    >>> lane_title("organization"), lane_title("no-level")
    ('Organization', 'No level given')
    """
    return {"no-level": "No level given", "impact": "Impact"}.get(lane, lane.capitalize())
