"""The shared layout: everyone in the meeting sees the nodes where the facilitator put them."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Request

from tests.servers import Server
from tests.web.pages import READ, WRITE, Api, EditorPage, chain

SETTLED_AT = """([id, x, y]) => {
  const n = window.cy.getElementById(id);
  if (n.empty() || n.animated()) return false;
  const p = n.position();
  return Math.abs(p.x - x) < 1 && Math.abs(p.y - y) < 1;
}"""

PLACES = """() => Object.fromEntries(window.cy.nodes().map((n) => {
  const p = n.position();
  return [n.id(), [Math.round(p.x), Math.round(p.y)]];
}))"""


def drag(page: EditorPage, ident: str, dx: float, dy: float) -> tuple[int, int]:
    """Drag node ``ident`` by (dx, dy) screen pixels with the mouse; return where it ends
    up on the canvas, as the editor keeps it."""
    page.wait("() => !window.cy.animated()")
    before = page.js(PLACES)[ident]
    x, y = page.node_point(ident)
    page.page.mouse.move(x, y)
    page.page.mouse.down()
    page.page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.page.mouse.move(x + dx, y + dy, steps=5)
    page.page.mouse.up()
    place = page.wait(
        "([id, [x0, y0]]) => { const p = window.causemap.positions()[id];"
        " return p && (p.x !== x0 || p.y !== y0) && [p.x, p.y]; }",
        [ident, before],
    )
    return int(place[0]), int(place[1])


def layout_writes(page: EditorPage) -> list[str]:
    """Every request the page makes to write a layout (filled as they happen)."""
    writes: list[str] = []

    def seen(request: Request) -> None:
        if request.method != "GET" and request.url.endswith("/layout"):
            writes.append(f"{request.method} {request.url}")

    page.page.on("request", seen)
    return writes


def shared(api: Api, ident: str) -> dict[str, Any]:
    response = api.raw("GET", f"/incidents/{ident}/layout")
    assert response.status_code == 200, response.text
    value: dict[str, Any] = response.json()
    return value


class TestSharedLayout:
    def test_a_viewer_sees_the_node_the_facilitator_drags_move_there(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("drag-along", 4))
        facilitator = EditorPage.open(context, server.url, "drag-along")
        viewer = EditorPage.open(other_context, server.url, "drag-along", token=READ)
        writes = layout_writes(viewer)
        viewer.wait("window.causemap.state().live === 'live'")
        facilitator.wait("window.causemap.state().live === 'live'")
        x, y = drag(facilitator, "n2", 0, 160)
        viewer.wait(SETTLED_AT, ["n2", x, y])
        assert shared(api, "drag-along")["nodes"]["n2"] == {"x": x, "y": y}
        # Once more, the other way: each move is followed, not only the first.
        x, y = drag(facilitator, "n2", -220, -60)
        viewer.wait(SETTLED_AT, ["n2", x, y])
        assert viewer.js(PLACES) == facilitator.js(PLACES)
        # Moving nodes is no edit: no revision, nothing to save.
        assert facilitator.state()["revision"] == 1
        assert viewer.state()["revision"] == 1
        assert writes == []  # a viewer never writes the layout
        facilitator.assert_clean()
        viewer.assert_clean()

    def test_a_late_joiner_opens_with_the_facilitator_s_picture(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("late-joiner", 4))
        facilitator = EditorPage.open(context, server.url, "late-joiner")
        x, y = drag(facilitator, "n1", 0, -180)
        deadline = time.monotonic() + 10
        while shared(api, "late-joiner")["nodes"].get("n1") != {"x": x, "y": y}:
            assert time.monotonic() < deadline, shared(api, "late-joiner")
            facilitator.page.wait_for_timeout(100)
        # Someone who never opened the incident in this browser (no places of their own).
        late = EditorPage.open(other_context, server.url, "late-joiner", token=READ)
        late.wait(SETTLED_AT, ["n1", x, y])
        assert late.js(PLACES) == facilitator.js(PLACES)
        late.assert_clean()

    def test_tidy_is_shared_too(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("tidy-along", 4))
        facilitator = EditorPage.open(context, server.url, "tidy-along")
        viewer = EditorPage.open(other_context, server.url, "tidy-along", token=READ)
        viewer.wait("window.causemap.state().live === 'live'")
        x, y = drag(facilitator, "n3", 0, 200)
        viewer.wait(SETTLED_AT, ["n3", x, y])
        facilitator.focus_canvas()
        facilitator.keys("Shift+T")
        facilitator.wait(
            "([x, y]) => { const p = window.causemap.positions().n3;"
            " return p.x !== x || p.y !== y; }",
            [x, y],
        )
        tidied = facilitator.js("() => window.causemap.positions()")
        viewer.wait(SETTLED_AT, ["n3", tidied["n3"]["x"], tidied["n3"]["y"]])
        viewer.wait("() => !window.cy.animated() && !window.cy.nodes().some((n) => n.animated())")
        facilitator.wait("() => !window.cy.nodes().some((n) => n.animated())")
        assert viewer.js(PLACES) == facilitator.js(PLACES)
        facilitator.assert_clean()

    def test_without_the_server_s_layout_the_page_draws_as_before(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """An older server has no layout route: the page opens with this browser's own
        places and never tries to write one."""
        api.create(chain("no-layout", 3))
        page = EditorPage(context.new_page(), server.url)
        writes = layout_writes(page)
        page.page.route(
            "**/api/v1/incidents/no-layout/layout",
            lambda r: r.fulfill(status=404, json={"error": {"code": "not-found", "message": "no"}}),
        )
        page.goto("no-layout")
        x, y = drag(page, "n1", 0, 150)
        page.page.wait_for_timeout(600)
        assert writes == []
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert page.js("() => window.causemap.positions().n1") == {"x": x, "y": y}
        page.assert_clean("404")

    def test_moves_made_offline_survive_a_reload_and_are_shared_once_back(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("offline-moves", 3))
        page = EditorPage.open(context, server.url, "offline-moves")
        before = shared(api, "offline-moves")
        page.page.route(
            "**/api/v1/incidents/offline-moves/layout",
            lambda r: r.abort() if r.request.method == "PUT" else r.continue_(),
        )
        x, y = drag(page, "n2", 0, 170)
        page.page.wait_for_timeout(600)  # past the save's delay: it failed
        assert shared(api, "offline-moves") == before
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert page.js("() => window.causemap.positions().n2") == {"x": x, "y": y}
        page.page.unroute("**/api/v1/incidents/offline-moves/layout")
        page.page.reload()  # back online: the move is sent
        page.wait("window.causemap && window.causemap.ready")
        deadline = time.monotonic() + 10
        while shared(api, "offline-moves")["nodes"].get("n2") != {"x": x, "y": y}:
            assert time.monotonic() < deadline, shared(api, "offline-moves")
            page.page.wait_for_timeout(100)
        page.assert_clean("ERR_")

    def test_two_editors_keep_each_other_s_moves(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("two-editors", 4))
        one = EditorPage.open(context, server.url, "two-editors")
        two = EditorPage.open(other_context, server.url, "two-editors")
        for page in (one, two):
            page.wait("window.causemap.state().live === 'live'")
        held = "**/api/v1/incidents/two-editors/layout"
        one.page.route(held, lambda r: r.abort() if r.request.method == "PUT" else r.continue_())
        x1, y1 = drag(one, "n3", 0, 190)  # not saved yet: one's network is down
        x2, y2 = drag(two, "n1", 0, -190)  # saved, and heard by one
        one.wait(SETTLED_AT, ["n1", x2, y2])
        one.page.unroute(held)
        drag(one, "n2", 0, 120)  # the next move sends both
        two.wait(SETTLED_AT, ["n3", x1, y1])
        nodes = shared(api, "two-editors")["nodes"]
        assert nodes["n3"] == {"x": x1, "y": y1}
        assert nodes["n1"] == {"x": x2, "y": y2}
        two.wait("() => !window.cy.nodes().some((n) => n.animated())")
        assert one.js(PLACES) == two.js(PLACES)
        one.assert_clean("ERR_")
        two.assert_clean()


class TestDeleted:
    def test_a_restored_incident_opens_with_the_facilitator_s_picture(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Deleting an incident emptied its layout: undoing the delete gave every page its
        own placement, and the meeting's "node on the left" was another node."""
        api.create(chain("undeleted", 4))
        facilitator = EditorPage.open(context, server.url, "undeleted")
        x, y = drag(facilitator, "n1", 0, -180)
        deadline = time.monotonic() + 10
        while shared(api, "undeleted")["nodes"].get("n1") != {"x": x, "y": y}:
            assert time.monotonic() < deadline, shared(api, "undeleted")
            facilitator.page.wait_for_timeout(100)
        facilitator.page.close()
        assert api.raw("DELETE", "/incidents/undeleted").status_code == 200
        assert api.raw("GET", "/incidents/undeleted/layout").status_code == 410
        assert api.raw("POST", "/incidents/undeleted/restore").status_code == 200
        late = EditorPage.open(other_context, server.url, "undeleted", token=READ)
        late.wait(SETTLED_AT, ["n1", x, y])
        late.assert_clean()


