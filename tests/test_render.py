"""The render package: its format registry, the one entry point, and its public names."""

from __future__ import annotations

import unicodedata

import pytest

import causemap.render as render_package
from causemap.analyses import analyze
from causemap.errors import NodeNotFound, UnknownFormat
from causemap.graph import to_graph
from causemap.loader import dump, load
from causemap.model import Incident
from causemap.render import FORMATS, RenderOptions, format_for_path, get_format, render
from causemap.render.dot import to_dot
from causemap.render.svg import to_svg
from tests.conftest import EXAMPLES
from tests.render_fixtures import stub_analysis


def test_all_is_sorted_and_complete() -> None:
    names = render_package.__all__
    assert names == sorted(names, key=str.casefold) or names == sorted(names)
    for name in names:
        assert getattr(render_package, name) is not None


class TestRegistry:
    def test_formats_and_their_properties(self) -> None:
        assert list(FORMATS) == ["dot", "svg", "png", "pdf", "mermaid", "markdown", "json"]
        assert [f.name for f in FORMATS.values() if f.binary] == ["png", "pdf"]
        assert [f.name for f in FORMATS.values() if f.needs_dot] == ["svg", "png", "pdf"]
        assert FORMATS["svg"].media_type == "image/svg+xml; charset=utf-8"

    def test_unknown_format(self) -> None:
        with pytest.raises(UnknownFormat, match="unknown output format 'gif'; choose from: dot"):
            get_format("gif")

    @pytest.mark.parametrize(
        ("path", "name"),
        [
            ("a.dot", "dot"),
            ("a.GV", "dot"),
            ("x/a.svg", "svg"),
            ("a.mmd", "mermaid"),
            ("a.md", "markdown"),
            ("a.json", "json"),
            ("a.pdf", "pdf"),
            ("a.png", "png"),
        ],
    )
    def test_format_from_suffix(self, path: str, name: str) -> None:
        found = format_for_path(path)
        assert found is not None
        assert found.name == name


class TestRender:
    def test_text_formats_are_utf8_bytes(self, chain: Incident) -> None:
        G = to_graph(chain)
        analysis = stub_analysis(G)
        data = render(chain, "dot", RenderOptions(actions=True), analysis=analysis)
        assert data == to_dot(G, RenderOptions(actions=True), analysis).encode()

    def test_json_is_the_canonical_document(self, chain: Incident) -> None:
        assert render(chain, "json", RenderOptions(focus="push")) == dump(chain, "json").encode()

    def test_view_errors_propagate(self, chain: Incident) -> None:
        with pytest.raises(NodeNotFound):
            render(chain, "mermaid", RenderOptions(focus="nope"))

    @pytest.mark.parametrize("fmt", ["dot", "mermaid", "markdown", "json"])
    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_every_example_renders_the_same_twice(self, path: object, fmt: str) -> None:
        incident = load(path)  # type: ignore[arg-type]
        options = RenderOptions(actions=True, lanes="level", highlight="uncovered")
        assert render(incident, fmt, options) == render(incident, fmt, options)

    @pytest.mark.parametrize("fmt", ["dot", "mermaid"])
    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_pictures_need_only_the_picture_analysis(self, path: object, fmt: str) -> None:
        incident = load(path)  # type: ignore[arg-type]
        G = to_graph(incident)
        full, picture = analyze(G), analyze(G, picture=True)
        for options in (
            RenderOptions(),
            RenderOptions(actions=True, lanes="level", highlight="uncovered"),
        ):
            data = render(incident, fmt, options, analysis=full)
            assert render(incident, fmt, options, analysis=picture) == data
            assert render(incident, fmt, options) == data

    @pytest.mark.parametrize("fmt", ["dot", "mermaid", "markdown"])
    def test_nfd_labels_draw_as_nfc_ones(self, chain: Incident, fmt: str) -> None:
        text = "Le réplica décalé a été promu à la place du maître, hélas"
        nfd = chain.model_copy(deep=True)
        chain.node("spread").label = text
        nfd.node("spread").label = unicodedata.normalize("NFD", text)
        assert render(nfd, fmt) == render(chain, fmt)

    @pytest.mark.dot
    @pytest.mark.parametrize("path", EXAMPLES[:1], ids=lambda p: p.stem)
    def test_svg_bytes_are_to_svg_text(self, path: object) -> None:
        incident = load(path)  # type: ignore[arg-type]
        G = to_graph(incident)
        analysis = analyze(G)
        data = render(incident, "svg", analysis=analysis, graph=G)
        assert data == to_svg(G, None, analysis).encode("utf-8")
        assert render(incident, "svg") == data


class TestOptions:
    def test_focus_must_be_a_slug(self) -> None:
        with pytest.raises(ValueError, match="focus"):
            RenderOptions(focus='"]; x')

    def test_unknown_fields_are_refused(self) -> None:
        with pytest.raises(ValueError, match="Extra inputs"):
            RenderOptions.model_validate({"dpi": 9000})
