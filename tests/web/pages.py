"""Helpers for the browser tests: the API from Python, and the editor page.

Tests assert on state the page exposes (``window.causemap``: the document, the save
state, the analysis, the Cytoscape model) and wait on it, never on pixels or sleeps.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx2
from playwright.sync_api import BrowserContext, ConsoleMessage, Page

READ = "read-token-for-browser-tests"
WRITE = "write-token-for-browser-tests"
API = "/api/v1"


def incident(
    ident: str, nodes: list[dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    """A valid incident document: one impact unless ``nodes`` are given."""
    doc: dict[str, Any] = {
        "causemap": 1,
        "id": ident,
        "title": f"Incident {ident}",
        "date": "2024-05-01",
    }
    doc.update(fields)
    doc["nodes"] = nodes or [
        {"id": "impact", "kind": "impact", "label": "Checkout failed for 40 minutes"}
    ]
    return doc


def chain(ident: str, length: int = 4, **fields: Any) -> dict[str, Any]:
    """n1 → n2 → … → impact, events, with evidence so that few checks fire."""
    nodes: list[dict[str, Any]] = []
    for i in range(1, length):
        node: dict[str, Any] = {"id": f"n{i}", "kind": "event", "label": f"Step {i} happened"}
        if i > 1:
            node["causes"] = [f"n{i - 1}"]
        nodes.append(node)
    nodes.append(
        {
            "id": "impact",
            "kind": "impact",
            "label": "Customers saw errors",
            "causes": [f"n{length - 1}"],
        }
    )
    return incident(ident, nodes, **fields)


class Api:
    """The service, called from the test (as another user would)."""

    def __init__(self, url: str, token: str = WRITE) -> None:
        self.url = url
        self.headers = {"authorization": f"Bearer {token}"}

    def create(self, doc: dict[str, Any]) -> int:
        r = httpx2.post(f"{self.url}{API}/incidents", json=doc, headers=self.headers, timeout=30)
        assert r.status_code == 201, r.text
        number: int = r.json()["number"]
        return number

    def get(self, ident: str) -> tuple[dict[str, Any], int]:
        r = httpx2.get(f"{self.url}{API}/incidents/{ident}", headers=self.headers, timeout=30)
        assert r.status_code == 200, r.text
        return r.json(), int(r.headers["etag"].strip('"'))

    def put(self, ident: str, doc: dict[str, Any], revision: int) -> int:
        r = httpx2.put(
            f"{self.url}{API}/incidents/{ident}",
            json=doc,
            headers={**self.headers, "if-match": f'"{revision}"'},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        number: int = r.json()["number"]
        return number

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        return httpx2.request(
            method, f"{self.url}{API}{path}", headers=self.headers, timeout=30, **kwargs
        )

    def answered(self, route: str) -> dict[str, float]:
        """How many requests to ``route`` (``/catalog``) the server has answered, by
        status (its /metrics)."""
        r = httpx2.get(f"{self.url}/metrics", headers=self.headers, timeout=30)
        assert r.status_code == 200, r.text
        found: dict[str, float] = {}
        for line in r.text.splitlines():
            if line.startswith("causemap_http_requests_total{") and f'route="{API}{route}"' in line:
                status = line.split('status="', 1)[1].split('"', 1)[0]
                found[status] = found.get(status, 0.0) + float(line.rsplit(" ", 1)[1])
        return found

    def answers_since(self, route: str, before: dict[str, float], count: int) -> dict[str, float]:
        """The answers to ``route`` since ``before`` (:meth:`answered`), once ``count``
        are counted or 5 s have passed: the server counts an answer once it is sent."""
        deadline = time.monotonic() + 5
        while True:
            after = self.answered(route)
            found = {code: after[code] - before.get(code, 0) for code in after}
            if sum(found.values()) >= count or time.monotonic() > deadline:
                return {code: n for code, n in found.items() if n}
            time.sleep(0.05)


class EditorPage:
    """One browser tab on the editor, with the waits and gestures the tests need."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("dialog", lambda d: self.errors.append(f"unexpected dialog: {d.message}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    @classmethod
    def open(
        cls, context: BrowserContext, url: str, ident: str | None = None, token: str = WRITE
    ) -> EditorPage:
        """Open the incident ``ident`` (or the list) with ``token`` in the URL fragment."""
        page = cls(context.new_page(), url)
        page.goto(ident, token)
        return page

    def goto(self, ident: str | None, token: str = WRITE) -> None:
        path = f"/incidents/{ident}" if ident else "/"
        self.page.goto(f"{self.url}/#{path}&token={token}")
        self.wait("window.causemap && window.causemap.ready")

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def wait(self, expression: str, arg: Any = None, timeout: float = 10_000) -> Any:
        """Wait until ``expression`` (a JS expression, or a function of ``arg``) is truthy.

        Expressions are wrapped in a function: Playwright evaluates a bare string with
        ``eval`` inside the page, which the page's CSP (rightly) forbids.
        """
        if not expression.lstrip().startswith(("(", "function", "async")):
            expression = f"() => ({expression})"
        return self.page.wait_for_function(expression, arg=arg, timeout=timeout).json_value()

    def state(self) -> dict[str, Any]:
        value: dict[str, Any] = self.js("window.causemap.state()")
        return value

    def doc(self) -> dict[str, Any]:
        value: dict[str, Any] = self.js("window.causemap.doc()")
        return value

    def nodes(self) -> dict[str, dict[str, Any]]:
        return {n["id"]: n for n in self.doc()["nodes"]}

    def wait_saved(self, after: int = 0) -> int:
        """Wait for every edit to be saved, in a revision above ``after``; return it."""
        got = self.wait(
            "(after) => { const s = window.causemap.state();"
            " return s.status === 'saved' && !s.dirty && s.revision > after && s.revision; }",
            after,
        )
        return int(got)

    def ask_why(self, ident: str, statement: str) -> None:
        """Add a cause of node ``ident`` the keyboard way: select it, press w (why?) and
        type the cause's statement."""
        self.select(ident)
        self.focus_canvas()
        self.keys("w")
        self.statement(statement)

    def rename(self, ident: str, label: str) -> None:
        """Rename node ``ident`` the keyboard way: select it, Enter, type, Enter."""
        self.select(ident)
        self.focus_canvas()
        self.keys("Enter")
        self.statement(label)

    def refuse_saves(self, ident: str) -> None:
        """The page's saves of incident ``ident`` fail as on a dead network (reads go on)."""
        self.page.route(
            f"**/api/v1/incidents/{ident}",
            lambda r: r.abort() if r.request.method == "PUT" else r.continue_(),
        )

    def allow_saves(self, ident: str) -> None:
        """Undo :meth:`refuse_saves`."""
        self.page.unroute(f"**/api/v1/incidents/{ident}")

    def wait_analysed(self) -> dict[str, Any]:
        """Wait until the analysis on screen is the analysis of the document on screen."""
        self.wait("window.causemap.analysisFresh()")
        value: dict[str, Any] = self.js("window.causemap.analysis()")
        return value

    def focus_canvas(self) -> None:
        self.page.locator("#cy").focus()

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def statement(self, text: str) -> None:
        """Type a statement into the statement bar and press Enter."""
        box = self.page.locator("#statement")
        box.fill(text)
        box.press("Enter")

    def select(self, ident: str) -> None:
        """Pick a node in the outline (the keyboard- and screen-reader path)."""
        self.page.locator(f'.outline-node[data-node="{ident}"]').click()
        self.wait("(id) => window.causemap.selection().nodes.includes(id)", ident)

    def node_point(self, ident: str) -> tuple[float, float]:
        """Where node ``ident`` is on the screen."""
        box = self.page.locator("#cy").bounding_box()
        assert box is not None
        point = self.js("(id) => window.cy.getElementById(id).renderedPosition()", ident)
        return box["x"] + point["x"], box["y"] + point["y"]

    def click_node(self, ident: str, **kwargs: Any) -> None:
        """Click a node on the canvas, as a mouse user does (after panning it into view),
        and check that Cytoscape saw a tap on that very node."""
        self.js(
            """async (id) => {
              const cy = window.cy;
              const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
              window.causemap.editor().canvas.reveal([id]);
              await frame();  // an animation starts on the next frame
              await frame();
              while (cy.animated()) await frame();
              window.__taps = [];
              if (!cy.scratch("testTaps")) {
                cy.on("tap", (e) => window.__taps.push(e.target === cy ? "" : e.target.id()));
                cy.scratch("testTaps", true);
              }
            }""",
            ident,
        )
        x, y = self.node_point(ident)
        self.page.mouse.click(x, y, **kwargs)
        assert self.wait("window.__taps.length && window.__taps") == [ident]

    def canvas_node(self, ident: str) -> dict[str, Any]:
        """The Cytoscape node's data and drawn colours."""
        value: dict[str, Any] = self.js(
            "(id) => { const n = window.cy.getElementById(id);"
            " return {data: n.data(), fill: n.style('background-color'),"
            " border: n.style('border-color'), classes: n.classes()}; }",
            ident,
        )
        return value

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def assert_clean(self, *expected: str) -> None:
        """No script errors, no CSP violations, no surprise dialogs; ``expected`` lists
        substrings of messages the test provoked on purpose (a 412, a refused request)."""
        left = [e for e in self.errors if not any(x in e for x in expected)]
        assert not left, json.dumps(left, indent=2)
