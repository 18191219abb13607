"""The factor key field: the catalog's keys offered as the user types, and a likely typo
of one caught before the patterns report counts it as a factor of its own."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Response

from causemap.catalog import builtin_catalog
from causemap.typos import Typos
from tests.servers import Server
from tests.web.pages import READ, Api, EditorPage, incident

GAP = "No alert, or a late alert, on the symptom"  # the entry alerting-gap's name
FIELD = '#panel-selection input[data-key="factor"]'
BIDI = str.maketrans("", "", "\u2066\u2067\u2068\u2069")
PAUSE = 700  # ms without typing before a key not in the catalog is judged (factorkey.js)


def plain(text: str) -> str:
    """Text as read, without the isolates that keep user text's direction to itself."""
    return text.translate(BIDI)


def outage(ident: str, factor: str | None = None) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "id": "paging",
        "kind": "condition",
        "label": "Nobody was paged while errors climbed",
    }
    if factor:
        condition["factor"] = factor
    impact = {"id": "impact", "kind": "impact", "label": "Checkout failed", "causes": ["paging"]}
    return incident(ident, [condition, impact])


def opened(context: BrowserContext, server: Server, api: Api, ident: str, **kw: Any) -> EditorPage:
    api.create(outage(ident, kw.pop("factor", None)))
    page = EditorPage.open(context, server.url, ident, **kw)
    page.select("paging")
    return page


def note(page: EditorPage) -> Locator:
    return page.page.locator("#panel-selection .factor-note")


WATCH = """(field) => {
  const seen = (window.__notes = []);
  let last = -Infinity;
  document.addEventListener("input", () => (last = performance.now()), true);
  let was = "";
  new MutationObserver(() => {
    const shown = document.querySelector("#panel-selection .factor-note");
    const text = shown ? shown.textContent : "";
    if (text === was) return;
    was = text;
    const typing = document.activeElement === document.querySelector(field);
    if (text) seen.push({ text, after: performance.now() - last, typing });
  }).observe(document.getElementById("panel-selection"),
    { childList: true, subtree: true, characterData: true });
}"""


def watch(page: EditorPage) -> None:
    """Record each note the field gets (``window.__notes``): its text, how long after the
    last keystroke it came, and whether the field still had focus."""
    page.js(WATCH, FIELD)


def seen(page: EditorPage) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = page.js("window.__notes")
    return [{**n, "text": plain(n["text"])} for n in notes]


def waited(said: dict[str, Any]) -> bool:
    """Whether a note came a pause after the last keystroke (less the clock's grain)."""
    return bool(said["after"] >= PAUSE - 5)


def calm(said: dict[str, Any]) -> bool:
    """Whether a note came as it should: a catalog entry at once, any other once typing
    paused or the field was left."""
    return said["text"].startswith("Catalog entry") or not said["typing"] or waited(said)


