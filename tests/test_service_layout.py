"""``/incidents/{id}/layout`` and the layout events of the live stream, with TestClient."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from causemap.errors import StoreUnavailable
from causemap.loader import loads
from causemap.model import MAX_NODES
from causemap.service import Tokens
from causemap.service.routes.events import follow_all
from causemap.store import Layout, Position, Record, Store
from tests.test_bad_inputs import BASE
from tests.test_service import API, READ, TOKENS, WRITE, MakeClient, make_client, post

__all__ = ["make_client"]

LAYOUT = f"{API}/incidents/demo/layout"
PLACES = {"nodes": {"push": {"x": -120, "y": 40}, "outage": {"x": 260, "y": 40}}}
R = {"authorization": f"Bearer {READ}"}
W = {"authorization": f"Bearer {WRITE}"}


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def events(lines: list[str]) -> list[dict[str, str]]:
    """The events of a text/event-stream's lines: {"event", "id"?, "data"}."""
    found: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in [*lines, ""]:
        if not line:
            if current:
                found.append(current)
            current = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            current[name] = value.removeprefix(" ")
    return found


class TestGet:
    def test_an_incident_has_the_empty_layout_until_one_is_saved(self, client: TestClient) -> None:
        post(client)
        response = client.get(LAYOUT)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == '"layout-0"'
        body = response.json()
        assert (body["version"], body["nodes"], body["updated_at"]) == (0, {}, None)

    def test_a_saved_layout_is_what_everyone_reads(self, client: TestClient) -> None:
        post(client)
        saved = client.put(LAYOUT, json=PLACES)
        assert saved.status_code == 200, saved.text
        assert saved.headers["etag"] == '"layout-1"'
        got = client.get(LAYOUT)
        assert got.headers["etag"] == '"layout-1"'
        assert got.json()["nodes"] == PLACES["nodes"]
        assert got.json()["version"] == 1

    def test_if_none_match_is_304_and_if_match_412(self, client: TestClient) -> None:
        post(client)
        client.put(LAYOUT, json=PLACES)
        assert client.get(LAYOUT, headers={"if-none-match": '"layout-1"'}).status_code == 304
        assert client.get(LAYOUT, headers={"if-none-match": '"layout-0"'}).status_code == 200
        refused = client.get(LAYOUT, headers={"if-match": '"layout-0"'})
        assert refused.status_code == 412
        assert refused.json()["error"]["code"] == "precondition-failed"
        assert refused.headers["etag"] == '"layout-1"'

    def test_unknown_incident_is_404_and_deleted_410(self, client: TestClient) -> None:
        assert client.get(f"{API}/incidents/nope/layout").status_code == 404
        post(client)
        client.delete(f"{API}/incidents/demo")
        assert client.get(LAYOUT).status_code == 410


