"""User text never becomes markup: hostile labels stay text everywhere they are shown."""

from __future__ import annotations

from playwright.sync_api import BrowserContext

from tests.servers import Server
from tests.web.pages import Api, EditorPage, incident

HOSTILE = [
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<script>window.__pwned='script'</script>",
    '"><svg onload="window.__pwned=\'svg\'"></svg>',
    "javascript:window.__pwned='link' <a href=\"javascript:window.__pwned='a'\">x</a>",
]


def test_hostile_labels_stay_text(context: BrowserContext, server: Server, api: Api) -> None:
    nodes = [
        {
            "id": f"h{i}",
            "kind": "event",
            "label": label,
            "evidence": [label],
            "causes": [f"h{i - 1}"] if i else [],
        }
        for i, label in enumerate(HOSTILE)
    ]
    nodes.append(
        {"id": "impact", "kind": "impact", "label": HOSTILE[0], "causes": [f"h{len(HOSTILE) - 1}"]}
    )
    doc = incident(
        "hostile",
        nodes,
        title=HOSTILE[1],
        tags=[HOSTILE[2]],
        services=[HOSTILE[0]],
        actions=[{"id": "a1", "title": HOSTILE[3], "owner": HOSTILE[0], "addresses": ["h1"]}],
    )
    api.create(doc)
    page = EditorPage.open(context, server.url, "hostile")
    ui = page.page
    page.wait_analysed()
    # One more, typed in: the statement bar is no way in either.
    page.select("h3")
    page.focus_canvas()
    page.keys("w")
    page.statement(HOSTILE[2])
    # Visit everything that shows user text.
    for tab in ["Selection", "Analysis", "Actions", "Incident"]:
        ui.get_by_role("tab", name=tab).click()
    ui.get_by_role("button", name="History", exact=True).click()
    ui.locator("dialog[open] header button").click()
    page.goto(None)  # the list shows titles, tags and services
    assert HOSTILE[1] in page.text(".incident-table")
    page.goto("hostile")

    assert page.js("window.__pwned") is None
    assert ui.locator("img[src='x'], svg[onload], a[href^='javascript']").count() == 0
    assert ui.locator("script").count() == 1  # the page's own module
    outline = page.text("#outline")
    for label in HOSTILE[:3]:
        assert label in outline
    assert page.canvas_node("h0")["data"]["label"].endswith(HOSTILE[0])
    assert ui.locator(".incident-title").inner_text() == HOSTILE[1]
    page.assert_clean()


def test_the_page_runs_under_a_strict_policy(
    context: BrowserContext, server: Server, api: Api
) -> None:
    page = EditorPage.open(context, server.url)
    response = page.page.request.get(f"{server.url}/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    # No inline script or style anywhere in the page, and no third-party request.
    assert page.js(
        "[...document.scripts].every((s) => s.src && new URL(s.src).origin === location.origin)"
    )
    assert page.js("document.querySelectorAll('[style]').length") == 0 or page.js(
        "[...document.querySelectorAll('[style]')].every((e) => e.closest('.cy, .diff-canvas'))"
    )
    assert page.js(
        "performance.getEntriesByType('resource')"
        ".every((r) => new URL(r.name).origin === location.origin)"
    )
    page.assert_clean()
