"""Synthetic incident corpora for the cross-incident benchmarks.

Each incident has about 25 nodes: a handful of contributing factors whose labels are the
catalog's example wordings with words dropped, swapped or added (so that matching does
real work), plus incident-specific events written from a shared vocabulary. Dates span
three years; some actions are done, with a closing date, so recurrences exist. The same
seed always gives the same corpus.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from bench.synthetic import WORDS
from causemap.catalog import builtin_catalog

NOISE = ["again", "in production", "that week", "for the new service", "during peak", "overnight"]
SEVERITIES = ["sev1", "sev2", "sev2", "sev3", "sev3", "sev3", None]
KINDS = ["condition", "condition", "factor", "event"]


def _reword(rng: random.Random, text: str) -> str:
    words = text.rstrip(".").split()
    if len(words) > 6 and rng.random() < 0.5:
        del words[rng.randrange(len(words))]
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words) + 1), rng.choice(NOISE))
    if rng.random() < 0.3:
        words.append(rng.choice(WORDS))
    return " ".join(words)


def incident(i: int, rng: random.Random, examples: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """One synthetic incident document with about 25 nodes."""
    start = dt.date(2022, 1, 1)
    date = start + dt.timedelta(days=rng.randrange(3 * 365))
    nodes: list[dict[str, Any]] = []
    factors = rng.sample(examples, rng.randint(4, 7))
    for k, (_key, wordings) in enumerate(factors):
        nodes.append(
            {
                "id": f"f{k}",
                "kind": rng.choice(KINDS[:3]),
                "label": _reword(rng, rng.choice(wordings)),
                "level": rng.choice(["technical", "process", "organization"]),
            }
        )
    for k in range(25 - len(factors) - 1):
        causes = [n["id"] for n in rng.sample(nodes, min(len(nodes), rng.randint(1, 2)))]
        nodes.append(
            {
                "id": f"e{k}",
                "kind": "event",
                "label": " ".join(rng.choice(WORDS) for _ in range(9)).capitalize(),
                "level": "technical",
                "causes": causes,
            }
        )
    effects = {c for n in nodes for c in n.get("causes", [])}
    nodes.append(
        {
            "id": "impact",
            "kind": "impact",
            "label": "Customers saw errors",
            "causes": [n["id"] for n in nodes if n["id"] not in effects],
        }
    )
    actions = []
    for k in range(rng.randint(1, 3)):
        done = rng.random() < 0.5
        action: dict[str, Any] = {
            "id": f"a{k}",
            "title": f"Address factor {k}",
            "addresses": [f"f{rng.randrange(len(factors))}"],
        }
        if done:
            action["status"] = "done"
            action["closed"] = (date + dt.timedelta(days=rng.randint(7, 90))).isoformat()
        actions.append(action)
    doc: dict[str, Any] = {
        "causemap": 1,
        "id": f"inc-{i:05d}",
        "title": f"Synthetic incident {i}",
        "date": date.isoformat(),
        "nodes": nodes,
        "actions": actions,
    }
    if (severity := rng.choice(SEVERITIES)) is not None:
        doc["severity"] = severity
    return doc


def write_corpus(folder: Path, n: int, seed: int = 7) -> Path:
    """Write ``n`` incidents as JSON files into ``folder``; return it."""
    rng = random.Random(seed)
    examples = [(e.key, list(e.examples)) for e in builtin_catalog().entries if e.examples]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        doc = incident(i, rng, examples)
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder
