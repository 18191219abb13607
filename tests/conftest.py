"""Shared fixtures: the bundled examples and small hand-built incidents."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from causemap.model import Incident

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dot: needs the Graphviz dot binary")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which("dot") is None:
        skip = pytest.mark.skip(reason="Graphviz 'dot' is not installed (make test installs it)")
        for item in items:
            if "dot" in item.keywords:
                item.add_marker(skip)


def make_incident(nodes: list[dict[str, Any]], **fields: Any) -> Incident:
    """Build an incident from node dicts, with defaults for the required fields."""
    doc: dict[str, Any] = {"causemap": 1, "id": "t", "title": "T", "date": "2024-01-01"}
    doc.update(fields)
    doc["nodes"] = nodes
    return Incident.model_validate(doc)


@pytest.fixture
def chain() -> Incident:
    """push -> spread -> outage, with a condition on spread and one action."""
    return make_incident(
        [
            {"id": "push", "kind": "event", "label": "Config pushed", "level": "operator"},
            {
                "id": "no-canary",
                "kind": "condition",
                "label": "No canary stage",
                "level": "process",
            },
            {
                "id": "spread",
                "kind": "event",
                "label": "Every region loaded it",
                "causes": ["push"],
            },
            {"id": "outage", "kind": "impact", "label": "Checkout errors", "causes": ["spread"]},
        ],
        edges=[{"from": "no-canary", "to": "spread", "label": "nothing held it back"}],
        actions=[{"id": "a1", "title": "Add a canary stage", "addresses": ["no-canary"]}],
    )
