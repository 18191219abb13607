"""The web editor's files, checked without a browser: no markup from strings, no inline
script, vendored libraries listed with their checksums and licences, the visual grammar
in step with the renderers, every module import resolvable, and the page's policy."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from causemap.render import style
from causemap.service.app import create_app
from causemap.service.settings import Settings

WEB = Path(__file__).resolve().parents[1] / "web"
MODULES = sorted((WEB / "js").glob("*.js"))
VENDOR = WEB / "vendor"
SINKS = [
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "eval(",
    "new Function",
    "DOMParser",
    "createContextualFragment",
    'setAttribute("style"',
]
"""Ways a string becomes markup or code (or an inline style, which the CSP refuses)."""


class TestNoMarkupFromStrings:
    @pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
    def test_modules_never_parse_strings_as_html(self, module: Path) -> None:
        text = module.read_text()
        for sink in SINKS:
            assert sink not in text, f"{module.name} uses {sink}"
        # Inline style attributes would break the CSP; styles come from app.css.
        assert not re.search(r"""style:\s*["'`]""", text), module.name

    def test_the_page_has_no_inline_script_or_style(self) -> None:
        html = re.sub(r"<!--.*?-->", "", (WEB / "index.html").read_text(), flags=re.S)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert "<style" not in html
        assert " style=" not in html
        assert not re.search(r"""(src|href)=["']https?://""", html)
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"

    def test_the_stylesheet_loads_nothing_from_elsewhere(self) -> None:
        css = (WEB / "app.css").read_text()
        assert "url(" not in css
        assert "@import" not in css


class TestModules:
    def test_every_import_resolves(self) -> None:
        for module in MODULES:
            for target in re.findall(
                r"""^import .*? from ["'](\.[^"']+)["'];""", module.read_text(), re.M
            ):
                assert (module.parent / target).resolve().is_file(), f"{module.name}: {target}"

    def test_the_entry_module_is_the_one_the_page_loads(self) -> None:
        assert (
            '<script type="module" src="js/main.js"></script>' in (WEB / "index.html").read_text()
        )

    def test_modules_stay_small(self) -> None:
        for module in MODULES:
            lines = module.read_text().count("\n")
            assert lines <= 450, f"{module.name} has {lines} lines: split it"


class TestVendor:
    def test_every_vendored_file_is_listed_with_its_checksum_and_licence(self) -> None:
        readme = (VENDOR / "README.md").read_text()
        libraries = sorted(VENDOR.glob("*.js"))
        assert libraries
        for path in libraries:
            assert re.search(r"-\d+\.\d+\.\d+\.", path.name), f"{path.name}: no version in the name"
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert f"{digest}  {path.name}" in readme, (
                f"{path.name}: checksum not in vendor/README.md"
            )
            stem = re.match(r"(.+?-\d+\.\d+\.\d+)", path.name)
            assert stem, path.name
            assert (VENDOR / f"{stem.group(1)}.LICENSE.txt").is_file(), path.name

    def test_nothing_but_the_listed_files(self) -> None:
        names = {p.name for p in VENDOR.iterdir()}
        assert names == {
            "README.md",
            "cytoscape-3.35.0.esm.min.js",
            "cytoscape-3.35.0.LICENSE.txt",
            "dagre-3.1.3.esm.min.js",
            "dagre-3.1.3.LICENSE.txt",
        }


@pytest.fixture(scope="module")
def grammar() -> str:
    return (WEB / "js" / "grammar.js").read_text()


class TestGrammar:
    """web/js/grammar.js draws with the same colours as render/style.py."""

    @pytest.mark.parametrize("name", sorted(style.CLASS_STYLES))
    def test_class_colours(self, grammar: str, name: str) -> None:
        look = style.CLASS_STYLES[name]
        line = next(line for line in grammar.splitlines() if line.strip().startswith(f"{name}:"))
        assert f'fill: "{look.fill}"' in line, line
        assert f'border: "{look.border}"' in line, line
        assert f'meaning: "{look.meaning}"' in line, line

    def test_path_and_edge_colours(self, grammar: str) -> None:
        for name in ["UNCOVERED", "EDGE", "FADED", "MARKER"]:
            assert f'export const {name} = "{getattr(style, name)}";' in grammar, name

    @pytest.mark.parametrize("status", sorted(style.ACTION_STYLES))
    def test_action_colours(self, grammar: str, status: str) -> None:
        look = style.ACTION_STYLES[status]
        assert re.search(
            rf'"?{re.escape(status)}"?: {{ fill: "{look.fill}", word: "{look.word}" }}', grammar
        ), status

    def test_kinds(self, grammar: str) -> None:
        for kind, shape in style.KIND_SHAPES.items():
            assert f'{kind}: {{ shape: "' in grammar, kind
            assert f'description: "{shape.description}"' in grammar, kind


class TestDocs:
    def test_every_shortcut_is_in_the_readme(self) -> None:
        readme = (WEB.parent / "README.md").read_text()
        section = readme.split("## The web editor")[1].split("\n## ")[0]
        keys = re.findall(r'\["([^"]+)", "[^"]+"\],', (WEB / "js" / "keys.js").read_text())
        assert len(keys) > 20
        for entry in keys:
            for key in re.split(r"\s+or\s+|\s+", entry):
                if key.removeprefix("Shift+") in "←→↑↓":
                    assert "arrow keys" in section
                    assert key[0] in "←→↑↓" or "with `Shift`" in section
                else:
                    assert f"`{key}`" in section, f"shortcut {key} is not in the README"

    def test_the_screenshots_the_readme_links_exist(self) -> None:
        readme = (WEB.parent / "README.md").read_text()
        shots = re.findall(r"\(docs/screenshots/([a-z-]+\.png)\)", readme)
        assert "editor.png" in shots
        for name in shots:
            assert (WEB.parent / "docs" / "screenshots" / name).is_file(), name


class TestServedPage:
    def test_the_editor_is_served_under_a_strict_policy(self, tmp_path: Path) -> None:
        app = create_app(Settings(db=f"sqlite:///{tmp_path / 'store.db'}"))
        with TestClient(app) as client:
            page = client.get("/")
            assert page.status_code == 200, page.text
            assert 'src="js/main.js"' in page.text
            csp = page.headers["content-security-policy"]
            assert "script-src 'self'" in csp
            assert "unsafe" not in csp
            for path in ["/js/main.js", "/vendor/cytoscape-3.35.0.esm.min.js", "/app.css"]:
                answer = client.get(path)
                assert answer.status_code == 200, path
            assert client.get("/js/main.js").headers["content-type"].startswith("text/javascript")
