"""The HTTP API with TestClient: incidents, revisions, errors, limits, auth, headers, metrics."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import logging
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import anyio
import pytest
from fastapi.testclient import TestClient

from causemap.errors import InvalidQuery, StoreUnavailable
from causemap.loader import canonical, check_bytes, dump, loads
from causemap.metrics import HTTP_DISCONNECTS, HTTP_REQUESTS
from causemap.service import Settings, Tokens, create_app
from causemap.service.routes.events import follow
from causemap.store import Store
from causemap.store.records import encode
from tests.conftest import EXAMPLES
from tests.test_bad_inputs import BASE

API = "/api/v1"
YAML = {"content-type": "application/yaml"}
READ, WRITE, ADMIN = "r" * 20, "w" * 20, "a" * 20
TOKENS = f"read:{READ},write:{WRITE},admin:{ADMIN}"

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    """Build a TestClient on a fresh SQLite store with the given settings."""
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        settings.setdefault("db", f"sqlite:///{tmp_path / 'api.db'}")
        client = TestClient(create_app(Settings(**settings)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def post(client: TestClient, text: str = BASE, **headers: str) -> Any:
    return client.post(f"{API}/incidents", content=text, headers={**YAML, **headers})


def put(client: TestClient, text: str, etag: str | None, **headers: str) -> Any:
    extra = {"if-match": etag} if etag is not None else {}
    return client.put(f"{API}/incidents/demo", content=text, headers={**YAML, **extra, **headers})


BODY_ROUTES = [
    ("POST", "/incidents"),
    ("PUT", "/incidents/demo"),
    ("POST", "/render?format=dot"),
    ("POST", "/analyze"),
    ("POST", "/lint"),
    ("POST", "/suggest"),
    ("POST", "/patterns"),
]
"""Every route that reads an incident (a list of them for /patterns) from the body."""


@dataclass
class Raw:
    """An answer from :func:`asgi`: status, headers and body as the server sent them."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def asgi(
    client: TestClient,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    chunks: list[bytes] | None = None,
    *,
    disconnect: bool = False,
) -> Raw:
    """Call the app as a server would, with header bytes exactly as given (TestClient
    re-encodes them as UTF-8, so it cannot send the byte 0xB2 alone); ``disconnect``
    ends the request body with the client going away."""
    app: Any = client.app
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    messages = [
        {
            "type": "http.request",
            "body": chunk,
            "more_body": i < len(chunks or []) - 1 or disconnect,
        }
        for i, chunk in enumerate(chunks or [b""])
    ]
    if disconnect:
        messages.append({"type": "http.disconnect"})
    raw = Raw()

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            raw.status = message["status"]
            raw.headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            raw.body += message.get("body", b"")

    async def main() -> None:
        with anyio.fail_after(10):
            await app(scope, receive, send)

    anyio.run(main)
    return raw


class TestCreateAndRead:
    def test_create_yaml_then_read_json_with_etag(self, client: TestClient) -> None:
        response = post(client)
        assert response.status_code == 201, response.text
        assert response.headers["etag"] == '"1"'
        assert response.headers["location"] == f"{API}/incidents/demo"
        assert response.json()["number"] == 1
        got = client.get(f"{API}/incidents/demo")
        assert got.status_code == 200
        assert got.headers["etag"] == '"1"'
        assert got.headers["content-type"] == "application/json"
        assert loads(got.content, format="json") == loads(BASE)

    def test_json_body_and_yaml_answer(self, client: TestClient) -> None:
        data = json.loads(dump(loads(BASE), "json"))
        assert client.post(f"{API}/incidents", json=data).status_code == 201
        got = client.get(f"{API}/incidents/demo", headers={"accept": "application/yaml"})
        assert got.headers["content-type"].startswith("application/yaml")
        assert loads(got.text) == loads(BASE)

    @pytest.mark.parametrize(
        ("accept", "media"),
        [
            ("application/yaml", "application/yaml"),
            ("text/yaml, */*;q=0.1", "application/yaml"),
            ("application/json, application/yaml", "application/yaml"),
            ("application/json, application/yaml;q=0.5", "application/json"),
            ("application/yaml;q=0, */*", "application/json"),
            ("application/json;q=0.9, application/x-yaml", "application/yaml"),
            ("*/*", "application/json"),
            ("application/json;q=0, */*", "application/yaml"),
        ],
    )
    def test_accept_weighs_yaml_against_json(
        self, client: TestClient, accept: str, media: str
    ) -> None:
        """YAML was answered whenever the header named it, even at q=0 or below JSON."""
        post(client)
        got = client.get(f"{API}/incidents/demo", headers={"accept": accept})
        assert got.headers["content-type"].split(";")[0] == media

    @pytest.mark.parametrize(
        "accept",
        [
            "application/json;q=0",
            "*/*;q=0",
            "application/yaml;q=0",
            "application/json;q=0, application/yaml;q=0, */*;q=0",
            "application/*;q=0, */*",
            "image/png",
        ],
    )
    @pytest.mark.parametrize("path", ["/incidents/demo", "/incidents/demo/revisions/1"])
    def test_nothing_acceptable_is_406(self, client: TestClient, path: str, accept: str) -> None:
        """An incident is JSON or YAML: an Accept that refuses both (q=0 is "not
        acceptable", RFC 9110 12.4.2) was answered with JSON anyway."""
        post(client)
        got = client.get(f"{API}{path}", headers={"accept": accept})
        assert got.status_code == 406, got.text
        error = got.json()["error"]
        assert error["code"] == "not-acceptable"
        assert error["details"] == {"formats": ["application/json", "application/yaml"]}
        assert client.head(f"{API}{path}", headers={"accept": accept}).status_code == 406

    @pytest.mark.parametrize("path", ["/incidents/demo", "/incidents/demo/revisions/1"])
    def test_json_and_yaml_have_their_own_etags(self, client: TestClient, path: str) -> None:
        """Both representations were tagged "1": a cache holding the JSON revalidated a
        request for YAML with that tag, got 304, and served JSON to the YAML client (a
        strong ETag names one representation, RFC 9110 8.8.3)."""
        post(client)
        as_json = client.get(f"{API}{path}")
        as_yaml = client.get(f"{API}{path}", headers={"accept": "application/yaml"})
        assert as_json.headers["etag"] == '"1"'
        assert as_yaml.headers["etag"] == '"1-yaml"'
        for got in (as_json, as_yaml):
            assert "Accept" in got.headers["vary"]
        crossed = client.get(
            f"{API}{path}", headers={"accept": "application/yaml", "if-none-match": '"1"'}
        )
        assert crossed.status_code == 200
        assert crossed.headers["content-type"] == "application/yaml"
        same = client.get(
            f"{API}{path}", headers={"accept": "application/yaml", "if-none-match": '"1-yaml"'}
        )
        assert (same.status_code, same.headers["etag"]) == (304, '"1-yaml"')
        assert client.get(f"{API}{path}", headers={"if-none-match": '"1-yaml"'}).status_code == 200

    def test_the_yaml_etag_is_a_valid_if_match(self, client: TestClient) -> None:
        """A client that read YAML sends back the ETag it was given."""
        post(client)
        tag = client.get(f"{API}/incidents/demo", headers={"accept": "text/yaml"}).headers["etag"]
        edited = BASE.replace("title: Demo incident", "title: Edited")
        assert put(client, edited, tag).status_code == 200
        stale = put(client, edited, tag)
        assert stale.status_code == 412
        assert stale.json()["error"]["details"] == {"current_revision": 2}
        assert put(client, edited, '"2-json"').status_code == 412
        assert client.delete(f"{API}/incidents/demo", headers={"if-match": '"2-yaml"'}).is_success

    def test_if_none_match_gives_304(self, client: TestClient) -> None:
        post(client)
        got = client.get(f"{API}/incidents/demo", headers={"if-none-match": '"1"'})
        assert got.status_code == 304
        assert got.content == b""

    @pytest.mark.parametrize(
        "path",
        [
            "/incidents/demo",
            "/incidents/demo/revisions/1",
            "/incidents/demo/analysis",
            "/incidents/demo/render.dot",
            "/patterns",
            "/catalog",
        ],
    )
    def test_if_none_match_follows_rfc_9110_everywhere(self, client: TestClient, path: str) -> None:
        """Weak comparison, and ``*`` matches any current representation: the incident
        document compared strongly and ignored ``*``, unlike the render endpoints."""
        post(client)
        tag = client.get(f"{API}{path}").headers["etag"]
        for header in (tag, f"W/{tag}", f'"x", W/{tag}', "*"):
            response = client.get(f"{API}{path}", headers={"if-none-match": header})
            assert response.status_code == 304, (header, response.text)
            assert response.headers["etag"] == tag
        stale = client.get(f"{API}{path}", headers={"if-none-match": '"x", W/"y"'})
        assert stale.status_code == 200

    def test_duplicate_is_409(self, client: TestClient) -> None:
        post(client)
        response = post(client)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "already-exists"

    def test_warnings_are_returned(self, client: TestClient) -> None:
        stray = BASE.replace(
            "actions:", "  - {id: stray, kind: factor, label: Unrelated}\nactions:"
        )
        response = post(client, stray)
        assert response.status_code == 201
        assert [w["severity"] for w in response.json()["warnings"]] == ["warning"]

    def test_unknown_incident_is_404(self, client: TestClient) -> None:
        response = client.get(f"{API}/incidents/nope")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not-found"


