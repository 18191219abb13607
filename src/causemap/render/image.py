"""PNG and PDF: the same DOT, drawn by ``dot``'s cairo back end.

PNG output carries no timestamp. Cairo stamps each PDF with its creation time; that date
is replaced by a fixed one of the same length (so the cross-reference offsets stay right)
and the same incident gives the same bytes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from causemap.render.dot import to_dot
from causemap.render.options import DEFAULT_LIMITS, RenderLimits, RenderOptions
from causemap.render.runner import draw

if TYPE_CHECKING:
    from causemap.analyses.result import Analysis
    from causemap.graph import CausalGraph

__all__ = ["fixed_pdf_date", "to_pdf", "to_png"]

_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")


def fixed_pdf_date(data: bytes) -> bytes:
    """Replace the creation and modification dates in a PDF by 1970-01-01, same length.

    Examples
    --------
    >>> fixed_pdf_date(b"<< /CreationDate (D:20261126162541Z) >>")
    b'<< /CreationDate (D:19700101000000Z) >>'
    """
    return _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b" (D:19700101000000", data)


def to_png(
    G: CausalGraph,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> bytes:
    """Return the causal graph ``G`` drawn as a PNG image (96 dpi, at most 5,760 px wide)."""
    return draw("png", lambda: to_dot(G, options, analysis, limits), limits)


def to_pdf(
    G: CausalGraph,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> bytes:
    """Return the causal graph ``G`` drawn as a one-page PDF document."""
    return fixed_pdf_date(draw("pdf", lambda: to_dot(G, options, analysis, limits), limits))
