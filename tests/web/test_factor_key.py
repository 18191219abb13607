"""The factor key field: the catalog's keys offered as the user types, and a likely typo
of one caught before the patterns report counts it as a factor of its own."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from causemap.catalog import builtin_catalog
from causemap.diagnostics import Hints
from tests.servers import Server


@pytest.fixture
def blank(context: BrowserContext, server: Server) -> Page:
    tab = context.new_page()
    tab.goto(f"{server.url}/#/")
    return tab


WORDS = [
    "alerting-gpa",
    "alerting-noise",
    "retry-storm",
    "retry-storm-no-backof",
    "capacity-gap",
    "on-call-fatigue",
    "flag-day",
    "db-migration",
    "no-canary-stage",
    "cert-expiry",
    "unclear-owner",
    "a",
    "gap",
    "x" * 80,
    "hidden-hard-limits",
    "change-reveiw-gap",
    "test-coverage",
]


def test_the_nearest_key_is_the_one_the_cli_names(blank: Page) -> None:
    """The page calls a key a typo of the catalog key the CLI names (difflib's rule)."""
    keys = builtin_catalog().keys()
    words = [*WORDS, *("a" * n + "-gap" for n in range(0, 240, 40))]
    found = blank.evaluate(
        "async ([words, keys]) => { const m = await import('/js/catalog.js');"
        " return words.map((w) => m.nearestKey(w, keys)); }",
        [words, keys],
    )
    assert found == [Hints(keys).near(word) for word in words]
    assert found[0] == "alerting-gap"
    assert found[6] is None  # flag-day
