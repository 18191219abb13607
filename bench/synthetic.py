"""Synthetic incidents of any size, shaped like real causal graphs.

Nodes are laid out in ranks from roots (systemic factors and conditions) down to a few
impacts; every node gets one to three causes from earlier ranks, so the graph is a DAG in
which every node reaches an impact. The same seed always gives the same incident.
"""

from __future__ import annotations

import random
from typing import Any

KINDS = ["event", "condition", "factor"]
LEVELS = ["technical", "operator", "process", "organization"]
WORDS = [
    "config",
    "push",
    "region",
    "canary",
    "rollout",
    "cache",
    "retry",
    "queue",
    "database",
    "replica",
    "failover",
    "certificate",
    "token",
    "alert",
    "runbook",
    "review",
    "deploy",
    "capacity",
    "quota",
    "timeout",
    "dependency",
    "schema",
    "migration",
    "backup",
    "restore",
    "network",
    "partition",
    "leader",
    "election",
    "throttle",
]


def incident(n_nodes: int, seed: int = 1, *, ident: str | None = None) -> dict[str, Any]:
    """Return an incident document (plain data) with ``n_nodes`` nodes."""
    rng = random.Random(seed)
    n_impacts = max(1, n_nodes // 500)
    body = n_nodes - n_impacts
    nodes: list[dict[str, Any]] = []
    for i in range(body):
        kind = "event" if i > body * 0.6 else rng.choice(KINDS)
        level = LEVELS[0] if i > body * 0.8 else rng.choice(LEVELS)
        causes: list[str] = []
        if i >= 5:
            span = max(5, i // 3)
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                cause = f"n{rng.randrange(i - span, i)}"
                if cause not in causes:
                    causes.append(cause)
        node: dict[str, Any] = {
            "id": f"n{i}",
            "kind": kind,
            "label": " ".join(rng.choice(WORDS) for _ in range(8)).capitalize(),
            "level": level,
            "evidence": [f"https://logs.example/{seed}/{i}"],
        }
        if causes:
            node["causes"] = causes
        nodes.append(node)
    # Every node must reach an impact: route nodes with no effect yet into the impacts.
    has_effect = {c for node in nodes for c in node.get("causes", [])}
    sinks = [node["id"] for node in nodes if node["id"] not in has_effect]
    for k in range(n_impacts):
        nodes.append(
            {
                "id": f"impact{k}",
                "kind": "impact",
                "label": f"Customers saw errors ({k})",
                "causes": sinks[k::n_impacts] or [nodes[-1]["id"]],
            }
        )
    return {
        "causemap": 1,
        "id": ident or f"synthetic-{n_nodes}-{seed}",
        "title": f"Synthetic incident with {n_nodes} nodes",
        "date": "2024-01-01",
        "nodes": nodes,
        "actions": [
            {
                "id": f"a{j}",
                "title": f"Add a guard for {WORDS[j % len(WORDS)]}",
                "addresses": [f"n{rng.randrange(body)}"],
                "owner": "team",
                "due": "2024-02-01",
            }
            for j in range(max(1, n_nodes // 50))
        ],
    }
