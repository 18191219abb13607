"""Following along: viewers see what others add, and the analysis recovers by itself."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Request, Route

from tests.servers import Server
from tests.web.network import Relay
from tests.web.pages import READ, WRITE, Api, EditorPage, chain

IN_VIEW = """(id) => {
  const cy = window.cy;
  const n = cy.getElementById(id);
  if (n.empty() || cy.animated()) return false;
  const b = n.renderedBoundingBox();
  return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= cy.width() && b.y2 <= cy.height();
}"""


def add_cause(doc: dict[str, Any], ident: str, of: str, label: str) -> None:
    doc["nodes"].insert(0, {"id": ident, "kind": "event", "label": label})
    effect = next(n for n in doc["nodes"] if n["id"] == of)
    effect["causes"] = [*effect.get("causes", []), ident]


class TestViewers:
    def test_a_viewer_follows_nodes_added_elsewhere(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("follow", 2))
        viewer = EditorPage.open(context, server.url, "follow", token=READ)
        viewer.wait("window.causemap.state().live === 'live'")
        doc, revision = api.get("follow")
        effect = "n1"
        for i in range(6):  # five whys and one more, each a cause of the one before
            add_cause(doc, f"c{i}", effect, f"Cause number {i} of the chain, one further back")
            revision = api.put("follow", doc, revision)
            viewer.wait("(r) => window.causemap.state().revision === r", revision)
            viewer.wait(IN_VIEW, f"c{i}")
            effect = f"c{i}"
        # Someone who zoomed by hand keeps their view.
        viewer.focus_canvas()
        viewer.keys("+")
        view = viewer.js("({pan: window.cy.pan(), zoom: window.cy.zoom()})")
        add_cause(doc, "late", effect, "A cause added after the viewer zoomed in")
        revision = api.put("follow", doc, revision)
        viewer.wait("(r) => window.causemap.state().revision === r", revision)
        viewer.page.wait_for_timeout(400)
        assert viewer.js("({pan: window.cy.pan(), zoom: window.cy.zoom()})") == view
        viewer.assert_clean()

    def test_revisions_from_elsewhere_share_one_notice(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("notices", 2))
        page = EditorPage.open(context, server.url, "notices")
        page.wait("window.causemap.state().live === 'live'")
        doc, revision = api.get("notices")
        for i in range(4):
            doc["title"] = f"Title number {i}"
            revision = api.put("notices", doc, revision)
            page.wait("(r) => window.causemap.state().revision === r", revision)
        notices = page.page.locator(".toast").filter(has_text="saved elsewhere")
        assert notices.count() == 1
        assert f"Revision {revision}" in notices.inner_text()
        page.assert_clean()


class TestAnalysis:
    def test_the_analysis_recovers_after_the_server_was_unreachable(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("recover", 3))
        page = EditorPage.open(context, server.url, "recover")
        page.wait_analysed()
        failed: list[str] = []

        def down(route: Route) -> None:
            if route.request.method in ("POST", "PUT"):
                failed.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        page.page.route("**/api/v1/**", down)
        page.ask_why("n2", "A cause added while the server was down")
        page.wait("window.causemap.state().status === 'offline'")
        page.wait("window.causemap.editor().analyzer.error !== null")
        page.page.wait_for_timeout(3000)  # handlers run while Playwright waits, not in sleep()
        assert any(url.endswith("/analyze") for url in failed)
        # Retried with a back-off, not hammered (suggestions were asked every 0.6 s).
        assert sum("/suggest" in url for url in failed) <= 4, failed
        assert sum(url.endswith("/analyze") for url in failed) <= 3, failed
        page.page.unroute("**/api/v1/**")
        page.wait_saved(after=1)  # the save is retried by itself ...
        analysis = page.wait_analysed()  # ... and so is the analysis, without another edit
        added = next(n["id"] for n in page.doc()["nodes"] if n["label"].startswith("A cause"))
        assert added in analysis["nodes"]
        page.page.get_by_role("tab", name="Analysis").click()
        assert "Updating" not in page.text("#panel-analysis")
        page.assert_clean("net::ERR_FAILED")

    def test_every_page_posts_the_same_bytes_for_a_revision(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The service analyses one body once for every copy of it; pages posted their own
        serialisation (key order as built), so a facilitator's page and its viewers' did
        not share the analysis."""
        api.create(chain("shared-analysis", 3))
        page = EditorPage.open(context, server.url, "shared-analysis")
        viewers = [
            EditorPage.open(other_context, server.url, "shared-analysis", token=READ)
            for _ in range(2)
        ]
        bodies: dict[int, list[str]] = {0: [], 1: [], 2: []}

        def keep(posted: list[str]) -> Callable[[Request], None]:
            def seen(request: Request) -> None:
                if request.url.endswith("/analyze"):
                    posted.append(request.post_data or "")

            return seen

        for i, each in enumerate([page, *viewers]):
            each.wait_analysed()
            each.page.on("request", keep(bodies[i]))
        page.ask_why("n2", "A cause every viewer sees")
        revision = page.wait_saved(after=1)
        page.wait_analysed()
        for viewer in viewers:
            viewer.wait("(r) => window.causemap.state().revision === r", revision)
            viewer.wait_analysed()
        assert bodies[1]
        assert bodies[2]
        assert bodies[1][-1] == bodies[2][-1] == bodies[0][-1]
        assert "A cause every viewer sees" in bodies[1][-1]


