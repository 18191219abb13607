"""The render endpoints: formats, negotiation, Kroki-style URLs, ETags and the cache,
the bounded dot pool (503 on overload), timeouts, safe SVG serving and bad input."""

from __future__ import annotations

import base64
import json
import re
import stat
import threading
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from causemap.errors import LimitExceeded, MalformedDocument
from causemap.loader import dump, loads
from causemap.metrics import DOT_TIMEOUTS, RENDER_CACHE_HITS, RENDER_CACHE_MISSES, RENDER_OVERLOADED
from causemap.render import RenderLimits, RenderOptions, check_svg, render, runner
from causemap.service import Settings, Tokens, create_app
from causemap.service.rendering import RenderCache, decode_encoded
from causemap.service.routes.render import DIAGRAM_CSP, negotiate
from tests.render_fixtures import densely_linked, hostile_incident
from tests.test_bad_inputs import BASE
from tests.test_service import API, READ, TOKENS, WRITE, YAML, MakeClient, make_client

__all__ = ["make_client"]

JSON = dump(loads(BASE), "json")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "retry-storm.yaml"


def encoded(text: str, level: int = 9, wbits: int = zlib.MAX_WBITS) -> str:
    """The incident text as a render URL carries it."""
    packer = zlib.compressobj(level, zlib.DEFLATED, wbits)
    data = packer.compress(text.encode()) + packer.flush()
    return base64.urlsafe_b64encode(data).decode()


def other(title: str) -> str:
    """BASE with another title: another content key."""
    return BASE.replace("title: Demo incident", f"title: {title}")


