"""Analysis speed on large incidents, and class agreement with reviewers on real postmortems."""

from __future__ import annotations

from collections.abc import Iterator

from bench.synthetic import incident
from bench.table import Row, best_of
from causemap.analyses import analyze
from causemap.analyses.classify import classify
from causemap.graph import CausalGraph, to_graph
from causemap.model import Incident


def rows() -> Iterator[Row]:
    for n, target in ((1_000, 0.5), (10_000, 10.0)):
        G = to_graph(Incident.model_validate(incident(n)))

        def run(G: CausalGraph = G) -> None:
            analyze(G)

        seconds = best_of(run, repeat=3 if n < 10_000 else 1)
        yield Row(
            "analyze",
            f"{n:,}-node incident: classes, findings, prevention, leverage",
            seconds,
            target,
        )
    yield from _agreement()


def _agreement() -> Iterator[Row]:
    from tests.corpus import labelled_corpus

    splits = ("dev", "train", "test")
    agree = dict.fromkeys(splits, 0)
    total = dict.fromkeys(splits, 0)
    for item in labelled_corpus():
        result = classify(to_graph(item.incident))
        for node, label in item.classes.items():
            total[item.split] += 1
            agree[item.split] += result[node].class_ == label
    for split in splits:
        yield Row(
            "classes",
            f"agreement with reviewers, {split} split ({total[split]} nodes)",
            100 * agree[split] / total[split],
            95.0,
            unit="%",
            higher_is_better=True,
        )
    share = 100 * sum(agree.values()) / sum(total.values())
    incidents = len(labelled_corpus())
    yield Row(
        "classes",
        f"agreement with reviewers, all {incidents} real postmortems ({sum(total.values())} nodes)",
        share,
        95.0,
        unit="%",
        higher_is_better=True,
    )
