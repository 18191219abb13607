"""Hostile text through every output format: the output stays inert and reads no files.

Every label, edge label, title, owner and summary of the incident tries to break out of
DOT, HTML-like labels, SVG, Mermaid or Markdown, and several name a local file whose
content is a marker that must never appear in any output.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from xml.etree import ElementTree

import pytest

from causemap.graph import to_graph
from causemap.loader import dump
from causemap.model import Incident
from causemap.render import FORMATS, RenderOptions, render
from causemap.render.dot import ATTRIBUTES
from causemap.render.svg import check_svg
from tests.render_fixtures import hostile_incident, stub_analysis

VIEWS = [
    RenderOptions(),
    RenderOptions(lanes="level", actions=True, highlight="uncovered"),
    RenderOptions(direction="TB", actions=True, focus="n10"),
]


@pytest.fixture
def marker(tmp_path: Path) -> tuple[Path, bytes]:
    """A local file whose content must never reach an output."""
    secret = f"CAUSEMAP-SECRET-{uuid.uuid4().hex}".encode()
    path = tmp_path / "secret.png"
    path.write_bytes(secret)
    return path, secret


@pytest.fixture
def hostile(marker: tuple[Path, bytes]) -> Incident:
    return hostile_incident(marker[0])


def rendered(incident: Incident, fmt: str, options: RenderOptions) -> bytes:
    return render(incident, fmt, options, analysis=stub_analysis(to_graph(incident)))


class TestDot:
    @pytest.mark.parametrize("options", VIEWS)
    def test_no_attribute_or_statement_can_be_injected(
        self, hostile: Incident, options: RenderOptions
    ) -> None:
        source = rendered(hostile, "dot", options).decode()
        names = set(re.findall(r'(?:\[|, )([A-Za-z0-9_]+)="', source))
        assert names <= ATTRIBUTES
        # Inside a quoted string every quote is escaped, so splitting on unescaped quotes
        # leaves only causemap's own syntax outside the strings.
        outside = re.sub(r'"(?:[^"\\]|\\.)*"', '""', source)
        assert "image" not in outside
        assert "shapefile" not in outside
        assert "<" not in outside
        assert "URL" not in outside
        assert 'fontname=""' in outside

    def test_escstring_sequences_stay_literal(self, hostile: Incident) -> None:
        source = rendered(hostile, "dot", RenderOptions()).decode()
        assert 'label="\\\\N \\\\G \\\\L \\\\l \\\\r \\\\E \\\\T \\\\H \\\\"' in source


@pytest.mark.dot
class TestGraphvizOutputs:
    @pytest.mark.parametrize("options", VIEWS)
    def test_svg_is_inert_and_reads_no_file(
        self, hostile: Incident, marker: tuple[Path, bytes], options: RenderOptions
    ) -> None:
        data = rendered(hostile, "svg", options)
        text = data.decode()
        check_svg(text)
        assert marker[1] not in data
        assert "<image" not in text
        assert "<script" not in text
        assert "<a " not in text
        root = ElementTree.fromstring(data)
        for element in root.iter():
            for name, value in element.attrib.items():
                assert not name.rsplit("}", 1)[-1].lower().startswith("on"), name
                assert "javascript" not in value
                assert marker[0].name not in value
        texts = "".join(root.itertext())
        assert "<script>alert(1)</script>" in texts
        # Graphviz decodes HTML entities in labels: they must reach the picture as text.
        assert "\u202e" not in texts
        assert "&lt;i&gt;" in texts
        if options.focus is None:
            assert '<IMG SRC="' in texts
            for entity in ("pay&#x202E;lol.exe", "&#60;b&#62;", "&#xD800;", "&amp;"):
                assert entity in texts

    @pytest.mark.parametrize("fmt", ["png", "pdf"])
    def test_images_read_no_file(
        self, hostile: Incident, marker: tuple[Path, bytes], fmt: str
    ) -> None:
        data = rendered(hostile, fmt, VIEWS[1])
        assert marker[1] not in data
        assert data.startswith(b"\x89PNG" if fmt == "png" else b"%PDF-")
        assert b"/URI" not in data
        assert b"/JavaScript" not in data


class TestMermaid:
    @pytest.mark.parametrize("options", VIEWS)
    def test_every_line_is_causemap_syntax(self, hostile: Incident, options: RenderOptions) -> None:
        source = rendered(hostile, "mermaid", options).decode()
        statement = re.compile(
            r'^(flowchart (LR|TB)|\s+subgraph \w+\["[^"]*"\]|\s+end'
            r'|\s+\w+(\(|\(\[|\{\{|\[\[|>|\[)"[^"]*"(\)|\]\)|\}\}|\]\]|\])'
            r'|\s+\w+ (-->|--o|-\.-|~~~)(\|"[^"]*"\|)? \w+'
            r"|\s+classDef \w+ [\w:#.,\- ]+|\s+class [\w,]+ \w+|\s+linkStyle [\d,]+ [\w:#.,\- ]+)$"
        )
        for line in source.splitlines():
            assert statement.match(line), line
        assert "%%" not in source
        assert "`" not in source
        assert "<script" not in source

    def test_labels_show_the_text_itself(self, hostile: Incident) -> None:
        source = rendered(hostile, "mermaid", RenderOptions()).decode()
        assert '("#92;N #92;G #92;L #92;l #92;r #92;E #92;T #92;H<br/>#92;")' in source
        assert '"click n0 call alert#40;#41;"' in source


class TestMarkdown:
    def test_no_links_images_html_or_fence_breaks(
        self, hostile: Incident, marker: tuple[Path, bytes]
    ) -> None:
        text = rendered(hostile, "markdown", VIEWS[1]).decode()
        body = text.split("```mermaid\n", 1)[1]
        diagram, prose = body.split("\n```\n", 1)
        assert "```" not in prose
        assert "`" not in diagram
        assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", prose)  # no [text](url)
        # The only "<" left opens an http(s) autolink, which holds no markup.
        assert "<" not in re.sub(r"<https?://[^\s<>`]+>", "", prose).replace("&lt;", "")
        assert "\\[x\\](javascript:alert(1))" in prose
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in prose
        assert marker[0].name in prose  # the path is only text
        assert marker[1].decode() not in text


class TestJson:
    def test_is_the_canonical_document_with_text_intact(self, hostile: Incident) -> None:
        data = rendered(hostile, "json", VIEWS[0])
        assert data.decode() == dump(hostile, "json")
        back = json.loads(data)
        assert back["nodes"][8]["label"] == "<script>alert(1)</script>"


def test_every_format_is_covered() -> None:
    assert set(FORMATS) == {"dot", "svg", "png", "pdf", "mermaid", "markdown", "json"}
