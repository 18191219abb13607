"""The paraphrase probes in bench/data (see bench/probes.py) stay usable as the catalog
changes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from causemap.catalog import builtin_catalog

DATA = Path(__file__).resolve().parents[1] / "bench" / "data"
WRITERS = ("a", "b")


def probes(writer: str) -> list[dict[str, Any]]:
    raw: dict[str, Any] = yaml.safe_load((DATA / f"probes-{writer}.yaml").read_text("utf-8"))
    return list(raw["probes"])


@pytest.mark.parametrize("writer", WRITERS)
def test_every_probe_names_a_catalog_entry_or_none(writer: str) -> None:
    # A renamed or removed catalog key would silently turn its probes into misses.
    keys = set(builtin_catalog().keys())
    unknown = {p["key"] for p in probes(writer) if p["key"] is not None} - keys
    assert not unknown


@pytest.mark.parametrize("writer", WRITERS)
def test_each_writer_has_five_texts_per_entry_and_forty_without_a_factor(writer: str) -> None:
    counts = Counter(p["key"] for p in probes(writer))
    assert counts.pop(None) == 40
    assert set(counts.values()) == {5}


@pytest.mark.parametrize("writer", WRITERS)
def test_no_text_is_written_twice(writer: str) -> None:
    # A repeated text would count twice in the writer's figures.
    texts = [p["text"] for p in probes(writer)]
    assert len(texts) == len(set(texts))