class TestEmptyOptionalKeys:
    """An optional key given null in a JSON body, or left empty in a YAML one, is the key
    left out, as in a file: the API uses the same models."""

    def test_json_null_is_the_key_left_out(self, client: TestClient) -> None:
        data = canonical(loads(BASE))
        data["tags"] = None
        data["nodes"][0] |= {"tags": None, "gate": None, "detail": None}
        data["actions"][0] |= {"status": None, "type": None, "link": None}
        created = client.post(f"{API}/incidents", json=data)
        assert created.status_code == 201, created.text
        assert created.json()["digest"] == encode(loads(BASE))[1]
        assert client.get(f"{API}/incidents/demo").json() == canonical(loads(BASE))

    def test_the_openapi_body_schema_says_so(self, client: TestClient) -> None:
        import jsonschema

        components = client.get(f"{API}/openapi.json").json()["components"]
        schema = {"$ref": "#/components/schemas/Incident", "components": components}
        validator = jsonschema.Draft202012Validator(schema)
        data = canonical(loads(BASE))
        data["tags"] = None
        data["nodes"][0] |= {"tags": None, "gate": None}
        assert [e.json_path for e in validator.iter_errors(data)] == []
        data["nodes"][1]["label"] = None
        assert {e.json_path for e in validator.iter_errors(data)} == {"$.nodes[1].label"}

    def test_a_yaml_update_with_empty_keys_saves_the_same_document(
        self, client: TestClient
    ) -> None:
        first = post(client).json()
        empty = BASE.replace("    level: process\n", "    level: process\n    tags:\n    gate:\n")
        saved = put(client, f"{empty}tags:\nedges:\n", '"1"')
        assert saved.status_code == 200, saved.text
        assert saved.json()["number"] == 2
        assert saved.json()["digest"] == first["digest"]

    def test_a_required_key_given_null_is_still_refused_where_it_is(
        self, client: TestClient
    ) -> None:
        data = canonical(loads(BASE))
        data["nodes"][1]["label"] = None
        response = client.post(f"{API}/incidents", json=data)
        assert response.status_code == 422, response.text
        (detail,) = response.json()["error"]["details"]
        assert (detail["pointer"], detail["message"]) == (
            "/nodes/1/label",
            "expected a string, got null",
        )


class TestConditionalRead:
    """``If-Match`` on a GET was ignored: RFC 9110 13.1.1 has a server evaluate it for
    every method, so a read that names a revision no longer current must be refused."""

    @pytest.mark.parametrize("path", ["/incidents/demo", "/incidents/demo/revisions/2"])
    def test_a_stale_if_match_on_a_get_is_412(self, client: TestClient, path: str) -> None:
        post(client)
        put(client, BASE.replace("title: Demo incident", "title: Edited"), '"1"')
        for header in ('"1"', '"1", "3"', 'W/"2"', '"2-yaml"'):
            got = client.get(f"{API}{path}", headers={"if-match": header})
            assert got.status_code == 412, (header, got.text)
            error = got.json()["error"]
            assert error["code"] == "revision-conflict"
            assert header[:40] in error["message"]
            assert got.headers["etag"] == '"2"'
            assert client.head(f"{API}{path}", headers={"if-match": header}).status_code == 412

    @pytest.mark.parametrize("path", ["/incidents/demo", "/incidents/demo/revisions/2"])
    def test_a_current_if_match_reads(self, client: TestClient, path: str) -> None:
        post(client)
        put(client, BASE.replace("title: Demo incident", "title: Edited"), '"1"')
        for header, accept in [
            ('"2"', "application/json"),
            ('"1", "2"', "application/json"),
            ("*", "application/json"),
            ('"2-yaml"', "application/yaml"),
        ]:
            got = client.get(f"{API}{path}", headers={"if-match": header, "accept": accept})
            assert got.status_code == 200, (header, got.text)
        yaml = client.get(f"{API}{path}", headers={"if-match": '"2"', "accept": "text/yaml"})
        assert (yaml.status_code, yaml.headers["etag"]) == (412, '"2-yaml"')

    def test_if_match_is_checked_before_if_none_match(self, client: TestClient) -> None:
        post(client)
        got = client.get(
            f"{API}/incidents/demo", headers={"if-match": '"7"', "if-none-match": '"1"'}
        )
        assert got.status_code == 412
        same = client.get(
            f"{API}/incidents/demo", headers={"if-match": '"1"', "if-none-match": '"1"'}
        )
        assert same.status_code == 304

    def test_a_missing_or_deleted_incident_is_not_a_precondition(self, client: TestClient) -> None:
        assert client.get(f"{API}/incidents/demo", headers={"if-match": "*"}).status_code == 404
        post(client)
        client.delete(f"{API}/incidents/demo")
        assert client.get(f"{API}/incidents/demo", headers={"if-match": '"1"'}).status_code == 410

    def test_the_openapi_document_lists_if_match(self, client: TestClient) -> None:
        paths = client.get(f"{API}/openapi.json").json()["paths"]
        for template in ("/incidents/{incident_id}", "/incidents/{incident_id}/revisions/{number}"):
            operation = paths[f"{API}{template}"]["get"]
            names = {(p["name"].lower(), p["in"]) for p in operation["parameters"]}
            assert ("if-match", "header") in names, template
            assert "412" in operation["responses"], template


