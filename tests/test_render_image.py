"""PNG and PDF through dot: the right kind of file, capped in size, reproducible."""

from __future__ import annotations

import struct

import pytest

from causemap.graph import to_graph
from causemap.loader import load
from causemap.model import Incident
from causemap.render.image import fixed_pdf_date, to_pdf, to_png
from causemap.render.options import RenderOptions
from tests.conftest import EXAMPLES


class TestFixedPdfDate:
    def test_same_length_fixed_dates(self) -> None:
        raw = b"<< /CreationDate (D:20261126162541Z) /ModDate (D:20261126162541+01'00) >>"
        fixed = fixed_pdf_date(raw)
        assert len(fixed) == len(raw)
        assert fixed == b"<< /CreationDate (D:19700101000000Z) /ModDate (D:19700101000000+01'00) >>"


@pytest.mark.dot
class TestPng:
    def test_is_a_png_and_reproducible(self, chain: Incident) -> None:
        G = to_graph(chain)
        data = to_png(G)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert to_png(G) == data

    def test_width_is_capped(self) -> None:
        G = to_graph(load(EXAMPLES[0]))
        data = to_png(G, RenderOptions(actions=True))
        width, height = struct.unpack(">II", data[16:24])
        assert 0 < width <= 5760
        assert 0 < height <= 5760


@pytest.mark.dot
class TestPdf:
    def test_is_a_pdf_and_reproducible(self, chain: Incident) -> None:
        G = to_graph(chain)
        data = to_pdf(G)
        assert data.startswith(b"%PDF-")
        assert b"/CreationDate (D:19700101000000" in data
        assert to_pdf(G) == data

    def test_has_no_links_or_scripts(self, chain: Incident) -> None:
        data = to_pdf(to_graph(chain), RenderOptions(actions=True))
        for word in (b"/URI", b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile"):
            assert word not in data
