"""Drawing: the rules the editor enforces, undo and redo, and a layout that stays put."""

from __future__ import annotations

import json

from playwright.sync_api import BrowserContext, Locator

from tests.servers import Server
from tests.web.pages import READ, Api, EditorPage, chain, incident

URL = (
    "https://grafana.internal.example.com/d/checkout-latency/checkout-service-latency-p99"
    "?orgId=1&from=1714521600000&to=1714525200000"
)


GROWN = (
    "The deploy tool pushed the new routing configuration to every region at once, without"
    " a canary stage, because the pipeline had been changed the week before and the on-call"
    " engineer should have noticed that the stage was gone"
)
BIDI = str.maketrans("", "", "\u2066\u2067\u2068\u2069")
STATEMENT = "causemap:statement:"  # sessionStorage key prefix of the statement bar's draft
HEARD = "(text) => document.getElementById('announce').textContent.includes(text)"


def plain(text: str) -> str:
    """Text as read, without the isolates that keep user text's direction to itself."""
    return text.translate(BIDI)


def checked_kind(page: EditorPage) -> str:
    """The kind picked in the statement bar for the next statement."""
    value: str = page.js("document.querySelector('input[name=\"new-kind\"]:checked').value")
    return value


def duplicate(
    context: BrowserContext, server: Server, ident: str, storage: list[list[str]]
) -> EditorPage:
    """A tab on incident ``ident`` that starts with ``storage`` as its sessionStorage, as
    the browser's "Duplicate" gives a copy of the tab's."""
    tab = context.new_page()
    tab.add_init_script(
        script="if (!sessionStorage.getItem('copied')) {"
        f" for (const [k, v] of {json.dumps(storage)}) sessionStorage.setItem(k, v);"
        " sessionStorage.setItem('copied', '1'); }"
    )
    page = EditorPage(tab, server.url)
    page.goto(ident)
    return page


def positions(page: EditorPage) -> dict[str, dict[str, float]]:
    value: dict[str, dict[str, float]] = page.js(
        "Object.fromEntries(window.cy.nodes().map((n) => [n.id(), n.position()]))"
    )
    return value


class TestRules:
    def test_a_cycle_is_refused_with_a_message(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("cycle", 4))  # n1 → n2 → n3 → impact
        page = EditorPage.open(context, server.url, "cycle")
        before = page.doc()
        page.select("n3")
        page.focus_canvas()
        page.keys("k")
        page.click_node("n1")
        toast = page.page.locator(".toast").filter(has_text="cycle")
        toast.wait_for()
        assert "already leads to" in toast.inner_text()
        assert page.doc() == before
        # The inspector never offers a link that would close a cycle.
        page.select("n3")
        offered = page.page.locator(
            'select[aria-label="Pick an existing node as an effect"] option'
        ).all_inner_texts()
        assert not any("Step 1" in text or "Step 2" in text for text in offered)
        page.assert_clean()

    def test_the_last_impact_cannot_be_deleted(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("last-impact", 3))
        page = EditorPage.open(context, server.url, "last-impact")
        page.select("impact")
        page.focus_canvas()
        page.keys("Delete")
        page.page.locator(".toast").filter(has_text="last impact").wait_for()
        assert "impact" in page.nodes()
        page.keys("e")  # nor turned into something else
        page.page.locator(".toast").filter(has_text="last impact").nth(1).wait_for()
        assert page.nodes()["impact"]["kind"] == "impact"
        page.select("n1")
        page.focus_canvas()
        page.keys("Delete")
        assert "n1" not in page.nodes()
        assert page.nodes()["n2"].get("causes") is None  # its link went with it
        page.assert_clean()

    def test_an_impact_has_no_then(self, context: BrowserContext, server: Server, api: Api) -> None:
        api.create(chain("no-then", 2))
        page = EditorPage.open(context, server.url, "no-then")
        page.select("impact")
        page.focus_canvas()
        page.keys("t")
        page.page.locator(".toast").filter(has_text="impact causes nothing").wait_for()
        assert page.js("document.activeElement.id") != "statement"
        page.assert_clean()