NO_DELAYS = """() => {
  const editor = window.causemap.editor();
  const never = Object.assign(() => {}, { cancel() {} });
  editor.shared.schedule = never;
  editor.saver.schedule = never;
}"""
"""The tab closes before the layout's 300 ms (and the document's second) are over: only
the page's way out may send what is not saved yet."""

LEAVE = """async ({ options, room }) => {
  const { SharedLayout } = await import('/js/shared.js');
  const sent = [];
  window.fetch = (url, init) => {
    sent.push({ url, method: init.method, keepalive: init.keepalive, headers: init.headers,
                body: JSON.parse(init.body) });
    return Promise.resolve(new Response('{}'));
  };
  const canvas = { positions: { a: { x: 10.4, y: -20.6 }, b: { x: 0, y: 0 } }, shared: {} };
  const layout = new SharedLayout('inc', canvas, {
    readOnly: Boolean(options.readOnly), unsent: ['a'], paused: () => Boolean(options.paused),
    layout: options.version === null ? null : { version: options.version ?? 3, nodes: {} },
  });
  if (options.busy) layout.busy = new Promise(() => {});
  return { bytes: layout.leave(room), sent };
}"""
"""A shared layout with node ``a`` moved and not saved yet, told the page is going away
(``fetch`` recorded instead of sent)."""