class TestDeletedElsewhere:
    def test_an_edit_after_the_incident_was_deleted_says_so_and_is_not_retried(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("deleted-meanwhile", 3))
        page = EditorPage.open(context, server.url, "deleted-meanwhile")
        viewer = EditorPage.open(other_context, server.url, "deleted-meanwhile", token=READ)
        page.wait("window.causemap.state().live === 'live'")
        viewer.wait("window.causemap.state().live === 'live'")
        puts: list[str] = []

        def sent(request: Request) -> None:
            if request.method == "PUT":
                puts.append(request.url)

        page.page.on("request", sent)
        _, revision = api.get("deleted-meanwhile")
        gone = api.raw("DELETE", "/incidents/deleted-meanwhile")
        assert gone.status_code == 200, gone.text
        page.wait("window.causemap.state().status === 'deleted'")
        viewer.page.locator("#banner").filter(has_text="deleted").wait_for()
        page.ask_why("n2", "A cause added after someone deleted the incident")
        page.page.wait_for_timeout(1500)  # past the autosave delay
        assert puts == []  # nothing is sent to a deleted incident, over and over
        assert page.state()["status"] == "deleted"
        assert "deleted" in page.text("#banner")
        assert "cannot be reached" not in page.text("#banner")
        assert "Deleted" in page.text(".save-status")
        # Restored as it was: the edit made meanwhile is saved on top of it.
        assert api.raw("POST", "/incidents/deleted-meanwhile/restore").status_code == 200
        assert page.wait_saved(after=revision + 1) == revision + 3
        saved, _ = api.get("deleted-meanwhile")
        assert any(n["label"].startswith("A cause added after") for n in saved["nodes"])
        viewer.wait("(r) => window.causemap.state().revision === r", revision + 3)
        assert viewer.page.locator("#banner").is_hidden()  # no longer says it is deleted
        page.assert_clean()
        viewer.assert_clean()

    def test_a_deleted_incident_says_changes_are_kept_only_when_there_are_some(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """With nothing unsaved, "your changes are kept in this browser" promised changes
        the facilitator never made; once they edit, it is true and said."""
        api.create(chain("deleted-clean", 3))
        page = EditorPage.open(context, server.url, "deleted-clean")
        page.wait("window.causemap.state().live === 'live'")
        assert api.raw("DELETE", "/incidents/deleted-clean").status_code == 200
        page.wait("window.causemap.state().status === 'deleted'")
        assert "deleted elsewhere" in page.text("#banner")
        assert "kept" not in page.text("#banner")
        assert "kept" not in page.text(".save-status")
        page.ask_why("n2", "A cause added after someone deleted the incident")
        page.page.locator("#banner").filter(has_text="kept in this browser").wait_for()
        assert "kept in this browser" in page.text(".save-status")
        page.assert_clean()

    def test_a_save_that_meets_a_deleted_incident_is_not_called_offline(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        api.create(chain("deleted-unseen", 3))
        page = EditorPage.open(context, server.url, "deleted-unseen")
        page.wait("window.causemap.state().live === 'live'")
        page.js("window.causemap.editor().live.stop()")  # the delete is not heard live
        assert api.raw("DELETE", "/incidents/deleted-unseen").status_code == 200
        page.ask_why("n2", "A cause added after someone deleted the incident")
        page.wait("window.causemap.state().status === 'deleted'")
        assert "cannot be reached" not in page.text("#banner")
        assert "deleted" in page.text("#banner")
        page.assert_clean("410 (Gone)")

    def test_a_page_opened_on_a_deleted_incident_opens_it_once_restored(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """A viewer who joined while the incident was deleted read "This incident was
        deleted" for good: the facilitator restored it and the page never knew."""
        api.create(chain("deleted-first", 3))
        assert api.raw("DELETE", "/incidents/deleted-first").status_code == 200
        viewer = EditorPage(context.new_page(), server.url)
        viewer.page.goto(f"{server.url}/#/incidents/deleted-first&token={READ}")
        viewer.page.get_by_role("heading", name="This incident was deleted").wait_for()
        assert api.raw("POST", "/incidents/deleted-first/restore").status_code == 200
        viewer.wait("window.causemap.ready && window.causemap.doc() !== null")
        assert "n2" in viewer.nodes()
        viewer.wait("window.causemap.state().live === 'live'")
        viewer.assert_clean("410 (Gone)")


class TestDroppedConnection:
    def test_a_stream_that_went_silent_is_reconnected_and_misses_nothing(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The network drops without closing the connections (a laptop changed networks):
        the pages noticed nothing and said "Live" while every later revision passed them
        by. The server's keep-alives stop arriving, so they reconnect and catch up."""
        api.create(chain("silent", 3))
        with Relay(server.port) as relay:
            page = EditorPage.open(context, relay.url, "silent")
            viewer = EditorPage.open(other_context, relay.url, "silent", token=READ)
            page.wait("window.causemap.state().live === 'live'")
            viewer.wait("window.causemap.state().live === 'live'")
            relay.sever()
            doc, revision = api.get("silent")
            add_cause(doc, "theirs", "n1", "A cause someone else added meanwhile")
            revision = api.put("silent", doc, revision)
            for each in (page, viewer):
                each.wait("(r) => window.causemap.state().revision === r", revision, 20_000)
                assert "theirs" in each.nodes()
            page.ask_why("n2", "A cause added after the network came back")
            mine = page.wait_saved(after=revision)
            viewer.wait("(r) => window.causemap.state().revision === r", mine)
            labels = [n["label"] for n in viewer.doc()["nodes"]]
            assert labels.count("A cause added after the network came back") == 1
            assert labels.count("A cause someone else added meanwhile") == 1
            for each in (page, viewer):
                assert each.text(".live-status") == "● Live"
        page.assert_clean("ERR_")
        viewer.assert_clean("ERR_")

    def test_an_edit_made_while_the_service_was_down_is_saved_when_it_is_back(
        self, context: BrowserContext, other_context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The facilitator's offline save waited for its retry timer (5 s), so viewers that
        reconnected at once still saw the picture without the edit. The save is retried as
        soon as the live stream is back; the timer is set to ten minutes here, so only that
        can save it."""
        api.create(chain("back", 3))
        with Relay(server.port) as relay:
            page = EditorPage.open(context, relay.url, "back")
            viewer = EditorPage.open(other_context, server.url, "back", token=READ)
            page.wait("window.causemap.state().live === 'live'")
            page.js("window.causemap.editor().saver.retryMs = 600000")
            relay.down()
            page.wait("window.causemap.state().live === 'reconnecting'")
            page.ask_why("n2", "A cause added while the service restarted")
            page.wait("window.causemap.state().status === 'offline'")
            relay.up()
            mine = page.wait_saved(after=1)
            viewer.wait("(r) => window.causemap.state().revision === r", mine)
            assert "A cause added while the service restarted" in [
                n["label"] for n in viewer.doc()["nodes"]
            ]
        page.assert_clean("ERR_")

    def test_a_viewer_sees_the_picture_is_stale_until_the_service_is_back(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """While the service restarted, a viewer's picture stopped updating with nothing
        on the canvas to say so (only the small "Reconnecting…" in the top bar)."""
        api.create(chain("restarted", 3))
        with Relay(server.port) as relay:
            viewer = EditorPage.open(context, relay.url, "restarted", token=READ)
            viewer.wait("window.causemap.state().live === 'live'")
            stale = viewer.page.locator("#stale")
            assert stale.is_hidden()
            relay.down()
            stale.wait_for()
            assert "not live" in stale.inner_text().lower()
            assert "out of date" in stale.inner_text().lower()
            doc, revision = api.get("restarted")
            add_cause(doc, "meanwhile", "n1", "A cause added while the viewer was cut off")
            revision = api.put("restarted", doc, revision)
            relay.up()
            viewer.wait("(r) => window.causemap.state().revision === r", revision, 20_000)
            stale.wait_for(state="hidden")
            assert "meanwhile" in viewer.nodes()
            assert viewer.text(".live-status") == "● Live"
        viewer.assert_clean("ERR_")


class Rewindable:
    """A server of its own whose SQLite store can be put back to a backup taken earlier
    (what an operator does after a bad migration or a lost disk), restarting it."""

    def __init__(self, folder: Path) -> None:
        self.db = folder / "store.db"
        self.backup = folder / "backup.db"
        env = {"CAUSEMAP_TOKENS": f"read:{READ},write:{WRITE}", "CAUSEMAP_SSE_POLL": "0.1",
               "CAUSEMAP_SSE_PING": "1"}  # fmt: skip
        self.server = Server(f"sqlite:///{self.db}", folder / "server.log", env=env)
        self.api = Api(self.server.url)

    def back_up(self) -> None:
        live, copy = sqlite3.connect(self.db), sqlite3.connect(self.backup)
        with closing(live), closing(copy):
            live.backup(copy)

    def rewind(self) -> None:
        """Stop, put the backup in place of the store, start again on the same port."""
        self.server.stop()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        self.db.write_bytes(self.backup.read_bytes())
        self.server.start()


@pytest.fixture
def rewindable(tmp_path: Path) -> Iterator[Rewindable]:
    made = Rewindable(tmp_path)
    with made.server:
        yield made


class TestStoreWentBack:
    """The store was restored from a backup older than what the pages show: the live
    stream then starts over with the current revision, numbered below theirs. The pages
    ignored any revision not above their own, so they went on showing revisions the
    server no longer has, and the facilitator's next save failed."""

    def test_pages_show_the_revision_the_server_went_back_to(
        self, rewindable: Rewindable, context: BrowserContext, other_context: BrowserContext
    ) -> None:
        api, url = rewindable.api, rewindable.server.url
        api.create(chain("rewound", 3))
        rewindable.back_up()  # revision 1
        doc, revision = api.get("rewound")
        add_cause(doc, "lost", "n1", "A cause saved after the backup")
        assert api.put("rewound", doc, revision) == 2
        page = EditorPage.open(context, url, "rewound")
        viewer = EditorPage.open(other_context, url, "rewound", token=READ)
        for each in (page, viewer):
            each.wait("window.causemap.state().live === 'live'")
            assert "lost" in each.nodes()
        rewindable.rewind()
        for each in (page, viewer):
            each.wait("window.causemap.state().revision === 1", timeout=20_000)
            assert "lost" not in each.nodes()
            each.wait("window.causemap.state().live === 'live'")
        assert page.state()["status"] == "saved"
        said = page.page.locator(".toast").filter(has_text="went back to revision 1")
        assert said.count() == 1
        # The facilitator's next edit is saved on top of what the server has.
        page.ask_why("n2", "A cause added after the restore")
        assert page.wait_saved() == 2
        saved, _ = api.get("rewound")
        assert "lost" not in {n["id"] for n in saved["nodes"]}
        viewer.wait("window.causemap.state().revision === 2")
        assert "A cause added after the restore" in [n["label"] for n in viewer.doc()["nodes"]]
        page.assert_clean("ERR_")
        viewer.assert_clean("ERR_")

    def test_unsaved_edits_are_merged_onto_the_revision_it_went_back_to(
        self, rewindable: Rewindable, context: BrowserContext
    ) -> None:
        api, url = rewindable.api, rewindable.server.url
        api.create(chain("rewound-edits", 3))
        rewindable.back_up()
        doc, revision = api.get("rewound-edits")
        add_cause(doc, "lost", "n1", "A cause saved after the backup")
        assert api.put("rewound-edits", doc, revision) == 2
        page = EditorPage.open(context, url, "rewound-edits")
        page.wait("window.causemap.state().live === 'live'")
        page.refuse_saves("rewound-edits")  # edited while the server is being restored
        page.rename("n2", "Step two, as I put it while the server was down")
        page.wait("window.causemap.state().status === 'offline'")
        rewindable.rewind()
        page.allow_saves("rewound-edits")
        dialog = page.page.locator("dialog[open]")
        dialog.get_by_role("heading", name="The server went back to an earlier revision").wait_for(
            timeout=20_000
        )
        assert "revision 1" in dialog.inner_text()
        assert "Step two, as I put it" in dialog.inner_text()  # what I changed, kept
        dialog.get_by_role("button", name="Merge: my changes on top of theirs").click()
        assert page.wait_saved() == 2
        assert page.page.locator("dialog[open]").count() == 0  # asked once, not again
        saved, _ = api.get("rewound-edits")
        labels = {n["id"]: n["label"] for n in saved["nodes"]}
        assert labels["n2"] == "Step two, as I put it while the server was down"
        assert "lost" not in labels
        page.assert_clean("ERR_", "status of 412")  # the offline save, retried at once

    def test_an_incident_the_restored_store_does_not_have_is_said_to_be_gone(
        self, rewindable: Rewindable, context: BrowserContext, other_context: BrowserContext
    ) -> None:
        """The backup predates the incident: the facilitator's next save met 404 and was
        called "the server cannot be reached", retried every few seconds for ever, and
        viewers read only "Live updates are not available"."""
        api, url = rewindable.api, rewindable.server.url
        rewindable.back_up()  # no incident yet
        api.create(chain("unborn", 3))
        page = EditorPage.open(context, url, "unborn")
        viewer = EditorPage.open(other_context, url, "unborn", token=READ)
        for each in (page, viewer):
            each.wait("window.causemap.state().live === 'live'")
        puts: list[str] = []
        page.page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
        page.js("window.causemap.editor().saver.retryMs = 100")
        rewindable.rewind()
        for each in (page, viewer):
            each.wait("window.causemap.state().live === 'stopped'", timeout=20_000)
        page.rename("n2", "Step two, renamed after the restore")
        page.wait("window.causemap.state().status === 'deleted'")
        page.page.wait_for_timeout(1500)  # past the autosave delay and many retries
        assert len(puts) == 1
        for each in (page, viewer):
            assert "no longer on the server" in each.text("#banner")
            assert "cannot be reached" not in each.text("#banner")
        assert "Step two, renamed after the restore" in page.nodes()["n2"]["label"]
        page.assert_clean("ERR_", "404 (Not Found)")
        viewer.assert_clean("ERR_", "404 (Not Found)")