class TestLinking:
    def test_the_linking_banner_stays_and_linking_ends_with_its_node(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Every change of the save state (an autosave finishing, a revision saved
        elsewhere) took the "Linking …" banner away while linking went on: the next
        click on a node linked it instead of selecting it. And linking from a node
        deleted elsewhere went on, invisibly, from a node that was gone."""
        api.create(chain("linking", 4))
        page = EditorPage.open(context, server.url, "linking")
        page.wait("window.causemap.state().live === 'live'")
        banner = page.page.locator("#banner")
        page.select("n1")
        page.focus_canvas()
        page.keys("Enter")
        page.statement("Step one, reworded just before linking")
        page.keys("Escape")
        page.select("n1")
        page.focus_canvas()
        page.keys("k")
        assert "Linking" in banner.inner_text()
        revision = page.wait_saved(after=1)  # the rewording was saved meanwhile
        assert banner.is_visible()
        assert "Linking" in banner.inner_text()
        doc, _ = api.get("linking")
        doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "n1"]
        doc["nodes"][0].pop("causes")  # n2 was caused by n1
        revision = api.put("linking", doc, revision)
        page.wait("(r) => window.causemap.state().revision === r", revision)
        assert page.js("window.causemap.editor().connecting") is None
        assert banner.is_hidden()
        page.assert_clean()


class TestUndo:
    def test_undo_and_redo_by_key_and_button(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("undo", 3))
        page = EditorPage.open(context, server.url, "undo")
        original = page.doc()
        page.ask_why("n2", "A cause added to be undone")
        with_cause = page.doc()
        assert len(with_cause["nodes"]) == 4
        page.focus_canvas()
        page.keys("Control+z")
        assert page.doc() == original
        page.keys("Control+y")
        assert page.doc() == with_cause
        page.select("n1")
        page.focus_canvas()
        page.keys("Delete")  # deleting takes its links along ...
        assert "n1" not in page.nodes()
        page.page.locator('[data-tool="undo"]').click()  # ... and undo brings them back
        assert page.doc() == with_cause
        page.page.locator('[data-tool="undo"]').click()
        assert page.doc() == original
        page.page.locator('[data-tool="redo"]').click()
        assert page.doc() == with_cause
        page.wait_saved(after=1)
        assert api.get("undo")[0] == with_cause
        page.assert_clean()

    def test_an_edit_that_changes_nothing_is_no_undo_step(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Enter, Enter (renaming to the same words) or e on an event made an undo step
        that changed nothing, so the next Ctrl+Z seemed to do nothing at all."""
        api.create(chain("no-op", 3))
        page = EditorPage.open(context, server.url, "no-op")
        page.ask_why("n1", "A cause to undo")
        page.keys("Escape")
        page.select("n2")
        page.focus_canvas()
        page.keys("Enter", "Enter")  # rename, to the same words
        page.keys("e")  # an event already
        page.page.locator("#panel-selection [data-key=label]").fill("Step 2 happened")
        page.focus_canvas()
        page.keys("Control+z")
        assert len(page.doc()["nodes"]) == 3  # the cause is gone at the first undo
        assert not page.state()["canUndo"]
        page.assert_clean()

    def test_undo_and_redo_from_the_statement_bar(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Ctrl+Z did nothing while focus was in the statement bar, where "why?" leaves it:
        a cause added by mistake could not be taken back without leaving the bar. While
        the bar holds what it held when it opened, Ctrl+Z and Ctrl+Y act on the graph;
        once something is typed in it, they are the field's own undo and redo."""
        api.create(chain("undo-bar", 3))
        page = EditorPage.open(context, server.url, "undo-bar")
        original = page.doc()
        page.ask_why("n2", "A cause added by mistake")
        with_cause = page.doc()
        bar = page.page.locator("#statement")
        assert page.js("document.activeElement.id") == "statement"
        page.keys("Control+z")
        assert page.doc() == original
        page.wait(HEARD, "Undid: Add a cause")
        page.keys("Control+y")
        assert page.doc() == with_cause
        page.keys("Control+z", "Control+Shift+z")
        assert page.doc() == with_cause
        bar.press_sequentially("Typed")
        page.keys("Control+z")  # the field's own undo: the graph is left alone
        assert page.doc() == with_cause
        assert bar.input_value() != "Typed"
        page.keys("Escape")
        page.select("n1")  # renaming: the bar opens with the statement, as it was
        page.focus_canvas()
        page.keys("Enter")
        assert bar.input_value() == "Step 1 happened"
        page.keys("Control+z")
        assert page.doc() == original
        assert page.js("document.activeElement.id") == "statement"
        page.assert_clean()

    def test_undo_of_a_delete_selects_what_it_brings_back(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Undo put a deleted node back but left the selection on its neighbour: the
        facilitator had to find it again, and a screen reader heard nothing of where."""
        api.create(chain("undo-select", 4))
        page = EditorPage.open(context, server.url, "undo-select")
        page.select("n1")
        page.focus_canvas()
        page.keys("Shift+ArrowRight", "Delete")
        assert "n1" not in page.nodes()
        assert page.js("window.causemap.selection().nodes") == []
        page.keys("Control+z")
        assert page.js("window.causemap.selection().nodes") == ["n1", "n2"]
        page.wait(HEARD, "Undid: Delete nodes")
        page.wait(HEARD, "2 nodes selected")
        page.select("n2")
        page.focus_canvas()
        page.keys("Delete", "Control+z", "Control+y")  # redo deletes it again ...
        assert "n2" not in page.nodes()
        page.page.locator('[data-tool="undo"]').click()  # ... and the button brings it back
        assert page.js("window.causemap.selection().nodes") == ["n2"]
        page.wait(HEARD, "Selected “Step 2 happened”")
        page.assert_clean()


class TestStatementBar:
    """Escape in the statement bar emptied it: a facilitator who had typed a long
    statement and pressed Escape to look at the canvas lost it."""

    @staticmethod
    def begin(
        context: BrowserContext, server: Server, api: Api, ident: str, key: str
    ) -> tuple[EditorPage, Locator]:
        """A three-step chain opened with its second step selected and ``key`` pressed on
        the canvas ("w" asks why, Enter renames); the page and its statement bar."""
        api.create(chain(ident, 3))
        page = EditorPage.open(context, server.url, ident)
        page.select("n2")
        page.focus_canvas()
        page.keys(key)
        return page, page.page.locator("#statement")

    def test_escape_keeps_what_was_typed_and_the_question_it_answers(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        page, bar = self.begin(context, server, api, "bar-draft", "w")
        draft = GROWN  # a long statement, typed while the room talks
        bar.fill(draft)
        page.keys("Escape")
        assert page.js("document.activeElement.id") == "cy"
        assert bar.input_value() == draft
        assert "Why?" in page.text("#entry-label")  # still the cause asked for
        assert page.state()["canUndo"] is False  # nothing was added meanwhile

        # Renaming another node in between gives the draft back afterwards.
        page.select("n1")
        page.focus_canvas()
        page.keys("Enter")
        assert bar.input_value() == "Step 1 happened"
        bar.fill("Step 1 happened, renamed")
        bar.press("Enter")
        assert page.nodes()["n1"]["label"] == "Step 1 happened, renamed"
        assert bar.input_value() == draft

        page.select("n2")
        bar.focus()
        bar.press("Enter")
        added = next(n for n in page.doc()["nodes"] if n["label"] == draft)
        assert added["id"] in page.nodes()["n2"]["causes"]
        assert bar.input_value() == ""
        page.assert_clean()

    def test_escape_while_renaming_cancels_the_rename(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        page, bar = self.begin(context, server, api, "bar-rename", "Enter")
        original = page.doc()  # renaming has changed nothing yet
        bar.fill("Step 2, half reworded")
        page.keys("Escape")
        assert page.js("document.activeElement.id") == "cy"
        assert page.doc() == original
        assert page.state()["canUndo"] is False
        assert bar.input_value() == ""
        assert "New statement" in page.text("#entry-label")

        # With a statement drafted before the rename, Escape gives it back instead.
        bar.fill("A statement for later")
        page.keys("Escape")
        page.focus_canvas()
        page.keys("Enter")
        assert bar.input_value() == "Step 2 happened"
        page.keys("Escape")
        assert page.doc() == original
        assert bar.input_value() == "A statement for later"
        page.assert_clean()

    def test_a_reload_gives_back_the_statement_being_drafted(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A reload (or a crash of the page) lost what was typed in the statement bar,
        though the incident's unsaved edits survive it."""
        page, bar = self.begin(context, server, api, "bar-reload", "w")
        bar.press_sequentially("The canary stage was removed")
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert bar.input_value() == "The canary stage was removed"
        assert plain(page.text("#entry-label")) == "Why? A cause of “Step 2 happened”"

        bar.focus()
        bar.press("Enter")
        added = next(n for n in page.doc()["nodes"] if n["label"] == "The canary stage was removed")
        assert added["id"] in page.nodes()["n2"]["causes"]
        assert bar.input_value() == ""
        page.wait_saved()
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert bar.input_value() == ""
        assert page.text("#entry-label") == "New statement"
        page.assert_clean()

    def test_a_reload_keeps_no_rename_and_no_question_about_a_deleted_node(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        page, bar = self.begin(context, server, api, "bar-reload-gone", "w")
        bar.fill(GROWN)
        # A rename under way is not kept: the draft is what was typed before it.
        page.select("n1")
        page.focus_canvas()
        page.keys("Enter")
        bar.fill("Step 1, half reworded")
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert bar.input_value() == GROWN
        assert "Why?" in page.text("#entry-label")

        # The node the question was about is gone: the statement stays, as a new one.
        api.put("bar-reload-gone", incident("bar-reload-gone"), api.get("bar-reload-gone")[1])
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert bar.input_value() == GROWN
        assert page.text("#entry-label") == "New statement"
        bar.fill("")
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert bar.input_value() == ""
        page.assert_clean()

    def test_a_reload_gives_back_the_kind_picked_for_the_statement(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The text came back after a reload, but as an event: the kind picked for it in
        the bar was not kept with it."""
        page, bar = self.begin(context, server, api, "bar-reload-kind", "w")
        bar.fill("Canary checks were skipped for config pushes")
        page.page.locator('label[for="new-kind-condition"]').click()
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert bar.input_value() == "Canary checks were skipped for config pushes"
        assert checked_kind(page) == "condition"
        bar.focus()
        bar.press("Enter")
        added = next(n for n in page.doc()["nodes"] if n["label"].startswith("Canary checks"))
        assert added["kind"] == "condition"
        assert added["id"] in page.nodes()["n2"]["causes"]
        page.assert_clean()

    def test_a_reload_keeps_the_kind_picked_in_an_empty_bar(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The kind picked came back with a draft, but not without one: "condition" picked
        in an empty bar was "event" again after a reload."""
        ident = "bar-reload-empty-kind"
        api.create(chain(ident, 3))
        page = EditorPage.open(context, server.url, ident)
        bar = page.page.locator("#statement")
        page.page.locator('label[for="new-kind-condition"]').click()
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert bar.input_value() == ""
        assert page.text("#entry-label") == "New statement"
        assert checked_kind(page) == "condition"
        page.statement("Config pushes skipped the canary stage")
        added = next(n for n in page.doc()["nodes"] if n["label"].startswith("Config pushes"))
        assert added["kind"] == "condition"

        # Emptied by Enter, the bar keeps the kind for the next statement too; the first
        # kind again is the bar as a new page has it.
        page.page.locator('label[for="new-kind-factor"]').click()
        page.wait_saved()
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert (bar.input_value(), checked_kind(page)) == ("", "factor")
        page.page.locator('label[for="new-kind-event"]').click()
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert checked_kind(page) == "event"
        stored = page.js("Object.keys(sessionStorage)")
        assert not [key for key in stored if key.startswith(STATEMENT)], stored
        page.assert_clean()

    def test_a_duplicated_tab_leaves_the_draft_to_the_tab_it_came_from(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A duplicated tab starts with a copy of the tab's sessionStorage: it showed the
        same half-typed statement, and Enter in both tabs added it twice. A copy whose tab
        is gone (it crashed, so never marked the draft as left) is still given back."""
        ident = "bar-duplicate"
        page, bar = self.begin(context, server, api, ident, "w")
        bar.fill("The config push skipped the canary")
        page.page.locator('label[for="new-kind-factor"]').click()
        copied = page.js("Object.entries(sessionStorage)")

        twin = duplicate(context, server, ident, copied)
        assert twin.page.locator("#statement").input_value() == ""
        assert twin.text("#entry-label") == "New statement"
        assert checked_kind(twin) == "event"
        assert bar.input_value() == "The config push skipped the canary"
        assert "Why?" in page.text("#entry-label")
        twin.assert_clean()

        # The tab it came from, reloaded, has its draft all the same.
        page.page.reload()
        page.wait("window.causemap && window.causemap.ready")
        assert bar.input_value() == "The config push skipped the canary"
        assert checked_kind(page) == "factor"
        page.assert_clean()

        # Once that tab is gone without a word (as in a crash), its draft is given back.
        page.page.close()
        owner = next(json.loads(v)["owner"] for k, v in copied if k.startswith(STATEMENT))
        twin.wait(
            "async (owner) => !(await navigator.locks.query()).held"
            ".some((l) => l.name === `causemap:tab:${owner}`)",
            owner,
        )
        heir = duplicate(context, server, ident, copied)
        assert heir.page.locator("#statement").input_value() == "The config push skipped the canary"
        assert plain(heir.text("#entry-label")) == "Why? A cause of “Step 2 happened”"
        assert checked_kind(heir) == "factor"
        heir.assert_clean()


class TestLayout:
    def test_adding_a_node_never_moves_the_others(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("stable", 6))
        page = EditorPage.open(context, server.url, "stable")
        before = positions(page)
        page.ask_why("n3", "A new cause of step 3")
        page.statement("And a cause of that")
        page.keys("Escape", "t")
        page.statement("An effect, to the right")
        after = positions(page)
        assert {k: after[k] for k in before} == before
        new = [k for k in after if k not in before]
        assert len(new) == 3
        cause = next(n["id"] for n in page.doc()["nodes"] if n["label"] == "A new cause of step 3")
        effect = next(
            n["id"] for n in page.doc()["nodes"] if n["label"] == "An effect, to the right"
        )
        assert after[cause]["x"] < after["n3"]["x"]  # causes to the left of their effect
        assert after[effect]["x"] > min(after[k]["x"] for k in new if k != effect)
        boxes = page.js(
            "window.cy.nodes().map((n) => {"
            " const b = n.boundingBox(); return [n.id(), b.x1, b.y1, b.x2, b.y2]; })"
        )
        for i, a in enumerate(boxes):  # and nothing overlaps
            for b in boxes[i + 1 :]:
                overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
                assert not overlap, (a, b)
        # The places are kept: a reload shows the same picture; only "tidy" rearranges.
        page.page.reload()
        page.wait("window.causemap.ready")
        assert positions(page) == after
        page.page.locator('[data-tool="tidy"]').click()
        page.wait("!window.cy.nodes().some((n) => n.animated())")
        assert positions(page) != after
        page.assert_clean()

    def test_a_statement_that_grows_covers_no_neighbour_and_moves_nothing(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A short statement written out in full (and given a ⚠ by the analysis) grew
        over the node below it: the room read text drawn over text. Nodes keep their size
        and place; the statement is cut to fit, and shown whole on hover, while selected
        from the keyboard, in the outline (its accessible name) and in the panel."""
        nodes: list[dict[str, object]] = [
            {"id": f"c{i}", "kind": "event", "label": f"Cause {i}"} for i in range(4)
        ]
        nodes.append({"id": "impact", "kind": "impact", "label": "Customers saw errors",
                      "causes": [f"c{i}" for i in range(4)]})  # fmt: skip
        api.create(incident("grow", nodes, title="Statements that grow"))
        page = EditorPage.open(context, server.url, "grow")
        page.wait_analysed()
        before = positions(page)
        page.select("c1")
        page.page.locator("#panel-selection [data-key=label]").fill(GROWN)
        analysis = page.wait_analysed()
        assert any("c1" in f["nodes"] for f in analysis["findings"])  # a ⚠ line more
        assert page.canvas_node("c1")["data"]["label"].startswith("⚠")
        assert positions(page) == before  # nothing moved ...
        boxes = page.js(
            "window.cy.nodes().map((n) => {"
            " const b = n.boundingBox({includeLabels: true});"
            " return [n.id(), b.x1, b.y1, b.x2, b.y2]; })"
        )
        for i, a in enumerate(boxes):  # ... and no node, nor its text, covers another
            for b in boxes[i + 1 :]:
                overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
                assert not overlap, (a, b)
        assert page.canvas_node("c1")["data"]["label"].endswith("…")
        full = "(id) => document.querySelector(`.outline-node[data-node=${id}]`).textContent"
        assert GROWN in page.js(full, "c1")
        tip = "(t) => { const e = document.getElementById('node-tip');"
        tip += " return !e.hidden && e.textContent === t; }"
        page.focus_canvas()  # selected from the keyboard: the tip says it whole
        page.wait(tip, GROWN)
        page.keys("ArrowDown")
        page.wait("document.getElementById('node-tip').hidden")  # a statement that fits
        page.page.mouse.move(*page.node_point("c1"), steps=4)  # and on hover
        page.wait(tip, GROWN)
        page.page.mouse.move(1, 1)
        page.wait("document.getElementById('node-tip').hidden")
        page.assert_clean()

    def test_a_node_is_moved_from_the_keyboard(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Dragging was the only way to put a node elsewhere."""
        api.create(chain("nudge", 4))
        page = EditorPage.open(context, server.url, "nudge")
        before = positions(page)
        page.select("n2")
        page.focus_canvas()
        page.keys("Control+ArrowDown", "Control+ArrowDown", "Control+Shift+ArrowLeft")
        after = positions(page)
        assert after["n2"]["x"] < before["n2"]["x"]
        assert after["n2"]["y"] > before["n2"]["y"]
        assert {k: v for k, v in after.items() if k != "n2"} == {
            k: v for k, v in before.items() if k != "n2"
        }
        assert page.js("window.causemap.selection().nodes") == ["n2"]  # still selected
        page.wait(
            "(t) => document.getElementById('announce').textContent.includes(t)", "Moved left."
        )
        page.wait(  # kept in this browser
            # The places are written a moment after the move: until then there is none.
            "(p) => JSON.stringify(JSON.parse(localStorage.getItem('causemap:layout:nudge'))"
            "?.n2) === JSON.stringify(p)",
            after["n2"],
        )
        page.page.reload()
        page.wait("window.causemap.ready")
        assert positions(page) == after
        page.assert_clean()

    def test_a_long_unbroken_token_wraps_inside_its_node(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        doc = chain("long-token", 3)
        doc["nodes"][0]["label"] = f"Latency spike seen at {URL}"
        api.create(doc)
        page = EditorPage.open(context, server.url, "long-token")
        page.wait_analysed()
        widths = page.js(
            """(id) => { const n = window.cy.getElementById(id);
              return [n.boundingBox({includeLabels: true}).w,
                      n.boundingBox({includeLabels: false}).w]; }""",
            "n1",
        )
        with_label, node = widths
        assert with_label <= node + 1, widths
        page.assert_clean()


# The order, left to right, in which the browser lays out the characters of `text` in a
# line of direction `dir` (what the canvas draws is laid out as a left-to-right line).
VISUAL_ORDER = """([text, dir]) => {
  const span = document.createElement('span');
  span.dir = dir;
  span.style.whiteSpace = 'pre';
  span.textContent = text;
  document.body.append(span);
  const shown = [];
  for (let i = 0; i < text.length; i++) {
    const range = document.createRange();
    range.setStart(span.firstChild, i);
    range.setEnd(span.firstChild, i + 1);
    const box = range.getBoundingClientRect();
    if (box.width > 0) shown.push([box.left, text[i]]);
  }
  span.remove();
  return shown.sort((a, b) => a[0] - b[0]).map(([, ch]) => ch).join('');
}"""
HEBREW = "השרת הפסיק להגיב אחרי הפריסה, ולקוחות ראו שגיאות 503 במשך שעה ארוכה מאוד!"
ARABIC = "توقف الخادم عن الاستجابة بعد النشر."


class TestRightToLeft:
    def test_a_right_to_left_statement_reads_right_to_left(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The canvas draws each line left to right: a Hebrew or Arabic statement had its
        closing punctuation on the wrong side and its numbers out of place, and so did
        the statement bar and the panel's fields."""
        doc = chain("rtl", 3)
        doc["nodes"][0]["label"] = ARABIC
        doc["nodes"][1]["label"] = HEBREW
        api.create(doc)
        page = EditorPage.open(context, server.url, "rtl")
        page.wait_analysed()
        for ident, label in [("n1", ARABIC), ("n2", HEBREW)]:
            drawn = page.canvas_node(ident)["data"]["label"].split("\n")
            lines = [line for line in drawn if any(ch in label for ch in line if ch.isalpha())]
            assert "".join(lines).replace("\u200f", "").replace("\u200b", "").replace(
                " ", ""
            ) == label.replace(" ", "")
            for line in lines:
                plain = line.replace("\u200f", "")
                assert page.js(VISUAL_ORDER, [line, "ltr"]) == page.js(VISUAL_ORDER, [plain, "rtl"])
        # Left-to-right statements are drawn as they were.
        assert page.canvas_node("impact")["data"]["label"].endswith("\nCustomers saw errors")
        page.select("n2")
        assert page.js(
            "document.querySelector('#panel-selection [data-key=label]').matches(':dir(rtl)')"
        )
        page.focus_canvas()
        page.keys("Enter")  # rename: the statement bar shows it
        assert page.js("document.getElementById('statement').matches(':dir(rtl)')")
        page.keys("Escape")
        page.assert_clean()


IN_VIEW = """(id) => { const b = window.cy.getElementById(id).renderedBoundingBox();
  return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= window.cy.width() && b.y2 <= window.cy.height(); }"""


class TestZoom:
    def test_zooming_from_the_keyboard_keeps_the_selected_node_in_view(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """+ zoomed in on the middle of the view, so the node a keyboard user had
        selected (at an edge of a fitted graph) slid off the screen."""
        api.create(chain("zoom-keys", 8))
        page = EditorPage.open(context, server.url, "zoom-keys")
        page.select("n1")  # the first cause: at the left edge
        page.focus_canvas()
        assert page.js(IN_VIEW, "n1")
        start = page.js("window.cy.zoom()")
        page.keys("+", "+", "+")
        assert page.js("window.cy.zoom()") > 1.9 * start
        assert page.js(IN_VIEW, "n1")
        page.page.locator('[data-tool="zoom-in"]').click()  # the button does the same
        assert page.js(IN_VIEW, "n1")
        page.keys("-")
        assert page.js(IN_VIEW, "n1")
        page.assert_clean()


class TestReadOnly:
    def test_a_read_token_gives_a_page_without_editing_controls(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        doc = chain("read-only", 3)
        doc["actions"] = [
            {"id": "a1", "title": "Add a canary stage", "addresses": ["n1"], "owner": "deploy"}
        ]
        api.create(doc)
        page = EditorPage.open(context, server.url, "read-only", token=READ)
        ui = page.page
        assert page.state()["readOnly"] is True
        assert ui.locator(".readonly-badge").inner_text() == "Read-only"
        for gone in [
            "#statement",
            "form.entry",
            '[data-tool="why"]',
            '[data-tool="delete"]',
            '[data-tool="undo"]',
        ]:
            assert ui.locator(gone).count() == 0, gone
        page.select("n1")
        panel = ui.locator("#panel-selection")
        assert panel.locator("input, textarea, select").count() == 0
        assert panel.get_by_role("button", name="Delete node").count() == 0
        assert "Step 1 happened" in panel.inner_text()
        ui.get_by_role("tab", name="Actions").click()
        actions = ui.locator("#panel-actions")
        assert actions.locator("input, textarea, select").count() == 0
        assert actions.get_by_role("button", name="Add action").count() == 0
        ui.get_by_role("tab", name="Incident").click()
        assert ui.locator("#panel-incident").locator("input, textarea, select").count() == 0
        assert ui.locator("#outline").get_by_role("button", name="Remove").count() == 0
        page.focus_canvas()
        page.keys("w", "Delete", "c", "a", "Control+z")
        assert page.doc() == doc
        assert page.state()["status"] == "readonly"
        assert api.get("read-only")[1] == 1
        # The list is read-only too.
        page.goto(None, token=READ)
        assert ui.get_by_role("button", name="New incident").count() == 0
        page.assert_clean()
