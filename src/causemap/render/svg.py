"""SVG: the DOT drawn by ``dot``, made reproducible, then checked before anyone sees it.

Graphviz writes comments that vary with its version and name every node; they are
removed, so the same incident gives byte-identical SVG on the same Graphviz.

The check parses the SVG with ``defusedxml`` (no entities, no external references) and
refuses, with :class:`~causemap.errors.UnsafeOutput`, anything outside the small set of
drawing elements Graphviz uses for causemap's DOT: scripts, ``<image>``,
``<foreignObject>``, links, ``on*`` event attributes, ``javascript:``/``data:`` URLs,
external ``url(...)`` references and processing instructions such as
``<?xml-stylesheet?>``. Label text is never a reason to refuse: a label that *says*
``<script>`` arrives as escaped, inert text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

from causemap.errors import UnsafeOutput
from causemap.render.dot import to_dot
from causemap.render.options import DEFAULT_LIMITS, RenderLimits, RenderOptions
from causemap.render.runner import run_dot

if TYPE_CHECKING:
    from causemap.analyses.result import Analysis
    from causemap.graph import CausalGraph

__all__ = ["ELEMENTS", "check_svg", "clean_svg", "svg_from_dot", "to_svg"]

ELEMENTS = frozenset(
    {
        "defs",
        "desc",
        "ellipse",
        "g",
        "linearGradient",
        "path",
        "polygon",
        "polyline",
        "radialGradient",
        "stop",
        "svg",
        "text",
        "title",
    }
)
"""The only SVG elements a causemap drawing may contain."""

_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)
_INSTRUCTION = re.compile(r"<\?(?!xml\s)", re.IGNORECASE)
_DECLARATION = re.compile(r'<!(?!DOCTYPE svg PUBLIC "[^"<>\[]*"\s+"[^"<>\[]*">)')
_INVISIBLE = re.compile(r"[\s\x00-\x1f]+")
_SCHEMES = ("javascript:", "vbscript:", "data:")


def clean_svg(data: bytes) -> str:
    """Return Graphviz's SVG output as text without its comments."""
    return _COMMENT.sub("", data.decode("utf-8"))


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def check_svg(text: str) -> None:
    """Raise :class:`UnsafeOutput` unless ``text`` is a plain, inert drawing.

    Examples
    --------
    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><g><text>&lt;script&gt;</text></g></svg>')
    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    Traceback (most recent call last):
    ...
    causemap.errors.UnsafeOutput: rendered SVG refused: event attribute 'onload' on <svg>
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    def refuse(why: str) -> UnsafeOutput:
        return UnsafeOutput(f"rendered SVG refused: {why}")

    if _INSTRUCTION.search(text):
        raise refuse("processing instruction (such as xml-stylesheet)")
    if _DECLARATION.search(text):
        raise refuse("markup declaration other than the SVG doctype")
    try:
        root = fromstring(text)
    except (DefusedXmlException, ParseError) as exc:
        raise refuse(f"not well-formed XML ({type(exc).__name__})") from None
    for element in root.iter():
        tag = _local(str(element.tag))
        if tag not in ELEMENTS:
            raise refuse(f"element <{tag}>")
        for name, value in element.attrib.items():
            attr = _local(name).lower()
            if attr.startswith("on"):
                raise refuse(f"event attribute '{attr}' on <{tag}>")
            if attr == "href":
                raise refuse(f"link on <{tag}>")
            flat = _INVISIBLE.sub("", value).lower()
            if any(scheme in flat for scheme in _SCHEMES):
                raise refuse(f"URL scheme in attribute '{attr}' on <{tag}>")
            if "url(" in flat and not re.fullmatch(r"url\(#[\w.-]+\)", flat):
                raise refuse(f"external reference in attribute '{attr}' on <{tag}>")


def svg_from_dot(source: str, limits: RenderLimits = DEFAULT_LIMITS) -> str:
    """Run ``dot -Tsvg`` on ``source``; return the cleaned SVG after checking it."""
    text = clean_svg(run_dot(source, "svg", limits))
    check_svg(text)
    return text


def to_svg(
    G: CausalGraph,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> str:
    """Return the causal graph ``G`` drawn as a checked, reproducible SVG document."""
    return svg_from_dot(to_dot(G, options, analysis, limits), limits)