class TestPut:
    def test_moving_nodes_makes_no_revision(self, client: TestClient) -> None:
        post(client)
        for x in range(3):
            moved = {"nodes": {"push": {"x": x, "y": 0}}}
            assert client.put(LAYOUT, json=moved).status_code == 200
        assert client.get(f"{API}/incidents/demo").headers["etag"] == '"1"'
        assert len(client.get(f"{API}/incidents/demo/revisions").json()["items"]) == 1
        assert client.get(LAYOUT).json()["version"] == 3

    def test_the_layout_is_replaced_whole(self, client: TestClient) -> None:
        post(client)
        client.put(LAYOUT, json=PLACES)
        client.put(LAYOUT, json={"nodes": {"push": {"x": 1, "y": 2}}})
        assert client.get(LAYOUT).json()["nodes"] == {"push": {"x": 1, "y": 2}}

    def test_yaml_is_read_too(self, client: TestClient) -> None:
        post(client)
        body = "nodes:\n  push: {x: 5, y: 6}\n"
        saved = client.put(LAYOUT, content=body, headers={"content-type": "application/yaml"})
        assert saved.status_code == 200, saved.text
        assert saved.json()["nodes"] == {"push": {"x": 5, "y": 6}}

    def test_if_match_names_the_version_replaced(self, client: TestClient) -> None:
        """Two editors moving nodes at once: the second, whose version is stale, is told
        so (412, with the current tag to fetch and merge onto) instead of undoing the
        first one's moves unseen."""
        post(client)
        first = client.put(LAYOUT, json=PLACES, headers={"if-match": '"layout-0"'})
        assert first.status_code == 200, first.text
        stale = client.put(LAYOUT, json={"nodes": {}}, headers={"if-match": '"layout-0"'})
        assert stale.status_code == 412
        assert stale.headers["etag"] == '"layout-1"'
        assert stale.json()["error"]["code"] == "layout-conflict"
        assert stale.json()["error"]["details"] == {"current_version": 1}
        assert client.get(LAYOUT).json()["nodes"] == PLACES["nodes"]
        ok = client.put(LAYOUT, json={"nodes": {}}, headers={"if-match": '"layout-1"'})
        assert (ok.status_code, ok.headers["etag"]) == (200, '"layout-2"')
        assert client.put(LAYOUT, json=PLACES, headers={"if-match": "*"}).status_code == 200

    @pytest.mark.parametrize("tag", ['"1"', 'W/"layout-1"', '"layout-x"', '"layout-1", "a"'])
    def test_a_tag_that_names_no_layout_version_is_412(self, client: TestClient, tag: str) -> None:
        post(client)
        client.put(LAYOUT, json=PLACES)
        refused = client.put(LAYOUT, json={"nodes": {}}, headers={"if-match": tag})
        assert refused.status_code == 412, refused.text
        assert refused.headers["etag"] == '"layout-1"'
        assert client.get(LAYOUT).json()["nodes"] == PLACES["nodes"]

    def test_unknown_incident_is_404_and_deleted_410(self, client: TestClient) -> None:
        missing = client.put(f"{API}/incidents/nope/layout", json=PLACES)
        assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not-found")
        tagged = client.put(f"{API}/incidents/nope/layout", json=PLACES, headers={"if-match": "x"})
        assert tagged.status_code == 404  # what the path names comes before If-Match
        post(client)
        client.delete(f"{API}/incidents/demo")
        assert client.put(LAYOUT, json=PLACES).status_code == 410

    def test_undoing_a_delete_brings_the_layout_back(self, client: TestClient) -> None:
        post(client)
        tag = client.put(LAYOUT, json=PLACES).headers["etag"]
        assert client.delete(f"{API}/incidents/demo").status_code == 200
        assert client.get(LAYOUT).status_code == 410
        assert client.put(LAYOUT, json={"nodes": {}}).status_code == 410
        assert client.post(f"{API}/incidents/demo/restore").status_code == 200
        got = client.get(LAYOUT)
        assert got.json()["nodes"] == PLACES["nodes"], got.text
        assert got.headers["etag"] == tag  # a page that held it across the delete goes on
        moved = client.put(LAYOUT, json={"nodes": {}}, headers={"if-match": tag})
        assert moved.status_code == 200, moved.text


class TestValidation:
    @pytest.mark.parametrize(
        ("nodes", "pointer"),
        [
            ({"Push": {"x": 0, "y": 0}}, "/body/nodes/Push"),
            ({"push": {"x": 0.5, "y": 0}}, "/body/nodes/push/x"),
            ({"push": {"x": 0, "y": "3"}}, "/body/nodes/push/y"),
            ({"push": {"x": 0, "y": 1_000_001}}, "/body/nodes/push/y"),
            ({"push": {"x": 0}}, "/body/nodes/push/y"),
            ({"push": {"x": 0, "y": 0, "w": 9}}, "/body/nodes/push/w"),
        ],
    )
    def test_a_bad_layout_is_422_at_its_pointer(
        self, client: TestClient, nodes: dict[str, Any], pointer: str
    ) -> None:
        post(client)
        response = client.put(LAYOUT, json={"nodes": nodes})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid-parameters"
        assert pointer in [d["pointer"] for d in error["details"]]
        assert client.get(LAYOUT).json()["version"] == 0

    @pytest.mark.parametrize("body", [[], {"nodes": []}, {"positions": {}}, {}])
    def test_the_wrong_shape_is_422(self, client: TestClient, body: Any) -> None:
        post(client)
        response = client.put(LAYOUT, json=body)
        assert response.status_code == 422, response.text

    def test_more_nodes_than_an_incident_can_have_is_422(self, client: TestClient) -> None:
        post(client)
        many = {f"n{i}": {"x": 0, "y": 0} for i in range(MAX_NODES + 1)}
        response = client.put(LAYOUT, json={"nodes": many})
        assert response.status_code == 422, response.text[:300]
        assert response.json()["error"]["details"][0]["pointer"] == "/body/nodes"

    def test_unparseable_is_400_and_another_type_415(self, client: TestClient) -> None:
        post(client)
        json_ = {"content-type": "application/json"}
        assert client.put(LAYOUT, content=b'{"nodes": {', headers=json_).status_code == 400
        duplicate = b'{"nodes": {"push": {"x": 1, "y": 1}, "push": {"x": 2, "y": 2}}}'
        assert client.put(LAYOUT, content=duplicate, headers=json_).status_code == 400
        form = {"content-type": "application/x-www-form-urlencoded"}
        assert client.put(LAYOUT, content=b"nodes=1", headers=form).status_code == 415