def fake_dot(folder: Path, body: str) -> None:
    """An executable ``dot`` shell script in ``folder`` (``dot -V`` stays the real one)."""
    folder.mkdir(exist_ok=True)
    script = folder / "dot"
    script.write_text(f'#!/bin/sh\n[ "$1" = -V ] && exec /usr/bin/dot -V\n{body}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    runner._which.cache_clear()  # dot may have been looked up on this PATH already


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder put first on PATH (after the app started), for a fake ``dot``."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    return folder


def post_render(client: TestClient, text: str = BASE, query: str = "", **headers: str) -> Any:
    return client.post(f"{API}/render{query}", content=text, headers={**YAML, **headers})


@pytest.mark.dot
class TestPostRender:
    def test_svg_is_served_so_nothing_in_it_runs(self, client: TestClient) -> None:
        response = post_render(client, query="?format=svg")
        assert response.status_code == 200, response.text
        headers = response.headers
        assert headers["content-type"] == "image/svg+xml; charset=utf-8"
        assert headers["content-security-policy"] == DIAGRAM_CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert headers["cross-origin-resource-policy"] == "same-origin"
        assert "content-disposition" not in headers
        etag = headers["etag"]
        assert etag.startswith('"')  # strong
        assert len(etag) == 66  # a SHA-256
        check_svg(response.text)

    @pytest.mark.parametrize(
        ("fmt", "media", "start"),
        [
            ("png", "image/png", b"\x89PNG"),
            ("pdf", "application/pdf", b"%PDF"),
            ("dot", "text/vnd.graphviz; charset=utf-8", b"digraph"),
            ("mermaid", "text/plain; charset=utf-8", b"flowchart"),
            ("markdown", "text/markdown; charset=utf-8", b"## Causal analysis"),
            ("json", "application/json", b"{"),
        ],
    )
    def test_every_format(self, client: TestClient, fmt: str, media: str, start: bytes) -> None:
        response = post_render(client, query=f"?format={fmt}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == media
        assert response.content.lstrip().startswith(start)
        csp = response.headers["content-security-policy"]
        assert (csp == DIAGRAM_CSP) is (fmt != "pdf")  # PDF viewers do not run sandboxed

    def test_json_body_and_view_options_match_the_library(self, client: TestClient) -> None:
        options = RenderOptions(
            direction="TB", lanes="level", actions=True, highlight="uncovered", legend=False
        )
        query = "?format=dot&direction=TB&lanes=level&actions=true&highlight=uncovered&legend=0"
        response = client.post(f"{API}/render{query}", content=JSON)
        assert response.status_code == 200, response.text
        assert response.content == render(loads(BASE), "dot", options)
        plain = client.post(f"{API}/render?format=dot", content=JSON)
        assert plain.headers["etag"] != response.headers["etag"]

    @pytest.mark.parametrize(
        ("accept", "media"),
        [
            (None, "image/svg+xml"),
            ("*/*", "image/svg+xml"),
            ("image/png", "image/png"),
            ("text/html, image/svg+xml;q=0.5, image/png;q=0.9", "image/png"),
            ("text/vnd.graphviz", "text/vnd.graphviz"),
            ("text/markdown", "text/markdown"),
            ("application/json", "application/json"),
            ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "image/svg+xml"),
            ("image/svg+xml;q=0, */*", "image/png"),
            ("image/svg+xml;q=0, image/*", "image/png"),
            ("image/svg+xml;q=0.1, image/*", "image/png"),
            ("text/vnd.graphviz;q=0, text/*", "text/plain"),
            ("*/*, image/png", "image/svg+xml"),
        ],
    )
    def test_accept_negotiation(self, client: TestClient, accept: str | None, media: str) -> None:
        """A wildcard gives a format the quality of the most specific range that matches
        it (RFC 9110 12.5.1): ``image/svg+xml;q=0, */*`` was answered with SVG."""
        headers = {"accept": accept} if accept is not None else {}
        response = post_render(client, **headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media
        assert response.headers["vary"] == "Accept"
        assert negotiate(accept)[0].media_type.split(";")[0] == media

    @pytest.mark.parametrize(
        ("accept", "fmt", "start"),
        [
            ("text/vnd.mermaid", "mermaid", b"flowchart"),
            ("text/x-mermaid", "mermaid", b"flowchart"),
            ("text/plain", "mermaid", b"flowchart"),
            ("text/x-markdown", "markdown", b"## Causal analysis"),
        ],
    )
    def test_answered_in_the_media_type_asked_for(
        self, client: TestClient, accept: str, fmt: str, start: bytes
    ) -> None:
        """``Accept: text/vnd.mermaid`` was answered as ``text/plain``."""
        response = post_render(client, accept=accept)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == f"{accept}; charset=utf-8"
        assert response.content.lstrip().startswith(start)
        by_name = post_render(client, query=f"?format={fmt}")
        assert by_name.content == response.content
        assert "vary" not in by_name.headers

    def test_unacceptable_accept_is_406(self, client: TestClient) -> None:
        response = post_render(client, accept="text/html, image/gif")
        assert response.status_code == 406
        error = response.json()["error"]
        assert error["code"] == "not-acceptable"
        assert "image/svg+xml" in error["details"]["formats"]
        assert ", ".join(error["details"]["formats"]) in error["message"]

    def test_download(self, client: TestClient) -> None:
        response = post_render(client, query="?format=png&download=1")
        assert response.headers["content-disposition"] == 'attachment; filename="demo.png"'


def test_markdown_leaves_out_a_diagram_github_would_not_draw(client: TestClient) -> None:
    # 540 links: GitHub's Mermaid draws 500 and showed an error box in the section.
    body = dump(densely_linked(), "json")
    response = client.post(
        f"{API}/render?format=markdown", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert "```mermaid" not in response.text
    assert "_The diagram is left out: its Mermaid text has 540 links; " in response.text
    mermaid = client.post(
        f"{API}/render?format=mermaid", content=body, headers={"content-type": "application/json"}
    )
    assert mermaid.status_code == 200, mermaid.text  # the diagram format still has it all
    assert mermaid.text.count(" --> ") == 540


class TestMermaidWarning:
    """A Mermaid text past what GitHub and GitLab draw came without a word: the CLI warns
    of it, but a client of the API (the web page's "Copy the Mermaid text") could not
    tell. Every render endpoint now says why in ``Causemap-Warning``."""

    WARNING = (
        "its Mermaid text has 540 links; GitHub and GitLab draw Mermaid diagrams of at most "
        "50,000 characters and 500 links (Mermaid's defaults) and show an error box in "
        "place of a larger one"
    )

    def test_every_render_of_a_diagram_too_big_for_github_says_why(
        self, client: TestClient
    ) -> None:
        body = dump(densely_linked(), "json")
        posted = client.post(
            f"{API}/render?format=mermaid",
            content=body,
            headers={"content-type": "application/json"},
        )
        assert posted.status_code == 200, posted.text
        assert posted.headers["causemap-warning"] == self.WARNING
        assert posted.text.count(" --> ") == 540  # whole all the same
        negotiated = client.post(
            f"{API}/render",
            content=body,
            headers={"content-type": "application/json", "accept": "text/vnd.mermaid"},
        )
        assert negotiated.headers["causemap-warning"] == self.WARNING
        url = f"{API}/render/mmd/{encoded(body)}"
        assert client.get(url).headers["causemap-warning"] == self.WARNING
        assert client.head(url).headers["causemap-warning"] == self.WARNING  # cached answer
        created = client.post(
            f"{API}/incidents", content=body, headers={"content-type": "application/json"}
        )
        assert created.status_code == 201, created.text
        stored = client.get(f"{API}/incidents/dense/render.mermaid")
        assert stored.headers["causemap-warning"] == self.WARNING

    @pytest.mark.parametrize("fmt", ["mermaid", "markdown", "dot"])
    def test_no_warning_otherwise(self, client: TestClient, fmt: str) -> None:
        # Markdown leaves such a diagram out and says so in the text itself.
        big = dump(densely_linked(), "json")
        for body in (JSON, big) if fmt != "mermaid" else (JSON,):
            response = client.post(
                f"{API}/render?format={fmt}",
                content=body,
                headers={"content-type": "application/json"},
            )
            assert response.status_code == 200, response.text
            assert "causemap-warning" not in response.headers

    def test_a_page_elsewhere_can_read_it(self, make_client: MakeClient) -> None:
        client = make_client(cors_origins=("https://wiki.example",))
        response = client.post(
            f"{API}/render?format=mermaid",
            content=dump(densely_linked(), "json"),
            headers={"content-type": "application/json", "origin": "https://wiki.example"},
        )
        exposed = response.headers["access-control-expose-headers"].lower().split(", ")
        assert "causemap-warning" in exposed
        assert response.headers["causemap-warning"] == self.WARNING

    def test_the_openapi_schema_documents_it(self, client: TestClient) -> None:
        paths = client.get(f"{API}/openapi.json").json()["paths"]
        for path, method in [
            ("/api/v1/render", "post"),
            ("/api/v1/render/{format}/{encoded}", "get"),
            ("/api/v1/incidents/{incident_id}/render.{format}", "get"),
        ]:
            headers = paths[path][method]["responses"]["200"]["headers"]
            assert "Causemap-Warning" in headers, path


class TestBadInput:
    def test_invalid_incident_is_422_with_the_cli_diagnostics(self, client: TestClient) -> None:
        response = post_render(client, BASE.replace("kind: condition", "kind: conditon"))
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid-incident"
        assert error["details"][0]["line"] == 11
        assert "did you mean 'condition'?" in error["message"]

    def test_unparseable_is_400(self, client: TestClient) -> None:
        response = client.post(
            f"{API}/render", content=b"{", headers={"content-type": "application/json"}
        )
        assert (response.status_code, response.json()["error"]["code"]) == (
            400,
            "malformed-document",
        )

    def test_unknown_format_in_the_query_is_400(self, client: TestClient) -> None:
        response = post_render(client, query="?format=gif")
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "unknown-format"
        assert error["details"]["formats"] == [
            "dot",
            "svg",
            "png",
            "pdf",
            "mermaid",
            "markdown",
            "json",
        ]

    def test_unknown_format_in_a_path_is_404(self, client: TestClient) -> None:
        response = client.get(f"{API}/render/gif/{encoded(JSON)}")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown-format")

    @pytest.mark.parametrize("focus", ["nope", "push2"])
    def test_focus_on_an_unknown_node_is_422(self, client: TestClient, focus: str) -> None:
        for response in (
            post_render(client, query=f"?format=dot&focus={focus}"),
            client.get(f"{API}/render/dot/{encoded(JSON)}", params={"focus": focus}),
        ):
            assert response.status_code == 422, response.text
            error = response.json()["error"]
            assert error["code"] == "invalid-parameters"
            assert error["details"][0]["pointer"] == "/query/focus"
            assert f"no node '{focus}'" in error["details"][0]["message"]

    def test_malformed_focus_and_options_are_422(self, client: TestClient) -> None:
        response = post_render(client, query="?focus=Not%20An%20Id&lanes=swim")
        assert response.status_code == 422
        pointers = {d["pointer"] for d in response.json()["error"]["details"]}
        assert pointers == {"/query/focus", "/query/lanes"}

    def test_too_large_a_diagram_is_413(self, make_client: MakeClient) -> None:
        client = make_client(render_limits=RenderLimits(max_nodes=2))
        response = post_render(client, query="?format=dot")
        assert (response.status_code, response.json()["error"]["code"]) == (413, "limit-exceeded")


class TestFormatContract:
    """The ``format`` values the OpenAPI contract lists are exactly those the render
    endpoints accept: a generated client must neither refuse a valid request nor be
    allowed to send one the server refuses."""

    WITHOUT_DOT = ("dot", "gv", "mermaid", "mmd", "markdown", "md", "json")

    def enums(self, client: TestClient) -> dict[str, list[str]]:
        spec = client.get(f"{API}/openapi.json").json()
        found = {}
        for path, operations in spec["paths"].items():
            if "render" in path:
                for method, operation in operations.items():
                    for parameter in operation.get("parameters", []):
                        if parameter["name"] == "format":
                            found[f"{method} {path}"] = parameter["schema"]["enum"]
        assert len(found) == 3, found
        return found

    def test_the_contract_lists_the_suffix_aliases(self, client: TestClient) -> None:
        names = ["dot", "svg", "png", "pdf", "mermaid", "markdown", "json"]
        for where, values in self.enums(client).items():
            assert sorted(values) == sorted([*names, "gv", "md", "mmd"]), where

    def test_every_listed_value_is_accepted(self, client: TestClient) -> None:
        assert client.post(f"{API}/incidents", content=BASE, headers=YAML).status_code == 201
        for values in self.enums(client).values():
            for fmt in set(values) & set(self.WITHOUT_DOT):
                assert post_render(client, query=f"?format={fmt}").status_code == 200, fmt
                response = client.get(f"{API}/render/{fmt}/{encoded(JSON)}")
                assert response.status_code == 200, fmt
                assert client.get(f"{API}/incidents/demo/render.{fmt}").status_code == 200

    @pytest.mark.parametrize("fmt", ["x.dot", ".md", "a b.mmd", "DOT", "Markdown"])
    def test_a_value_the_contract_does_not_list_is_refused(
        self, client: TestClient, fmt: str
    ) -> None:
        response = post_render(client, query=f"?format={fmt}")
        assert (response.status_code, response.json()["error"]["code"]) == (400, "unknown-format")
        response = client.get(f"{API}/render/{fmt}/{encoded(JSON)}")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown-format")


class TestEncodedUrl:
    @pytest.mark.dot
    def test_content_addressed_and_cacheable(self, client: TestClient) -> None:
        url = f"{API}/render/svg/{encoded(JSON)}"
        response = client.get(url)
        assert response.status_code == 200, response.text
        headers = response.headers
        assert headers["cache-control"] == "public, max-age=604800, immutable"
        assert headers["cross-origin-resource-policy"] == "cross-origin"
        assert headers["content-security-policy"] == DIAGRAM_CSP
        assert headers["x-content-type-options"] == "nosniff"
        posted = post_render(client, query="?format=svg")
        assert posted.headers["etag"] == headers["etag"]
        assert posted.content == response.content
        again = client.get(url, headers={"if-none-match": headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == headers["etag"]
        assert again.headers["cache-control"] == headers["cache-control"]
        listed = client.get(url, headers={"if-none-match": f'"x", W/{headers["etag"]}'})
        assert listed.status_code == 304
        stale = client.get(url, headers={"if-none-match": '"x"'})
        assert (stale.status_code, stale.content) == (200, response.content)

    @pytest.mark.dot
    def test_same_incident_same_etag_however_it_is_encoded(self, client: TestClient) -> None:
        data = json.loads(JSON)
        variants = [
            encoded(JSON),
            encoded(JSON, level=1),
            encoded(JSON, wbits=-15),  # raw deflate
            encoded(json.dumps(data, sort_keys=True, indent=4)),
            encoded(JSON).rstrip("="),
            encoded(dump(loads(BASE), "json")),
        ]
        tags = {client.get(f"{API}/render/svg/{v}").headers["etag"] for v in variants}
        assert len(tags) == 1
        moved = client.get(f"{API}/render/svg/{encoded(dump(loads(other('Moved')), 'json'))}")
        assert moved.headers["etag"] not in tags
        as_png = client.get(f"{API}/render/png/{variants[0]}")
        assert as_png.headers["etag"] not in tags
        focused = client.get(f"{API}/render/svg/{variants[0]}", params={"focus": "push"})
        assert focused.headers["etag"] not in tags

    @pytest.mark.dot
    def test_byte_identical_across_processes(self, make_client: MakeClient, tmp_path: Path) -> None:
        url = f"{API}/render/svg/{encoded(dump(loads(EXAMPLE.read_text()), 'json'))}"
        first = make_client().get(url)
        second = make_client(db=f"sqlite:///{tmp_path / 'other.db'}").get(url)
        assert first.status_code == second.status_code == 200
        assert first.headers["etag"] == second.headers["etag"]
        assert first.content == second.content
        assert first.headers["server-timing"].startswith("render;dur=")

    @pytest.mark.dot
    def test_cache_hits_and_misses_are_counted(self, client: TestClient) -> None:
        url = f"{API}/render/svg/{encoded(dump(loads(other('Counted')), 'json'))}"
        hits, misses = (
            RENDER_CACHE_HITS.value(format="svg"),
            RENDER_CACHE_MISSES.value(format="svg"),
        )
        first = client.get(url)
        assert first.headers["server-timing"].startswith("render;dur=")
        assert RENDER_CACHE_MISSES.value(format="svg") == misses + 1
        second = client.get(url)
        assert second.headers["server-timing"].startswith("cache;desc=hit, total;dur=")
        assert second.content == first.content
        assert RENDER_CACHE_HITS.value(format="svg") == hits + 1
        assert RENDER_CACHE_MISSES.value(format="svg") == misses + 1
        metrics = client.get("/metrics").text
        assert 'causemap_render_cache_hits_total{format="svg"}' in metrics

    def test_304_without_rendering_on_a_fresh_process(self, make_client: MakeClient) -> None:
        url = f"{API}/render/dot/{encoded(JSON)}"
        tag = make_client().get(url).headers["etag"]
        fresh = make_client()
        misses = RENDER_CACHE_MISSES.value(format="dot")
        response = fresh.get(url, headers={"if-none-match": tag})
        assert response.status_code == 304
        assert RENDER_CACHE_MISSES.value(format="dot") == misses

    def test_cache_is_bounded_by_bytes(self, make_client: MakeClient) -> None:
        client = make_client(render_cache=8_000)
        cache = client.app.state.renderer.cache  # type: ignore[attr-defined]
        for n in range(20):
            url = f"{API}/render/mermaid/{encoded(dump(loads(other(f'T{n}')), 'json'))}"
            assert client.get(url).status_code == 200
        assert 0 < len(cache) < 20
        assert cache.size <= 8_000

    @pytest.mark.parametrize(
        ("payload", "code"),
        [
            ("not*base64", "bad-encoding"),
            ("a", "bad-encoding"),
            (base64.urlsafe_b64encode(b"\x00\x01plain bytes").decode(), "bad-encoding"),
            (encoded(JSON)[:40], "bad-encoding"),  # truncated
            (base64.urlsafe_b64encode(zlib.compress(b"{}") + b"tail").decode(), "bad-encoding"),
            (encoded("{not json"), "malformed-document"),
        ],
    )
    def test_bad_payloads_are_400(self, client: TestClient, payload: str, code: str) -> None:
        response = client.get(f"{API}/render/svg/{payload}")
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "malformed-document"
        assert error["details"][0]["code"] in (code, "json-syntax")
        assert "Traceback" not in response.text

    def test_invalid_incident_in_the_url_is_422(self, client: TestClient) -> None:
        payload = encoded(json.dumps({"causemap": 1}))
        response = client.get(f"{API}/render/svg/{payload}")
        assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid-incident")

    def test_decompression_bomb_is_413(self, make_client: MakeClient) -> None:
        client = make_client(max_body=100_000)
        bomb = encoded(" " * 5_000_000)
        assert len(bomb) < 10_000
        response = client.get(f"{API}/render/svg/{bomb}")
        assert (response.status_code, response.json()["error"]["code"]) == (413, "limit-exceeded")

    def test_decoding_stops_at_the_cap(self) -> None:
        packer = zlib.compressobj(9)
        chunk = b"\0" * (1 << 20)
        data = b"".join(packer.compress(chunk) for _ in range(200)) + packer.flush()
        bomb = base64.urlsafe_b64encode(data).decode()  # 200 MiB inflated
        tracemalloc.start()
        try:
            with pytest.raises(LimitExceeded):
                decode_encoded(bomb, 1 << 20)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 8 << 20
        with pytest.raises(MalformedDocument):
            decode_encoded("%%%", 100)


@pytest.mark.dot
class TestStoredRender:
    def test_render_a_stored_incident(self, client: TestClient) -> None:
        assert client.post(f"{API}/incidents", content=BASE, headers=YAML).status_code == 201
        url = f"{API}/incidents/demo/render.svg"
        response = client.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == post_render(client).headers["etag"]
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["vary"] == "Authorization"
        assert response.headers["content-security-policy"] == DIAGRAM_CSP
        check_svg(response.text)
        tag = response.headers["etag"]
        assert client.get(url, headers={"if-none-match": tag}).status_code == 304
        edited = other("Edited")
        saved = client.put(
            f"{API}/incidents/demo", content=edited, headers={**YAML, "if-match": '"1"'}
        )
        assert saved.status_code == 200
        changed = client.get(url, headers={"if-none-match": tag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != tag
        markdown = client.get(f"{API}/incidents/demo/render.md", params={"download": True})
        assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
        assert markdown.headers["content-disposition"] == 'attachment; filename="demo.md"'
        assert client.get(f"{API}/incidents/demo/render.gif").status_code == 404
        assert client.get(f"{API}/incidents/nope/render.svg").status_code == 404
        assert client.delete(f"{API}/incidents/demo").status_code == 200
        assert client.get(url).status_code == 410


SECURITY = (
    "content-security-policy",
    "cross-origin-resource-policy",
    "x-content-type-options",
    "x-frame-options",
    "cache-control",
    "vary",
    "etag",
)


@pytest.mark.parametrize(
    "fmt",
    [
        pytest.param("svg", marks=pytest.mark.dot),
        pytest.param("pdf", marks=pytest.mark.dot),
        "dot",
        "mermaid",
        "markdown",
    ],
)
@pytest.mark.parametrize("where", ["stored", "encoded"])
def test_304_repeats_the_security_headers_of_the_200(
    client: TestClient, fmt: str, where: str
) -> None:
    """Caches merge a 304's headers into the stored answer: a 304 with the page's policy
    took the sandbox off a cached diagram."""
    assert client.post(f"{API}/incidents", content=BASE, headers=YAML).status_code == 201
    url = {
        "stored": f"{API}/incidents/demo/render.{fmt}",
        "encoded": f"{API}/render/{fmt}/{encoded(JSON)}",
    }[where]
    full = client.get(url)
    assert full.status_code == 200, full.text
    again = client.get(url, headers={"if-none-match": full.headers["etag"]})
    assert again.status_code == 304
    for name in SECURITY:
        assert again.headers.get(name) == full.headers.get(name), name


@pytest.mark.dot
class TestStartedEarly:
    def test_same_bytes_as_the_library(self, client: TestClient) -> None:
        for path in sorted(EXAMPLE.parent.glob("*.yaml")):
            text = path.read_text()
            for fmt in ("svg", "png", "pdf"):
                response = post_render(client, text, query=f"?format={fmt}&lanes=level&actions=1")
                assert response.status_code == 200
                options = RenderOptions(lanes="level", actions=True)
                assert response.content == render(loads(text), fmt, options), (path, fmt)

    def test_dot_is_stopped_when_the_render_fails_before_it(
        self, make_client: MakeClient, fake_path: Path, tmp_path: Path
    ) -> None:
        client = make_client(render_limits=RenderLimits(max_label=10))
        pid = tmp_path / "pid"
        fake_dot(fake_path, f"echo $$ > {pid}; exec cat >/dev/null")
        response = post_render(client, other("Long labels"))
        assert (response.status_code, response.json()["error"]["code"]) == (413, "limit-exceeded")
        started = pid.read_text().strip() if pid.exists() else ""  # empty: killed before it ran
        assert not started or not Path(f"/proc/{started}").exists()  # killed and reaped


class TestSafety:
    def test_hostile_labels_render_inert(self, client: TestClient, tmp_path: Path) -> None:
        incident = hostile_incident(tmp_path / "marker")
        text = dump(incident, "json")
        response = client.get(f"{API}/render/svg/{encoded(text)}")
        assert response.status_code == 200, response.text
        check_svg(response.text)
        lowered = response.text.lower()
        for needle in ("<script", "<a ", "<image", "<foreignobject", "<?xml-stylesheet"):
            assert needle not in lowered
        assert not re.search(r'\s(?:xlink:)?(?:href|on\w+)\s*=\s*"', lowered)
        assert response.headers["content-security-policy"] == DIAGRAM_CSP
        assert not (tmp_path / "marker").exists()

    def test_dot_stderr_never_reaches_the_client(self, client: TestClient, fake_path: Path) -> None:
        fake_dot(fake_path, "cat >/dev/null; echo 'Error: /etc/shadow secret-token' >&2; exit 1")
        response = post_render(client, other("Failing"))
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "render-failed"
        assert "shadow" not in response.text
        assert "secret" not in response.text

    def test_missing_graphviz_is_503_and_text_formats_still_work(
        self, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PATH", str(tmp_path))
        response = post_render(client, other("No dot"))
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "graphviz-not-found"
        assert response.headers["retry-after"] == "5"
        assert post_render(client, query="?format=mermaid").status_code == 200


@pytest.mark.dot
class TestSpareDot:
    def test_a_render_leaves_a_spare_that_shutdown_stops(self, tmp_path: Path) -> None:
        app = create_app(Settings(db=f"sqlite:///{tmp_path / 'spare.db'}"))
        pool = app.state.renderer.pool
        with TestClient(app) as client:
            for title in ("First", "Second"):  # the second uses the spare the first left
                response = post_render(client, other(title), query="?format=svg")
                assert response.status_code == 200, response.text
                deadline = time.monotonic() + 10
                while pool.idle() < 1:
                    assert time.monotonic() < deadline, "no spare dot was started"
                    time.sleep(0.01)
        assert pool.idle() == 0


@pytest.mark.dot
class TestDotPool:
    def test_overload_is_503_with_retry_after(
        self, make_client: MakeClient, fake_path: Path
    ) -> None:
        client = make_client(dot_workers=1, dot_wait=0.2)
        fake_dot(fake_path, 'sleep 1.5; exec /usr/bin/dot "$@"')
        refused = RENDER_OVERLOADED.value()
        results: dict[str, Any] = {}

        def call(name: str) -> None:
            results[name] = post_render(client, other(name))

        slow = threading.Thread(target=call, args=("first",))
        slow.start()
        time.sleep(0.5)  # the first render holds the only slot
        started = time.perf_counter()
        call("second")
        waited = time.perf_counter() - started
        slow.join()
        assert results["first"].status_code == 200
        second = results["second"]
        assert second.status_code == 503, second.text
        assert second.json()["error"]["code"] == "overloaded"
        assert second.headers["retry-after"] == "1"
        assert waited < 1.0  # refused after the short wait, not queued behind the render
        assert RENDER_OVERLOADED.value() == refused + 1
        assert post_render(client, other("third")).status_code == 200  # the slot is free again

    def test_identical_concurrent_renders_run_once(
        self, make_client: MakeClient, fake_path: Path
    ) -> None:
        client = make_client(dot_workers=1, dot_wait=0.2)
        fake_dot(fake_path, 'sleep 1; exec /usr/bin/dot "$@"')
        url = f"{API}/render/svg/{encoded(dump(loads(other('Shared')), 'json'))}"
        misses = RENDER_CACHE_MISSES.value(format="svg")
        answers: list[Any] = []
        threads = [
            threading.Thread(target=lambda: answers.append(client.get(url))) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [a.status_code for a in answers] == [200] * 4  # none refused: they shared one
        assert len({a.content for a in answers}) == 1
        assert RENDER_CACHE_MISSES.value(format="svg") == misses + 1
        timings = sorted(a.headers["server-timing"].split(";")[0] for a in answers)
        assert timings == ["cache", "cache", "cache", "render"]

    def test_the_event_loop_stays_free_during_a_render(
        self, make_client: MakeClient, fake_path: Path
    ) -> None:
        client = make_client()
        fake_dot(fake_path, 'sleep 1.5; exec /usr/bin/dot "$@"')
        slow = threading.Thread(target=post_render, args=(client, other("Slow")))
        slow.start()
        time.sleep(0.3)
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        assert client.get(f"{API}/incidents").status_code == 200
        assert time.perf_counter() - started < 0.5
        slow.join()

    def test_wall_clock_timeout_is_503_and_not_remembered(
        self, make_client: MakeClient, fake_path: Path
    ) -> None:
        limits = RenderLimits(timeout=0.3)
        client = make_client(render_limits=limits)
        fake_dot(fake_path, "exec sleep 30")
        before = DOT_TIMEOUTS.value()
        for n in (1, 2):
            response = post_render(client, other("Stuck"))
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "render-timeout"
            assert response.headers["retry-after"] == "5"
            assert DOT_TIMEOUTS.value() == before + n  # tried again: the machine may be free

    @pytest.mark.slow
    def test_cpu_limit_is_422_and_remembered(
        self, make_client: MakeClient, fake_path: Path, tmp_path: Path
    ) -> None:
        limits = RenderLimits(cpu_seconds=1, timeout=20)
        client = make_client(render_limits=limits)
        runs = tmp_path / "runs"
        fake_dot(fake_path, f"echo run $$ $* >> {runs}; cat >/dev/null; while :; do :; done")
        before = DOT_TIMEOUTS.value()
        first = post_render(client, other("Tangled"))
        assert first.status_code == 422, first.text
        assert first.json()["error"]["code"] == "render-timeout"
        assert "CPU time" in first.json()["error"]["message"]
        assert DOT_TIMEOUTS.value() == before + 1
        started = time.perf_counter()
        second = post_render(client, other("Tangled"))
        assert second.status_code == 422
        assert second.json() == first.json()
        assert time.perf_counter() - started < 0.5
        assert runs.read_text().count("run") == 1, runs.read_text()  # answered from memory


class TestAuth:
    @pytest.fixture
    def secured(self, make_client: MakeClient) -> TestClient:
        return make_client(tokens=Tokens.parse(TOKENS))

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("post", "/render?format=dot"),
            ("post", "/analyze"),
            ("post", "/lint"),
            ("post", "/suggest"),
            ("get", f"/render/dot/{encoded(JSON)}"),
        ],
    )
    def test_read_token_may_render_and_analyse(
        self, secured: TestClient, method: str, path: str
    ) -> None:
        call = getattr(secured, method)
        kwargs: dict[str, Any] = {"headers": YAML}
        if method == "post":
            kwargs["content"] = BASE
        assert call(f"{API}{path}", **kwargs).status_code == 401
        kwargs["headers"] = {**YAML, "authorization": f"Bearer {READ}"}
        assert call(f"{API}{path}", **kwargs).status_code == 200
        kwargs["headers"] = {**YAML, "authorization": f"Bearer {WRITE}"}
        assert call(f"{API}{path}", **kwargs).status_code == 200

    def test_public_render_opens_only_the_url_form(self, make_client: MakeClient) -> None:
        client = make_client(tokens=Tokens.parse(TOKENS), public_render=True)
        assert client.get(f"{API}/render/dot/{encoded(JSON)}").status_code == 200
        assert post_render(client, query="?format=dot").status_code == 401
        assert client.get(f"{API}/incidents").status_code == 401


def test_render_cache_drops_the_least_recently_used() -> None:
    cache = RenderCache(max_bytes=4000)  # four entries of 700 bytes (and 256 of overhead)
    for n in range(4):
        cache.put_bytes(f"k{n}", b"x" * 700, "demo")
    assert cache.get("k0") is not None  # now the most recently used
    cache.put_bytes("k4", b"x" * 700, "demo")
    assert [cache.get(f"k{n}") is not None for n in range(5)] == [True, False, True, True, True]
    assert cache.size <= 4000
    cache.put_bytes("big", b"x" * 1001, "demo")  # over a quarter of the cache: not kept
    assert cache.get("big") is None
