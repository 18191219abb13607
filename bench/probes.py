"""Independent paraphrase probes (``bench/data/probes-*.yaml``): a second measure of the
suggestions, next to the corpus, that does not rest on 48 dev nodes.

Each writer wrote 5 node texts per catalog entry from its name and definition alone,
and 40 that instance no factor. Writer A is for tuning (``bench.tune_dev``); writer B is
held out and only scored by ``make bench``. The no-factor texts measure the gate: how
often a text that is no instance of any entry would still be assigned automatically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import yaml

from bench.ranking import rank_stats
from causemap.patterns.matching import MatchSettings
from causemap.patterns.suggest import CatalogIndex
from causemap.patterns.text import analyse

DATA = Path(__file__).resolve().parent / "data"


class Probe(NamedTuple):
    key: str | None
    text: str


class ProbeScore(NamedTuple):
    n: int
    top1: float
    top3: float
    mrr: float
    nulls: int
    assigned_null: float
    """Share of the no-factor texts whose best suggestion is confident enough for an
    automatic catalog assignment (at the default threshold)."""


def load_probes(writer: str) -> list[Probe]:
    """Writer ``a`` or ``b``; a ``detail`` is appended to its text, as the matcher does."""
    raw: dict[str, Any] = yaml.safe_load((DATA / f"probes-{writer}.yaml").read_text("utf-8"))
    return [
        Probe(p["key"], f"{p['text']}. {p['detail']}" if p.get("detail") else p["text"])
        for p in raw["probes"]
    ]


def score_probes(index: CatalogIndex, probes: list[Probe]) -> ProbeScore:
    """Rank statistics of the right entry, and the gate's false assignments."""
    threshold = MatchSettings().catalog_threshold
    pairs: list[tuple[list[str], str | None]] = []
    nulls = assigned = 0
    for probe in probes:
        ranked = index.score(analyse(probe.text), top=5)
        if probe.key is None:
            nulls += 1
            assigned += bool(ranked) and ranked[0].confidence >= threshold
        else:
            pairs.append(([s.key for s in ranked], probe.key))
    return ProbeScore(len(pairs), *rank_stats(pairs), nulls, assigned / nulls)
