"""The rest of the editor: list, history, exports, suggestions, patterns, keyboard, a11y."""

from __future__ import annotations

import base64
import contextlib
import json
import zlib
from pathlib import Path
from typing import Any

import httpx2
from playwright.sync_api import BrowserContext, Route
from playwright.sync_api import Error as PlaywrightError

from tests.servers import Server
from tests.web.pages import READ, WRITE, Api, EditorPage, chain, incident
from tests.web.test_access import HEARD


class TestList:
    def test_search_and_filters(self, context: BrowserContext, server: Server, api: Api) -> None:
        api.create(
            chain(
                "list-a",
                title="Quokka outage in the ledger",
                tags=["quokka", "db"],
                services=["ledger"],
                date="2023-01-10",
            )
        )
        api.create(
            chain(
                "list-b",
                title="Quokka queue backlog",
                tags=["quokka"],
                services=["queue"],
                date="2023-06-01",
            )
        )
        api.create(
            chain(
                "list-c",
                title="Unrelated certificate expiry",
                tags=["certs"],
                services=["ledger"],
                date="2023-09-09",
            )
        )
        page = EditorPage.open(context, server.url)
        ui = page.page
        rows = ui.locator(".incident-table tbody tr")
        ui.get_by_label("Search").fill("quokka")
        assert rows.count() == 2
        ui.get_by_label("Service").select_option("ledger")
        assert rows.count() == 1
        assert "ledger" in rows.first.inner_text()
        ui.get_by_label("Service").select_option("")
        ui.get_by_label("From").fill("2023-03-01")
        assert rows.count() == 1
        assert "backlog" in rows.first.inner_text()
        ui.get_by_label("Search").fill("")
        ui.get_by_label("From").fill("")
        ui.get_by_label("Tag").select_option("certs")
        assert rows.count() == 1
        rows.first.get_by_role("link").click()
        page.wait("window.causemap.state() && window.causemap.state().id === 'list-c'")
        page.assert_clean()

    def test_right_to_left_tags_are_isolated(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A Hebrew tag beside a Latin one: without isolation the browser reorders the
        neighbouring tags around it, as titles and services already were not."""
        api.create(chain("rtl-tags", 2, title="RTL tags", tags=["\u05de\u05e1\u05d3", "db"]))
        page = EditorPage.open(context, server.url)
        row = page.page.locator(".incident-table tbody tr", has_text="RTL tags")
        tags = row.locator(".tag")
        assert tags.count() == 2
        for i in range(2):
            assert tags.nth(i).get_attribute("dir") == "auto"
        page.assert_clean()

    def test_a_long_unbroken_title_keeps_the_table_in_the_page(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A title, service or tag written as one long word (a URL, a stack frame) made
        the table three pages wide: every row's date and revision were off screen."""
        api.create(
            chain(
                "list-wide",
                2,
                title="See https://example.com/" + "x" * 170,
                services=["svc-" + "y" * 80],
                tags=["tag-" + "z" * 150],
            )
        )
        page = EditorPage.open(context, server.url)
        page.page.get_by_label("Search").fill("list-wide")
        box = page.page.locator(".list-page").bounding_box()
        table = page.page.locator(".incident-table").bounding_box()
        assert box is not None
        assert table is not None
        assert table["x"] + table["width"] <= box["x"] + box["width"] + 1
        assert page.js("document.querySelector('main').scrollWidth <= innerWidth")
        page.assert_clean()

    def test_a_filter_is_heard_as_a_count_not_as_the_whole_table(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The table sat in a polite live region, so a screen reader read every row
        again at each key typed into Search: hundreds of rows for each letter."""
        api.create(chain("heard-list-a", 2, title="Walrus outage"))
        api.create(chain("heard-list-b", 2, title="Walrus backlog"))
        page = EditorPage.open(context, server.url)
        table = page.page.locator(".incident-table")
        live = table.locator("xpath=ancestor-or-self::*[@aria-live][1]")
        assert live.count() == 0 or live.get_attribute("aria-live") == "off"
        page.page.get_by_label("Search").fill("walrus outage")
        page.wait(HEARD, "1 of ")
        page.page.get_by_label("Search").fill("walrus")
        page.wait(HEARD, "2 of ")
        page.assert_clean()

    def test_every_page_of_the_listing_is_shown(
        self, context: BrowserContext, server: Server
    ) -> None:
        """The list read at most 20 pages of 500 and said "10000 of 10000 incidents" of a
        store that held more. Pages of one incident here: the server's pages are faked."""
        pages = 25

        def listing(route: Route) -> None:
            cursor = route.request.url.partition("cursor=")[2] or "0"
            n = int(cursor)
            item: dict[str, Any] = {
                "id": f"paged-{n:02d}",
                "title": f"Paged incident {n}",
                "date": "2023-01-01",
                "severity": None,
                "services": [],
                "tags": [],
                "revision": 1,
                "created_at": "2023-01-01T00:00:00Z",
                "updated_at": "2023-01-01T00:00:00Z",
                "deleted_at": None,
            }
            following = str(n + 1) if n + 1 < pages else None
            route.fulfill(json={"items": [item], "next_cursor": following})

        context.route("**/api/v1/incidents?*", listing)
        page = EditorPage.open(context, server.url)
        assert page.text(".results p.muted") == f"{pages} of {pages} incidents"
        assert page.page.locator(".incident-table tbody tr").count() == pages
        page.assert_clean()


class TestDeletedList:
    def test_a_writer_finds_a_deleted_incident_in_the_list_and_restores_it(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The list showed live incidents only: restoring one needed its link or its id.
        The deleted ones are a view of the list, in the address (so a reload or a link
        keeps it), each row opening the page that restores it."""
        api.create(chain("binned-ibex", 2, title="Ibex outage, deleted"))
        api.create(chain("living-ibex", 2, title="Ibex outage, still here"))
        assert api.raw("DELETE", "/incidents/binned-ibex").status_code == 200
        page = EditorPage.open(context, server.url)
        ui = page.page
        rows = ui.locator(".incident-table tbody tr")
        ui.get_by_label("Search").fill("ibex")
        assert rows.count() == 1
        ui.get_by_role("link", name="Deleted incidents").click()
        ui.get_by_role("heading", name="Deleted incidents").wait_for()
        page.wait("window.causemap.ready")
        assert "deleted=" in ui.evaluate("location.hash")
        ui.reload()  # the view survives a reload
        page.wait("window.causemap.ready")
        ui.get_by_role("heading", name="Deleted incidents").wait_for()
        assert ui.get_by_role("link", name="Deleted incidents").get_attribute("aria-current")
        ui.get_by_label("Search").fill("ibex")
        page.wait(HEARD, "1 of ")
        assert rows.count() == 1
        assert "deleted" in rows.first.inner_text()
        assert ui.locator(".results").get_attribute("aria-live") is None
        rows.first.get_by_role("link", name="Ibex outage, deleted").click()
        ui.get_by_role("button", name="Restore this incident").click()
        page.wait("window.causemap.state() && window.causemap.state().id === 'binned-ibex'")
        assert api.get("binned-ibex")[1] == 3  # create, delete, restore
        page.assert_clean("410 (Gone)")

    def deleted_list(
        self, context: BrowserContext, server: Server, api: Api, ident: str, title: str, token: str
    ) -> EditorPage:
        """The list of deleted incidents, opened by its address, with ``ident`` deleted."""
        api.create(chain(ident, 2, title=title))
        assert api.raw("DELETE", f"/incidents/{ident}").status_code == 200
        page = EditorPage(context.new_page(), server.url)
        page.page.goto(f"{server.url}/#/&deleted=1&token={token}")
        page.wait("window.causemap && window.causemap.ready")
        return page

    def test_a_reader_sees_them_but_cannot_restore_them(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        page = self.deleted_list(context, server, api, "binned-read", "Okapi outage, deleted", READ)
        ui = page.page
        ui.get_by_label("Search").fill("okapi")
        row = ui.locator(".incident-table tbody tr")
        assert row.count() == 1
        assert "restore" in ui.locator(".list-page").inner_text().lower()  # says who can
        row.first.get_by_role("link").click()
        ui.get_by_role("heading", name="This incident was deleted").wait_for()
        assert ui.get_by_role("button", name="Restore this incident").count() == 0
        page.assert_clean("410 (Gone)")

    def test_back_to_the_list_goes_back_to_the_deleted_ones(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A deleted incident's page led "Back to the list" to the live incidents, where
        it is not, rather than to the deleted ones the user came from."""
        page = self.deleted_list(
            context, server, api, "binned-back", "Quokka outage, deleted", WRITE
        )
        ui = page.page
        ui.get_by_role("link", name="Quokka outage, deleted").click()
        ui.get_by_role("heading", name="This incident was deleted").wait_for()
        ui.get_by_role("link", name="Back to the list").click()
        ui.get_by_role("heading", name="Deleted incidents").wait_for()
        ui.get_by_role("link", name="Quokka outage, deleted").wait_for()  # rows load after
        assert "#/&deleted=1" in ui.url
        page.assert_clean("410 (Gone)")


class TestDeletedIncident:
    def test_a_writer_restores_it_from_its_page(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """`causemap import` says a deleted incident is skipped and to "restore it first,
        in the web editor": its page said only "This incident was deleted", with no way
        to restore it but a POST to the API."""
        api.create(chain("deleted-restored-here", 3))
        assert api.raw("DELETE", "/incidents/deleted-restored-here").status_code == 200
        page = EditorPage(context.new_page(), server.url)
        page.page.goto(f"{server.url}/#/incidents/deleted-restored-here&token={WRITE}")
        page.page.get_by_role("heading", name="This incident was deleted").wait_for()
        restore = page.page.get_by_role("button", name="Restore this incident")
        restore.focus()
        page.page.keyboard.press("Enter")
        page.wait("window.causemap.ready && window.causemap.doc() !== null")
        assert "n2" in page.nodes()
        _, revision = api.get("deleted-restored-here")
        assert revision == 3  # create, delete, restore
        page.assert_clean("410 (Gone)")

    def test_a_reader_cannot(self, context: BrowserContext, server: Server, api: Api) -> None:
        api.create(chain("deleted-read-only", 3))
        assert api.raw("DELETE", "/incidents/deleted-read-only").status_code == 200
        page = EditorPage(context.new_page(), server.url)
        page.page.goto(f"{server.url}/#/incidents/deleted-read-only&token={READ}")
        page.page.get_by_role("heading", name="This incident was deleted").wait_for()
        assert page.page.get_by_role("button", name="Restore this incident").count() == 0
        page.assert_clean("410 (Gone)")


class TestNewIncident:
    def test_an_id_in_capitals_is_refused_with_what_the_id_may_hold(
        self, context: BrowserContext, server: Server
    ) -> None:
        page = EditorPage.open(context, server.url)
        ui = page.page
        ui.get_by_role("button", name="New incident").click()
        ui.get_by_label("Title").fill("Login outage")
        ui.get_by_label("Date it started").fill("2024-05-20")
        ui.get_by_label("Impact").fill("Nobody could log in for ten minutes")
        ui.get_by_label("Id", exact=True).fill("INC-1234")
        dialog = ui.locator("dialog[open]")
        assert "lower-case" in dialog.locator(".hint").nth(2).inner_text().lower()
        ui.get_by_role("button", name="Create and open").click()
        alert = dialog.get_by_role("alert")
        alert.wait_for()
        assert "lower-case letters" in alert.inner_text()
        assert dialog.count() == 1  # nothing was created
        ui.get_by_label("Id", exact=True).fill("inc-1234")
        ui.get_by_role("button", name="Create and open").click()
        page.wait("window.causemap.state() && window.causemap.state().id === 'inc-1234'")
        page.assert_clean()


class TestHistory:
    def test_a_visual_diff_between_any_two_revisions(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("history", 3))
        page = EditorPage.open(context, server.url, "history")
        page.ask_why("n2", "A cause added in revision two")
        revision = page.wait_saved(after=1)
        page.select("n1")
        page.focus_canvas()
        page.keys("Enter")
        page.statement("Step 1, reworded in revision three")
        page.wait_saved(after=revision)
        ui = page.page
        ui.get_by_role("button", name="History", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Revision 2 → revision 3").wait_for()
        assert "Step 1, reworded" in dialog.locator(".changes").inner_text()
        dialog.get_by_label("Compare from revision 1").check()
        dialog.get_by_role("heading", name="Revision 1 → revision 3").wait_for()
        text = dialog.locator(".changes").inner_text()
        assert "A cause added in revision two" in text
        statuses = page.js(
            "Object.fromEntries(window.causemap.diffCy.nodes().map("
            "(n) => [n.id(), n.data('status')]))"
        )
        added = next(
            n["id"] for n in page.doc()["nodes"] if n["label"] == "A cause added in revision two"
        )
        assert statuses[added] == "added"
        assert statuses["n1"] == "changed"
        assert statuses["impact"] == "same"
        # Bring revision 1 back: an ordinary edit, saved as revision 4.
        dialog.get_by_label("Compare to revision 1").check()
        dialog.get_by_label("Compare from revision 3").check()
        dialog.get_by_role("button", name="Bring back revision 1").click()
        assert page.wait_saved(after=3) == 4
        assert api.get("history")[0] == chain("history", 3)
        page.assert_clean()

    def test_a_long_unbroken_token_keeps_the_diff_in_view(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        doc = chain("history-long", 3)
        api.create(doc)
        doc["nodes"][0]["label"] = "See " + "https://example.com/" + "x" * 100
        api.put("history-long", doc, 1)
        page = EditorPage.open(context, server.url, "history-long")
        ui = page.page
        ui.get_by_role("button", name="History", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Revision 1 → revision 2").wait_for()
        box = dialog.bounding_box()
        assert box is not None
        for part in [".history-diff", ".diff-canvas", ".changes"]:
            inner = dialog.locator(part).bounding_box()
            assert inner is not None
            assert inner["x"] + inner["width"] <= box["x"] + box["width"], part
        page.assert_clean()

    def test_the_diff_draws_nodes_as_the_editor_does(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The diff's picture sized each node by its text while the editor gives every
        node one size, five lines ending with "…": the same node looked different in the
        two pictures. Now they match, nothing overlaps, and the whole statement is shown
        on hover (and said in the list of changes)."""
        doc = chain("history-fixed", 3)
        api.create(doc)
        long = "The replica lagged behind the primary " + "and nobody noticed it " * 12
        doc["nodes"][0]["label"] = long.strip()
        api.put("history-fixed", doc, 1)
        page = EditorPage.open(context, server.url, "history-fixed")
        ui = page.page
        ui.get_by_role("button", name="History", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Revision 1 → revision 2").wait_for()
        size = "(cy) => Object.fromEntries("
        size += "cy.nodes().map((n) => [n.id(), [n.width(), n.height()]]))"
        assert page.js(f"({size})(window.causemap.diffCy)") == page.js(f"({size})(window.cy)")
        label = page.js("window.causemap.diffCy.getElementById('n1').data('label')")
        assert label.endswith("…")
        assert len(label.split("\n")) <= 5
        boxes = page.js(
            "window.causemap.diffCy.nodes().map((n) => {"
            " const b = n.boundingBox({includeLabels: true});"
            " return [n.id(), b.x1, b.y1, b.x2, b.y2]; })"
        )
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
                assert not overlap, (a, b)
        assert long.strip() in dialog.locator(".changes").inner_text()
        box = dialog.locator(".diff-canvas").bounding_box()
        assert box is not None
        at = page.js("window.causemap.diffCy.getElementById('n1').renderedPosition()")
        ui.mouse.move(box["x"] + at["x"], box["y"] + at["y"], steps=4)
        tip = dialog.locator(".node-tip")
        tip.wait_for()
        assert tip.inner_text() == long.strip()
        assert page.js("document.querySelectorAll('#node-tip').length") <= 1
        page.assert_clean()

    def test_a_diff_is_heard_as_its_heading_and_count_not_as_every_change(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The diff sat in a polite live region: each revision picked read the whole list
        of changes (dozens, with the analysis's) before anything else could be heard."""
        doc = chain("history-heard", 12)
        api.create(doc)
        for node in doc["nodes"]:
            node["label"] += ", reworded"
        api.put("history-heard", doc, 1)
        page = EditorPage.open(context, server.url, "history-heard")
        ui = page.page
        ui.get_by_role("button", name="History", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Revision 1 → revision 2").wait_for()
        changes = dialog.locator(".changes")
        assert changes.locator("li").count() == 12
        live = changes.locator("xpath=ancestor-or-self::*[@aria-live][1]")
        assert live.count() == 0 or live.get_attribute("aria-live") == "off"
        page.wait(HEARD, "Revision 1 → revision 2: 12 changes")
        page.assert_clean()

    def test_a_new_incident_says_there_is_nothing_to_compare_yet(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A new incident's history asked to "pick two different revisions" of its one."""
        api.create(chain("history-one", 2))
        page = EditorPage.open(context, server.url, "history-one")
        ui = page.page
        ui.get_by_role("button", name="History", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_text("Only one revision so far").wait_for()
        assert "Pick two" not in dialog.inner_text()
        assert dialog.locator(".diff-canvas").is_hidden()
        page.assert_clean()

    def test_an_incident_saved_more_than_500_times_shows_its_latest_revisions(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Only the oldest 500 revisions used to be listed, and 499 → 500 compared."""
        doc = chain("history-many", 3)
        revision = api.create(doc)
        for n in range(501):
            doc["title"] = f"Title {n}"
            revision = api.put("history-many", doc, revision)
        assert revision == 502
        page = EditorPage.open(context, server.url, "history-many")
        ui = page.page
        ui.get_by_role("button", name="History", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Revision 501 → revision 502").wait_for()
        assert dialog.get_by_label("Compare to revision 502").is_checked()
        assert dialog.locator(".revision-table tbody tr").count() == 502
        page.assert_clean()

    def test_a_slow_diff_answered_late_does_not_replace_the_chosen_one(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A late answer for an earlier choice used to overwrite the diff now chosen."""
        doc = chain("history-race", 3)
        api.create(doc)
        for n in (1, 2):
            doc["nodes"][0]["label"] = f"Step one, version {n + 1}"
            api.put("history-race", doc, n)
        page = EditorPage.open(context, server.url, "history-race")
        ui = page.page
        held: list[Route] = []
        ui.route("**/diff?from=1&to=3", lambda route: held.append(route))
        ui.get_by_role("button", name="History", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Revision 2 → revision 3").wait_for()
        layers = page.js("document.querySelectorAll('.diff-canvas canvas').length")
        with ui.expect_request("**/diff?from=1&to=3"):
            dialog.get_by_label("Compare from revision 1").check()
        while not held:
            ui.wait_for_timeout(50)
        dialog.get_by_label("Compare from revision 2").check()
        dialog.get_by_role("heading", name="Revision 2 → revision 3").wait_for()
        with ui.expect_response("**/diff?from=1&to=3"):
            held[0].continue_()
        ui.wait_for_timeout(500)  # let the late answer be handled
        assert dialog.locator(".diff-summary h3").inner_text() == "Revision 2 → revision 3"
        assert page.js("document.querySelectorAll('.diff-canvas canvas').length") == layers
        page.assert_clean()

    def test_a_revision_that_failed_to_load_is_fetched_again(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A failed fetch used to be remembered: that revision stayed an error until reopened."""
        doc = chain("history-retry", 3)
        api.create(doc)
        for n in (1, 2):
            doc["nodes"][0]["label"] = f"Step one, version {n + 1}"
            api.put("history-retry", doc, n)
        page = EditorPage.open(context, server.url, "history-retry")
        ui = page.page
        failed: list[str] = []

        def once(route: Route) -> None:
            if failed:
                route.continue_()
            else:
                failed.append(route.request.url)
                route.abort()

        ui.route("**/revisions/1", once)
        ui.get_by_role("button", name="History", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("heading", name="Revision 2 → revision 3").wait_for()
        dialog.get_by_label("Compare from revision 1").check()
        dialog.get_by_text("Could not load the diff").wait_for()
        dialog.get_by_label("Compare from revision 2").check()
        dialog.get_by_role("heading", name="Revision 2 → revision 3").wait_for()
        dialog.get_by_label("Compare from revision 1").check()
        dialog.get_by_role("heading", name="Revision 1 → revision 3").wait_for()
        page.assert_clean("revisions/1", "Failed to load", "ERR_FAILED")


class TestExport:
    def test_every_export(
        self, context: BrowserContext, server: Server, api: Api, tmp_path: Path
    ) -> None:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        doc = chain("export", 3)
        api.create(doc)
        page = EditorPage.open(context, server.url, "export")
        ui = page.page
        ui.get_by_role("button", name="Export", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.locator("img.export-preview[src^='data:image/svg+xml']").wait_for()
        files = {}
        for name, suffix in [
            ("Download SVG", "svg"),
            ("Download PNG", "png"),
            ("Download the Markdown section", "md"),
            ("Download the YAML file", "yaml"),
        ]:
            with ui.expect_download() as download:
                dialog.get_by_role("button", name=name).click()
            assert download.value.suggested_filename == f"export.{suffix}"
            target = tmp_path / f"export.{suffix}"
            download.value.save_as(target)
            files[suffix] = target.read_bytes()
        assert b"<svg" in files["svg"]
        assert files["png"].startswith(b"\x89PNG")
        assert b"Step 1 happened" in files["md"]
        assert files["yaml"].decode().find("causemap: 1") >= 0
        dialog.get_by_role("button", name="Copy the Mermaid text").click()
        page.wait("navigator.clipboard.readText().then((t) => /^(flowchart|graph)/m.test(t))")
        page.wait(  # done: nothing to say (not "true", what copying returned)
            "document.querySelector('dialog[open] p[role=status]').textContent === ''"
        )
        dialog.get_by_role("button", name="Copy an embeddable image URL").click()
        page.wait("navigator.clipboard.readText().then((t) => t.includes('/render/svg/'))")
        url: str = page.js("navigator.clipboard.readText()")
        encoded = url.split("/render/svg/")[1].split("?")[0]
        decoded = json.loads(
            zlib.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        )
        assert decoded == doc
        answer = httpx2.get(url, headers={"authorization": f"Bearer {WRITE}"}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("image/svg+xml")
        # This server wants a token for renders, which an <img> elsewhere cannot send.
        page.page.locator(".toast").filter(has_text="CAUSEMAP_PUBLIC_RENDER=1").wait_for()
        page.assert_clean("status of 401")

    def test_a_mermaid_text_github_would_not_draw_is_copied_with_a_warning(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The CLI warns of a Mermaid text past what GitHub and GitLab draw, but the page
        copied it without a word: pasted into an issue, it showed an error box."""
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        causes = [f"c{i}" for i in range(26)]
        effects = [f"e{j}" for j in range(20)]
        nodes: list[dict[str, Any]] = [
            *({"id": c, "kind": "condition", "label": f"Condition {c}"} for c in causes),
            *({"id": e, "kind": "event", "label": f"Event {e}", "causes": causes} for e in effects),
            {"id": "impact", "kind": "impact", "label": "Checkout failed", "causes": effects},
        ]
        api.create(incident("export-mermaid-dense", nodes))  # 540 links: GitHub draws 500
        page = EditorPage.open(context, server.url, "export-mermaid-dense")
        ui = page.page
        ui.get_by_role("button", name="Export", exact=True).click()
        dialog = ui.locator("dialog[open]")
        dialog.get_by_role("button", name="Copy the Mermaid text").click()
        warning = (
            "The copied diagram will not show on GitHub or GitLab: its Mermaid text has 540 "
            "links; GitHub and GitLab draw Mermaid diagrams of at most 50,000 characters and "
            "500 links (Mermaid's defaults) and show an error box in place of a larger one; "
            "Download SVG draws it."
        )
        status = dialog.locator("p[role=status]")
        page.wait(
            "(w) => document.querySelector('dialog[open] p[role=status]').textContent === w",
            warning,
        )
        assert status.inner_text() == warning
        ui.locator(".toast.warn").filter(has_text=warning).wait_for()
        copied: str = page.js("navigator.clipboard.readText()")  # whole all the same
        assert copied.startswith("flowchart")
        assert copied.count(" --> ") == 540
        page.assert_clean()


def retry_storm(ident: str) -> dict[str, Any]:
    """A condition whose wording the catalog knows well, and its impact."""
    return incident(
        ident,
        [
            {
                "id": "retries",
                "kind": "condition",
                "label": "Clients retried immediately with no backoff or jitter",
            },
            {
                "id": "impact",
                "kind": "impact",
                "label": "Logins failed for an hour",
                "causes": ["retries"],
            },
        ],
    )


class TestSuggestions:
    def test_a_catalog_factor_is_accepted_with_one_click(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(retry_storm("suggest"))
        page = EditorPage.open(context, server.url, "suggest")
        page.select("retries")
        # A screen reader hears the entry's name, not only its key.
        button = page.page.get_by_role(
            "button", name="Accept “Retry storm without backoff or jitter” (retry-storm-no-backoff)"
        )
        button.click()
        assert page.nodes()["retries"]["factor"] == "retry-storm-no-backoff"
        page.page.locator(".suggestions .ok").filter(has_text="accepted").wait_for()
        # Focus stays in the list (on what was accepted), not lost to the page.
        assert page.js("document.activeElement.closest('.suggestions') !== null")
        # Accepting another one at once is an undo step of its own: undo goes back to the
        # first choice, not to no key at all (the two were merged as typing is).
        other = page.page.locator(".suggestions button[data-key^='accept:']").first
        second = (other.get_attribute("data-key") or "").removeprefix("accept:")
        other.click()
        assert page.nodes()["retries"]["factor"] == second
        page.focus_canvas()
        page.keys("Control+z")
        assert page.nodes()["retries"]["factor"] == "retry-storm-no-backoff"
        page.wait_saved(after=1)
        page.assert_clean()

    def test_a_viewer_sees_which_entry_was_accepted(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A viewer saw the factor key change, but the list of suggestions under it did
        not say which entry (by its name) the facilitator had accepted."""
        api.create(retry_storm("suggest-viewer"))
        page = EditorPage.open(context, server.url, "suggest-viewer")
        viewer = EditorPage.open(other_context, server.url, "suggest-viewer", token=READ)
        viewer.wait("window.causemap.state().live === 'live'")
        viewer.select("retries")
        name = "Retry storm without backoff or jitter"
        entry = viewer.page.locator(".suggestions li").filter(has_text=name)
        entry.wait_for()
        assert "accepted" not in entry.inner_text()
        page.select("retries")
        page.page.get_by_role("button", name=f"Accept “{name}” (retry-storm-no-backoff)").click()
        revision = page.wait_saved(after=1)
        viewer.wait("(r) => window.causemap.state().revision === r", revision)
        entry.filter(has_text="✓ accepted").wait_for()
        assert viewer.page.locator(".suggestions li").filter(has_text="accepted").count() == 1
        page.assert_clean()
        viewer.assert_clean()

    def test_they_follow_the_detail_too(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        # The server scores a node on its statement and its detail: a new detail must
        # bring new suggestions, not leave those of the old wording on screen.
        api.create(
            incident(
                "suggest-detail",
                [
                    {"id": "gateway", "kind": "condition", "label": "Logins at the gateway failed"},
                    {
                        "id": "impact",
                        "kind": "impact",
                        "label": "Customers could not sign in",
                        "causes": ["gateway"],
                    },
                ],
            )
        )
        page = EditorPage.open(context, server.url, "suggest-detail")
        page.select("gateway")
        key = "expired-certificate-or-credential"
        accept = page.page.locator(f'.suggestions [data-key="accept:{key}"]')
        page.page.locator(".suggestions li").first.wait_for()
        assert accept.count() == 0
        page.page.locator("details.more summary").click()
        detail = page.page.locator('textarea[data-key="detail"]')
        detail.fill("The TLS certificate on the gateway had expired overnight.")
        detail.blur()
        accept.wait_for()
        page.wait_saved(after=1)
        page.assert_clean()

    def test_a_late_answer_for_an_older_wording_is_ignored(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The answer for the old wording, arriving after the new one's, used to replace
        it: the list went back to "Looking…" and was asked for again."""
        api.create(retry_storm("suggest-late"))
        held: list[Route] = []
        asked: list[str] = []

        def hold_the_first(route: Route) -> None:
            asked.append(route.request.url)
            if held:
                route.continue_()
            else:
                held.append(route)

        page = EditorPage.open(context, server.url, "suggest-late")
        ui = page.page
        ui.route("**/api/v1/suggest*", hold_the_first)
        page.select("retries")
        while not held:
            ui.wait_for_timeout(50)
        label = ui.locator('textarea[data-key="label"]')
        label.fill("The TLS certificate on the gateway had expired overnight.")
        label.blur()
        accept = ui.locator('.suggestions [data-key="accept:expired-certificate-or-credential"]')
        accept.wait_for()
        page.js(
            """() => {
              window.__shown = [];
              new MutationObserver(() => window.__shown.push(
                document.querySelector('.suggestions')?.textContent || ''
              )).observe(document.getElementById('panel-selection'),
                         {childList: true, subtree: true});
            }"""
        )
        with contextlib.suppress(PlaywrightError):  # the page may have given up on it
            held[0].continue_()
        ui.wait_for_timeout(1500)  # let the late answer be handled, and anything it asks
        shown: list[str] = page.js("window.__shown")
        assert all("expired-certificate-or-credential" in text for text in shown), shown
        assert accept.count() == 1
        assert len(asked) == 2, asked
        page.assert_clean()


class TestPatterns:
    def test_the_cross_incident_report(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        for n, date in [(1, "2022-03-01"), (2, "2022-09-01")]:
            api.create(
                incident(
                    f"pattern-{n}",
                    [
                        {
                            "id": "no-canary",
                            "kind": "condition",
                            "factor": "no-canary-stage",
                            "label": "Config changes had no canary stage",
                        },
                        {
                            "id": "impact",
                            "kind": "impact",
                            "label": "Errors for customers",
                            "causes": ["no-canary"],
                        },
                    ],
                    date=date,
                    title=f"Pattern incident {n}",
                )
            )
        page = EditorPage.open(context, server.url)
        page.page.get_by_role("link", name="Patterns across incidents").click()
        page.wait("document.body.dataset.view === 'patterns' && window.causemap.ready")
        ui = page.page
        assert ui.locator("svg.chart").count() >= 2
        assert "no-canary-stage" in ui.locator(".factor-table").inner_text()
        row = ui.locator(".factor-table tr").filter(has_text="no-canary-stage")
        row.locator("summary").click()
        row.get_by_role("link").first.click()
        page.wait("window.causemap.state() && window.causemap.selection().nodes[0] === 'no-canary'")
        page.assert_clean()

    def test_a_factor_in_many_incidents_counts_every_node_and_says_how_many_are_unlisted(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        # The report lists the members of a factor's 100 most recent incidents; the page
        # said "100 nodes" for a factor of 101, and nothing of the one left out. (A key of
        # this test's own: the server's store is shared with the other tests.)
        for n in range(101):
            api.create(
                incident(
                    f"many-{n:03d}",
                    [
                        {
                            "id": "gap",
                            "kind": "condition",
                            "factor": "many-incidents-gap",
                            "label": "No alert fired on the symptom",
                        },
                        {"id": "impact", "kind": "impact", "label": "Errors", "causes": ["gap"]},
                    ],
                    date=f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}",
                )
            )
        page = EditorPage.open(context, server.url)
        page.page.get_by_role("link", name="Patterns across incidents").click()
        page.wait("document.body.dataset.view === 'patterns' && window.causemap.ready")
        row = page.page.locator(".factor-table tr").filter(has_text="many-incidents-gap")
        summary = row.locator("summary")
        assert summary.inner_text() == "101 nodes"
        summary.click()
        items = row.locator("ul.members > li")
        assert items.count() == 101  # 100 listed, and the line about the others
        assert items.last.inner_text() == "… and 1 in older incidents"
        page.assert_clean()


class TestPatternsPageCache:
    def test_the_report_is_revalidated_not_built_and_downloaded_again(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The patterns page downloaded the whole report on every visit (megabytes for a
        large archive); with nothing changed in between, a second visit now gets a 304
        and shows the report the browser kept."""
        api.create(chain("cache-visit"))
        before = api.answered("/patterns")
        shown = []
        for _ in range(2):
            page = EditorPage.open(context, server.url)
            page.page.get_by_role("link", name="Patterns across incidents").click()
            page.wait("document.body.dataset.view === 'patterns' && window.causemap.ready")
            shown.append(page.page.locator(".cards").inner_text())
            page.assert_clean()
        assert shown[0] == shown[1]
        assert api.answers_since("/patterns", before, 2) == {"200": 1, "304": 1}


class TestPatternCharts:
    def test_long_factor_names_stay_inside_the_chart(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        for n in range(3):
            api.create(
                incident(
                    f"long-name-{n}",
                    [
                        {
                            "id": "drill",
                            "kind": "condition",
                            "factor": "recovery-never-exercised-at-scale",
                            "label": "The restore had never been tried at this size",
                        },
                        {
                            "id": "impact",
                            "kind": "impact",
                            "label": "Orders were lost",
                            "causes": ["drill"],
                        },
                    ],
                )
            )
        page = EditorPage.open(context, server.url)
        page.page.get_by_role("link", name="Patterns across incidents").click()
        page.wait("document.body.dataset.view === 'patterns' && window.causemap.ready")
        lefts = page.js(
            "[...document.querySelectorAll('svg.chart .chart-label')]"
            ".map((t) => [t.textContent, t.getBBox().x])"
        )
        assert any("Recovery path never" in text for text, _ in lefts), lefts
        assert [text for text, x in lefts if x < 0] == []
        page.assert_clean()


class TestKeyboardAndAccess:
    def test_shortcut_sheet_projector_mode_and_arrow_keys(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("keys", 4))
        page = EditorPage.open(context, server.url, "keys")
        ui = page.page
        page.focus_canvas()
        page.keys("?")
        ui.locator("dialog[open]").get_by_role("heading", name="Keyboard shortcuts").wait_for()
        page.keys("Escape")
        assert ui.locator("dialog[open]").count() == 0
        page.focus_canvas()
        page.keys("ArrowLeft")  # from nothing: the node in the middle of the view
        first = page.js("window.causemap.selection().nodes[0]")
        assert first
        page.select("n2")
        page.focus_canvas()
        page.keys("ArrowRight")
        assert page.js("window.causemap.selection().nodes") == ["n3"]
        page.keys("ArrowLeft", "ArrowLeft")
        assert page.js("window.causemap.selection().nodes") == ["n1"]
        page.wait("document.getElementById('announce').textContent.includes('“Step 1 happened”')")
        ui.get_by_role("button", name="Big text").click()
        assert page.js("document.body.classList.contains('projector')")
        ui.reload()
        page.wait("window.causemap.ready")
        assert page.js("document.body.classList.contains('projector')")
        assert ui.get_by_role("button", name="Big text").get_attribute("aria-pressed") == "true"
        page.assert_clean()

    def test_shift_arrows_and_the_outline_select_several_nodes_from_the_keyboard(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("multi", 5))
        page = EditorPage.open(context, server.url, "multi")
        ui = page.page
        page.select("n2")
        page.focus_canvas()
        page.keys("Shift+ArrowRight")
        assert page.js("window.causemap.selection().nodes") == ["n2", "n3"]
        page.wait("document.getElementById('announce').textContent.includes('2 nodes selected')")
        page.keys("Shift+ArrowRight")  # goes on from the last node added
        assert page.js("window.causemap.selection().nodes") == ["n2", "n3", "n4"]
        page.keys("Shift+ArrowLeft")  # already selected: it becomes the last, nothing is lost
        assert page.js("window.causemap.selection().nodes") == ["n2", "n4", "n3"]
        page.keys("ArrowLeft")  # a plain arrow still moves a single selection
        assert page.js("window.causemap.selection().nodes") == ["n2"]
        # In the outline, Shift+Enter and Shift+Space add a node, or take it out again.
        ui.locator('.outline-node[data-node="n4"]').focus()
        page.keys("Shift+Enter")
        assert page.js("window.causemap.selection().nodes") == ["n2", "n4"]
        ui.locator('.outline-node[data-node="n1"]').focus()
        page.keys("Shift+Space")
        assert page.js("window.causemap.selection().nodes") == ["n2", "n4", "n1"]
        ui.locator('.outline-node[data-node="n4"]').focus()
        page.keys("Shift+Enter")
        assert page.js("window.causemap.selection().nodes") == ["n2", "n1"]
        # The selection is what "a" acts on: one action addressing both nodes.
        page.focus_canvas()
        page.keys("a")
        page.wait("window.causemap.editor().store.doc.actions.length === 1")
        addressed = page.js("window.causemap.editor().store.doc.actions[0].addresses")
        assert sorted(addressed) == ["n1", "n2"]
        page.assert_clean()

    def test_keys_refuse_and_leave_as_they_say(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("keys-refuse", 3))
        page = EditorPage.open(context, server.url, "keys-refuse")
        ui = page.page
        # k on an impact: refused with the usual message, no linking mode.
        page.select("impact")
        page.focus_canvas()
        page.keys("k")
        ui.locator(".toast").filter(has_text="impact causes nothing").wait_for()
        assert page.js("window.causemap.editor().connecting") is None
        # Esc in a Selection field leaves it, back to the canvas where keys act.
        page.select("n1")
        field = ui.locator("#panel-selection").get_by_label("Statement")
        field.focus()
        page.keys("Escape")
        assert page.js("document.activeElement.id") == "cy"
        assert page.js("window.causemap.selection().nodes") == ["n1"]
        # Pasting more than a statement holds says what was kept.
        bar = ui.locator("#statement")
        bar.focus()
        page.js(
            """() => {
              const data = new DataTransfer();
              data.setData('text/plain', 'y'.repeat(5000));
              const paste = new ClipboardEvent('paste', {clipboardData: data, bubbles: true});
              document.getElementById('statement').dispatchEvent(paste);
            }"""
        )
        ui.locator(".toast").filter(has_text="500").wait_for()
        page.assert_clean()

    def test_focus_is_visible_and_every_control_is_labelled(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The analysis answers when it answers (late on a loaded machine): the test
        pressed Tab 30 times counting on the findings' buttons being there, and when
        they were not yet, Tab went past the page's last control to <body> (flaky)."""
        doc = chain("access", 3)
        doc["actions"] = [{"id": "a1", "title": "Add a canary", "addresses": ["n1"]}]
        api.create(doc)
        held: list[Route] = []
        context.route("**/api/v1/analyze", lambda route: held.append(route))
        page = EditorPage.open(context, server.url, "access")
        ui = page.page
        page.select("n1")
        unlabelled = """() => [...document.querySelectorAll('input, select, textarea, button')]
          .filter((e) => e.offsetParent !== null)
          .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
            && !e.getAttribute('aria-labelledby') && !(e.textContent || '').trim())
          .map((e) => e.outerHTML.slice(0, 80))"""
        for tab in ["Selection", "Actions", "Incident", "Analysis"]:
            ui.get_by_role("tab", name=tab).click()
            assert page.js(unlabelled) == [], tab
        context.unroute("**/api/v1/analyze")
        for route in held:  # answer now (a request the page gave up on is gone)
            with contextlib.suppress(PlaywrightError):
                route.continue_()
        assert page.wait_analysed()["findings"]  # their buttons are among the stops
        assert page.js(unlabelled) == [], "Analysis"
        ui.locator("body").click(position={"x": 5, "y": 200})
        outlines = []
        for _ in range(60):  # to the end of the page: Tab then leaves it, for <body>
            ui.keyboard.press("Tab")
            if page.js("document.activeElement === document.body"):
                break
            outlines.append(
                page.js(
                    "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
                    " return [e.tagName + (e.id ? '#' + e.id : ''),"
                    " s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
                )
            )
        names = [name for name, _, _ in outlines]
        assert "LI" in names  # the outline (one stop) ...
        assert "DIV#cy" in names  # ... the canvas ...
        assert len(outlines) >= 25  # ... and the controls of the panels, findings too
        for name, style, width in outlines:
            assert style != "none", name
            assert width >= 2, (name, width)
        page.assert_clean()


class TestMalformedAddress:
    def test_a_bad_escape_in_the_address_is_an_error_page_not_a_blank_one(
        self, context: BrowserContext, server: Server
    ) -> None:
        """A link cut short after a '%' (pasted from a chat that wrapped it): decoding the
        address threw 'URI malformed' before anything was drawn, on every page."""
        page = EditorPage(context.new_page(), server.url)
        page.page.goto(f"{server.url}/#/incidents/bad%ZZ&token={WRITE}")
        page.page.get_by_role("heading", name="Could not open the incident").wait_for()
        page.page.get_by_role("link", name="Back to the list").click()
        page.wait("window.causemap.ready")
        assert page.page.get_by_role("heading", name="Incidents").is_visible()
        page.assert_clean("422 (Unprocessable Entity)")
