"""Valid incidents shaped to make graph analyses explode, for the bounds tests and the bench.

Each returns a plain incident document; the same arguments always give the same document.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["chain", "dense", "fan_out", "ladder", "or_pairs", "parallel", "window"]


def _doc(ident: str, nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"causemap": 1, "id": ident, "title": ident, "date": "2024-01-01", "nodes": nodes}


def or_pairs(width: int) -> dict[str, Any]:
    """``width`` OR gates, each of two roots of its own, all needed by one AND impact.

    The impact has 2**width minimal cut sets, each one root from every pair, and
    ``3 * width + 1`` nodes: the input of the exponential cut-set defect.
    """
    nodes: list[dict[str, Any]] = []
    for i in range(2 * width):
        nodes.append({"id": f"r{i}", "kind": "condition", "label": f"root {i}"})
    for i in range(width):
        nodes.append(
            {
                "id": f"m{i}",
                "kind": "event",
                "label": f"either of two {i}",
                "gate": "or",
                "causes": [f"r{2 * i}", f"r{2 * i + 1}"],
            }
        )
    nodes.append(
        {"id": "t", "kind": "impact", "label": "harm", "causes": [f"m{i}" for i in range(width)]}
    )
    return _doc(f"or-pairs-{width}", nodes)


def dense(n: int, seed: int = 0, *, roots: int = 24, fan_in: int = 6) -> dict[str, Any]:
    """A dense random DAG: ``n`` nodes, each after the roots with up to ``fan_in`` causes
    anywhere earlier and a random gate; every node with no effect feeds one AND impact."""
    rng = random.Random(seed)
    nodes: list[dict[str, Any]] = []
    for i in range(n - 1):
        node: dict[str, Any] = {"id": f"n{i}", "kind": "condition", "label": f"node {i}"}
        if i >= roots:
            node["causes"] = [f"n{c}" for c in sorted(set(rng.sample(range(i), min(i, fan_in))))]
            node["gate"] = rng.choice(["and", "or"])
            node["kind"] = "event"
        nodes.append(node)
    has_effect = {c for node in nodes for c in node.get("causes", [])}
    sinks = [node["id"] for node in nodes if node["id"] not in has_effect]
    edges = [{"from": s, "to": "t"} for s in sinks]
    doc = _doc(f"dense-{n}", [*nodes, {"id": "t", "kind": "impact", "label": "harm"}])
    doc["edges"] = edges
    return doc


def ladder(layers: int, width: int, *, gate: str = "or") -> dict[str, Any]:
    """``layers`` rows of ``width`` nodes, every node caused by every node of the row
    before (``gate`` on every other row), all of the last row needed by the impact.

    There are ``width ** layers`` root-to-impact paths.
    """
    nodes: list[dict[str, Any]] = []
    previous: list[str] = []
    for row in range(layers):
        current = [f"l{row}w{k}" for k in range(width)]
        for name in current:
            node: dict[str, Any] = {"id": name, "kind": "condition", "label": f"node {name}"}
            if previous:
                node["causes"] = previous
                node["kind"] = "event"
                if row % 2:
                    node["gate"] = gate
            nodes.append(node)
        previous = current
    nodes.append({"id": "t", "kind": "impact", "label": "harm", "causes": previous})
    return _doc(f"ladder-{layers}x{width}", nodes)


def fan_out(width: int) -> dict[str, Any]:
    """One root with ``width`` effects, each feeding an OR impact (through ``edges``)."""
    nodes: list[dict[str, Any]] = [{"id": "r", "kind": "condition", "label": "root"}]
    nodes += [
        {"id": f"x{i}", "kind": "event", "label": f"effect {i}", "causes": ["r"]}
        for i in range(width)
    ]
    nodes.append({"id": "t", "kind": "impact", "label": "harm", "gate": "or"})
    doc = _doc(f"fan-out-{width}", nodes)
    doc["edges"] = [{"from": f"x{i}", "to": "t"} for i in range(width)]
    return doc


def parallel(width: int) -> dict[str, Any]:
    """``width`` root-to-impact paths sharing only the impact: each needs its own cut point."""
    nodes: list[dict[str, Any]] = []
    for i in range(width):
        nodes.append({"id": f"r{i}", "kind": "condition", "label": f"root {i}"})
        nodes.append({"id": f"x{i}", "kind": "event", "label": f"event {i}", "causes": [f"r{i}"]})
    nodes.append({"id": "t", "kind": "impact", "label": "harm"})
    doc = _doc(f"parallel-{width}", nodes)
    doc["edges"] = [{"from": f"x{i}", "to": "t"} for i in range(width)]
    return doc


def chain(length: int) -> dict[str, Any]:
    """A single chain of ``length`` conditions into the impact."""
    nodes: list[dict[str, Any]] = [{"id": "c0", "kind": "condition", "label": "condition 0"}]
    nodes += [
        {"id": f"c{i}", "kind": "condition", "label": f"condition {i}", "causes": [f"c{i - 1}"]}
        for i in range(1, length)
    ]
    nodes.append({"id": "t", "kind": "impact", "label": "harm", "causes": [f"c{length - 1}"]})
    return _doc(f"chain-{length}", nodes)


def window(n: int, k: int, seed: int = 0) -> dict[str, Any]:
    """``n`` nodes, each caused by the ``k`` before it, random gates: about 2**n paths."""
    rng = random.Random(seed)
    nodes: list[dict[str, Any]] = []
    for i in range(n):
        node: dict[str, Any] = {"id": f"n{i}", "kind": rng.choice(["event", "condition"])}
        node["label"] = f"node {i}"
        if i:
            node["causes"] = [f"n{j}" for j in range(max(0, i - k), i)]
            node["gate"] = rng.choice(["and", "or"])
        nodes.append(node)
    nodes.append({"id": "t", "kind": "impact", "label": "harm", "causes": [f"n{n - 1}"]})
    return _doc(f"window-{n}-{k}", nodes)
