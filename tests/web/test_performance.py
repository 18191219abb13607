"""A 150-node incident: it opens quickly, and pan and zoom stay smooth."""

from __future__ import annotations

import random
import statistics
from typing import Any

from playwright.sync_api import BrowserContext

from tests.servers import Server
from tests.web.pages import Api, EditorPage, incident

# The measured loop: 120 frames of panning and zooming, each step followed by the next
# animation frame, timing frame to frame. Cytoscape repaints in its own frame callback.
MEASURE = """async () => {
  const cy = window.cy;
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  await frame();
  const times = [];
  const at = { x: 300, y: 250 };
  let last = performance.now();
  for (let i = 0; i < 120; i++) {
    if (i % 40 < 20) cy.panBy({ x: 6, y: 3 });
    else cy.zoom({ level: cy.zoom() * (i % 2 ? 1.03 : 0.97), renderedPosition: at });
    await frame();
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  return times;
}"""


def big_incident(ident: str, seed: int = 7) -> dict[str, Any]:
    """150 nodes: 149 in 15 ranks, each caused by one or two of the rank before, and an
    impact caused by the last rank. Labels of realistic length, so they wrap."""
    rng = random.Random(seed)
    words = [
        "disk",
        "config",
        "retry",
        "queue",
        "alert",
        "deploy",
        "lease",
        "replica",
        "timeout",
        "cache",
    ]
    ranks = [[f"n{r}-{i}" for i in range(10 if r < 14 else 9)] for r in range(15)]
    nodes: list[dict[str, Any]] = []
    for r, rank in enumerate(ranks):
        for name in rank:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(4, 18)))
            node: dict[str, Any] = {
                "id": name,
                "kind": rng.choice(["event", "condition", "factor"]),
                "label": f"Statement {name}: {text}",
            }
            if r:
                node["causes"] = sorted(rng.sample(ranks[r - 1], rng.choice([1, 2])))
            nodes.append(node)
    nodes.append(
        {"id": "impact", "kind": "impact", "label": "Customers saw errors", "causes": ranks[-1]}
    )
    return incident(ident, nodes)


def test_150_nodes_pan_and_zoom_smoothly(context: BrowserContext, server: Server, api: Api) -> None:
    doc = big_incident("large")
    assert len(doc["nodes"]) == 150
    api.create(doc)
    page = EditorPage.open(context, server.url, "large")
    assert page.js("window.cy.nodes().length") == 150
    page.wait_analysed()
    times: list[float] = page.js(MEASURE)
    times.sort()
    median = statistics.median(times)
    p90 = times[int(len(times) * 0.9)]
    # 60 frames a second is 16.7 ms (measured here: median 16.7, p90 17.7 with software
    # rendering on 2 cores). A busy CI machine gets a margin, but not a slideshow.
    assert median < 34, f"median frame {median:.1f} ms; p90 {p90:.1f} ms"
    assert p90 < 75, f"p90 frame {p90:.1f} ms; median {median:.1f} ms"
    page.assert_clean()