class TestLeaving:
    def test_a_move_and_an_edit_made_as_the_tab_closes_are_both_shared(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A facilitator who dragged a node and closed the tab at once left everyone with
        the old picture: the move waited 300 ms for a save that never came."""
        api.create(chain("close-after-drag", 4))
        page = EditorPage.open(context, server.url, "close-after-drag")
        page.wait("window.causemap.state().live === 'live'")
        page.js(NO_DELAYS)
        page.rename("n1", "Typed just before closing the tab")
        x, y = drag(page, "n2", 0, 170)
        assert "n2" not in shared(api, "close-after-drag")["nodes"]
        page.page.close(run_before_unload=True)
        deadline = time.monotonic() + 10
        while shared(api, "close-after-drag")["nodes"].get("n2") != {"x": x, "y": y}:
            assert time.monotonic() < deadline, shared(api, "close-after-drag")
            time.sleep(0.05)
        saved, revision = api.get("close-after-drag")
        assert revision == 2
        assert saved["nodes"][0]["label"] == "Typed just before closing the tab"

    def test_the_moves_go_as_a_save_would_send_them(
        self, context: BrowserContext, server: Server
    ) -> None:
        page = EditorPage.open(context, server.url)
        got = page.js(LEAVE, {"options": {}, "room": 65_536})
        (request,) = got["sent"]
        assert request["url"] == "/api/v1/incidents/inc/layout"
        assert (request["method"], request["keepalive"]) == ("PUT", True)
        assert request["headers"]["If-Match"] == '"layout-3"'  # the version this page holds
        assert request["headers"]["Content-Type"] == "application/json"
        assert request["headers"]["Authorization"] == f"Bearer {WRITE}"
        assert request["body"] == {"nodes": {"a": {"x": 10, "y": -21}, "b": {"x": 0, "y": 0}}}
        assert got["bytes"] == len(json.dumps(request["body"], separators=(",", ":")))

    @pytest.mark.parametrize(
        ("options", "room"),
        [
            pytest.param({"readOnly": True}, 65_536, id="a viewer"),
            pytest.param({"paused": True}, 65_536, id="a deleted incident"),
            pytest.param({"version": None}, 65_536, id="no version known"),
            pytest.param({"busy": True}, 65_536, id="a save on its way"),
            pytest.param({}, 40, id="no room left by the document"),
        ],
    )
    def test_nothing_goes_for(
        self, context: BrowserContext, server: Server, options: dict[str, Any], room: int
    ) -> None:
        page = EditorPage.open(context, server.url)
        assert page.js(LEAVE, {"options": options, "room": room}) == {"bytes": 0, "sent": []}