class TestConditionalGets:
    """Every other GET that answers an ``ETag`` ignored ``If-Match``: a stale tag read the
    analysis, diagram or report as if it were current. RFC 9110 13.1.1 has it 412 unless
    the header is ``*`` or lists the current strong ETag, checked before If-None-Match."""

    PATHS: ClassVar[dict[str, str]] = {
        "analysis": "/incidents/demo/analysis",
        "stored render": "/incidents/demo/render.mermaid",
        "encoded render": "/render/mermaid/{encoded}",
        "patterns": "/patterns",
        "catalog": "/catalog",
    }

    @staticmethod
    def url(name: str) -> str:
        data = zlib.compress(dump(loads(BASE), "json").encode(), 9)
        encoded = base64.urlsafe_b64encode(data).decode()
        return API + TestConditionalGets.PATHS[name].format(encoded=encoded)

    @pytest.mark.parametrize("name", list(PATHS))
    def test_a_stale_if_match_is_412_with_the_current_etag(
        self, client: TestClient, name: str
    ) -> None:
        post(client)
        url = self.url(name)
        for _ in range(2):  # the encoded render answers the second time from its memo
            tag = client.get(url).headers["etag"]
            for header in ('"stale"', '"stale", "other"', f"W/{tag}"):
                got = client.get(url, headers={"if-match": header})
                assert got.status_code == 412, (header, got.text)
                error = got.json()["error"]
                assert error["code"] == "precondition-failed"
                assert header in error["message"]
                assert tag in error["message"]
                assert got.headers["etag"] == tag
                assert client.head(url, headers={"if-match": header}).status_code == 412

    @pytest.mark.parametrize("name", list(PATHS))
    def test_a_current_if_match_reads(self, client: TestClient, name: str) -> None:
        post(client)
        url = self.url(name)
        tag = client.get(url).headers["etag"]
        for header in (tag, f'"x", {tag}', "*", " "):
            got = client.get(url, headers={"if-match": header})
            assert (got.status_code, got.headers["etag"]) == (200, tag), header

    @pytest.mark.parametrize("name", list(PATHS))
    def test_if_match_is_checked_before_if_none_match(self, client: TestClient, name: str) -> None:
        post(client)
        url = self.url(name)
        tag = client.get(url).headers["etag"]
        both = {"if-match": '"stale"', "if-none-match": tag}
        assert client.get(url, headers=both).status_code == 412
        assert client.get(url, headers={**both, "if-match": tag}).status_code == 304

    def test_a_save_makes_the_old_tags_stale(self, client: TestClient) -> None:
        post(client)
        tags = {name: client.get(self.url(name)).headers["etag"] for name in self.PATHS}
        put(client, BASE.replace("title: Demo incident", "title: Edited"), '"1"')
        for name in ("analysis", "stored render", "patterns"):
            got = client.get(self.url(name), headers={"if-match": tags[name]})
            assert got.status_code == 412, name
        # The incident in the URL did not change, so neither did its diagram.
        got = client.get(self.url("encoded render"), headers={"if-match": tags["encoded render"]})
        assert got.status_code == 200

    def test_a_missing_incident_is_not_a_precondition(self, client: TestClient) -> None:
        for name in ("analysis", "stored render"):
            assert client.get(self.url(name), headers={"if-match": "*"}).status_code == 404

    def test_the_openapi_document_lists_if_match(self, client: TestClient) -> None:
        paths = client.get(f"{API}/openapi.json").json()["paths"]
        for template in (
            "/incidents/{incident_id}/analysis",
            "/incidents/{incident_id}/render.{format}",
            "/render/{format}/{encoded}",
            "/patterns",
            "/catalog",
        ):
            operation = paths[f"{API}{template}"]["get"]
            names = {(p["name"].lower(), p["in"]) for p in operation["parameters"]}
            assert ("if-match", "header") in names, template
            assert "412" in operation["responses"], template


class TestUpdate:
    def test_if_match_flow(self, client: TestClient) -> None:
        post(client)
        edited = BASE.replace("title: Demo incident", "title: Edited")
        missing = put(client, edited, None)
        assert missing.status_code == 428, missing.text
        assert missing.json()["error"]["code"] == "precondition-required"
        ok = put(client, edited, '"1"')
        assert ok.status_code == 200, ok.text
        assert ok.headers["etag"] == '"2"'
        stale = put(client, edited, '"1"')
        assert stale.status_code == 412
        assert stale.json()["error"]["details"] == {"current_revision": 2}
        assert stale.headers["etag"] == '"2"'

    @pytest.mark.parametrize(
        ("etag", "status"), [("*", 428), ('"1", "2"', 428), ('W/"1"', 412), ('"x"', 412)]
    )
    def test_if_match_must_name_one_revision(
        self, client: TestClient, etag: str, status: int
    ) -> None:
        post(client)
        assert put(client, BASE, etag).status_code == status

    @pytest.mark.parametrize("etag", ['W/"1"', '"x"', "*", '"1", "2"', None])
    def test_a_missing_or_deleted_incident_is_said_before_its_if_match(
        self, client: TestClient, etag: str | None
    ) -> None:
        """RFC 9110 13.2.1: preconditions are evaluated only for a request that would
        otherwise succeed, so an unknown incident is 404 and a deleted one 410 whatever
        the header; they were 412 or 428, which sent clients after a revision."""
        headers = {} if etag is None else {"if-match": etag}
        unknown = put(client, BASE.replace("id: demo", "id: nope"), etag)
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not-found")
        for method in ("DELETE", "POST"):
            path = "/incidents/nope" + ("/restore" if method == "POST" else "")
            answer = client.request(method, f"{API}{path}", headers=headers)
            assert answer.status_code == 404, (method, answer.text)
        post(client)
        assert client.delete(f"{API}/incidents/demo").status_code == 200
        assert put(client, BASE, etag).status_code == 410
        assert client.delete(f"{API}/incidents/demo", headers=headers).status_code == 410

    @pytest.mark.parametrize("etag", ['W/"1"', '"x"'])
    def test_an_if_match_that_names_no_revision_gets_the_current_etag(
        self, client: TestClient, etag: str
    ) -> None:
        """The 412 says which revision to read, as for a stale tag."""
        post(client)
        for answer in (
            put(client, BASE, etag),
            client.delete(f"{API}/incidents/demo", headers={"if-match": etag}),
            client.post(f"{API}/incidents/demo/restore", headers={"if-match": etag}),
        ):
            assert answer.status_code == 412, answer.text
            assert answer.headers["etag"] == '"1"'
            assert answer.json()["error"]["details"] == {"current_revision": 1}

    def test_a_weak_if_match_says_to_send_the_etag_as_given(self, client: TestClient) -> None:
        post(client)
        message = put(client, BASE, 'W/"1"').json()["error"]["message"]
        assert "is a weak tag, which never matches" in message
        assert message.endswith('send the ETag as it was given, "1"')

    @pytest.mark.parametrize(
        "etag",
        [
            b'"9223372036854775807"',
            b'"2147483648"',
            b'"0"',
            b'"-1"',
            b'"\xb2"',
            b'"1\xb3"',
            b'" 1"',
        ],
    )
    @pytest.mark.parametrize("method", ["PUT", "DELETE"])
    def test_if_match_that_no_revision_can_have_is_412(
        self, client: TestClient, method: str, etag: bytes
    ) -> None:
        """Huge numbers overflowed the database column, and Latin-1 superscript digits
        (a raw 0xB2 byte is ²) passed str.isdigit but not int(): both were 500s."""
        post(client)
        headers = [(b"content-type", b"application/yaml"), (b"if-match", etag)]
        raw = asgi(client, method, f"{API}/incidents/demo", headers, [BASE.encode()])
        assert raw.status == 412, raw.body
        assert json.loads(raw.body)["error"]["code"] == "revision-conflict"
        assert client.get(f"{API}/incidents/demo").headers["etag"] == '"1"'

    def test_id_cannot_change(self, client: TestClient) -> None:
        post(client)
        response = put(client, BASE.replace("id: demo", "id: other"), '"1"')
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["code"] == "id-mismatch"


