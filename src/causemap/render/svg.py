"""SVG: the DOT drawn by ``dot``, made reproducible, then checked before anyone sees it.

Graphviz writes comments that vary with its version and name every node; they are
removed, so the same incident gives byte-identical SVG on the same Graphviz.

The check parses the SVG with expat, guarded the way ``defusedxml`` guards it (no
entities, no external references, no internal DTD subset), and refuses, with
:class:`~causemap.errors.UnsafeOutput`, anything outside the small set of drawing
elements Graphviz uses for causemap's DOT: scripts, ``<image>``,
``<foreignObject>``, links, ``on*`` event attributes, ``javascript:``/``data:`` URLs,
external ``url(...)`` references and processing instructions such as
``<?xml-stylesheet?>``. Label text is never a reason to refuse: a label that *says*
``<script>`` arrives as escaped, inert text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from xml.parsers import expat

from causemap.errors import UnsafeOutput
from causemap.render.dot import to_dot
from causemap.render.options import DEFAULT_LIMITS, RenderLimits, RenderOptions
from causemap.render.runner import DotProcess, draw

if TYPE_CHECKING:
    from causemap.analyses.result import Analysis
    from causemap.graph import CausalGraph

__all__ = ["ELEMENTS", "check_svg", "finish_svg", "svg_from_dot", "to_svg"]

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

_COMMENT = re.compile(rb"<!--.*?-->\n?", re.DOTALL)
_INVISIBLE = re.compile(r"[\s\x00-\x1f]+")
_SCHEMES = ("javascript:", "vbscript:", "data:")
_LOCAL_URL = re.compile(r"url\(#[\w.-]+\)")
_SVG_DTD = "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"
# Attribute names Graphviz writes for causemap's drawings: neither events nor links, so
# only their values need a look.
_PLAIN_ATTRIBUTES = frozenset(
    {
        "class",
        "cx",
        "cy",
        "d",
        "fill",
        "font-family",
        "font-size",
        "font-weight",
        "height",
        "id",
        "points",
        "rx",
        "ry",
        "stroke",
        "stroke-dasharray",
        "stroke-width",
        "text-anchor",
        "transform",
        "viewBox",
        "width",
        "x",
        "y",
    }
)


class _Check:
    """Expat callbacks that raise on the first thing a drawing must not contain."""

    @staticmethod
    def refuse(why: str) -> UnsafeOutput:
        return UnsafeOutput(f"rendered SVG refused: {why}")

    def start(self, tag: str, attrs: list[str]) -> None:
        # Called for every element, so the common case (a known element whose attribute
        # names are all plain and whose values hold neither ':' nor '(') is decided by a
        # few C-level set and string operations; only the rest goes attribute by attribute.
        if tag not in ELEMENTS:
            local = tag.rsplit(":", 1)[-1]
            if local not in ELEMENTS:
                raise self.refuse(f"element <{local}>")
        if not attrs:
            return
        names, values = attrs[0::2], attrs[1::2]
        if not _PLAIN_ATTRIBUTES.issuperset(names):
            for name in names:
                if name not in _PLAIN_ATTRIBUTES:
                    self.name(tag, name)
        joined = "\0".join(values)
        if ":" in joined or "(" in joined:
            for name, value in zip(names, values, strict=True):
                self.value(tag, name, value)

    def name(self, tag: str, name: str) -> None:
        """Refuse an event or link attribute."""
        attr = name.rsplit(":", 1)[-1].lower()
        if attr.startswith("on"):
            raise self.refuse(f"event attribute '{attr}' on <{tag.rsplit(':', 1)[-1]}>")
        if attr == "href":
            raise self.refuse(f"link on <{tag.rsplit(':', 1)[-1]}>")

    def value(self, tag: str, name: str, value: str) -> None:
        """Refuse a value with a script or data URL scheme, or an external reference."""
        if ":" not in value and "(" not in value:
            return  # neither a URL scheme nor url(): nearly every coordinate and colour
        flat = _INVISIBLE.sub("", value).lower()
        if name.startswith("xmlns") and flat.startswith("http://www.w3.org/"):
            return
        local = tag.rsplit(":", 1)[-1]
        if any(scheme in flat for scheme in _SCHEMES):
            raise self.refuse(f"URL scheme in attribute '{name}' on <{local}>")
        if "url(" in flat and not _LOCAL_URL.fullmatch(flat):
            raise self.refuse(f"external reference in attribute '{name}' on <{local}>")

    def instruction(self, target: str, data: str) -> None:
        raise self.refuse(f"processing instruction <?{target}?>")

    def doctype(self, name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        if name != "svg" or internal or sysid not in (None, _SVG_DTD):
            raise self.refuse(
                "a document type other than plain SVG (another DTD, or an internal subset)"
            )

    def entity(self, *_: object) -> None:
        raise self.refuse("entity declaration or reference")

    def external(self, *_: object) -> int:
        raise self.refuse("external entity reference")


def check_svg(text: str | bytes) -> None:
    """Raise :class:`UnsafeOutput` unless ``text`` is a plain, inert drawing.

    The parser is expat, guarded as ``defusedxml`` guards it: any entity declaration,
    external entity or internal DTD subset is refused before it could be expanded.
    ``text`` may be the UTF-8 bytes themselves, as ``dot`` wrote them.

    Examples
    --------
    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;script&gt;</text></svg>')
    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    Traceback (most recent call last):
    ...
    causemap.errors.UnsafeOutput: rendered SVG refused: event attribute 'onload' on <svg>
    """
    check = _Check()
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = check.start
    parser.ProcessingInstructionHandler = check.instruction
    parser.StartDoctypeDeclHandler = check.doctype
    parser.EntityDeclHandler = check.entity
    parser.UnparsedEntityDeclHandler = check.entity
    parser.ExternalEntityRefHandler = check.external
    parser.SkippedEntityHandler = check.entity
    try:
        parser.Parse(text.encode("utf-8") if isinstance(text, str) else text, True)
    except expat.ExpatError as exc:
        raise check.refuse(f"not well-formed XML ({expat.errors.messages[exc.code]})") from None


def finish_svg(data: bytes) -> bytes:
    """Return ``dot``'s SVG output without its comments, after checking it.

    The bytes of :func:`to_svg`'s text in UTF-8, without decoding and encoding again (no
    ASCII byte of the comment pattern occurs inside a multi-byte UTF-8 character).

    Raises
    ------
    UnsafeOutput
        If the drawing fails :func:`check_svg`, or is not UTF-8.
    """
    cleaned = _COMMENT.sub(b"", data)
    check_svg(cleaned)
    return cleaned


def svg_from_dot(source: str, limits: RenderLimits = DEFAULT_LIMITS) -> str:
    """Run ``dot -Tsvg`` on ``source``; return the cleaned SVG after checking it."""
    return DotProcess("svg", limits).run(source, finish_svg).decode("utf-8")


def to_svg(
    G: CausalGraph,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> str:
    """Return the causal graph ``G`` drawn as a checked, reproducible SVG document."""
    data = draw("svg", lambda: to_dot(G, options, analysis, limits), limits, finish=finish_svg)
    return data.decode("utf-8")
