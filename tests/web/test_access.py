"""Accessibility of the editor for a facilitator driving it live while the room watches:
narrow windows and zoom, focus after every action, what a screen reader hears, motion."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.servers import Server
from tests.web.pages import READ, Api, EditorPage, chain, incident

# Every control of the editor's frame must be on screen and not under another one: once
# scrolled into view (only by boxes a user can scroll: overflow auto or scroll), the point
# in its middle is the control itself.
REACHABLE = """(selector) => [...document.querySelectorAll(selector)]
  .filter((e) => e.getClientRects().length && !e.closest('[hidden]'))
  .map((e) => {
    e.scrollIntoView({block: 'nearest', inline: 'nearest'});
    let hidden = false;
    for (let p = e.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      const fixed = (o) => o === 'hidden' || o === 'clip';
      if ((fixed(s.overflowX) && p.scrollLeft) || (fixed(s.overflowY) && p.scrollTop)) {
        hidden = true;
      }
      if (fixed(s.overflowX) || fixed(s.overflowY)) p.scrollTo(0, 0);
    }
    const r = e.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const inside = r.left >= -1 && r.top >= -1
      && r.right <= innerWidth + 1 && r.bottom <= innerHeight + 1;
    const ok = !hidden && inside && Boolean(hit && (hit === e || e.contains(hit)));
    return [(e.getAttribute('aria-label') || e.textContent || e.id).trim().slice(0, 30), ok];
  })
  .filter(([, ok]) => !ok).map(([name]) => name)"""

FRAME = ".topbar button, .topbar a, .tabs [role=tab], .toolbar button, .entry input, .entry button"


@pytest.fixture
def sized(browser: Browser) -> Iterator[Any]:
    """New browser contexts of a given window size (CSS pixels)."""
    made: list[BrowserContext] = []

    def make(width: int, height: int, **options: Any) -> BrowserContext:
        ctx = browser.new_context(viewport={"width": width, "height": height}, **options)
        ctx.set_default_timeout(10_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


class TestNarrowWindowsAndZoom:
    @pytest.mark.parametrize(
        ("width", "height"),
        [(1280, 800), (1024, 768), (768, 1024), (640, 400)],
        ids=["1280", "1024", "768", "1280-at-200%"],
    )
    def test_every_control_of_the_frame_is_on_screen_and_uncovered(
        self, sized: Any, server: Server, api: Api, width: int, height: int
    ) -> None:
        ident = f"narrow-{width}"
        api.create(chain(ident, 4, title="Checkout errors after a config push to every region"))
        page = EditorPage.open(sized(width, height), server.url, ident)
        assert page.js(REACHABLE, FRAME) == []
        # The panel tabs fit their strip: none is cut off at the edge.
        cut = page.js(
            "() => { const strip = document.querySelector('.tabs').getBoundingClientRect();"
            " return [...document.querySelectorAll('[role=tab]')].filter((t) => {"
            "   const r = t.getBoundingClientRect();"
            "   return r.left < strip.left - 0.5 || r.right > strip.right + 0.5; })"
            " .map((t) => t.textContent); }"
        )
        assert cut == []
        page.assert_clean()


class TestFocusAfterAnAction:
    """A control that removes itself (or is disabled by its own press, or an outline
    link removed with Delete) hands focus on to the control that took its place, never to
    <body>, where Tab starts over at the top of the page and a screen reader says
    nothing."""

    @pytest.mark.parametrize(
        ("ident", "tab", "control", "key"),
        [
            ("delete-node", "Selection", "#panel-selection button.danger", "Enter"),
            ("disconnect", "Selection", '#panel-selection [data-key^="cut:"]', "Enter"),
            ("outline-remove", "Selection", '#outline [data-key="link:n1:n2"]', "Delete"),
            ("remove-action", "Actions", '#panel-actions [data-key="remove:a1"]', "Enter"),
            ("stop-addressing", "Actions", '#panel-actions [data-key="unlink:a1:n1"]', "Enter"),
        ],
    )
    def test_a_button_that_removes_itself(
        self, context: BrowserContext, server: Server, api: Api, ident: str, tab: str,
        control: str, key: str,
    ) -> None:  # fmt: skip
        ident = f"focus-{ident}"
        doc = chain(ident, 3)
        doc["actions"] = [
            {"id": "a1", "title": "Add a canary", "addresses": ["n1"]},
            {"id": "a2", "title": "Alert on errors", "addresses": ["n2"]},
        ]
        api.create(doc)
        page = EditorPage.open(context, server.url, ident)
        page.select("n2")
        page.page.get_by_role("tab", name=tab).click()
        page.page.locator(control).first.focus()
        page.js("() => { window.__before = JSON.stringify(window.causemap.doc()); }")
        page.keys(key)
        page.wait("JSON.stringify(window.causemap.doc()) !== window.__before")
        page.wait(
            "document.activeElement && document.activeElement !== document.body", timeout=2000
        )
        assert page.js("document.querySelector('.editor').contains(document.activeElement)")
        page.assert_clean()

    def test_hiding_the_outline_from_inside_it_hands_focus_to_the_canvas(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("focus-outline", 3))
        page = EditorPage.open(context, server.url, "focus-outline")
        page.page.locator('.outline-node[data-node="n1"]').focus()
        page.keys("o")
        page.wait("document.querySelector('.editor').classList.contains('no-outline')")
        assert page.js("document.activeElement.id") == "cy"
        page.wait(HEARD, "Outline hidden.")
        page.keys("o")
        page.wait(HEARD, "Outline shown.")
        assert page.page.locator("#outline").is_visible()
        page.assert_clean()

    def test_undo_and_redo_hand_focus_to_each_other_when_they_run_out(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("focus-undo", 3))
        page = EditorPage.open(context, server.url, "focus-undo")
        page.select("n1")
        page.focus_canvas()
        page.keys("c")
        page.page.locator('[data-tool="undo"]').focus()
        page.keys("Enter")
        page.wait("!window.causemap.state().canUndo")
        # Focus moves once the button is disabled, a moment after the state says so.
        page.wait("document.activeElement?.dataset.tool === 'redo'", timeout=2000)
        assert page.js("document.activeElement.dataset.tool") == "redo"
        page.keys("Enter")
        page.wait("!window.causemap.state().canRedo")
        page.wait(
            "document.activeElement && document.activeElement !== document.body"
            " && document.activeElement.dataset.tool !== 'redo'",
            timeout=2000,
        )
        assert page.js("document.activeElement.dataset.tool") != "redo"
        assert page.nodes()["n1"]["kind"] == "condition"
        page.assert_clean()


FOCUSED = "document.activeElement.dataset.key || document.activeElement.id"


class TestOutlineKeyboard:
    def test_the_outline_is_one_tab_stop_walked_with_the_arrow_keys(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Tab went through every node and link of the outline (two stops a link) before
        it reached the canvas: at 40 nodes, 120 presses. It is one tab stop now, a tree
        walked with the arrow keys (WAI-ARIA tree pattern)."""
        api.create(chain("outline-keys", 4))  # n1 → n2 → n3 → impact
        page = EditorPage.open(context, server.url, "outline-keys")
        ui = page.page
        ui.locator("#outline-filter").focus()
        page.keys("Tab")
        assert page.js(FOCUSED) == "group:nodes"
        page.keys("Tab")  # one stop: Tab leaves the outline
        assert not page.js("document.getElementById('outline').contains(document.activeElement)")
        page.keys("Shift+Tab")
        assert page.js(FOCUSED) == "group:nodes"
        tree = ui.get_by_role("tree", name="Outline")
        assert tree.get_by_role("treeitem").count() == 2 + 4 + 3  # two groups, nodes, links
        page.keys("ArrowDown", "ArrowDown", "Enter")
        assert page.js("window.causemap.selection().nodes") == ["n2"]
        assert ui.locator('.outline-node[data-node="n2"]').get_attribute("aria-selected") == "true"
        page.keys("ArrowUp", "Shift+Enter")  # Shift adds to the selection
        assert page.js("window.causemap.selection().nodes") == ["n2", "n1"]
        page.keys("ArrowLeft")  # to the group ...
        assert page.js(FOCUSED) == "group:nodes"
        page.keys("ArrowLeft")  # ... which folds ...
        assert ui.locator('.outline-node[data-node="n1"]').is_hidden()
        page.keys("ArrowDown")  # ... so the next item down is the links' group
        assert page.js(FOCUSED) == "group:links"
        page.keys("ArrowRight", "ArrowRight")  # into the links
        assert page.js(FOCUSED) == "link:n1:n2"
        page.keys("End", "Delete")  # the last link is removed from the keyboard ...
        page.wait("!window.causemap.doc().nodes.find((n) => n.id === 'impact').causes")
        page.wait(f"{FOCUSED} === 'link:n2:n3'")  # ... and focus goes to the one before
        page.keys("Home")
        assert page.js(FOCUSED) == "group:nodes"
        page.keys("ArrowRight")  # unfolds
        assert ui.locator('.outline-node[data-node="n1"]').is_visible()
        # Tab comes back to where the user left the tree.
        page.keys("ArrowDown", "Tab", "Shift+Tab")
        assert page.js(FOCUSED) == "node:n1"
        page.assert_clean()


