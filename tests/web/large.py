"""The 150-node incident and the pan-and-zoom loop, shared by the browser test
(:mod:`tests.web.test_performance`) and the benchmark (:mod:`bench.bench_web`)."""

from __future__ import annotations

import random
from typing import Any

from tests.web.pages import incident

FRAMES = 120
"""Frames in one run of :data:`PAN_ZOOM`."""

PAN_ZOOM = """async (frames) => {
  const cy = window.cy;
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  await frame();
  const times = [];
  const at = { x: 300, y: 250 };
  let last = performance.now();
  for (let i = 0; i < frames; i++) {
    if (i % 40 < 20) cy.panBy({ x: 6, y: 3 });
    else cy.zoom({ level: cy.zoom() * (i % 2 ? 1.03 : 0.97), renderedPosition: at });
    await frame();
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  return times;
}"""
"""Pan and zoom the editor's Cytoscape view for ``frames`` frames, each step followed by
the next animation frame (Cytoscape repaints in its own frame callback); returns the
frame-to-frame times in ms."""


def big_incident(ident: str, seed: int = 7) -> dict[str, Any]:
    """150 nodes: 149 in 15 ranks, each caused by one or two of the rank before, and an
    impact caused by the last rank. Labels of realistic length, so they wrap."""
    rng = random.Random(seed)
    words = ["disk", "config", "retry", "queue", "alert", "deploy", "lease", "replica",
             "timeout", "cache"]  # fmt: skip
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
