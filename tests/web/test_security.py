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
    page.ask_why("h3", HOSTILE[2])
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
    drawn = page.canvas_node("h0")["data"]["label"]
    assert drawn.replace("\u200b", "").endswith(HOSTILE[0])  # long words get break points
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


READS_FORWARD = """([selector, text]) => [...document.querySelectorAll(selector)]
  .filter((el) => el.textContent.includes(text) && el.getClientRects().length)
  .map((el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      for (let i = 0; i < t.data.length; i++) chars.push([t, i]);
    }
    const at = chars.map(([t, i]) => t.data[i]).join("").indexOf(text);
    const x = (k) => {
      const [t, i] = chars[k];
      const r = document.createRange();
      r.setStart(t, i);
      r.setEnd(t, i + 1);
      return r.getBoundingClientRect().x;
    };
    return x(at) < x(at + text.length - 1);
  })"""
"""For each element matching ``selector`` that shows ``text``: is its first character drawn
left of its last (true when nothing before it reversed it)?"""


def test_a_right_to_left_override_in_one_label_reverses_no_other_text(
    context: BrowserContext, server: Server, api: Api
) -> None:
    doc = incident(
        "bidi",
        [
            {"id": "n1", "kind": "event", "label": "\u202eDeploy by bot"},
            {"id": "n0", "kind": "condition", "label": "Cache TTL was long"},
            {"id": "n2", "kind": "event", "label": "Cache flushed", "causes": ["n1", "n0"]},
            {"id": "impact", "kind": "impact", "label": "Customers saw errors", "causes": ["n2"]},
        ],
        actions=[{"id": "a1", "title": "Shorten the TTL", "addresses": ["n0"]}],
    )
    api.create(doc)
    page = EditorPage.open(context, server.url, "bidi")
    page.wait_analysed()
    ui = page.page
    for selector, text in [
        (".outline-link-text", "Cache flushed"),
        (".outline-causes", "Cache TTL was long"),
    ]:
        got = page.js(READS_FORWARD, [selector, text])
        assert got, selector
        assert all(got), (selector, got)
    page.select("n1")
    page.focus_canvas()
    page.keys("k")
    got = page.js(READS_FORWARD, ["#banner", "as a cause: click its effect"])
    assert got == [True], got
    page.keys("Escape")
    ui.get_by_role("tab", name="Analysis").click()
    got = page.js(READS_FORWARD, [".paths .path", "Cache flushed"])
    assert got
    assert all(got), got
    page.assert_clean()
