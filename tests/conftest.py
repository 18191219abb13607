"""Shared fixtures: the bundled examples and small hand-built incidents."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causemap.model import Incident
from causemap.store import Store
from tests.postgres import Cluster, find_bindir


@pytest.fixture(autouse=True)
def causemap_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test leaves the ``CAUSEMAP_*`` variables as it found them. ``causemap serve``
    hands its options to uvicorn through the environment; run in a test's process it
    left ``CAUSEMAP_CATALOG`` set, and the web tests' server, started later, served that
    test's catalog. Each test also has a facts cache of its own, empty, never the user's
    (a cached file would not be read, and a test that counts reads would see none)."""
    before = {name: value for name, value in os.environ.items() if name.startswith("CAUSEMAP_")}
    os.environ["CAUSEMAP_CACHE_DIR"] = str(tmp_path_factory.mktemp("facts-cache"))
    yield
    for name in [name for name in os.environ if name.startswith("CAUSEMAP_")]:
        if name not in before:
            del os.environ[name]
    os.environ.update(before)


ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dot: needs the Graphviz dot binary")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    config.addinivalue_line("markers", "postgresql: needs the PostgreSQL server binaries")
    config.addinivalue_line(
        "markers",
        "patches_internals: replaces a name inside a module that the release build compiles "
        "(mypyc-compiled code does not look it up), so it runs on plain Python only",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which("dot") is None:
        skip = pytest.mark.skip(reason="Graphviz 'dot' is not installed (make test installs it)")
        for item in items:
            if "dot" in item.keywords:
                item.add_marker(skip)
    if find_bindir() is None:
        skip = pytest.mark.skip(reason="PostgreSQL is not installed (make test installs it)")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server for the whole session, on a free loopback port."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    cluster = Cluster(bindir)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open, migrated, empty store on each database."""
    with Store.open(db_url) as opened:
        yield opened


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


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""

    def luminance(colour: str) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