class TestDeleteAndHistory:
    def test_delete_restore_revisions_diff(self, client: TestClient) -> None:
        post(client)
        put(client, BASE.replace("title: Demo incident", "title: Edited"), '"1"')
        deleted = client.delete(f"{API}/incidents/demo")
        assert deleted.status_code == 200
        assert (deleted.json()["number"], deleted.json()["deleted"]) == (3, True)
        assert deleted.headers["etag"] == '"3"'  # like every other write
        gone = client.get(f"{API}/incidents/demo")
        assert gone.status_code == 410
        assert gone.json()["error"]["code"] == "deleted"
        # Its history stays readable, and the API's description says so.
        assert client.get(f"{API}/incidents/demo/diff").status_code == 200
        described = client.get(f"{API}/openapi.json").json()["paths"]
        assert "410" not in described[f"{API}/incidents/{{incident_id}}/diff"]["get"]["responses"]
        listed = client.get(f"{API}/incidents", params={"deleted": True}).json()
        assert [i["id"] for i in listed["items"]] == ["demo"]
        restored = client.post(f"{API}/incidents/demo/restore")
        assert restored.json()["number"] == 4
        assert client.get(f"{API}/incidents/demo").headers["etag"] == '"4"'
        history = client.get(f"{API}/incidents/demo/revisions").json()
        assert [r["action"] for r in history["items"]] == ["create", "update", "delete", "restore"]
        first = client.get(f"{API}/incidents/demo/revisions/1")
        assert "immutable" in first.headers["cache-control"]
        assert loads(first.content, format="json").title == "Demo incident"
        diff = client.get(f"{API}/incidents/demo/diff", params={"from": 1, "to": 2}).json()
        assert diff["fields"] == {"title": ["Demo incident", "Edited"]}
        assert (diff["from_revision"], diff["to_revision"]) == (1, 2)
        assert diff["analysis"] is not None  # causemap.analyses.analyze is wired in
        edited = loads(BASE).model_dump(mode="json", by_alias=True, exclude_defaults=True)
        edited["actions"] = []
        saved = client.put(f"{API}/incidents/demo", json=edited, headers={"if-match": '"4"'})
        assert saved.status_code == 200, saved.text
        changes = client.get(f"{API}/incidents/demo/diff").json()
        assert changes["actions"]["removed"] == ["a1"]
        assert changes["analysis"]["prevention"]  # prevention figures moved

    def test_restore_honours_if_match(self, client: TestClient) -> None:
        """``POST .../restore`` ignored If-Match, unlike PUT and DELETE: a client that had
        read revision 1 undid a delete it had never seen."""
        post(client)
        client.delete(f"{API}/incidents/demo")
        stale = client.post(f"{API}/incidents/demo/restore", headers={"if-match": '"1"'})
        assert stale.status_code == 412, stale.text
        assert stale.json()["error"]["code"] == "revision-conflict"
        assert stale.json()["error"]["details"] == {"current_revision": 2}
        assert stale.headers["etag"] == '"2"'
        assert client.get(f"{API}/incidents/demo").status_code == 410
        for etag, status in [("*", 428), ('W/"2"', 412)]:
            answer = client.post(f"{API}/incidents/demo/restore", headers={"if-match": etag})
            assert answer.status_code == status, answer.text
        ok = client.post(f"{API}/incidents/demo/restore", headers={"if-match": '"2"'})
        assert (ok.status_code, ok.headers["etag"]) == (200, '"3"')
        described = client.get(f"{API}/openapi.json").json()["paths"]
        responses = described[f"{API}/incidents/{{incident_id}}/restore"]["post"]["responses"]
        assert {"412", "428"} <= set(responses)

    @pytest.mark.parametrize(
        ("params", "name", "missing"),
        [
            ({"to": 2147483647}, "to", 2147483647),
            ({"to": 5}, "to", 5),
            ({"from": 1, "to": 9}, "to", 9),
            ({"from": 7, "to": 1}, "from", 7),
            ({"from": 99}, "from", 99),
        ],
    )
    def test_diff_names_the_revision_that_is_missing(
        self, client: TestClient, params: dict[str, int], name: str, missing: int
    ) -> None:
        """``to`` alone used to be reported as its predecessor (`has no revision 2147483646`).
        A revision named in the query is a bad parameter (422 at /query/from), as a
        ``focus`` on a missing node is; it was 404, which says the incident is missing."""
        post(client)
        response = client.get(f"{API}/incidents/demo/diff", params=params)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid-parameters"
        [detail] = error["details"]
        assert detail["pointer"] == f"/query/{name}"
        assert detail["code"] == "unknown-revision"
        assert detail["message"] == f"incident 'demo' has no revision {missing}"

    def test_a_missing_path_resource_is_still_404(self, client: TestClient) -> None:
        post(client)
        for path in ("/incidents/nope/diff?from=1", "/incidents/demo/revisions/9"):
            response = client.get(f"{API}{path}")
            assert response.status_code == 404, (path, response.text)
            assert response.json()["error"]["code"] == "not-found"

    def test_revision_pages(self, client: TestClient) -> None:
        post(client)
        for n in range(1, 4):
            put(client, BASE.replace("title: Demo", f"title: T{n}"), f'"{n}"')
        page = client.get(f"{API}/incidents/demo/revisions", params={"limit": 3}).json()
        assert [r["number"] for r in page["items"]] == [1, 2, 3]
        after = page["next_after"]
        rest = client.get(f"{API}/incidents/demo/revisions", params={"after": after}).json()
        assert ([r["number"] for r in rest["items"]], rest["next_after"]) == ([4], None)

    def test_a_full_page_of_the_largest_size_still_has_a_next_page(
        self, client: TestClient
    ) -> None:
        """At ``limit=500`` the page never had a ``next_after``: the rest was unreachable."""
        post(client)
        for n in range(1, 501):
            put(client, BASE.replace("title: Demo", f"title: T{n}"), f'"{n}"')
        page = client.get(f"{API}/incidents/demo/revisions", params={"limit": 500}).json()
        assert (len(page["items"]), page["next_after"]) == (500, 500)
        rest = client.get(f"{API}/incidents/demo/revisions", params={"after": 500}).json()
        assert ([r["number"] for r in rest["items"]], rest["next_after"]) == ([501], None)
        page = client.get(f"{API}/incidents/demo/revisions", params={"after": 1, "limit": 500})
        assert page.json()["next_after"] is None


