"""A 150-node incident opens with all its nodes, and pan and zoom run through every frame
without errors and move the view. How fast is measured by ``bench/bench_web.py``
(``make bench``), not here: a timed test fails on a busy machine."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from tests.servers import Server
from tests.web.large import FRAMES, PAN_ZOOM, big_incident
from tests.web.pages import Api, EditorPage

VIEW = "({pan: window.cy.pan(), zoom: window.cy.zoom()})"


def test_150_nodes_pan_and_zoom(context: BrowserContext, server: Server, api: Api) -> None:
    doc = big_incident("large")
    assert len(doc["nodes"]) == 150
    api.create(doc)
    page = EditorPage.open(context, server.url, "large")
    assert page.js("window.cy.nodes().length") == 150
    page.wait_analysed()
    before = page.js(VIEW)
    times: list[float] = page.js(PAN_ZOOM, FRAMES)
    after = page.js(VIEW)
    assert len(times) == FRAMES
    assert after["pan"] != before["pan"]
    # 60 of the frames zoom, alternately by 0.97 and 1.03 about one point
    assert after["zoom"] == pytest.approx(before["zoom"] * (0.97 * 1.03) ** 30)
    page.assert_clean()
