"""Two real server processes on one database (SQLite file, PostgreSQL): writes through one
are read, streamed live and raced through the other; tokens never reach the logs."""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import socket
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.servers import Server
from tests.test_bad_inputs import BASE
from tests.test_service import READ, TOKENS, WRITE

API = "/api/v1/incidents"
R = {"authorization": f"Bearer {READ}"}
W = {"authorization": f"Bearer {WRITE}"}


def events(response: httpx2.Response) -> Iterator[dict[str, Any]]:
    """Parse a text/event-stream into {"id", "event", "data"} dicts (comments skipped)."""
    current: dict[str, Any] = {}
    for line in response.iter_lines():
        if not line:
            if current:
                yield current
            current = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            current[field] = value[1:] if value.startswith(" ") else value


def listen(
    url: str,
    want: int,
    out: list[dict[str, Any]],
    headers: dict[str, str],
    ready: threading.Event | None = None,
) -> None:
    """Collect ``want`` events from ``url``; set ``ready`` after the first one."""
    with httpx2.stream("GET", url, headers={**R, **headers}, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for event in events(response):
            out.append({"id": int(event["id"]), **json.loads(event["data"])})
            if ready is not None:
                ready.set()
            if len(out) >= want:
                return


def put_tag(server: Server, tag: str) -> int:
    """Read-modify-write one tag through ``server``, retrying on 412; return retries."""
    retries = 0
    while True:
        got = httpx2.get(f"{server.url}{API}/demo", headers=R)
        doc = got.json()
        doc["tags"] = [*doc.get("tags", []), tag]
        saved = httpx2.put(
            f"{server.url}{API}/demo", json=doc, headers={**W, "if-match": got.headers["etag"]}
        )
        if saved.status_code == 200:
            return retries
        assert saved.status_code == 412, saved.text
        retries += 1


@pytest.mark.slow
def test_two_servers_on_one_database(db_url: str, tmp_path: Path) -> None:
    env = {"CAUSEMAP_TOKENS": TOKENS}
    with (
        Server(db_url, tmp_path / "a.log", env=env) as a,
        Server(db_url, tmp_path / "b.log", env=env) as b,
    ):
        yaml = {"content-type": "application/yaml"}
        created = httpx2.post(f"{a.url}{API}", content=BASE, headers={**W, **yaml})
        assert created.status_code == 201, created.text
        assert httpx2.get(f"{b.url}{API}/demo", headers=R).headers["etag"] == '"1"'

        # Live events on B for writes made through A (and B).
        seen: list[dict[str, Any]] = []
        ready = threading.Event()
        viewer = threading.Thread(
            target=listen, args=(f"{b.url}{API}/demo/events", 4, seen, {}, ready)
        )
        viewer.start()
        assert ready.wait(10)  # the stream starts with the current revision, then goes live
        edited = BASE.replace("title: Demo incident", "title: Edited")
        assert httpx2.put(f"{a.url}{API}/demo", content=edited,
                          headers={**W, **yaml, "if-match": '"1"'}).status_code == 200  # fmt: skip
        stale = httpx2.put(
            f"{b.url}{API}/demo", content=BASE, headers={**W, **yaml, "if-match": '"1"'}
        )
        assert stale.status_code == 412
        assert httpx2.put(f"{b.url}{API}/demo", content=BASE,
                          headers={**W, **yaml, "if-match": '"2"'}).status_code == 200  # fmt: skip
        assert httpx2.delete(f"{a.url}{API}/demo", headers=W).status_code == 200
        viewer.join(timeout=30)
        assert not viewer.is_alive()
        assert [(e["id"], e["action"]) for e in seen] == [
            (1, "create"),
            (2, "update"),
            (3, "update"),
            (4, "delete"),
        ]
        assert seen[1]["document"]["title"] == "Edited"
        assert httpx2.get(f"{b.url}{API}/demo", headers=R).status_code == 410

        # Resume on the other server with Last-Event-ID.
        resumed: list[dict[str, Any]] = []
        listen(f"{a.url}{API}/demo/events", 2, resumed, {"last-event-id": "2"})
        assert [e["id"] for e in resumed] == [3, 4]

        # Racing read-modify-write through both servers loses nothing.
        assert httpx2.post(f"{b.url}{API}/demo/restore", headers=W).status_code == 200
        writers, writes = 4, 4
        retries: list[int] = []

        def work(w: int) -> None:
            for i in range(writes):
                retries.append(put_tag((a, b)[(w + i) % 2], f"w{w}-{i}"))

        threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        final = httpx2.get(f"{a.url}{API}/demo", headers=R)
        expected = {f"w{w}-{i}" for w in range(writers) for i in range(writes)}
        assert expected <= set(final.json()["tags"])
        assert final.headers["etag"] == f'"{5 + writers * writes}"'

        # A render is the same, with the same ETag, whichever process draws it.
        if shutil.which("dot"):
            drawn = [httpx2.get(f"{s.url}{API}/demo/render.svg", headers=R) for s in (a, b)]
            assert [d.status_code for d in drawn] == [200, 200]
            assert drawn[0].headers["etag"] == drawn[1].headers["etag"]
            assert drawn[0].content == drawn[1].content
            packed = base64.urlsafe_b64encode(zlib.compress(final.content)).decode()
            url = f"/api/v1/render/svg/{packed}"  # a long URL, through uvicorn's parser
            embedded = httpx2.get(f"{b.url}{url}", headers=R)
            assert embedded.headers["etag"] == drawn[0].headers["etag"]
            again = httpx2.get(
                f"{a.url}{url}", headers={**R, "if-none-match": drawn[1].headers["etag"]}
            )
            assert again.status_code == 304
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "GET /api/v1/incidents/demo" in logs  # the access log is on ...
    assert READ not in logs  # ... and never shows a token
    assert WRITE not in logs


@pytest.mark.slow
def test_a_layout_saved_through_one_server_reaches_a_viewer_of_another(
    db_url: str, tmp_path: Path
) -> None:
    """The facilitator's server and a viewer's are two processes: the viewer's stream
    hears each layout change from the database, with the positions, and no revision."""
    env = {"CAUSEMAP_TOKENS": TOKENS, "CAUSEMAP_SSE_POLL": "0.05"}
    with (
        Server(db_url, tmp_path / "a.log", env=env) as a,
        Server(db_url, tmp_path / "b.log", env=env) as b,
    ):
        yaml = {"content-type": "application/yaml"}
        assert httpx2.post(f"{a.url}{API}", content=BASE, headers={**W, **yaml}).is_success
        seen: list[dict[str, Any]] = []
        ready = threading.Event()

        def follow() -> None:
            url = f"{b.url}{API}/demo/events?layout=0"
            with httpx2.stream("GET", url, headers=R, timeout=30) as response:
                for event in events(response):
                    seen.append({"event": event.get("event"), **json.loads(event["data"])})
                    ready.set()
                    if len(seen) == 3:
                        return

        viewer = threading.Thread(target=follow)
        viewer.start()
        assert ready.wait(10)  # the current revision
        for x in (100, 240):
            moved = {"nodes": {"push": {"x": x, "y": -40}}}
            saved = httpx2.put(f"{a.url}{API}/demo/layout", json=moved, headers=W)
            assert saved.status_code == 200, saved.text
            threading.Event().wait(0.3)
        viewer.join(timeout=30)
        assert not viewer.is_alive()
        assert [e["event"] for e in seen] == ["revision", "layout", "layout"]
        assert [e["nodes"]["push"] for e in seen[1:]] == [
            {"x": 100, "y": -40},
            {"x": 240, "y": -40},
        ]
        assert httpx2.get(f"{b.url}{API}/demo", headers=R).headers["etag"] == '"1"'


def answer_of(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes ``conn``."""
    got = b""
    with contextlib.suppress(OSError):
        while chunk := conn.recv(65536):
            got += chunk
    return got


class TestRequestHead:
    """httptools, uvicorn's parser, puts no limit on a request's line and headers: a
    client could make the server hold hundreds of megabytes before any token is checked
    (400 MB of headers took 400 MB, and the answer was 200)."""

    @staticmethod
    def send_head(server: Server, header_bytes: int) -> bytes:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
            line = b"X-Big: " + b"a" * 60_000 + b"\r\n"
            try:
                for _ in range(header_bytes // len(line)):
                    conn.sendall(line)
                conn.sendall(b"\r\n")
            except OSError:  # the server closed the connection mid-head, as it should
                pass
            return answer_of(conn)

    def test_a_huge_head_is_431_and_the_server_lives_on(self, tmp_path: Path) -> None:
        with Server(f"sqlite:///{tmp_path / 'h.db'}", tmp_path / "h.log") as server:
            answer = self.send_head(server, 2 * 1024 * 1024)
            status, _, rest = answer.partition(b"\r\n")
            assert status == b"HTTP/1.1 431 Request Header Fields Too Large", answer[:300]
            body = json.loads(rest.partition(b"\r\n\r\n")[2])
            assert body["error"]["code"] == "head-too-large"
            assert httpx2.get(f"{server.url}/healthz").status_code == 200
            normal = self.send_head(server, 30_000)
            assert normal.startswith(b"HTTP/1.1 200 OK"), normal[:300]

    def test_a_refused_head_is_counted_in_the_metrics(self, tmp_path: Path) -> None:
        """An operator watching /metrics sees the 431s like every other answer."""
        with Server(f"sqlite:///{tmp_path / 'h.db'}", tmp_path / "h.log") as server:
            assert self.send_head(server, 2 * 1024 * 1024).startswith(b"HTTP/1.1 431")
            metrics = httpx2.get(f"{server.url}/metrics").text
            assert 'route="<head>",status="431"} 1' in metrics, metrics


class TestLongUrl:
    def test_a_url_over_httptools_limit_is_a_json_414(self, tmp_path: Path) -> None:
        """httptools refuses a URL of 64 KiB or more: a render URL of a large incident
        was a 400 saying the request was malformed ('a space in the URL'), and the web
        editor, which warns 'too large for an image URL' on 413 or 414, copied it
        without a word."""
        packed = b"A" * 70_000  # the length is refused before the content is read
        with Server(f"sqlite:///{tmp_path / 'u.db'}", tmp_path / "u.log") as server:
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
                conn.sendall(b"GET /api/v1/render/svg/" + packed + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = answer_of(conn)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 414 URI Too Long"), answer[:300]
            assert b"content-type: application/json" in head.lower()
            # The security headers the README promises on every answer, these included.
            for header in (
                b"content-security-policy: default-src 'self';",
                b"x-frame-options: DENY",
                b"referrer-policy: no-referrer",
                b"x-content-type-options: nosniff",
            ):
                assert header in head, head
            error = json.loads(body)["error"]
            assert error["code"] == "uri-too-long"
            assert "65,535" in error["message"]
            assert "POST /render" in error["message"]
            assert httpx2.get(f"{server.url}/healthz").status_code == 200
            metrics = httpx2.get(f"{server.url}/metrics").text
            assert 'route="<head>",status="414"} 1' in metrics, metrics


class TestMalformedRequest:
    @pytest.mark.parametrize(
        "request_line",
        [b"FOO /api/v1/incidents HTTP/1.1", b"GET /api/v1/ incidents HTTP/1.1", b"GET"],
    )
    def test_a_request_the_parser_refuses_is_a_json_400(
        self, tmp_path: Path, request_line: bytes
    ) -> None:
        """uvicorn answered it in text/plain ("Invalid HTTP request received."), where
        errors are always JSON, and the metrics never counted it."""
        with Server(f"sqlite:///{tmp_path / 'm.db'}", tmp_path / "m.log") as server:
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
                conn.sendall(request_line + b"\r\nHost: x\r\n\r\n")
                answer = answer_of(conn)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 400 Bad Request"), answer[:300]
            assert b"content-type: application/json" in head.lower()
            assert json.loads(body)["error"]["code"] == "bad-request"
            metrics = httpx2.get(f"{server.url}/metrics").text
            assert 'route="<head>",status="400"} 1' in metrics, metrics


class TestHeadTimeout:
    """uvicorn bounds neither the wait for a connection's first request nor the time its
    head takes: a client that opened connections, or sent a header line now and then,
    held each of them for good (only the idle time after an answer was bounded)."""

    def test_a_slow_head_is_408_and_an_idle_connection_is_closed(self, tmp_path: Path) -> None:
        env = {"CAUSEMAP_HEAD_TIMEOUT": "0.5"}
        with Server(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "t.log", env=env) as server:
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                answer = answer_of(conn)
            status, _, rest = answer.partition(b"\r\n")
            assert status == b"HTTP/1.1 408 Request Timeout", answer[:300]
            body = json.loads(rest.partition(b"\r\n\r\n")[2])
            assert body["error"]["code"] == "request-timeout"
            assert "0.5 seconds" in body["error"]["message"]
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as idle:
                assert answer_of(idle) == b""  # closed, with nothing to answer
            # A keep-alive connection gets the same bound on its next head.
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\n")
                answer = answer_of(conn)
            assert answer.startswith(b"HTTP/1.1 200 OK"), answer[:300]
            assert b"HTTP/1.1 408 Request Timeout" in answer

    def test_a_slow_head_is_counted_in_the_metrics(self, tmp_path: Path) -> None:
        """An operator watching /metrics sees the 408s like every other answer; a
        connection closed with nothing to answer is not an answer."""
        env = {"CAUSEMAP_HEAD_TIMEOUT": "0.5"}
        with Server(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "t.log", env=env) as server:
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                assert answer_of(conn).startswith(b"HTTP/1.1 408")
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as idle:
                assert answer_of(idle) == b""
            metrics = httpx2.get(f"{server.url}/metrics").text
            assert 'causemap_http_requests_total{method="GET",route="<head>",status="408"} 1' in (
                metrics
            ), metrics

    def test_a_long_answer_is_not_cut(self, tmp_path: Path) -> None:
        """The clock runs only while the server waits for a head: an event stream that
        lasts longer still gets its events."""
        env = {"CAUSEMAP_HEAD_TIMEOUT": "0.3"}
        with Server(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "t.log", env=env) as server:
            yaml = {"content-type": "application/yaml"}
            assert httpx2.post(f"{server.url}{API}", content=BASE, headers=yaml).is_success
            seen: list[dict[str, Any]] = []
            ready = threading.Event()
            url = f"{server.url}{API}/demo/events"
            viewer = threading.Thread(target=listen, args=(url, 2, seen, {}, ready))
            viewer.start()
            assert ready.wait(10)
            threading.Event().wait(1.0)  # longer than the head timeout
            assert httpx2.delete(f"{server.url}{API}/demo").status_code == 200
            viewer.join(timeout=30)
            assert [e["action"] for e in seen] == ["create", "delete"]