class TestAuth:
    @pytest.fixture
    def secured(self, make_client: MakeClient) -> TestClient:
        client = make_client(tokens=Tokens.parse(TOKENS))
        assert post(client, **W).status_code == 201
        return client

    def test_a_read_token_reads_and_never_writes(self, secured: TestClient) -> None:
        assert secured.get(LAYOUT, headers=R).status_code == 200
        refused = secured.put(LAYOUT, json=PLACES, headers=R)
        assert refused.status_code == 403
        assert secured.put(LAYOUT, json=PLACES, headers=W).status_code == 200

    def test_no_token_is_401(self, secured: TestClient) -> None:
        assert secured.get(LAYOUT).status_code == 401
        assert secured.put(LAYOUT, json=PLACES).status_code == 401


def _ended_after(client: TestClient, monkeypatch: pytest.MonkeyPatch, reads: int) -> None:
    """End the app's event streams (as a database outage does) at their ``reads + 1``-th
    read of the revisions table, so that a TestClient stream can be read to its end."""
    store = client.app.state.store  # type: ignore[attr-defined]
    changes = store.changes
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > reads:
            raise StoreUnavailable("database unavailable: the test ends the stream")
        return changes(*args, **kwargs)

    monkeypatch.setattr(store, "changes", counted)


class TestEvents:
    def test_a_follower_of_the_layout_gets_it_at_once_when_it_is_newer(
        self, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        client = make_client(sse_poll=0.01)
        post(client)
        client.put(LAYOUT, json=PLACES)
        _ended_after(client, monkeypatch, 2)
        with client.stream("GET", f"{API}/incidents/demo/events?layout=0") as response:
            assert response.status_code == 200
            found = events(list(response.iter_lines()))
        assert [e["event"] for e in found] == ["revision", "layout"]
        assert found[0]["id"] == "1"
        assert "id" not in found[1]  # Last-Event-ID stays a revision number
        data = json.loads(found[1]["data"])
        assert (data["version"], data["nodes"]) == (1, PLACES["nodes"])

    def test_a_follower_that_has_the_layout_is_not_sent_it_again(
        self, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        client = make_client(sse_poll=0.01)
        post(client)
        client.put(LAYOUT, json=PLACES)
        _ended_after(client, monkeypatch, 3)
        with client.stream("GET", f"{API}/incidents/demo/events?layout=1") as response:
            found = events(list(response.iter_lines()))
        assert [e["event"] for e in found] == ["revision"]

    def test_without_asking_the_stream_is_revisions_only(
        self, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Clients written before layouts (which take every event's id for a revision
        number) see the stream they always did."""
        client = make_client(sse_poll=0.01)
        post(client)
        client.put(LAYOUT, json=PLACES)
        _ended_after(client, monkeypatch, 3)
        with client.stream("GET", f"{API}/incidents/demo/events") as response:
            found = events(list(response.iter_lines()))
        assert [(e["event"], e["id"]) for e in found] == [("revision", "1")]

    @pytest.mark.parametrize("value", ["-1", "x", "2147483648"])
    def test_a_bad_layout_version_is_422(self, client: TestClient, value: str) -> None:
        post(client)
        response = client.get(f"{API}/incidents/demo/events", params={"layout": value})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["pointer"] == "/query/layout"

    def test_follow_all_yields_each_change_of_the_layout_and_every_revision(
        self, tmp_path: Path
    ) -> None:
        """A facilitator drags a node three times while a viewer follows: the viewer
        hears each layout (each read from the database, not from this process), and the
        revisions saved in between, in order."""
        with Store.open(f"sqlite:///{tmp_path / 'e.db'}") as store:
            store.create(loads(BASE))

            async def main() -> list[tuple[str, int]]:
                seen: list[tuple[str, int]] = []
                async with anyio.create_task_group() as tasks:

                    async def watch() -> None:
                        async for item in follow_all(store, "demo", 0, 0, 0.01):
                            if isinstance(item, Record):
                                seen.append(("revision", item.number))
                            else:
                                assert isinstance(item, Layout)
                                seen.append(("layout", item.nodes["push"].x))
                            if len(seen) == 5:
                                tasks.cancel_scope.cancel()

                    tasks.start_soon(watch)
                    for x in (10, 20):
                        await anyio.sleep(0.05)
                        store.put_layout("demo", {"push": Position(x=x, y=0)})
                    await anyio.sleep(0.05)
                    store.update("demo", loads(BASE.replace("title: Demo", "title: T")), expected=1)
                    await anyio.sleep(0.05)
                    store.put_layout("demo", {"push": Position(x=30, y=0)})
                return seen

            assert anyio.run(main) == [
                ("revision", 1),
                ("layout", 10),
                ("layout", 20),
                ("revision", 2),
                ("layout", 30),
            ]