class TestList:
    @pytest.mark.parametrize("name", ["tag", "service", "factor"])
    def test_too_many_values_of_a_filter_is_422(self, client: TestClient, name: str) -> None:
        """1,001 tags made SQLite's expression tree too deep: 503 "database unavailable",
        with a Retry-After that could never help."""
        response = client.get(f"{API}/incidents", params={name: [f"t{i}" for i in range(1001)]})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid-parameters"
        assert [d["pointer"] for d in error["details"]] == [f"/query/{name}"]
        fifty = client.get(f"{API}/incidents", params={name: [f"t{i}" for i in range(50)]})
        assert fifty.status_code == 200, fifty.text

    @pytest.mark.parametrize("name", ["tag", "service", "factor", "severity", "cursor"])
    def test_a_control_character_in_a_filter_is_422(self, client: TestClient, name: str) -> None:
        """On PostgreSQL a NUL in a filter (?tag=%00) was a 500: it cannot compare text
        holding one. No incident holds a control character, the format refuses them."""
        from causemap.store.records import encode_cursor

        value = encode_cursor(dt.date(2024, 1, 2), "a\x00") if name == "cursor" else "a\x00b"
        response = client.get(f"{API}/incidents", params={name: value})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid-parameters"
        assert [d["pointer"] for d in error["details"]] == [f"/query/{name}"]
        said = "next_cursor" if name == "cursor" else "control character"
        assert said in error["details"][0]["message"]

    @pytest.mark.parametrize("query", ["severity=", "tag=", "service=%20", "factor=&tag=x"])
    def test_an_empty_filter_is_422(self, client: TestClient, query: str) -> None:
        """``?severity=`` (what a form sends for a field left empty) listed nothing: no
        incident has a blank severity, tag, service or factor, so every incident was
        silently filtered out."""
        post(client)
        response = client.get(f"{API}/incidents?{query}")
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid-parameters"
        name = query.split("=")[0]
        assert [d["pointer"] for d in error["details"]] == [f"/query/{name}"]
        assert "empty" in error["details"][0]["message"]

    @pytest.mark.parametrize(
        ("path", "names"),
        [
            ("/incidents?severity=sev1&severity=sev2", ["severity"]),
            ("/incidents?limit=1&tag=a&limit=2&deleted=1&deleted=0", ["limit", "deleted"]),
            ("/incidents/demo/diff?from=1&from=2&to=1&to=1", ["from"]),
            ("/incidents/demo/render.svg?focus=push&focus=deploy", ["focus"]),
            ("/patterns?format=json&format=html", ["format"]),
        ],
    )
    def test_a_single_valued_parameter_given_twice_is_422(
        self, client: TestClient, path: str, names: list[str]
    ) -> None:
        """The last value was used silently: ?severity=sev1&severity=sev2 listed the
        sev2 incidents alone, as if sev1 had not been asked for."""
        post(client)
        response = client.get(f"{API}{path}")
        assert response.status_code == 422, response.text
        details = response.json()["error"]["details"]
        assert [d["pointer"] for d in details] == [f"/query/{name}" for name in names]
        assert "given 2 values" in details[0]["message"]

    def test_repeatable_filters_still_repeat(self, client: TestClient) -> None:
        post(client, BASE.replace("date:", "tags: [a, b]\ndate:"))
        found = client.get(f"{API}/incidents?tag=a&tag=b").json()["items"]
        assert [i["id"] for i in found] == ["demo"]

    def test_filters_and_cursor_pagination(self, client: TestClient) -> None:
        for path in EXAMPLES:
            assert post(client, path.read_text()).status_code == 201
        everything = client.get(f"{API}/incidents").json()["items"]
        assert len(everything) == len(EXAMPLES)
        dates = [i["date"] for i in everything]
        assert dates == sorted(dates, reverse=True)
        seen, cursor = [], None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = client.get(f"{API}/incidents", params=params).json()
            seen += [i["id"] for i in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert seen == [i["id"] for i in everything]
        one = everything[0]
        tagged = client.get(f"{API}/incidents", params={"tag": one["tags"][:2]}).json()
        assert one["id"] in [i["id"] for i in tagged["items"]]
        ranged = client.get(
            f"{API}/incidents", params={"date_from": one["date"], "date_to": one["date"]}
        ).json()
        assert {i["date"] for i in ranged["items"]} == {one["date"]}

    def test_bad_parameters_are_structured(self, client: TestClient) -> None:
        bad = client.get(f"{API}/incidents", params={"limit": 0, "date_from": "soon"})
        assert bad.status_code == 422
        pointers = {d["pointer"] for d in bad.json()["error"]["details"]}
        assert pointers == {"/query/limit", "/query/date_from"}

    @pytest.mark.parametrize("cursor", ["%%%", "garbage", "eA"])
    def test_bad_cursor_is_a_bad_parameter_like_the_others(
        self, client: TestClient, cursor: str
    ) -> None:
        """README: bad parameters are 422; a cursor was 400 ``invalid-query``."""
        response = client.get(f"{API}/incidents", params={"cursor": cursor})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid-parameters"
        assert [d["pointer"] for d in error["details"]] == ["/query/cursor"]
        assert "next_cursor" in error["details"][0]["message"]


class TestBadInput:
    def test_invalid_incident_has_the_cli_diagnostics(self, client: TestClient) -> None:
        bad = BASE.replace("kind: condition", "kind: conditon")
        response = post(client, bad)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid-incident"
        expected = [d.model_dump() | {"file": None} for d in check_bytes(bad, "x").diagnostics]
        assert error["details"] == expected
        assert error["details"][0]["line"] == 11
        assert "did you mean 'condition'?" in error["message"]

    @pytest.mark.parametrize(
        ("body", "ctype", "status", "code"),
        [
            (b"{", "application/json", 400, "malformed-document"),
            (b"a: [", "application/yaml", 400, "malformed-document"),
            (b"[1, 2]", "application/json", 422, "invalid-incident"),
            (b"\xff\xfe", "application/json", 400, "malformed-document"),
            (b"a=b", "application/x-www-form-urlencoded", 415, "unsupported-media-type"),
            (b"<x/>", "text/xml", 415, "unsupported-media-type"),
        ],
    )
    def test_never_a_500(
        self, client: TestClient, body: bytes, ctype: str, status: int, code: str
    ) -> None:
        response = client.post(f"{API}/incidents", content=body, headers={"content-type": ctype})
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
        assert "Traceback" not in response.text

    @pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
    @pytest.mark.parametrize("ctype", ["application/json", "application/yaml"])
    def test_a_number_too_long_for_python_is_400(
        self, client: TestClient, method: str, path: str, ctype: str
    ) -> None:
        """A number of more than 4300 digits was a 500: Python's int() refuses it."""
        body = '{"causemap": 1' + "0" * 5000 + "}"
        body = f"[{body}]" if path == "/patterns" else body
        headers = {"content-type": ctype, "if-match": '"1"'}
        response = client.request(method, f"{API}{path}", content=body, headers=headers)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "malformed-document"
        assert error["details"][0]["code"] == "number-too-large"
        assert error["details"][0]["line"] == 1

    @pytest.mark.parametrize(
        "body",
        [
            "&a [*a]",
            "a: &a [*a]",
            "&a {x: *a}",
            BASE.replace("nodes:\n  - id: push\n", "nodes: &n\n  - id: push\n    causes: *n\n"),
            "x: *nope",
        ],
    )
    @pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
    def test_recursive_yaml_is_400_everywhere(
        self, client: TestClient, method: str, path: str, body: str
    ) -> None:
        headers = {**YAML, "if-match": '"1"'}
        response = client.request(method, f"{API}{path}", content=body, headers=headers)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "malformed-document"
        assert error["details"][0]["code"] in {"recursive-alias", "undefined-alias"}
        assert error["details"][0]["line"] is not None

    @pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
    def test_a_compressed_body_is_415_saying_so(
        self, client: TestClient, method: str, path: str
    ) -> None:
        """A gzip body was read as the document itself: 400 "not a text document
        (contains NUL bytes)", as if the client had sent a broken file. RFC 9110 15.5.16:
        415, with the codings the server reads in Accept-Encoding."""
        post(client)
        listed = json.dumps([json.loads(dump(loads(BASE), "json"))])
        body = listed if path == "/patterns" else BASE
        headers = {**YAML, "if-match": '"1"', "content-encoding": "gzip"}
        response = client.request(
            method, f"{API}{path}", content=gzip.compress(body.encode()), headers=headers
        )
        assert response.status_code == 415, response.text
        assert response.headers["accept-encoding"] == "identity"
        error = response.json()["error"]
        assert error["code"] == "unsupported-content-encoding"
        assert "gzip" in error["message"]
        headers["content-encoding"] = "identity"
        plain = client.request(method, f"{API}{path}", content=body, headers=headers)
        assert plain.status_code in (200, 409), plain.text  # 409: POST /incidents again

    def test_oversized_body_is_413(self, make_client: MakeClient) -> None:
        client = make_client(max_body=1000)
        response = post(client, BASE + "#" * 1000)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "limit-exceeded"

    def test_oversized_chunked_body_is_413(self, make_client: MakeClient) -> None:
        client = make_client(max_body=1000)

        def chunks() -> Iterator[bytes]:
            yield BASE.encode()
            yield b"#" * 2000

        response = client.post(f"{API}/incidents", content=chunks(), headers=YAML)
        assert response.status_code == 413

    def test_unknown_routes_and_methods_are_structured(self, client: TestClient) -> None:
        assert client.get(f"{API}/nope").json()["error"]["code"] == "not-found"
        response = client.patch(f"{API}/incidents/demo")
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method-not-allowed"

    @pytest.mark.parametrize(
        ("old", "new", "pointer"),
        [
            ("id: demo", 'id: "qa-nl\\n"', "/id"),
            ("  - id: push", '  - id: "push\\n"', "/nodes/0/id"),
            ("addresses: [no-canary]", 'addresses: ["no-canary\\n"]', "/actions/0/addresses/0"),
        ],
    )
    def test_ids_with_a_trailing_newline_are_refused(
        self, client: TestClient, old: str, new: str, pointer: str
    ) -> None:
        response = post(client, BASE.replace(old, new, 1))
        assert response.status_code == 422, response.text
        details = response.json()["error"]["details"]
        assert [(d["code"], d["pointer"]) for d in details] == [("invalid-id", pointer)]
        assert "location" not in response.headers
        assert client.get(f"{API}/incidents").json()["items"] == []
        assert client.get(f"{API}/incidents/qa-nl%0A").status_code == 422

    def test_bad_id_in_path(self, client: TestClient) -> None:
        response = client.get(f"{API}/incidents/NOT_A_SLUG")
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["pointer"] == "/path/incident_id"


class TestMethods:
    """Everything under /api/ is answered by the API: the web editor's mount used to
    take wrong methods (405 with its own ``Allow: GET, HEAD``), HEAD and unknown paths."""

    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("PATCH", "/incidents/demo", "GET, HEAD, PUT, DELETE"),
            ("PUT", "/incidents", "GET, HEAD, POST"),
            ("OPTIONS", "/incidents", "GET, HEAD, POST"),
            ("GET", "/render", "POST"),
            ("DELETE", "/incidents/demo/revisions", "GET, HEAD"),
            ("POST", "/incidents/demo/render.svg", "GET, HEAD"),
        ],
    )
    def test_wrong_method_is_405_with_every_allowed_method(
        self, client: TestClient, method: str, path: str, allow: str
    ) -> None:
        response = client.request(method, f"{API}{path}")
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == allow
        assert response.json()["error"]["code"] == "method-not-allowed"
        assert allow in response.json()["error"]["message"]

    def test_head_where_only_post_is_answered_is_405(self, client: TestClient) -> None:
        response = client.head(f"{API}/analyze")
        assert (response.status_code, response.headers["allow"]) == (405, "POST")

    @pytest.mark.parametrize(
        "path",
        [
            f"{API}/incidents",
            f"{API}/incidents/demo",
            f"{API}/incidents/demo/revisions/1",
            f"{API}/incidents/demo/analysis",
            f"{API}/whoami",
            f"{API}/openapi.json",
            "/healthz",
            "/",
        ],
    )
    def test_head_is_get_without_the_body(self, client: TestClient, path: str) -> None:
        post(client)
        got, head = client.get(path), client.head(path)
        assert (got.status_code, head.status_code) == (200, 200), head.text
        assert head.content == b""
        for name in ("content-type", "content-length", "etag", "content-security-policy"):
            assert head.headers.get(name) == got.headers.get(name), name

    def test_head_of_an_event_stream_ends(self, client: TestClient) -> None:
        post(client)
        response = client.head(f"{API}/incidents/demo/events")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.content == b""

    def test_head_is_counted_as_head(self, client: TestClient) -> None:
        labels = {"method": "HEAD", "route": "/api/v1/incidents/{incident_id}", "status": "404"}
        before = HTTP_REQUESTS.value(**labels)
        assert client.head(f"{API}/incidents/nope").status_code == 404
        assert HTTP_REQUESTS.value(**labels) == before + 1

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", f"{API}/incidents/"),
            ("GET", f"{API}/incidents/"),
            ("GET", f"{API}/nothing"),
            ("PUT", "/api/other"),
            ("GET", "/healthz/x"),
        ],
    )
    def test_unknown_api_paths_are_404(self, client: TestClient, method: str, path: str) -> None:
        response = client.request(method, path, content=BASE, headers=YAML)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not-found"

    def test_the_web_editor_keeps_its_own_paths(self, client: TestClient) -> None:
        assert client.head("/").status_code == 200
        response = client.post("/index.html")
        assert (response.status_code, response.headers["allow"]) == (405, "GET, HEAD")