class TestFactorKey:
    def test_the_field_offers_every_catalog_key_by_name(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        asked: list[str] = []
        context.on("request", lambda r: asked.append(r.url) if "/api/v1/catalog" in r.url else None)
        page = opened(context, server, api, "fk-offer")
        field = page.page.locator(FIELD)
        options = page.page.locator(f"datalist#{field.get_attribute('list')} option")
        options.first.wait_for(state="attached")
        catalog = builtin_catalog()
        assert options.evaluate_all("(os) => os.map((o) => o.value)") == catalog.keys()
        labels = [plain(t) for t in options.evaluate_all("(os) => os.map((o) => o.textContent)")]
        assert labels == [entry.name for entry in catalog.entries]
        # Once per page: choosing another node (and back) asks for it no more.
        page.select("impact")
        page.select("paging")
        assert len(asked) == 1, asked
        page.assert_clean()

    def test_the_catalog_is_revalidated_not_downloaded_again(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """Every page downloaded the whole catalog again (some 185 kB), though it changes
        only when the server starts with another catalog: a later page of the browser now
        asks with If-None-Match, the server answers 304, and the page offers every key
        from the copy the browser kept."""
        asked: list[tuple[int, str, str | None]] = []

        def heard(response: Response) -> None:
            if "/api/v1/catalog" in response.url:
                sent = response.request.header_value("if-none-match")
                asked.append((response.status, response.header_value("etag") or "", sent))

        context.on("response", heard)
        keys = builtin_catalog().keys()
        before = api.answered("/catalog")
        for ident in ("fk-cache-1", "fk-cache-2"):
            page = opened(context, server, api, ident)
            field = page.page.locator(FIELD)
            options = page.page.locator(f"datalist#{field.get_attribute('list')} option")
            options.first.wait_for(state="attached")
            assert options.evaluate_all("(os) => os.map((o) => o.value)") == keys
            page.assert_clean()
        (status, tag, sent), (_, _, again) = asked
        assert (status, sent) == (200, None), asked
        assert tag, asked
        assert again == tag, asked  # the browser's own revalidation, not the page's header
        # The server sent the catalog once; the second page got a 304.
        answered = api.answers_since("/catalog", before, 2)
        assert answered == {"200": 1, "304": 1}, answered

    def test_a_typo_is_caught_and_fixed_with_one_click_and_undone(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        page = opened(context, server, api, "fk-typo")
        page.page.locator(FIELD).fill("alerting-gpa")
        warning = note(page).and_(page.page.locator(".warn"))
        warning.wait_for()
        assert plain(warning.locator("p").inner_text()) == (
            f"“alerting-gpa” is not in the catalog: did you mean alerting-gap ({GAP})?"
        )
        assert page.nodes()["paging"]["factor"] == "alerting-gpa"
        use = f"Use alerting-gap (“{GAP}”) as the factor key"
        page.page.get_by_role("button", name=use).click()
        assert page.nodes()["paging"]["factor"] == "alerting-gap"
        assert page.page.locator(FIELD).input_value() == "alerting-gap"
        assert plain(note(page).inner_text()) == f"Catalog entry: {GAP}"
        assert page.js("document.activeElement.classList.contains('factor-note')")
        # The click is an undo step of its own: undo brings the typed key back.
        page.focus_canvas()
        page.keys("Control+z")
        assert page.nodes()["paging"]["factor"] == "alerting-gpa"
        warning.wait_for()
        assert page.page.locator(FIELD).input_value() == "alerting-gpa"
        page.wait_saved(after=1)
        page.assert_clean()

    def test_a_key_being_typed_is_judged_once_typing_pauses(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The note followed every keystroke: a half-typed key ("capa") was called a key of
        the team's own, a few letters on a typo, until the key was finished. Now only a
        catalog entry is said while typing; the rest waits for a pause or for the field
        to be left."""
        page = opened(context, server, api, "fk-calm")
        field = page.page.locator(FIELD)
        page.page.locator(f"datalist#{field.get_attribute('list')} option").first.wait_for(
            state="attached"
        )  # the catalog is in
        watch(page)
        field.press_sequentially("capacity-planning-gpa")
        assert page.nodes()["paging"]["factor"] == "capacity-planning-gpa"  # written as typed
        warning = note(page).and_(page.page.locator(".warn"))
        warning.wait_for()
        assert "did you mean capacity-planning-gap" in plain(warning.inner_text())
        said = seen(page)
        assert said[-1]["text"].startswith("“capacity-planning-gpa” is not in the catalog"), said
        assert all(waited(n) for n in said), said

        # A catalog key is named at once.
        field.fill("alerting-gap")
        note(page).filter(has_text="Catalog entry").wait_for()
        named = seen(page)[-1]
        assert (named["text"], named["typing"]) == (f"Catalog entry: {GAP}", True), named
        assert named["after"] < PAUSE, named

        # Leaving the field gives the verdict at once.
        field.fill("flag-day")
        left = page.js(
            "(field) => { document.querySelector(field).blur();"
            " return document.querySelector('#panel-selection .factor-note').textContent; }",
            FIELD,
        )
        assert plain(left).startswith("“flag-day” is not in the catalog: a key of your team's own")
        assert all(calm(n) for n in seen(page)), seen(page)

        # Left by a press on a suggestion's Accept, under the note: the note waits for the
        # release, so the press still accepts (it would land on what the note pushed there).
        accept = page.page.get_by_role(
            "button", name=f"Accept “{GAP}” (alerting-gap) as the factor key"
        )
        accept.evaluate("(button) => button.scrollIntoView({ block: 'center' })")
        field.fill("capa")
        box = accept.bounding_box()  # a click by hand: no wait for the pause to pass
        assert box is not None
        page.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert page.nodes()["paging"]["factor"] == "alerting-gap"
        assert plain(note(page).inner_text()) == f"Catalog entry: {GAP}"
        assert all(calm(n) for n in seen(page)), seen(page)
        page.wait_saved(after=1)
        page.assert_clean()

    def test_a_key_of_the_teams_own_gets_a_quiet_note(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        page = opened(context, server, api, "fk-own")
        page.page.locator(FIELD).fill("flag-day")
        quiet = page.page.locator("#panel-selection .factor-note.hint")
        quiet.filter(has_text="flag-day").wait_for()
        assert plain(note(page).inner_text()) == (
            "“flag-day” is not in the catalog: a key of your team's own, which the patterns "
            "report counts as a factor of its own."
        )
        assert not page.page.locator("#panel-selection .factor-note.warn").count()
        assert not note(page).get_by_role("button").count()
        page.assert_clean()

    def test_the_note_never_moves_the_catalog_suggestions(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The note sat between the field and the suggestions: each time it came, went or
        grew, the list jumped under the pointer (by some 90 pixels for a typo's note), and
        an Accept aimed at pressed what came there instead."""
        page = opened(context, server, api, "fk-still")
        suggestions = page.page.locator("#panel-selection .suggestions")
        accept = suggestions.get_by_role(
            "button", name=f"Accept “{GAP}” (alerting-gap) as the factor key"
        )
        accept.wait_for()
        field = page.page.locator(FIELD)
        field.focus()  # in view: the panel scrolls no more below

        def where() -> tuple[float, float, float]:
            """Where the list starts on the screen, and its width (its height is its own:
            an accepted entry's "✓ accepted" is shorter than the button it replaces)."""
            box = suggestions.bounding_box()
            assert box is not None
            return box["x"], box["y"], box["width"]

        before = where()
        for key, said in [
            ("alerting-gpa", "did you mean alerting-gap"),
            ("flag-day", "a key of your team's own"),
            ("alerting-gap", "Catalog entry"),
        ]:
            field.fill(key)
            field.blur()  # the verdict at once
            note(page).filter(has_text=said).wait_for()
            assert where() == before, key
        field.fill("")
        field.blur()
        note(page).wait_for(state="detached")
        assert where() == before
        # Accepted by a press, the note comes with the list where it was: the pointer is
        # still over the entry it accepted.
        box = accept.bounding_box()
        assert box is not None
        page.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        note(page).filter(has_text="Catalog entry").wait_for()
        assert page.nodes()["paging"]["factor"] == "alerting-gap"
        assert where() == before
        accepted = suggestions.locator("li").filter(has_text="alerting-gap")
        assert accepted.get_by_text("✓ accepted").is_visible()
        page.assert_clean()

    def test_a_key_shorter_by_a_word_is_the_teams_own_and_a_typo_still_one(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        """The note called "capacity-gap" a likely typo of "capacity-planning-gap" and
        offered to replace it: a key of the team's own, shorter by a word, is now said to
        be its own, while "_" for "-" and a plural are still a typo, with the button."""
        page = opened(context, server, api, "fk-shorter")
        field = page.page.locator(FIELD)
        field.fill("capacity-gap")
        field.blur()
        quiet = page.page.locator("#panel-selection .factor-note.hint")
        quiet.filter(has_text="capacity-gap").wait_for()
        assert plain(note(page).inner_text()) == (
            "“capacity-gap” is not in the catalog: a key of your team's own, which the "
            "patterns report counts as a factor of its own."
        )
        assert not note(page).get_by_role("button").count()
        field.fill("alerting_gaps")
        field.blur()
        warning = note(page).and_(page.page.locator(".warn"))
        warning.wait_for()
        assert plain(warning.locator("p").inner_text()) == (
            f"“alerting_gaps” is not in the catalog: did you mean alerting-gap ({GAP})?"
        )
        page.page.get_by_role(
            "button", name=f"Use alerting-gap (“{GAP}”) as the factor key"
        ).click()
        assert page.nodes()["paging"]["factor"] == "alerting-gap"
        page.wait_saved(after=1)
        page.assert_clean()

    def test_a_catalog_key_gets_no_warning(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        page = opened(context, server, api, "fk-exact")
        page.page.locator(FIELD).fill("alerting-gap")
        note(page).filter(has_text="Catalog entry").wait_for()
        assert plain(note(page).inner_text()) == f"Catalog entry: {GAP}"
        assert not page.page.locator("#panel-selection .factor-note.warn").count()
        page.assert_clean()

    def test_a_key_on_an_impact_is_said_to_be_ignored(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        # The patterns report counts no factor on an impact (validate warns of it too).
        page = opened(context, server, api, "fk-impact")
        page.select("impact")
        page.page.locator(FIELD).fill("alerting-gap")
        warning = note(page).filter(has_text="leaves impacts out")
        warning.wait_for()
        assert plain(warning.inner_text()) == (
            "The patterns report leaves impacts out, so it ignores this key: factors are what "
            "led to an impact. Put the key on the node it describes."
        )
        assert page.nodes()["impact"]["factor"] == "alerting-gap"
        assert not page.page.get_by_role("button", name="Use alerting-gap").count()
        page.page.locator(FIELD).fill("")
        warning.wait_for(state="detached")
        page.assert_clean()

    def test_a_viewer_sees_the_warning_but_no_button(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        page = opened(context, server, api, "fk-viewer", factor="alerting-gpa", token=READ)
        assert page.state()["readOnly"] is True
        warning = page.page.locator("#panel-selection .factor-note.warn")
        warning.wait_for()
        assert "did you mean alerting-gap" in plain(warning.inner_text())
        assert not warning.get_by_role("button").count()
        page.assert_clean()

    def test_without_the_catalog_the_field_works_as_before(
        self, context: BrowserContext, server: Server, api: Api
    ) -> None:
        context.route("**/api/v1/catalog", lambda route: route.abort())
        page = opened(context, server, api, "fk-offline")
        field = page.page.locator(FIELD)
        field.fill("alerting-gpa")
        assert page.nodes()["paging"]["factor"] == "alerting-gpa"
        page.wait_saved(after=1)
        assert not note(page).count()
        assert not page.page.locator(f"datalist#{field.get_attribute('list')} option").count()
        page.assert_clean("Failed to load resource")


@pytest.fixture
def blank(context: BrowserContext, server: Server) -> Page:
    tab = context.new_page()
    tab.goto(f"{server.url}/#/")
    return tab


TYPOS = {  # word → the catalog key it is a typo of
    "alerting-gpa": "alerting-gap",
    "alertng-gap": "alerting-gap",
    "alerting_gap": "alerting-gap",
    "alerting.gaps": "alerting-gap",
    "alertng-gpa": "alerting-gap",
    "retry-storm-no-backof": "retry-storm-no-backoff",
    "retry_storm_no_backoff": "retry-storm-no-backoff",
    "hidden-hard-limits": "hidden-hard-limit",
    "change-reveiw-gap": "change-review-gap",
    "expired-certificates-or-credentials": "expired-certificate-or-credential",
    "alerting-gäp": "alerting-gap",  # characters no key has, one each (not UTF-16 units)
    "🙂lerting-gap": "alerting-gap",
    "retry-storm-on-backoff": "retry-storm-no-backoff",  # a short word mistyped
    "nokill-switch": "no-kill-switch",  # a hyphen dropped
    "alerting-gap-": "alerting-gap",
}
OWN = [  # keys of a team's own, or not keys at all
    "capacity-gap",
    "our-alerting",
    "db-failover",
    "alert-gap",
    "alerting-noise",
    "retry-storm",
    "on-call-fatigue",
    "kill-switch",
    "unclear-owner",
    "test-coverage",
    "flag-day",
    "db-migration",
    "no-canary-stage",
    "cert-expiry",
    "a-kill-switch",  # a word replaced whole ("a" for "no")
    "x-alerting-gap",  # a word added
    "alerting-x-gap",
    "alerting-gap",  # a catalog key is no typo
    "a",
    "gap",
    "x" * 80,
]
# A catalog of the team's own: digits, short keys, and keys a typo is near more than one of.
OURS = ["http-5xx-spike", "ipv4-exhaustion", "dns", "cert-ttl", "alerting-gaps", "alerting-gap"]
OURS += ["alerting-map", "cert-tls", "no-kill-switch", "kill-switch", "db-failover-runbook"]
OURS_WORDS = {
    "http-4xx-spike": None,
    "http-5xx-spkie": "http-5xx-spike",
    "ipv6-exhaustion": None,
    "dos": None,
    "cert-tll": "cert-ttl",
    "cert-tlx": "cert-tls",
    "crt-tl": None,
    "alerting_gap": "alerting-gap",
    "alerting-mapz": "alerting-map",
    "alerting-xap": "alerting-gap",
    "a-kill-switch": None,  # "a" for "no", and a word added to kill-switch
    "an-kill-switch": "no-kill-switch",
    "kill-switch-x": None,
    "bd-failover-runbook": "db-failover-runbook",
    "xy-failover-runbook": None,
    "db-failover-rünbook": "db-failover-runbook",
    "🙂-failover-runbook": None,  # a word of one code point (two UTF-16 units) replaced
    "d🙂-failover-runbook": "db-failover-runbook",
    "db--failover-runbook": "db-failover-runbook",
    "dbfailover-runbook": "db-failover-runbook",
}


def test_the_nearest_key_is_the_one_the_cli_names(blank: Page) -> None:
    """The page calls a key a typo of the catalog key the CLI names (the rule of
    causemap.typos), on the built-in catalog and on one of a team's own."""
    keys = builtin_catalog().keys()
    words = [*TYPOS, *OWN, *("a" * n + "-gap" for n in range(0, 240, 40))]
    asked = [(words, keys), (list(OURS_WORDS), OURS)]
    found = blank.evaluate(
        "async (asked) => { const m = await import('/js/catalog.js');"
        " return asked.map(([words, keys]) => words.map((w) => m.nearestKey(w, keys))); }",
        asked,
    )
    assert found == [[Typos(keys).near(word) for word in words] for words, keys in asked]
    assert found[0][: len(TYPOS) + len(OWN)] == [*TYPOS.values(), *[None] * len(OWN)]
    assert found[1] == list(OURS_WORDS.values())
