"""Rendering: where the time goes (building DOT, running dot, checking the SVG).

For each example and for synthetic 200- and 500-node incidents: the DOT build time, our
whole in-process SVG render of the graph with its analysis (``to_svg``: DOT, the confined
``dot`` run, comment stripping and the safety check), plain ``dot -Tsvg`` on the same DOT,
and our overhead beyond ``dot`` itself; for the examples also ``render(incident, "svg")``,
which builds the graph and the picture analysis as well. The two sides run alternately,
each first in turn, and the medians are compared, so that a busy machine slows both
alike and one lucky run decides nothing. Then the full ``render()`` of the 500-node
incident including its analysis, and the CLI's start-up time.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.synthetic import incident
from bench.table import Row, best_of, interleaved
from causemap.analyses import analyze
from causemap.analyses.result import Analysis
from causemap.graph import CausalGraph, to_graph
from causemap.loader import load
from causemap.model import Incident
from causemap.render import render
from causemap.render.dot import to_dot
from causemap.render.options import RenderOptions
from causemap.render.runner import dot_version
from causemap.render.svg import to_svg

ROOT = Path(__file__).resolve().parents[1]


def _cases() -> Iterator[tuple[str, Incident, bool]]:
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        yield path.stem, load(path), True
    for n in (200, 500):
        yield f"synthetic {n}-node", Incident.model_validate(incident(n)), False


def _some(j: int) -> list[str]:
    return [f"n{(7 * j + k) % 890}" for k in range(50)]


def _many_actions() -> Iterator[Row]:
    """2,000 vague actions (the limit) on 50 nodes each: 6,000 findings about the graph.
    They once gave a legend line apiece, all of one id base, and numbering each clash from
    zero made Mermaid quadratic (2.2 s); the legend now counts them, one line per code."""
    doc = incident(900)
    doc["actions"] = [
        {"id": f"a{j}", "title": "Fix it", "addresses": _some(j)} for j in range(2_000)
    ]
    inc = Incident.model_validate(doc)
    G = to_graph(inc)
    analysis = analyze(G)
    seconds = best_of(lambda: render(inc, "mermaid", graph=G, analysis=analysis))
    yield Row("render", "900 nodes, 2,000 vague actions on 50 nodes each: Mermaid", seconds, 0.5)


def rows() -> Iterator[Row]:
    yield from _many_actions()
    if shutil.which("dot") is None:
        print("bench_render: Graphviz 'dot' is not installed; skipped", file=sys.stderr)
        return
    print(f"bench_render: {dot_version()}", file=sys.stderr)
    options = RenderOptions()
    for name, inc, is_example in _cases():
        G = to_graph(inc)
        analysis = analyze(G)
        source = to_dot(G, options, analysis)
        repeat = 31 if is_example else 5

        def build_dot(G: CausalGraph = G, a: Analysis = analysis) -> str:
            return to_dot(G, options, a)

        def ours_svg(G: CausalGraph = G, a: Analysis = analysis) -> str:
            return to_svg(G, options, a)

        def plain_dot(source: str = source) -> object:
            return subprocess.run(
                ["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True
            )

        def whole(inc: Incident = inc) -> bytes:
            return render(inc, "svg", options)

        build = best_of(build_dot, repeat=repeat)
        sides: list[Callable[[], object]] = [ours_svg, plain_dot]
        if is_example:
            sides.append(whole)
        times = interleaved(sides, repeat=repeat)
        ours, plain = statistics.median(times[0]), statistics.median(times[1])
        size = f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges"
        runs = f"median of {repeat}"
        yield Row("render", f"{name} ({size}): build DOT", build)
        yield Row(
            "render",
            f"{name}: our SVG render, in process ({runs})",
            ours,
            10.0 if not is_example else None,
        )
        yield Row("render", f"{name}: plain dot -Tsvg on the same DOT ({runs})", plain)
        yield Row(
            "render",
            f"{name}: our overhead beyond dot",
            max(0.0, (ours - plain) / plain * 100),
            10.0 if is_example else None,
            unit="%",
        )
        if is_example:
            entire = statistics.median(times[2])
            yield Row(
                "render",
                f"{name}:   render(incident) with graph and picture analysis, beyond dot",
                max(0.0, (entire - plain) / plain * 100),
                unit="%",
            )
    big = Incident.model_validate(incident(500))
    full = best_of(lambda: render(big, "svg", RenderOptions(actions=True)), repeat=1)
    yield Row("render", "synthetic 500-node: render() with analysis, actions, SVG", full, 10.0)
    exe = Path(sys.executable).with_name("causemap")
    start = best_of(
        lambda: subprocess.run([str(exe), "--help"], capture_output=True, check=True), repeat=5
    )
    yield Row("render", "causemap --help (process start to exit)", start, 0.3)
