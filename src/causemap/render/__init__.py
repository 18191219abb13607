"""Diagrams and reports of an incident: DOT, SVG, PNG, PDF, Mermaid, Markdown and JSON.

One module per format, each a pure function ``to_<format>(G, options, analysis, limits)``
that returns text or bytes and never prints; :func:`render` is the one entry point that
the CLI and the service call::

    >>> from causemap.loader import load
    >>> from causemap.render import RenderOptions, render
    >>> incident = load("examples/retry-storm.yaml")                         # doctest: +SKIP
    >>> svg = render(incident, "svg", RenderOptions(lanes="level"))           # doctest: +SKIP

``dot``, ``mermaid`` and ``markdown`` are pure Python; ``svg``, ``png`` and ``pdf`` run
Graphviz's ``dot`` (see :mod:`causemap.render.runner` for how it is confined).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from causemap.errors import UnknownFormat
from causemap.render.dot import to_dot
from causemap.render.image import fixed_pdf_date, to_pdf, to_png
from causemap.render.markdown import to_markdown
from causemap.render.mermaid import to_mermaid
from causemap.render.options import DEFAULT_LIMITS, RenderLimits, RenderOptions
from causemap.render.pool import DotPool
from causemap.render.runner import ImageFormat, draw
from causemap.render.svg import check_svg, finish_svg, to_svg

if TYPE_CHECKING:
    from causemap.analyses.result import Analysis
    from causemap.graph import CausalGraph
    from causemap.model import Incident

__all__ = [
    "ALIASES",
    "DEFAULT_LIMITS",
    "FORMATS",
    "OutputFormat",
    "RenderLimits",
    "RenderOptions",
    "check_svg",
    "format_for_path",
    "get_format",
    "render",
    "to_dot",
    "to_markdown",
    "to_mermaid",
    "to_pdf",
    "to_png",
    "to_svg",
]

Renderer = Callable[
    ["CausalGraph", "RenderOptions | None", "Analysis | None", RenderLimits], "str | bytes"
]


def _as_drawn(data: bytes) -> bytes:
    """PNG needs nothing done to ``dot``'s output."""
    return data


@dataclass(frozen=True)
class OutputFormat:
    """One output format: its file suffix, media type and how it is made."""

    name: str
    suffix: str
    media_type: str
    binary: bool
    """True for PNG and PDF, which must not be written to a terminal."""
    renderer: Renderer | None
    """None for ``json``, which is the incident document itself."""
    image: ImageFormat | None = None
    """For svg, png and pdf: the format ``dot`` draws."""
    finish: Callable[[bytes], bytes] | None = None
    """For svg, png and pdf: what ``dot``'s output goes through (the SVG check, fixed PDF
    dates); the renderer does the same."""
    picture: bool = True
    """False for markdown, whose report needs the whole analysis (see ``analyze``)."""
    streams: bool = False
    """True when documents written one after another still read as one stream: ``dot``
    draws every graph of its input, and Markdown sections follow one another."""

    @property
    def needs_dot(self) -> bool:
        """True when Graphviz ``dot`` must be installed: the formats it draws."""
        return self.image is not None


FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            "dot", ".dot", "text/vnd.graphviz; charset=utf-8", False, to_dot, streams=True
        ),
        OutputFormat(
            "svg", ".svg", "image/svg+xml; charset=utf-8", False, to_svg, "svg", finish_svg
        ),
        OutputFormat("png", ".png", "image/png", True, to_png, "png", _as_drawn),
        OutputFormat("pdf", ".pdf", "application/pdf", True, to_pdf, "pdf", fixed_pdf_date),
        OutputFormat("mermaid", ".mmd", "text/plain; charset=utf-8", False, to_mermaid),
        OutputFormat(
            "markdown",
            ".md",
            "text/markdown; charset=utf-8",
            False,
            to_markdown,
            picture=False,
            streams=True,
        ),
        OutputFormat("json", ".json", "application/json", False, None),
    )
}
"""Every output format by name, in the order help texts list them."""

_SUFFIXES = {f.suffix: f.name for f in FORMATS.values()} | {
    ".gv": "dot",
    ".mermaid": "mermaid",
    ".markdown": "markdown",
}

ALIASES: dict[str, str] = {
    suffix[1:]: name for suffix, name in _SUFFIXES.items() if suffix[1:] not in FORMATS
}
"""The other names a format answers to where it is named (the API's ``format``): its file
suffixes without the dot, ``gv``, ``md`` and ``mmd``."""


def get_format(name: str) -> OutputFormat:
    """Return the output format called ``name``.

    Raises
    ------
    UnknownFormat
        If causemap has no such format.
    """
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormat(
            f"unknown output format '{name}'; choose from: {', '.join(FORMATS)}", list(FORMATS)
        ) from None


def format_for_path(path: str) -> OutputFormat | None:
    """Return the output format a file name's suffix implies, if any.

    Examples
    --------
    >>> format_for_path("out/incident.svg").name
    'svg'
    >>> format_for_path("notes.txt") is None
    True
    """
    name = _SUFFIXES.get(PurePath(path).suffix.lower())
    return FORMATS[name] if name else None


def render(
    incident: Incident,
    fmt: str,
    options: RenderOptions | None = None,
    *,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
    graph: CausalGraph | None = None,
    pool: DotPool | None = None,
) -> bytes:
    """Return ``incident`` in the output format ``fmt`` as bytes (text formats in UTF-8).

    ``analysis`` supplies the classes, findings and coverage the pictures show; when it
    is None the incident is analysed here (for a picture, only as far as it draws).
    ``graph`` is the incident's causal graph when the caller has built it already;
    ``pool`` supplies ``dot`` processes started ahead of need (a service keeps one).
    ``json`` is the canonical incident document and ignores the view options.

    For svg, png and pdf, ``dot`` is started first: Graphviz loads its libraries while
    the graph, the analysis and the DOT are built.

    Raises
    ------
    UnknownFormat
        If ``fmt`` is not one of :data:`FORMATS`.
    NodeNotFound
        If ``options.focus`` names a node that is not in the incident.
    LimitExceeded
        If the diagram would be larger than ``limits`` allow.
    RenderError
        For ``svg``, ``png`` and ``pdf``, if Graphviz is missing, too slow or fails.
    """
    from causemap.analyses import analyze
    from causemap.graph import to_graph
    from causemap.loader import dump

    spec = get_format(fmt)
    if spec.renderer is None:
        return dump(incident, "json").encode("utf-8")

    def prepared() -> tuple[CausalGraph, Analysis]:
        G = graph if graph is not None else to_graph(incident)
        return G, analysis if analysis is not None else analyze(G, picture=spec.picture)

    if spec.image is None or spec.finish is None:
        G, found = prepared()
        data = spec.renderer(G, options, found, limits)
        return data if isinstance(data, bytes) else data.encode("utf-8")

    def build() -> str:
        G, found = prepared()
        return to_dot(G, options, found, limits)

    if pool is None:
        return draw(spec.image, build, limits, finish=spec.finish)
    data = draw(spec.image, build, limits, pool.take, spec.finish)
    pool.refill(spec.image)  # after a success only: a failing dot gets no spares
    return data
