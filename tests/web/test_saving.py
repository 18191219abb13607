"""Saving: conflicts are caught and merged or reloaded, never overwritten; drafts survive."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Download, Locator, Route

from causemap.loader import check_file
from tests.servers import Server
from tests.web.pages import Api, EditorPage, chain, incident


def conflict(
    page: EditorPage, api: Api, ident: str, mine: str, theirs: dict[str, str]
) -> dict[str, object]:
    """Edit in the page and, before it autosaves, save another change through the API."""
    page.rename("n1", mine)
    assert page.state()["dirty"]
    doc, revision = api.get(ident)
    for node in doc["nodes"]:
        if node["id"] in theirs:
            node["label"] = theirs[node["id"]]
    doc["title"] = "Renamed by someone else"
    api.put(ident, doc, revision)
    page.wait("window.causemap.state().status === 'conflict'")
    page.page.locator("dialog[open]").get_by_role(
        "heading", name="Someone else saved meanwhile"
    ).wait_for()
    return doc


class TestConflict:
    def test_a_save_over_a_newer_revision_is_caught_and_merged(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("conflict-merge"))
        page = EditorPage.open(context, server.url, "conflict-merge")
        conflict(
            page, api, "conflict-merge", "Step one, as I put it", {"n2": "Step two, as they put it"}
        )
        dialog = page.page.locator("dialog[open]")
        assert "incident title" in dialog.inner_text()  # what they changed
        assert "Step one, as I put it" in dialog.inner_text()  # what I changed
        assert "No conflicts" in dialog.inner_text()
        dialog.get_by_role("button", name="Merge: my changes on top of theirs").click()
        revision = page.wait_saved(after=2)
        assert revision == 3
        saved, _ = api.get("conflict-merge")
        labels = {n["id"]: n["label"] for n in saved["nodes"]}
        assert labels["n1"] == "Step one, as I put it"
        assert labels["n2"] == "Step two, as they put it"
        assert saved["title"] == "Renamed by someone else"
        assert page.doc() == saved
        page.assert_clean("status of 412")

    def test_a_list_in_conflict_is_shown_item_by_item_not_as_json(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Both sides changed the incident's tags: the choices read 'Keep mine:
        ["db","mine"]', the document's JSON, where the history says “db”, “mine”."""
        api.create(chain("conflict-tags", 3, tags=["db"]))
        page = EditorPage.open(context, server.url, "conflict-tags")
        ui = page.page
        ui.get_by_role("tab", name="Incident").click()
        ui.locator("#panel-incident [data-key=tags]").fill("db, mine")
        page.wait("window.causemap.doc().tags.includes('mine')")
        doc, revision = api.get("conflict-tags")
        doc["tags"] = ["db", "theirs"]
        api.put("conflict-tags", doc, revision)
        page.wait("window.causemap.state().status === 'conflict'")
        ui.get_by_role("button", name="Resolve…").click()  # it waits while in a field
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Someone else saved meanwhile").wait_for()
        mine = dialog.locator(".choice", has_text="Keep mine:").inner_text()
        theirs = dialog.locator(".choice", has_text="Take theirs:").inner_text()
        for text in (mine, theirs):
            assert "[" not in text
            assert '"' not in text
        assert "“db”, “mine”" in mine.replace("\u2068", "").replace("\u2069", "")
        assert "“db”, “theirs”" in theirs.replace("\u2068", "").replace("\u2069", "")
        page.assert_clean("status of 412")

    def test_a_link_in_conflict_is_named_by_its_statements(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Both sides explained the same link differently: the dialog named it "link n1 →
        n2", by ids the user never sees, where the rest of it names nodes by statement."""
        api.create(chain("conflict-link", 3))
        page = EditorPage.open(context, server.url, "conflict-link")
        ui = page.page
        page.js("window.causemap.editor().selectLink('n1', 'n2')")
        ui.locator("#panel-selection [data-key=link-label]").fill("Mine: it ran out of memory")
        page.wait("window.causemap.doc().edges && window.causemap.doc().edges.length === 1")
        doc, revision = api.get("conflict-link")
        n2 = next(n for n in doc["nodes"] if n["id"] == "n2")
        n2["causes"] = []
        doc["edges"] = [{"from": "n1", "to": "n2", "label": "Theirs: the disk filled up"}]
        api.put("conflict-link", doc, revision)
        page.wait("window.causemap.state().status === 'conflict'")
        ui.get_by_role("button", name="Resolve…").click()  # it waits while in a field
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Someone else saved meanwhile").wait_for()
        item = dialog.locator(".conflict-list li").inner_text()
        item = item.replace("\u2068", "").replace("\u2069", "")
        assert "n1" not in item
        assert "“Step 1 happened” → “Step 2 happened”" in item
        page.assert_clean("status of 412")

    def test_the_same_field_changed_on_both_sides_is_a_conflict_to_resolve(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("conflict-field"))
        page = EditorPage.open(context, server.url, "conflict-field")
        conflict(page, api, "conflict-field", "Mine", {"n1": "Theirs"})
        dialog = page.page.locator("dialog[open]")
        assert "1 conflict" in dialog.inner_text()
        dialog.get_by_label("Take theirs:").check()
        dialog.get_by_role("button", name="Merge: my changes on top of theirs").click()
        assert page.wait_saved(after=1) == 2  # theirs won the only change: nothing to save
        saved, _ = api.get("conflict-field")
        assert next(n for n in saved["nodes"] if n["id"] == "n1")["label"] == "Theirs"
        page.assert_clean("status of 412")

    def test_reload_takes_theirs_and_drops_mine(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("conflict-reload"))
        page = EditorPage.open(context, server.url, "conflict-reload")
        theirs = conflict(page, api, "conflict-reload", "Mine", {"n1": "Theirs"})
        page.page.locator("dialog[open]").get_by_role(
            "button", name="Discard my changes and load theirs"
        ).click()
        page.wait(
            "window.causemap.state().status === 'saved' && window.causemap.state().revision === 2"
        )
        assert page.doc() == theirs
        assert api.get("conflict-reload")[1] == 2  # nothing was written over theirs
        drafts = "Object.keys(localStorage).filter((k) => k.startsWith('causemap:draft:'))"
        assert page.js(drafts) == []
        page.assert_clean("status of 412")

    def test_undo_after_a_merge_undoes_only_my_own_edit(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("undo-merge"))
        page = EditorPage.open(context, server.url, "undo-merge")
        page.rename("n1", "Step one, as I put it")
        doc, revision = api.get("undo-merge")
        doc["nodes"][1]["label"] = "Step two, as they put it"
        doc["nodes"][1]["causes"] = ["n1", "x"]
        doc["nodes"].insert(0, {"id": "x", "kind": "condition", "label": "Their new condition"})
        api.put("undo-merge", doc, revision)
        dialog = page.page.locator("dialog[open]")
        dialog.get_by_role("button", name="Merge: my changes on top of theirs").click()
        assert page.wait_saved(after=2) == 3
        assert page.state()["canUndo"]
        page.focus_canvas()
        page.keys("Control+z")
        assert page.wait_saved(after=3) == 4
        saved, _ = api.get("undo-merge")
        assert saved == doc  # my rename is undone; their changes are all still there
        page.keys("Control+y")
        assert page.wait_saved(after=4) == 5
        saved, _ = api.get("undo-merge")
        assert {n["id"]: n["label"] for n in saved["nodes"]} == {
            "x": "Their new condition",
            "n1": "Step one, as I put it",
            "n2": "Step two, as they put it",
            "n3": "Step 3 happened",
            "impact": "Customers saw errors",
        }
        page.assert_clean("status of 412")

    def test_the_dialog_waits_while_i_type_and_a_key_press_decides_nothing(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("typing"))
        page = EditorPage.open(context, server.url, "typing")
        ui = page.page
        page.ask_why("n1", "First cause, typed")  # why? keeps the statement bar focused
        doc, revision = api.get("typing")
        doc["title"] = "Changed meanwhile"
        api.put("typing", doc, revision)
        ui.keyboard.type("Second cause, typed while they saved", delay=30)
        page.wait("window.causemap.state().status === 'conflict'")
        ui.keyboard.type(" and more", delay=30)
        assert ui.locator("dialog[open]").count() == 0
        assert page.js("document.activeElement.id") == "statement"
        assert ui.locator("#statement").input_value() == (
            "Second cause, typed while they saved and more"
        )
        assert "merge or reload" in page.text("#banner")
        ui.keyboard.press("Enter")
        labels = [n["label"] for n in page.doc()["nodes"]]
        assert "Second cause, typed while they saved and more" in labels
        # Leaving the field opens the dialog, with focus where a key decides nothing.
        page.keys("Escape")
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Someone else saved meanwhile").wait_for()
        page.keys("Space", "Enter", "m")
        assert dialog.count() == 1
        assert page.state()["status"] == "conflict"
        dialog.get_by_role("button", name="Merge: my changes on top of theirs").click()
        page.wait_saved(after=2)
        saved, _ = api.get("typing")
        assert saved["title"] == "Changed meanwhile"
        assert "Second cause, typed while they saved and more" in [
            n["label"] for n in saved["nodes"]
        ]
        page.assert_clean("status of 412")

    @pytest.mark.parametrize("live", [True, False], ids=["live", "not-live"])
    def test_a_newer_revision_holding_exactly_my_changes_is_no_conflict(
        self, context: BrowserContext, server: Server, api: Api, live: bool
    ) -> None:
        # A reload right after an edit: the save sent as the page closed lands after the
        # new page loaded, so the restored draft meets a revision that already holds it.
        ident = f"same-{'live' if live else 'polled'}"
        api.create(chain(ident))
        page = EditorPage(context.new_page(), server.url)
        if not live:
            page.page.route("**/events*", lambda r: r.abort())
        page.goto(ident)

        page.refuse_saves(ident)
        page.rename("n1", "Sent as the page closed")
        page.wait("window.causemap.state().status === 'offline'")
        api.put(ident, page.doc(), 1)
        page.allow_saves(ident)
        page.focus_canvas()
        page.keys("Control+s")
        assert page.wait_saved(after=1) == 2
        assert page.page.locator("dialog[open]").count() == 0
        assert api.get(ident)[1] == 2
        page.assert_clean("net::ERR_FAILED", "status of 412")


class TestFieldsFollowRevisions:
    def test_a_field_i_typed_in_shows_a_change_saved_elsewhere_and_keeps_it(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """I typed in a node's statement and paused (saved), still in the field; someone
        else changes that statement. The field shows their text, and my next keystroke
        goes on top of it: it used to go on top of my old text and overwrite theirs."""
        api.create(chain("field-follows"))
        page = EditorPage.open(context, server.url, "field-follows")
        page.wait("window.causemap.state().live === 'live'")
        page.select("n1")
        box = page.page.locator('#panel-selection textarea[data-key="label"]')
        box.click()
        box.press("End")
        box.type(" quickly")
        assert page.wait_saved(after=1) == 2
        doc, revision = api.get("field-follows")
        doc["nodes"][0]["label"] = "Step 1 happened quickly, said Bea"
        revision = api.put("field-follows", doc, revision)
        page.wait("(r) => window.causemap.state().revision === r", revision)
        page.wait(
            "() => document.querySelector('#panel-selection textarea[data-key=label]').value"
            " === 'Step 1 happened quickly, said Bea'"
        )
        box.press("End")
        box.type("!")
        page.wait_saved(after=revision)
        assert api.get("field-follows")[0]["nodes"][0]["label"] == (
            "Step 1 happened quickly, said Bea!"
        )
        page.assert_clean()

    def test_text_not_yet_accepted_is_kept_while_the_document_changes_elsewhere(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Text not accepted yet (a factor key in capitals) stays in its field when a
        revision from elsewhere changes something else."""
        api.create(chain("field-half"))
        page = EditorPage.open(context, server.url, "field-half")
        page.wait("window.causemap.state().live === 'live'")
        page.select("n1")
        box = page.page.locator('#panel-selection input[data-key="factor"]')
        box.click()
        box.type("Config")
        page.page.locator("#panel-selection .field-error").filter(has_text="Lower-case").wait_for()
        doc, revision = api.get("field-half")
        doc["title"] = "Renamed by someone else"
        revision = api.put("field-half", doc, revision)
        page.wait("(r) => window.causemap.state().revision === r", revision)
        assert box.input_value() == "Config"
        # Nor is what I type re-formatted under my cursor as it is accepted.
        evidence = page.page.locator('#panel-selection textarea[data-key="evidence"]')
        evidence.click()
        evidence.type("Dashboard\n\nLogs")
        assert evidence.input_value() == "Dashboard\n\nLogs"
        assert page.nodes()["n1"]["evidence"] == ["Dashboard", "Logs"]
        page.assert_clean()


class TestLostAnswers:
    def test_my_save_whose_answer_was_lost_is_no_conflict_with_myself(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A save reached the server but its answer was lost (the network dropped, and
        the live stream with it); I went on drawing. The retry met my own revision and
        called it "someone else saved meanwhile", listing my edits as theirs."""
        api.create(chain("lost-answer", 3))
        page = EditorPage.open(context, server.url, "lost-answer")
        page.wait("window.causemap.state().live === 'live'")
        page.js("window.causemap.editor().live.stop()")  # the stream went down too
        answered: list[int] = []

        def lose_the_answer(route: Route) -> None:
            if route.request.method == "PUT" and not answered:
                answered.append(route.fetch().status)  # it reached the server ...
                route.abort()  # ... and the answer never came back
            else:
                route.continue_()

        page.page.route("**/api/v1/incidents/lost-answer", lose_the_answer)
        page.ask_why("n2", "A cause whose save answer was lost")
        page.wait("window.causemap.state().status === 'offline'")
        assert answered == [200]
        page.statement("And a cause of that one")
        page.keys("Escape")
        assert page.wait_saved(after=2) == 3
        assert page.page.locator("dialog[open]").count() == 0
        labels = [n["label"] for n in api.get("lost-answer")[0]["nodes"]]
        assert labels.count("A cause whose save answer was lost") == 1
        assert labels.count("And a cause of that one") == 1
        page.assert_clean("net::ERR_FAILED", "status of 412")


class TestUndoAcrossRevisions:
    def test_a_revision_from_elsewhere_keeps_my_undo_history(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("undo-remote"))
        page = EditorPage.open(context, server.url, "undo-remote")
        page.rename("n1", "Step one, as I put it")
        assert page.wait_saved(after=1) == 2
        doc, revision = api.get("undo-remote")
        doc["nodes"][1]["label"] = "Step two, as they put it"
        api.put("undo-remote", doc, revision)
        page.wait("window.causemap.state().revision === 3")
        assert page.state()["canUndo"]
        page.focus_canvas()
        page.keys("Control+z")
        assert page.wait_saved(after=3) == 4
        saved, _ = api.get("undo-remote")
        labels = {n["id"]: n["label"] for n in saved["nodes"]}
        assert labels["n1"] == "Step 1 happened"
        assert labels["n2"] == "Step two, as they put it"
        page.assert_clean()


class TestDrafts:
    def test_another_tab_following_along_keeps_my_draft(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The facilitator has the incident open twice in one browser (laptop and
        projector). A colleague's save puts the laptop tab in conflict; the projector tab
        shows that revision, and used to delete the laptop tab's draft with its own: a
        reload of the laptop tab then lost the unsaved edit."""
        api.create(chain("two-tabs", 3))
        laptop = EditorPage.open(context, server.url, "two-tabs")
        projector = EditorPage.open(context, server.url, "two-tabs")
        for page in (laptop, projector):
            page.wait("window.causemap.state().live === 'live'")
        laptop.rename("n1", "Step one, as the facilitator put it")
        laptop.keys("Escape")
        doc, revision = api.get("two-tabs")
        doc["title"] = "Renamed by a colleague"
        revision = api.put("two-tabs", doc, revision)
        laptop.wait("window.causemap.state().status === 'conflict'")
        projector.wait("(r) => window.causemap.state().revision === r", revision)
        laptop.page.reload()
        laptop.wait("window.causemap && window.causemap.ready")
        assert laptop.nodes()["n1"]["label"] == "Step one, as the facilitator put it"
        laptop.assert_clean("status of 412")

    def test_an_unsaved_edit_survives_another_tab_saving_and_a_crash(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Two tabs of one browser shared one draft: tab B's edit overwrote the draft of
        tab A (offline, its edit not saved), B's save then deleted it, and when tab A
        crashed its edit was gone without a word."""
        api.create(chain("tabs-crash", 3))
        a = EditorPage.open(context, server.url, "tabs-crash")
        b = EditorPage.open(context, server.url, "tabs-crash")
        for page in (a, b):
            page.wait("window.causemap.state().live === 'live'")
        a.refuse_saves("tabs-crash")
        a.rename("n1", "Typed in tab A while its network was down")
        a.wait("window.causemap.state().status === 'offline'")
        b.rename("n2", "Typed and saved in tab B")
        b.wait_saved(after=1)
        a.wait("window.causemap.editor().saver.remoteAhead === 2")  # heard it, still offline
        # Tab A dies without a goodbye (no save on leaving): only the drafts are left.
        a.js("window.causemap.editor().saver.leave = () => {}")
        a.page.close()
        again = EditorPage.open(context, server.url, "tabs-crash")
        again.page.locator("dialog[open]").get_by_role(
            "button", name="Merge: my changes on top of theirs"
        ).click()
        again.wait_saved(after=2)
        saved = {n["id"]: n["label"] for n in api.get("tabs-crash")[0]["nodes"]}
        assert saved["n1"] == "Typed in tab A while its network was down"
        assert saved["n2"] == "Typed and saved in tab B"
        again.assert_clean("status of 412")
        b.assert_clean()

    def test_unsaved_changes_survive_leaving_for_the_list_and_coming_back(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("draft-back"))
        page = EditorPage.open(context, server.url, "draft-back")
        page.refuse_saves("draft-back")
        page.rename("n2", "Renamed while offline, before going to the list")
        page.wait("window.causemap.state().status === 'offline'")
        page.goto(None)
        page.allow_saves("draft-back")
        page.goto("draft-back")
        assert page.nodes()["n2"]["label"] == "Renamed while offline, before going to the list"
        page.wait_saved(after=1)
        saved = {n["id"]: n["label"] for n in api.get("draft-back")[0]["nodes"]}
        assert saved["n2"] == "Renamed while offline, before going to the list"
        page.assert_clean("net::ERR_FAILED")

    def test_unsaved_changes_survive_a_reload(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("draft"))
        page = EditorPage.open(context, server.url, "draft")

        # The server cannot be reached: the save fails, the draft keeps the change.
        page.refuse_saves("draft")
        page.rename("n2", "Renamed while offline")
        page.wait("window.causemap.state().status === 'offline'")
        assert "kept in this browser" in page.text("#banner")
        page.allow_saves("draft")
        page.page.reload()
        page.wait("window.causemap.ready")
        assert page.nodes()["n2"]["label"] == "Renamed while offline"
        page.wait_saved(after=1)
        saved, _ = api.get("draft")
        assert (
            next(n for n in saved["nodes"] if n["id"] == "n2")["label"] == "Renamed while offline"
        )
        page.assert_clean("net::ERR_FAILED")

    def test_closing_the_tab_right_after_an_edit_still_saves_it(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("leave"))
        page = EditorPage.open(context, server.url, "leave")
        page.rename("n1", "Typed just before closing the tab")
        assert page.state()["status"] == "unsaved"  # the autosave is a second away
        page.page.close(run_before_unload=True)
        deadline = time.monotonic() + 10
        while api.get("leave")[1] == 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        saved, revision = api.get("leave")
        assert revision == 2
        assert saved["nodes"][0]["label"] == "Typed just before closing the tab"

    def test_a_draft_older_than_the_server_asks_to_merge(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("draft-old"))
        page = EditorPage.open(context, server.url, "draft-old")
        page.refuse_saves("draft-old")
        page.rename("n1", "My offline wording")
        page.wait("window.causemap.state().status === 'offline'")
        # The browser dies without a goodbye (no save on leaving): only the draft is left.
        page.js("window.causemap.editor().saver.leave = () => {}")
        page.page.close()
        doc, revision = api.get("draft-old")
        assert revision == 1
        doc["title"] = "Changed while I was away"
        api.put("draft-old", doc, revision)
        page = EditorPage.open(context, server.url, "draft-old")
        page.page.locator("dialog[open]").get_by_role(
            "button", name="Merge: my changes on top of theirs"
        ).click()
        page.wait_saved(after=2)
        saved, _ = api.get("draft-old")
        assert saved["title"] == "Changed while I was away"
        assert next(n for n in saved["nodes"] if n["id"] == "n1")["label"] == "My offline wording"
        page.assert_clean("status of 412")


# (what to open, the field, what is typed or pasted, the document's value the server keeps)
LONG = [
    ("node", "[data-key=detail]", "api-7 upstream timed out\n" * 500, ("nodes", 0, "detail")),
    ("link", "[data-key=link-label]", "y" * 700, ("edges", 0, "label")),
    ("action", "[data-key='owner:a1']", "o" * 250, ("actions", 0, "owner")),
    ("action", "[data-key='link:a1']", "https://t.example/" + "x" * 2100, ("actions", 0, "link")),
    ("incident", "[data-key=severity]", "s" * 250, ("severity",)),
    ("incident", "[data-key=summary]", "We saw errors.\n" * 1500, ("summary",)),
]

PANEL = {"node": "selection", "link": "selection", "action": "actions", "incident": "incident"}


class TestFormatLimits:
    @pytest.mark.parametrize(
        ("where", "field", "text", "path"), LONG, ids=[f"{x[0]}-{x[3][-1]}" for x in LONG]
    )
    def test_a_field_takes_no_more_text_than_the_format_holds(
        self, context: BrowserContext, server: Server, api: Api, where: str, field: str,
        text: str, path: tuple[str | int, ...],
    ) -> None:  # fmt: skip
        """A long log pasted into Detail (or Summary, an owner, a link) went into the
        document whole: every save then failed with a 422 naming /nodes/0/detail, and a
        link's statement was cut to 500 characters without a word when the field was left."""
        ident = f"limit-{where}-{path[-1]}"
        doc = chain(ident, 3)
        doc["actions"] = [{"id": "a1", "title": "Add a canary", "addresses": ["n1"]}]
        api.create(doc)
        page = EditorPage.open(context, server.url, ident)
        ui = page.page
        if where == "node":
            page.select("n1")
            ui.locator("#panel-selection details.more summary").click()
        elif where == "link":
            page.js("window.causemap.editor().selectLink('n1', 'n2')")
        else:
            ui.get_by_role("tab", name="Actions" if where == "action" else "Incident").click()
        box = ui.locator(f"#panel-{PANEL[where]} {field}")
        box.fill(text)
        assert len(box.input_value()) < len(text)  # cut where it is typed, not later
        box.blur()
        page.wait_saved(after=1)
        kept: object = api.get(ident)[0]
        for step in path:
            kept = kept[step]  # type: ignore[index]
        assert isinstance(kept, str)
        assert 0 < len(kept) < len(text)
        assert box.input_value() == kept  # what the field shows is what was saved
        page.assert_clean()

    @pytest.mark.parametrize(
        ("field", "text", "said"),
        [
            ("[data-key=tags]", f"database, {'t' * 250}", "200 characters"),
            (
                "[data-key=evidence]",
                f"https://grafana.example/d/1\n{'e' * 2100}",
                "2000 characters",
            ),
        ],
        ids=["tag", "evidence"],
    )
    def test_a_list_item_too_long_is_refused_at_its_field(
        self, context: BrowserContext, server: Server, api: Api, field: str, text: str, said: str
    ) -> None:
        ident = f"limit-list-{field[11:-1]}"
        api.create(chain(ident, 3))
        page = EditorPage.open(context, server.url, ident)
        ui = page.page
        page.select("n1")
        ui.locator("#panel-selection details.more summary").click()
        before = page.doc()
        box = ui.locator(f"#panel-selection {field}")
        box.fill(text)
        assert box.get_attribute("aria-invalid") == "true"
        assert said in ui.locator(f"#{box.get_attribute('aria-describedby')}").inner_text()
        assert page.doc() == before
        assert page.state()["status"] == "saved"
        page.assert_clean()

    def test_a_blank_title_is_refused_at_its_field(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A title of spaces went into the document: the save failed with a 422 at /title."""
        api.create(chain("limit-title", 3))
        page = EditorPage.open(context, server.url, "limit-title")
        ui = page.page
        ui.get_by_role("tab", name="Incident").click()
        box = ui.locator("#panel-incident [data-key=title]")
        box.fill("   ")
        assert box.get_attribute("aria-invalid") == "true"
        assert (
            "needs a title" in ui.locator(f"#{box.get_attribute('aria-describedby')}").inner_text()
        )
        assert page.doc()["title"] == "Incident limit-title"
        box.fill("Checkout errors")
        page.wait_saved(after=1)
        assert api.get("limit-title")[0]["title"] == "Checkout errors"
        page.assert_clean()

    def test_a_201st_cause_is_refused_where_it_is_asked_for(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A node holds at most 200 causes in the format: the editor took a 201st (why?,
        k, the panel's picker) and every save then failed with a 422 at /nodes/N/causes."""
        api.create(incident("limit-causes", full_impact()))
        page = EditorPage.open(context, server.url, "limit-causes")
        ui = page.page
        before = page.doc()
        page.select("impact")
        # The panel offers no 201st cause: it says why instead of a picker.
        causes = ui.locator("#panel-selection .neighbours-box").first
        assert "at most 200 causes" in causes.inner_text()
        assert ui.locator('#panel-selection [data-key="pick:causes"]').count() == 0
        page.focus_canvas()
        page.keys("w")  # why? is refused before a statement is typed
        ui.locator(".toast").filter(has_text="at most 200 causes").wait_for()
        assert page.js("document.activeElement.id") == "cy"
        page.select("spare")
        page.focus_canvas()
        page.keys("k")
        page.click_node("impact")  # linking it as one more cause is refused too
        ui.locator(".toast").filter(has_text="at most 200 causes").nth(1).wait_for()
        assert page.doc() == before
        assert page.state()["status"] == "saved"
        page.assert_clean()


def full_impact() -> list[dict[str, object]]:
    """An impact with 200 causes, the most the format holds, and one spare node."""
    nodes: list[dict[str, object]] = [
        {"id": f"c{i}", "kind": "condition", "label": f"Condition {i}"} for i in range(200)
    ]
    nodes.append({"id": "impact", "kind": "impact", "label": "Customers saw errors",
                  "causes": [f"c{i}" for i in range(200)]})  # fmt: skip
    nodes.append({"id": "spare", "kind": "event", "label": "A spare event"})
    return nodes


# A 201st cause written past the editor's own checks: it stands for any limit of the
# format the editor does not know, which only the server's answer reveals.
ONE_CAUSE_TOO_MANY = """() => window.causemap.editor().store.change('Link', (d) => {
  d.nodes.find((n) => n.id === 'impact').causes.push('spare');
})"""


class TestRefusedSaves:
    def test_a_refused_save_names_the_node_and_keeps_the_edit(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The server's 422 was shown as it came: 'the incident is invalid: /nodes/200/
        causes: …', and a facilitator cannot tell which of 200 nodes /nodes/200 is."""
        api.create(incident("refused", full_impact()))
        page = EditorPage.open(context, server.url, "refused")
        page.js(ONE_CAUSE_TOO_MANY)
        page.wait("window.causemap.state().status === 'invalid'")
        banner = page.text("#banner")
        assert "“\u2068Customers saw errors\u2069”" in banner, banner
        assert "causes" in banner
        assert "200" in banner
        assert "/nodes/" not in banner.split("(")[0]
        assert "spare" in page.nodes()["impact"]["causes"]  # the edit is kept ...
        assert api.get("refused")[1] == 1  # ... and nothing was saved
        page.focus_canvas()
        page.keys("Control+z")
        page.wait("window.causemap.state().status === 'saved'")
        assert page.page.locator("#banner").is_hidden()
        page.assert_clean("422")


def unsaved_file(download: Download, folder: Path) -> dict[str, Any]:
    """The JSON file the page gave, checked as ``causemap import`` checks a file."""
    folder.mkdir(exist_ok=True)
    target = folder / download.suggested_filename
    download.save_as(target)
    checked = check_file(target)
    assert checked.ok, [d.message for d in checked.errors]
    doc: dict[str, Any] = json.loads(target.read_text())
    return doc


def export_yaml(page: EditorPage) -> tuple[Download, Locator]:
    """Press the export dialog's "Download the YAML file"; the download and the dialog."""
    page.page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.page.locator("dialog[open]")
    with page.page.expect_download() as download:
        dialog.get_by_role("button", name="Download the YAML file").click()
    return download.value, dialog


class TestUnsavedDownloads:
    """Unsaved changes no save will take (the incident was deleted, or is no longer on the
    server, or they are in conflict) were kept only in the browser's localStorage: the
    export dialog refused the YAML file ("save the incident first") and nothing else
    gave them out as a file."""

    def test_a_deleted_incident_offers_my_changes_as_a_file_import_reads(
        self, context: BrowserContext, server: Server, api: Api, tmp_path: Path
    ) -> None:
        api.create(chain("deleted-download", 3))
        page = EditorPage.open(context, server.url, "deleted-download")
        page.wait("window.causemap.state().live === 'live'")
        page.refuse_saves("deleted-download")  # still unsaved when the delete comes
        page.rename("n2", "Step two, renamed before someone deleted the incident")
        page.wait("window.causemap.state().status === 'offline'")
        assert api.raw("DELETE", "/incidents/deleted-download").status_code == 200
        page.wait("window.causemap.state().status === 'deleted'")
        banner = page.page.locator("#banner")
        assert "deleted elsewhere" in banner.inner_text()
        assert "kept in this browser" in banner.inner_text()
        button = banner.get_by_role("button", name="Download your changes")
        button.focus()  # by keyboard
        with page.page.expect_download() as download:
            page.keys("Enter")
        assert download.value.suggested_filename == "deleted-download-unsaved.json"
        mine = unsaved_file(download.value, tmp_path / "first")
        assert mine == page.doc()
        assert next(n for n in mine["nodes"] if n["id"] == "n2")["label"].startswith(
            "Step two, renamed before"
        )
        toast = page.page.locator(".toast").filter(has_text="deleted-download-unsaved.json")
        assert "not the server's YAML file" in toast.inner_text()

        # Export: the YAML file cannot have these changes, so the JSON comes instead.
        exported, dialog = export_yaml(page)
        assert exported.suggested_filename == "deleted-download-unsaved.json"
        assert unsaved_file(exported, tmp_path / "export") == mine
        said = dialog.get_by_role("status").filter(has_text="unsaved.json").inner_text()
        assert "not the server's YAML file" in said
        assert "deleted elsewhere" in said
        assert "failed" not in said
        page.assert_clean("net::ERR_FAILED")

    def test_an_incident_no_longer_on_the_server_offers_my_changes_until_none_are_left(
        self, context: BrowserContext, server: Server, api: Api, tmp_path: Path
    ) -> None:
        """A save met 404 (the store was restored from a backup older than the incident):
        those edits can never be saved. With them undone, the YAML file is the server's."""
        api.create(chain("gone-download", 3))
        page = EditorPage.open(context, server.url, "gone-download")

        def not_there(route: Route) -> None:
            """Saves meet 404, as in a store restored from that backup; reads go on."""
            if route.request.method != "PUT":
                route.continue_()
                return
            error = {"code": "not_found", "message": "No such incident."}
            route.fulfill(status=404, json={"error": error})

        page.page.route("**/api/v1/incidents/gone-download", not_there)
        page.rename("n2", "Step two, renamed after the restore")
        page.wait("window.causemap.state().status === 'deleted'")
        banner = page.page.locator("#banner")
        assert "no longer on the server" in banner.inner_text()
        with page.page.expect_download() as download:
            banner.get_by_role("button", name="Download your changes").click()
        mine = unsaved_file(download.value, tmp_path / "first")
        assert mine == page.doc()
        assert download.value.suggested_filename == "gone-download-unsaved.json"

        exported, dialog = export_yaml(page)
        assert exported.suggested_filename == "gone-download-unsaved.json"
        assert unsaved_file(exported, tmp_path / "export") == mine
        said = dialog.get_by_role("status").filter(has_text="unsaved.json").inner_text()
        assert "no longer on the server" in said
        dialog.get_by_role("button", name="Close").click()

        # Nothing unsaved any more: no file of changes, and the YAML file is the server's.
        page.focus_canvas()
        page.keys("Control+z")
        page.wait("!window.causemap.state().dirty")
        assert "kept" not in banner.inner_text()
        assert banner.get_by_role("button", name="Download your changes").count() == 0
        exported, dialog = export_yaml(page)
        assert exported.suggested_filename == "gone-download.yaml"
        target = tmp_path / "server.yaml"
        exported.save_as(target)
        assert "Step two, renamed" not in target.read_text()
        assert check_file(target).ok
        page.assert_clean("404 (Not Found)")

    def test_changes_in_conflict_download_as_one_file_from_the_dialog_and_the_export(
        self, context: BrowserContext, server: Server, api: Api, tmp_path: Path
    ) -> None:
        api.create(chain("conflict-download"))
        page = EditorPage.open(context, server.url, "conflict-download")
        conflict(page, api, "conflict-download", "Step one, as I put it", {"n2": "Theirs"})
        dialog = page.page.locator("dialog[open]")
        with page.page.expect_download() as download:
            dialog.get_by_role("button", name="Download my version").click()
        assert download.value.suggested_filename == "conflict-download-unsaved.json"
        mine = unsaved_file(download.value, tmp_path / "first")
        assert mine == page.doc()
        page.keys("Escape")  # decides nothing: saving stays paused
        page.wait("document.querySelector('dialog[open]') === null")
        assert page.state()["status"] == "conflict"

        exported, dialog = export_yaml(page)
        assert exported.suggested_filename == "conflict-download-unsaved.json"
        assert unsaved_file(exported, tmp_path / "export") == mine
        said = dialog.get_by_role("status").filter(has_text="unsaved.json").inner_text()
        assert "merge or reload" in said
        page.assert_clean("status of 412")

    def test_changes_in_conflict_download_from_the_banner_once_the_dialog_is_closed(
        self, context: BrowserContext, server: Server, api: Api, tmp_path: Path
    ) -> None:
        """The conflict banner offered only *Resolve…*: with the dialog closed, the way to
        get the unsaved changes out as a file went through the export dialog."""
        api.create(chain("conflict-banner"))
        page = EditorPage.open(context, server.url, "conflict-banner")
        conflict(page, api, "conflict-banner", "Step one, as I put it", {"n2": "Theirs"})
        page.keys("Escape")  # closing the dialog decides nothing
        page.wait("document.querySelector('dialog[open]') === null")
        banner = page.page.locator("#banner")
        assert "merge or reload" in banner.inner_text()
        with page.page.expect_download() as download:
            banner.get_by_role("button", name="Download your changes").click()
        assert download.value.suggested_filename == "conflict-banner-unsaved.json"
        mine = unsaved_file(download.value, tmp_path / "banner")
        assert mine == page.doc()
        assert next(n for n in mine["nodes"] if n["id"] == "n1")["label"] == (
            "Step one, as I put it"
        )
        toast = page.page.locator(".toast").filter(has_text="conflict-banner-unsaved.json")
        assert "merge or reload" in toast.inner_text()
        assert page.state()["status"] == "conflict"  # still paused, still to resolve
        assert banner.get_by_role("button", name="Resolve…").is_visible()
        page.assert_clean("status of 412")