class TestAuth:
    @pytest.fixture
    def secured(self, make_client: MakeClient) -> TestClient:
        return make_client(tokens=Tokens.parse(TOKENS))

    def test_no_token_is_401(self, secured: TestClient) -> None:
        response = secured.get(f"{API}/incidents")
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"]["code"] == "unauthorized"

    def test_unknown_token_is_401(self, secured: TestClient) -> None:
        response = secured.get(f"{API}/incidents", headers={"authorization": "Bearer " + "x" * 20})
        assert response.status_code == 401

    @pytest.mark.parametrize(
        ("token", "read", "write"), [(READ, 200, 403), (WRITE, 200, 201), (ADMIN, 200, 201)]
    )
    def test_roles(self, secured: TestClient, token: str, read: int, write: int) -> None:
        auth = {"authorization": f"Bearer {token}"}
        assert secured.get(f"{API}/incidents", headers=auth).status_code == read
        assert post(secured, **auth).status_code == write

    def test_health_is_open_and_metrics_need_a_token(self, secured: TestClient) -> None:
        assert secured.get("/healthz").status_code == 200
        assert secured.get("/metrics").status_code == 401
        auth = {"authorization": f"Bearer {READ}"}
        assert secured.get("/metrics", headers=auth).status_code == 200

    def test_tokens_never_show(self) -> None:
        tokens = Tokens.parse(TOKENS)
        assert READ not in repr(tokens)
        assert READ not in repr(Settings(tokens=tokens))

    @pytest.mark.parametrize("spec", ["reader:" + "x" * 20, "read:short", "read" + "x" * 20])
    def test_malformed_token_lists_are_refused(self, spec: str) -> None:
        with pytest.raises(ValueError, match="CAUSEMAP_TOKENS entry 1"):
            Tokens.parse(spec)

    def test_one_token_under_two_roles_is_refused_without_showing_it(self) -> None:
        # It took the last role silently: listed as read then admin, it could delete.
        token = "t" * 24
        with pytest.raises(ValueError, match="entry 2: this token is already listed") as caught:
            Tokens.parse(f"read:{token}, admin:{token}")
        assert token not in str(caught.value)


