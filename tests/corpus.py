"""The labelled real-postmortem corpus (tests/data/corpus) and its human labels."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from causemap.loader import load
from causemap.model import Incident

DATA = Path(__file__).resolve().parent / "data"
CORPUS = DATA / "corpus"
LABELS = DATA / "corpus-labels.yaml"


@dataclass(frozen=True)
class Labelled:
    """One corpus incident with its labels."""

    incident: Incident
    split: str
    classes: dict[str, str]
    factors: dict[str, str | None]


def labelled_corpus(splits: Collection[str] | None = None) -> list[Labelled]:
    """Every corpus incident with its labels, in file order.

    ``splits`` (e.g. ``{"dev"}``) keeps only those splits: the other incidents' files
    are not even opened and their labels are dropped unread, which is how tuning code
    stays away from the held-out ``test`` split.
    """
    labels: dict[str, Any] = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["incidents"]
    chosen = {
        ident: entry
        for ident, entry in labels.items()
        if splits is None or entry["split"] in splits
    }
    out = []
    for path in sorted(CORPUS.glob("*.yaml")):
        entry = chosen.get(path.stem)
        if entry is None:
            continue
        incident = load(path)
        out.append(
            Labelled(
                incident=incident,
                split=entry["split"],
                classes={n: v["class"] for n, v in entry["nodes"].items()},
                factors={n: v["factor"] for n, v in entry["nodes"].items()},
            )
        )
    return out