CAUSED_BY = """([effect, cause]) => (window.causemap.doc().nodes
  .find((n) => n.id === effect).causes || []).includes(cause)"""


class TestPickingAnExistingNode:
    def test_arrow_keys_browse_the_picker_and_only_the_link_button_links(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """On a closed <select>, each arrow key changes its value: linking on that change
        linked every node a keyboard user went past on the way to the one they wanted."""
        doc = chain("picker", 3)
        doc["nodes"] += [
            {"id": f"o{i}", "kind": "condition", "label": f"Other {i}"} for i in range(3)
        ]
        api.create(doc)
        page = EditorPage.open(context, server.url, "picker")
        before = page.doc()
        page.select("o0")
        picker = page.page.get_by_label("Pick an existing node as an effect")
        picker.focus()
        page.keys("ArrowDown", "ArrowDown", "ArrowDown")
        assert picker.input_value() == "impact"
        assert page.doc() == before
        page.keys("Tab")
        assert page.js("document.activeElement.textContent") == "Link"
        page.keys("Enter")
        page.wait(CAUSED_BY, ["impact", "o0"])
        causes = {k: v.get("causes") for k, v in page.nodes().items()}
        assert causes == {
            "n1": None, "n2": ["n1"], "impact": ["n2", "o0"], "o0": None, "o1": None, "o2": None
        }  # fmt: skip
        # Focus stays in the panel, on the picker's Link button, ready for the next one.
        page.wait("document.activeElement && document.activeElement.textContent === 'Link'")
        # Enter on the picker links too.
        picker.focus()
        page.keys("ArrowDown")
        page.keys("Enter")
        page.wait(CAUSED_BY, ["n1", "o0"])
        page.assert_clean()


HEARD = "(text) => document.getElementById('announce').textContent.includes(text)"


class TestWhatAScreenReaderHears:
    """Messages reach the page's polite live region (#announce), which is there from the
    start: a toast is a new element, and a new element is not a live region yet."""

    def test_saving_is_not_chatter_and_the_way_back_from_offline_is_heard(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The save status was a live region: a screen reader said "Saving… · revision
        N", "Saved · revision N+1" about once a second while someone typed."""
        api.create(chain("heard-saving", 2))
        page = EditorPage.open(context, server.url, "heard-saving")
        status = page.page.locator(".save-status")
        assert status.get_attribute("aria-live") == "off"
        assert status.get_attribute("role") is None
        assert page.page.locator("#banner").get_attribute("role") == "status"
        page.refuse_saves("heard-saving")
        page.rename("n1", "Renamed while offline")
        page.wait("window.causemap.state().status === 'offline'")
        page.allow_saves("heard-saving")
        page.focus_canvas()
        page.keys("Control+s")
        page.wait(HEARD, "Saved again")
        page.assert_clean("net::ERR_FAILED")

    def test_a_refused_key_is_heard(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("heard-refused", 2))
        page = EditorPage.open(context, server.url, "heard-refused")
        page.focus_canvas()
        page.keys("Escape", "w")
        page.page.locator(".toast").filter(has_text="Select a node first.").wait_for()
        page.wait(HEARD, "Select a node first.")
        page.keys("Control+z")
        page.wait(HEARD, "Nothing to undo.")
        page.assert_clean()

    def test_why_with_several_nodes_selected_says_to_pick_one(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """With two nodes selected, w and Enter said 'Select a node first.'"""
        api.create(chain("heard-several", 3))
        page = EditorPage.open(context, server.url, "heard-several")
        page.select("n1")
        page.focus_canvas()
        page.keys("Shift+ArrowRight")
        assert len(page.js("window.causemap.selection().nodes")) == 2
        page.keys("w")
        page.wait(HEARD, "2 nodes are selected: select one")
        page.keys("Enter")
        page.page.locator(".toast").filter(has_text="2 nodes are selected").first.wait_for()
        assert "Select a node first." not in page.text("#toasts")
        page.assert_clean()

    def test_what_a_statement_was_added_as_is_heard_in_plain_words(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("heard-kind", 2))
        page = EditorPage.open(context, server.url, "heard-kind")
        page.ask_why("n1", "The deploy tool pushed to every region")
        page.wait(HEARD, "Added “The deploy tool pushed to every region” as an event.")
        page.keys("Escape", "c")
        page.wait(HEARD, "Now a condition.")
        page.keys("e")
        page.wait(HEARD, "Now an event.")
        page.keys("Escape", "e")  # nothing selected: the kind of the next statement
        page.wait(HEARD, "New statements will be events.")
        assert " a event" not in page.text("#announce")
        page.assert_clean()

    def test_a_finding_about_no_node_does_not_offer_to_select_its_nodes(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """'No node is systemic' names no node: its button, read as '… Select its
        nodes.', did nothing at all when pressed."""
        api.create(chain("heard-finding", 3))
        page = EditorPage.open(context, server.url, "heard-finding")
        codes = [f["code"] for f in page.wait_analysed()["findings"]]
        assert "NO_SYSTEMIC_FACTOR" in codes
        page.page.get_by_role("tab", name="Analysis").click()
        whole = page.page.locator('.finding-list [data-code="NO_SYSTEMIC_FACTOR"]')
        assert page.js("document.querySelector('[data-code=NO_SYSTEMIC_FACTOR]').tagName") != (
            "BUTTON"
        )
        assert "no node is systemic" in whole.inner_text()
        named = page.page.locator(".finding-list button.finding-button")
        assert named.count() == len(codes) - 1
        for label in named.evaluate_all("(b) => b.map((x) => x.getAttribute('aria-label'))"):
            assert label.endswith("Select its nodes.")
        page.assert_clean()

    def test_a_delete_is_heard_along_with_what_is_selected_next(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("heard-delete", 3))
        page = EditorPage.open(context, server.url, "heard-delete")
        page.select("n2")
        page.focus_canvas()
        page.keys("Delete")
        page.wait(HEARD, "Selected “Customers saw errors”")
        assert "Deleted “Step 2 happened”" in page.text("#announce")
        page.assert_clean()

    def test_an_impact_is_said_to_be_one_once(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """An impact's class is "impact" too: it was heard as "impact, impact"."""
        api.create(chain("heard-impact", 2))
        page = EditorPage.open(context, server.url, "heard-impact")
        page.wait_analysed()
        page.select("n1")
        page.wait(HEARD, "Selected “Step 1 happened”: event, ")
        page.select("impact")
        page.wait(HEARD, "Selected “Customers saw errors”: impact; ")
        page.assert_clean()

    def test_a_viewer_hears_what_a_revision_changed(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("heard-viewer", 2))
        viewer = EditorPage.open(context, server.url, "heard-viewer", token=READ)
        viewer.wait("window.causemap.state().live === 'live'")
        doc, revision = api.get("heard-viewer")
        doc["nodes"].insert(0, {"id": "retry", "kind": "event", "label": "Clients retried"})
        doc["nodes"][1]["causes"] = ["retry"]
        revision = api.put("heard-viewer", doc, revision)
        viewer.wait("(r) => window.causemap.state().revision === r", revision)
        viewer.wait(HEARD, f"revision {revision}")
        viewer.wait(HEARD, "added “\u2068Clients retried\u2069”")
        viewer.wait(HEARD, "linked “\u2068Clients retried\u2069” → “\u2068Step 1 happened\u2069”")
        viewer.assert_clean()

    def test_the_facilitator_hears_what_someone_else_saved(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("heard-writer", 2))
        page = EditorPage.open(context, server.url, "heard-writer")
        page.wait("window.causemap.state().live === 'live'")
        doc, revision = api.get("heard-writer")
        doc["title"] = "Retry storm"
        revision = api.put("heard-writer", doc, revision)
        page.wait("(r) => window.causemap.state().revision === r", revision)
        page.wait(HEARD, f"Revision {revision} was saved elsewhere")
        page.wait(HEARD, "changed the incident's title")
        page.assert_clean()


class TestReducedMotion:
    def test_the_canvas_jumps_instead_of_gliding(
        self, sized: Any, server: Server, api: Api
    ) -> None:
        api.create(chain("calm", 6))
        page = EditorPage.open(sized(1280, 800, reduced_motion="reduce"), server.url, "calm")
        assert page.js("matchMedia('(prefers-reduced-motion: reduce)').matches")
        moving = page.js(
            """() => {
              const cy = window.cy, canvas = window.causemap.editor().canvas;
              cy.zoom(3);
              cy.pan({x: 5000, y: 5000});
              canvas.reveal(['n1']);
              const revealing = cy.animated();
              window.causemap.editor().tidy();
              return [revealing, cy.animated() || cy.nodes().some((n) => n.animated())];
            }"""
        )
        assert moving == [False, False]
        page.wait(
            "(() => { const b = window.cy.getElementById('n1').renderedBoundingBox();"
            " return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= window.cy.width()"
            " && b.y2 <= window.cy.height(); })()"
        )
        page.assert_clean()


class TestWatchers:
    def test_a_viewer_is_never_told_to_press_an_editing_key(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("watch", 2))
        api.create(incident("watch-empty"))
        viewer = EditorPage.open(context, server.url, "watch", token=READ)
        ui = viewer.page
        viewer.select("n1")
        told = []
        for tab in ["Selection", "Analysis", "Actions", "Incident"]:
            ui.get_by_role("tab", name=tab).click()
            told.append(ui.locator(f"#panel-{tab.lower()}").inner_text())
        viewer.focus_canvas()
        viewer.keys("?")
        told.append(ui.locator("dialog[open]").inner_text())
        viewer.keys("Escape")
        viewer.goto("watch-empty", token=READ)
        ui.get_by_role("tab", name="Analysis").click()
        told.append(ui.locator("#panel-analysis").inner_text())
        for text in told:
            for key in ["press w", "press a", "(a)", "\nw\n", "Drawing", "add a cause"]:
                assert key not in text, (key, text)
        viewer.assert_clean()