class TestJsonOnly:
    """Routes that answer JSON alone, and an Accept header that refuses JSON."""

    ROUTES: ClassVar[list[tuple[str, str]]] = [
        ("GET", "/incidents"),
        ("GET", "/incidents/demo/revisions"),
        ("GET", "/incidents/demo/diff"),
        ("GET", "/incidents/demo/analysis"),
        ("GET", "/whoami"),
        ("GET", "/catalog"),
        ("POST", "/analyze"),
        ("POST", "/lint"),
    ]

    @pytest.mark.parametrize("accept", ["application/json;q=0", "*/*;q=0", "application/*;q=0"])
    @pytest.mark.parametrize(("method", "path"), ROUTES)
    def test_json_refused_outright_is_406(
        self, client: TestClient, method: str, path: str, accept: str
    ) -> None:
        """q=0 means "not acceptable" (RFC 9110 12.4.2): these were answered with JSON."""
        post(client)
        headers = {**YAML, "accept": accept}
        response = client.request(method, f"{API}{path}", content=BASE, headers=headers)
        assert response.status_code == 406, response.text
        error = response.json()["error"]
        assert error["code"] == "not-acceptable"
        assert error["details"] == {"formats": ["application/json"]}

    def test_the_openapi_document_lists_the_406(self, client: TestClient) -> None:
        """Every operation that answers JSON alone may now answer 406."""
        paths = client.get(f"{API}/openapi.json").json()["paths"]
        json_only, missing = [], []
        for path, operations in paths.items():
            for method, operation in operations.items():
                ok = [r for code, r in operation["responses"].items() if code.startswith("2")]
                if all(set(r.get("content", {})) == {"application/json"} for r in ok):
                    json_only.append(f"{method} {path}")
                    if "406" not in operation["responses"]:
                        missing.append(f"{method} {path}")
        assert len(json_only) >= 13
        assert missing == []

    @pytest.mark.parametrize(
        "accept",
        [
            "text/html",
            "application/json;q=0.1",
            "image/*;q=0, */*",
            "application/json;q=",
            "application/json;q=abc",
            "*/*;q=nan",
        ],
    )
    @pytest.mark.parametrize(("method", "path"), ROUTES)
    def test_other_types_are_disregarded(
        self, client: TestClient, method: str, path: str, accept: str
    ) -> None:
        """An Accept that does not mention JSON is disregarded, as RFC 9110 12.5.1 allows,
        so that a browser or a tool asking for HTML still reads the JSON."""
        post(client)
        headers = {**YAML, "accept": accept}
        response = client.request(method, f"{API}{path}", content=BASE, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"


class TestHeaders:
    def test_security_headers_everywhere(self, client: TestClient) -> None:
        for path in ("/", f"{API}/incidents", f"{API}/nope", "/healthz"):
            headers = client.get(path).headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["content-security-policy"].startswith("default-src 'self'")
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY"
            assert headers["referrer-policy"] == "no-referrer"

    @pytest.mark.parametrize("method", ["GET", "HEAD"])
    def test_an_unexpected_failure_keeps_the_headers(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str
    ) -> None:
        """A 500 was answered outside every middleware: without nosniff, CSP, no-framing,
        CORS (so a page could not even read it) or Server-Timing."""
        settings = Settings(
            db=f"sqlite:///{tmp_path / 'api.db'}", cors_origins=("https://w.example",)
        )
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:

            def broken(*args: object, **kwargs: object) -> None:
                raise RuntimeError("a bug")

            monkeypatch.setattr(client.app.state.store, "get", broken)  # type: ignore[attr-defined]
            origin = {"origin": "https://w.example"}
            response = client.request(method, f"{API}/incidents/demo", headers=origin)
        assert response.status_code == 500
        if method == "GET":
            assert response.json()["error"]["code"] == "internal-error"
            assert "a bug" not in response.text
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["access-control-allow-origin"] == "https://w.example"
        assert headers["server-timing"].startswith("total;dur=")

    def test_web_page_and_docs(self, client: TestClient) -> None:
        page = client.get("/")
        assert page.status_code == 200
        assert "<title>causemap</title>" in page.text
        assert client.get("/docs").status_code == 200
        schema = client.get(f"{API}/openapi.json").json()
        assert "Incident" in schema["components"]["schemas"]

    def test_cors_is_off_by_default(self, client: TestClient) -> None:
        response = client.get(f"{API}/incidents", headers={"origin": "https://wiki.example"})
        assert "access-control-allow-origin" not in response.headers

    def test_cors_when_configured(self, make_client: MakeClient) -> None:
        client = make_client(cors_origins=("https://wiki.example",))
        response = client.options(
            f"{API}/incidents",
            headers={
                "origin": "https://wiki.example",
                "access-control-request-method": "PUT",
                "access-control-request-headers": "if-match",
            },
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://wiki.example"
        other = client.get(f"{API}/incidents", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers

    def test_a_cross_origin_head_with_a_token_passes_its_preflight(
        self, make_client: MakeClient
    ) -> None:
        """Every GET answers HEAD, but a HEAD with a token needs a preflight, which was
        400 "Disallowed CORS method": the browser then refused the HEAD."""
        client = make_client(cors_origins=("https://wiki.example",))
        response = client.options(
            f"{API}/incidents/demo",
            headers={
                "origin": "https://wiki.example",
                "access-control-request-method": "HEAD",
                "access-control-request-headers": "authorization",
            },
        )
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "https://wiki.example"

    @pytest.mark.parametrize(
        ("origin", "method", "refused"),
        [("https://evil.example", "PUT", "origin"), ("https://wiki.example", "PATCH", "method")],
    )
    def test_a_refused_preflight_is_a_json_error(
        self, make_client: MakeClient, origin: str, method: str, refused: str
    ) -> None:
        """It was text/plain "Disallowed CORS origin"; errors are always JSON."""
        client = make_client(cors_origins=("https://wiki.example",))
        headers = {"origin": origin, "access-control-request-method": method}
        response = client.options(f"{API}/incidents", headers=headers)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "cors-refused"
        assert refused in error["message"]


class TestOperations:
    def test_metrics_count_by_route_template(self, client: TestClient) -> None:
        labels = {"method": "GET", "route": "/api/v1/incidents/{incident_id}", "status": "404"}
        before = HTTP_REQUESTS.value(**labels)
        client.get(f"{API}/incidents/a")
        client.get(f"{API}/incidents/b")
        assert HTTP_REQUESTS.value(**labels) == before + 2
        text = client.get("/metrics").text
        assert 'route="/api/v1/incidents/{incident_id}"' in text
        assert "causemap_render_cache_hits_total" in text
        assert "# TYPE causemap_http_request_duration_seconds histogram" in text

    @pytest.mark.parametrize(("method", "path"), [("POST", "/incidents"), ("POST", "/render")])
    def test_client_gone_mid_body_is_a_disconnect_not_a_500(
        self, client: TestClient, caplog: pytest.LogCaptureFixture, method: str, path: str
    ) -> None:
        """It was logged with a traceback and counted as a 500; the metrics count answers."""
        route = f"/api/v1{path}"
        answered = {"method": method, "route": route, "status": "500"}
        before = HTTP_REQUESTS.value(**answered), HTTP_DISCONNECTS.value(method=method, route=route)
        headers = [(b"content-type", b"application/yaml"), (b"content-length", b"1000")]
        with caplog.at_level(logging.INFO):
            asgi(client, method, f"{API}{path}", headers, [b"causemap: 1\n"], disconnect=True)
        after = HTTP_REQUESTS.value(**answered), HTTP_DISCONNECTS.value(method=method, route=route)
        assert after == (before[0], before[1] + 1)
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
        assert any("went away" in r.getMessage() for r in caplog.records)
        text = client.get("/metrics").text
        assert (
            f'causemap_http_client_disconnects_total{{method="{method}",route="{route}"}}' in text
        )

    def test_answers_say_how_long_they_took(self, client: TestClient) -> None:
        for path in ("/healthz", f"{API}/incidents", f"{API}/nope"):
            timing = client.get(path).headers["server-timing"]
            assert timing.startswith("total;dur=")
            assert float(timing.split("=")[1]) >= 0

    def test_healthz_reports_a_dead_database(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert client.get("/healthz").json()["status"] == "ok"

        def down(*args: object) -> None:
            raise StoreUnavailable("database unavailable: connection refused")

        monkeypatch.setattr(client.app.state.store, "ping", down)  # type: ignore[attr-defined]
        response = client.get("/healthz")
        assert (response.status_code, response.headers["retry-after"]) == (503, "5")
        assert response.json()["error"]["code"] == "store-unavailable"
        monkeypatch.setattr(client.app.state.store, "get", down)  # type: ignore[attr-defined]
        response = client.get(f"{API}/incidents/demo")
        assert (response.status_code, response.headers["retry-after"]) == (503, "5")


class TestEvents:
    def test_the_keep_alive_interval_is_announced(self, make_client: MakeClient) -> None:
        """A client can only tell a silently dead stream from a quiet one if it knows how
        often the server speaks."""
        client = make_client(sse_ping=2.5)
        post(client)
        response = client.head(f"{API}/incidents/demo/events")
        assert response.headers["causemap-ping"] == "2.5"

    @pytest.mark.parametrize(("value", "ok"), [("0.5", True), ("0", False), ("x", False)])
    def test_the_keep_alive_interval_is_a_setting(self, value: str, ok: bool) -> None:
        if ok:
            assert Settings.from_env({"CAUSEMAP_SSE_PING": value}).sse_ping == 0.5
        else:
            with pytest.raises(InvalidQuery, match="CAUSEMAP_SSE_PING"):
                Settings.from_env({"CAUSEMAP_SSE_PING": value})

    def test_unknown_incident_is_404(self, client: TestClient) -> None:
        response = client.get(f"{API}/incidents/nope/events")
        assert response.status_code == 404

    @pytest.mark.parametrize(
        "value", [b"\xb2", b"abc", b"-1", b"1.5", b"99999999999999999999", b"2147483648"]
    )
    def test_bad_last_event_id_is_422_before_the_stream(
        self, client: TestClient, value: bytes
    ) -> None:
        """As ``?after=-1``: a bad parameter, answered before any event is sent (a huge
        number gave 200, then an empty body and an OverflowError, and EventSource
        reconnected forever)."""
        post(client)
        raw = asgi(client, "GET", f"{API}/incidents/demo/events", [(b"last-event-id", value)])
        assert raw.status == 422, raw.body
        error = json.loads(raw.body)["error"]
        assert error["code"] == "invalid-parameters"
        assert error["details"][0]["pointer"] == "/header/last-event-id"
        after = client.get(f"{API}/incidents/demo/events", params={"after": -1})
        assert (after.status_code, after.json()["error"]["code"]) == (422, "invalid-parameters")

    def test_a_body_over_the_cap_ends_the_stream_quietly(
        self, make_client: MakeClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An event stream's request has no use for a body; one over the cap arriving
        while the stream ran raised through the started answer: a traceback in the
        server log ("response already started") instead of the stream ending."""
        client = make_client(max_body=1000)
        post(client)
        headers = [(b"transfer-encoding", b"chunked")]
        with caplog.at_level(logging.INFO):
            raw = asgi(
                client,
                "GET",
                f"{API}/incidents/demo/events",
                headers,
                [b"x" * 600] * 2,
                disconnect=True,
            )
        assert raw.status in (200, 413), raw.body
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]

    def test_a_database_outage_ends_the_stream_cleanly(
        self,
        make_client: MakeClient,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """The stream died mid-chunk with an error and two tracebacks in the log per
        viewer; it now ends (EventSource reconnects, and gets 503 while it lasts)."""
        client = make_client(sse_poll=0.01)
        post(client)
        store = client.app.state.store  # type: ignore[attr-defined]
        reads = store.changes

        def flaky(*args: Any, **kwargs: Any) -> Any:
            if flaky.calls:  # type: ignore[attr-defined]
                raise StoreUnavailable("database unavailable: connection refused")
            flaky.calls += 1  # type: ignore[attr-defined]
            return reads(*args, **kwargs)

        flaky.calls = 0  # type: ignore[attr-defined]
        monkeypatch.setattr(store, "changes", flaky)
        with (
            caplog.at_level(logging.INFO),
            client.stream("GET", f"{API}/incidents/demo/events") as response,
        ):
            lines = list(response.iter_lines())
        assert "id: 1" in lines
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
        assert any("database unavailable" in r.getMessage() for r in caplog.records)

    @pytest.mark.parametrize(
        "resume",
        [{"headers": {"Last-Event-ID": "7"}}, {"params": {"after": 7}}],
        ids=["last-event-id", "after"],
    )
    def test_a_resume_point_past_the_latest_revision_starts_with_the_current_one(
        self,
        make_client: MakeClient,
        monkeypatch: pytest.MonkeyPatch,
        resume: dict[str, Any],
    ) -> None:
        """An id from the future (the store was restored from a backup, or the incident
        re-created in another store) waited silently for revision 8, and the client
        never saw revisions 2 to 7 when they came; it now gets the current revision at
        once, as a client without one does, and follows from there."""
        client = make_client(sse_poll=0.01)
        post(client)
        client.put(
            f"{API}/incidents/demo",
            content=BASE.replace("title: Demo", "title: Two"),
            headers={**YAML, "If-Match": '"1"'},
        )
        store = client.app.state.store  # type: ignore[attr-defined]
        reads = store.changes
        asked: list[int] = []

        def once(incident_id: str, after: int) -> Any:
            asked.append(after)
            if len(asked) > 1:  # end the stream after the first read
                raise StoreUnavailable("database unavailable: connection refused")
            return reads(incident_id, after)

        monkeypatch.setattr(store, "changes", once)
        with client.stream("GET", f"{API}/incidents/demo/events", **resume) as response:
            assert response.status_code == 200
            lines = list(response.iter_lines())
        assert [line for line in lines if line.startswith("id:")] == ["id: 2"], lines
        assert asked == [1, 2]

    def test_follow_yields_every_revision_in_order(self, tmp_path: Path) -> None:
        with Store.open(f"sqlite:///{tmp_path / 'e.db'}") as store:
            store.create(loads(BASE))

            async def main() -> list[int]:
                seen: list[int] = []
                async with anyio.create_task_group() as tasks:

                    async def watch() -> None:
                        async for record in follow(store, "demo", 0, 0.01):
                            seen.append(record.number)
                            if len(seen) == 4:
                                tasks.cancel_scope.cancel()

                    tasks.start_soon(watch)
                    for n in range(1, 4):
                        await anyio.sleep(0.02)
                        doc = loads(BASE.replace("title: Demo", f"title: T{n}"))
                        store.update("demo", doc, expected=n)
                return seen

            assert anyio.run(main) == [1, 2, 3, 4]


def test_every_endpoint_is_documented_in_the_readme(client: TestClient) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path, operations in paths.items():
        short = path.removeprefix(API).replace("{incident_id}", "{id}").replace("{number}", "{n}")
        for method in operations:
            assert f"`{method.upper()} {short}" in readme, f"{method.upper()} {short}"


class TestOpenApiHeaders:
    """A client generated from the OpenAPI document could not see the headers the API
    is used through: ``Location`` on 201, the ``ETag`` to send back, ``If-None-Match``."""

    @pytest.fixture
    def paths(self, client: TestClient) -> dict[str, Any]:
        paths: dict[str, Any] = client.get(f"{API}/openapi.json").json()["paths"]
        return paths

    def test_a_created_incident_has_its_location_and_etag(self, paths: dict[str, Any]) -> None:
        created = paths[f"{API}/incidents"]["post"]["responses"]["201"]
        assert {"Location", "ETag"} <= set(created["headers"])

    def test_every_answer_with_an_etag_documents_it(self, client: TestClient) -> None:
        """Each operation that answers an ETag says so, on its 2xx and its 304."""
        post(client)
        paths = client.get(f"{API}/openapi.json").json()["paths"]
        calls = [
            ("get", "/incidents/{incident_id}", "/incidents/demo"),
            ("get", "/incidents/{incident_id}/revisions/{number}", "/incidents/demo/revisions/1"),
            ("get", "/incidents/{incident_id}/analysis", "/incidents/demo/analysis"),
            ("get", "/incidents/{incident_id}/render.{format}", "/incidents/demo/render.dot"),
            ("get", "/patterns", "/patterns"),
            ("get", "/catalog", "/catalog"),
        ]
        for method, template, path in calls:
            operation = paths[f"{API}{template}"][method]
            assert "ETag" in client.request(method, f"{API}{path}").headers
            for status in ("200", "304"):
                assert "ETag" in operation["responses"][status].get("headers", {}), (path, status)
            names = {(p["name"].lower(), p["in"]) for p in operation.get("parameters", [])}
            assert ("if-none-match", "header") in names, path
        for method in ("put", "delete"):
            ok = paths[f"{API}/incidents/{{incident_id}}"][method]["responses"]["200"]
            assert "ETag" in ok.get("headers", {}), method

    def test_error_answers_document_their_headers(self, paths: dict[str, Any]) -> None:
        put_ = paths[f"{API}/incidents/{{incident_id}}"]["put"]["responses"]
        assert "ETag" in put_["412"].get("headers", {})  # the current revision
        assert "Retry-After" in put_["503"].get("headers", {})
        assert "WWW-Authenticate" in put_["401"].get("headers", {})
