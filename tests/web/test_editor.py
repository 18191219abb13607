"""The facilitator's path through a review, end to end, in a real browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext

from tests.servers import Server
from tests.web.pages import READ, Api, EditorPage, chain

CHAIN = [
    "The checkout service returned errors for every request",
    "Every region loaded the bad routing config within two minutes",
    "The deploy tool pushed the config to all regions at once",
    "The config validator accepted an empty upstream list",
    "A schema change made the upstream list optional",
]
CONDITION = "Config pushes had no canary stage"


def test_a_review_from_a_new_incident_to_a_prevented_impact(
    context: BrowserContext, other_context: BrowserContext, server: Server, api: Api, tmp_path: Path
) -> None:
    page = EditorPage.open(context, server.url)
    ui = page.page

    # Create: title, date and the impact, so the incident is valid from its first save.
    ui.get_by_role("button", name="New incident").click()
    ui.get_by_label("Title").fill("Checkout errors after a config push")
    ui.get_by_label("Date it started").fill("2024-05-02")
    ui.get_by_label("Impact").fill("Checkout failed for 40 minutes for every customer")
    ui.get_by_role("button", name="Create and open").click()
    ident = "checkout-errors-after-a-config-push"
    page.wait("(id) => window.causemap.state() && window.causemap.state().id === id", ident)
    assert page.state()["revision"] == 1
    assert [n["kind"] for n in page.doc()["nodes"]] == ["impact"]

    # A six-node chain with "why?": select the impact, press w, then one statement per Enter.
    page.select("impact")
    page.focus_canvas()
    page.keys("w")
    assert ui.evaluate("document.activeElement.id") == "statement"
    assert "Why?" in page.text("#entry-label")
    for text in CHAIN:
        page.statement(text)
    nodes = page.doc()["nodes"]
    assert len(nodes) == 6
    by_label = {n["label"]: n for n in nodes}
    effect = "impact"
    for text in CHAIN:  # each statement is a cause of the one before
        assert by_label[text]["id"] in next(n for n in nodes if n["id"] == effect)["causes"]
        effect = by_label[text]["id"]

    # A condition: new statement, its kind set with a key, linked with k and a click.
    page.keys("Escape")
    page.keys("/")
    page.statement(CONDITION)
    page.keys("Escape", "c")
    condition = next(n for n in page.doc()["nodes"] if n["label"] == CONDITION)
    assert condition["kind"] == "condition"
    spread = by_label[CHAIN[1]]["id"]
    page.keys("k")
    page.click_node(spread)
    spread_node = page.nodes()[spread]
    assert condition["id"] in spread_node["causes"], spread_node

    # The analysis: the condition is systemic (blue on the canvas), and findings are listed.
    analysis = page.wait_analysed()
    assert analysis["nodes"][condition["id"]]["class"] == "systemic"
    drawn = page.canvas_node(condition["id"])
    assert drawn["fill"] == "rgb(128,185,223)", drawn  # #80B9DF, as in render/style.py
    assert page.canvas_node(spread)["data"]["cls"] == analysis["nodes"][spread]["class"]
    ui.get_by_role("tab", name="Analysis").click()
    findings = ui.locator(".finding-list .finding-button")
    assert findings.count() == len(analysis["findings"]) > 0
    first = analysis["findings"][0]
    findings.first.click()
    if first["nodes"]:
        assert page.js("window.causemap.selection().nodes") == first["nodes"]

    # Actions: one on the condition prevents the scenario; one on the chain cuts every path.
    chip = ui.locator(".verdict-chip")
    assert chip.inner_text() == "No action items yet"
    page.select(condition["id"])
    page.focus_canvas()
    page.keys("a")
    title = ui.locator(".action-card textarea").first
    title.fill("Add a canary stage that holds config pushes for ten minutes")
    ui.locator(".action-card").first.get_by_label("Owner (team or person)").fill("deploy-tools")
    page.wait_analysed()
    page.wait("document.querySelector('.verdict-chip').textContent.startsWith('Prevented')")
    assert chip.inner_text() == "Prevented · some paths uncut"
    assert page.js("window.causemap.analysis().prevention.scenario_prevented") is True
    page.select(by_label[CHAIN[0]]["id"])
    page.focus_canvas()
    page.keys("a")
    ui.locator(".action-card textarea").nth(1).fill(
        "Make the checkout service fail open to the last good routing config"
    )
    page.wait_analysed()
    page.wait(
        "document.querySelector('.verdict-chip').textContent === 'Prevented · every path cut'"
    )
    assert "✓ Every causal path cut" in ui.locator('[data-verdict="paths"]').inner_text()
    # The done view counts prevent and process actions only, as analyze's report says.
    done = ui.locator('[data-verdict="done"]').inner_text()
    assert done.startswith("Counting only done preventive actions:"), done

    # Saved by itself, as a revision; the server has exactly what is on screen.
    revision = page.wait_saved(after=1)
    saved, etag = api.get(ident)
    assert etag == revision
    assert len(saved["nodes"]) == 7
    assert len(saved["actions"]) == 2

    # A viewer with a read token follows along: a rename shows up within a second of the save.
    viewer = EditorPage.open(other_context, server.url, ident, token=READ)
    viewer.wait("window.causemap.state().live === 'live'")
    assert viewer.state()["readOnly"] is True
    page.select(spread)
    page.focus_canvas()
    page.keys("Enter")
    page.statement("Every region loaded the bad routing config within ninety seconds")
    revision = page.wait_saved(after=revision)
    viewer.wait(
        "(id) => window.causemap.doc().nodes.find((n) => n.id === id).label.endsWith('seconds')",
        spread,
        timeout=1_000,
    )
    assert viewer.state()["revision"] == revision

    # Reload: everything is still there.
    before = page.doc()
    ui.reload()
    page.wait("window.causemap.ready && window.causemap.state()")
    assert page.doc() == before
    assert page.state()["revision"] == revision

    # Export the SVG picture.
    ui.get_by_role("button", name="Export", exact=True).click()
    with ui.expect_download() as download:
        ui.get_by_role("button", name="Download SVG").click()
    target = tmp_path / "out.svg"
    download.value.save_as(target)
    svg = target.read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    assert "canary" in svg.lower()
    assert download.value.suggested_filename == f"{ident}.svg"

    page.assert_clean()
    viewer.assert_clean()


def test_an_impact_with_no_cause_is_named_and_the_cut_claims_only_the_other_paths(
    context: BrowserContext, server: Server, api: Api
) -> None:
    doc = chain("unexplained", 3)
    doc["nodes"].append({"id": "billing", "kind": "impact", "label": "Billing double-charged"})
    doc["actions"] = [
        {
            "id": "a1",
            "title": "Page the on-call when errors pass 1%",
            "type": "detect",
            "addresses": ["n2"],
        }
    ]
    api.create(doc)
    page = EditorPage.open(context, server.url, "unexplained")
    ui = page.page
    ui.get_by_role("tab", name="Analysis").click()
    page.wait_analysed()
    assert page.js("window.causemap.analysis().prevention.unexplained") == ["billing"]
    line = ui.locator('[data-verdict="unexplained"]')
    line.wait_for()
    shown = line.inner_text().replace("\u2068", "").replace("\u2069", "")  # bidi isolates
    assert "Nothing explains Billing double-charged" in shown
    assert "would cut every other remaining path" in ui.locator(".uncovered").inner_text()
    codes = ui.locator(".finding-button").evaluate_all("(b) => b.map((x) => x.dataset.code)")
    assert "IMPACT_WITHOUT_CAUSE" in codes
