"""How far two reviewers agree on the corpus's factor labels: the ceiling for the matcher.

``bench/data/second-review.yaml`` holds a second reviewer's labels for every corpus node,
written from the incident file and the catalog's key list alone (never the first
reviewer's labels, the catalog's phrases or causemap's suggestions). Compared with the
first reviewer's labels (``tests/data/corpus-labels.yaml``):

* **same key**: of the nodes the first reviewer gave a factor, the share the second gave
  the same one, and the share where it was the second's first or second choice;
* **pairwise F1** of the second reviewer's clusters against the first's, computed exactly
  as the matcher's (``bench_matching.pairwise``), per split: the matcher's F1 target
  reads against this figure.

Usage: ``python bench/run.py agreement``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from bench.bench_matching import pairwise
from bench.table import Row
from tests.corpus import Labelled, labelled_corpus

SECOND = Path(__file__).resolve().parent / "data" / "second-review.yaml"
SPLITS = ("dev", "train", "test", "all")
# The first reviewer's labels predate the catalog's test-coverage-gap entry.
SAME_KEY = {"x-test-coverage-gap": "test-coverage-gap"}


def second_review() -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """Incident → node → (factor, also), as the second reviewer wrote them."""
    raw: dict[str, Any] = yaml.safe_load(SECOND.read_text(encoding="utf-8"))["incidents"]
    return {
        ident: {node: (v["factor"], v["also"]) for node, v in nodes.items()}
        for ident, nodes in raw.items()
    }


def _key(key: str | None) -> str | None:
    return SAME_KEY.get(key, key) if key else None


def agreement(
    corpus: Sequence[Labelled], second: dict[str, dict[str, tuple[str | None, str | None]]]
) -> tuple[int, float, float, tuple[float, float, float]]:
    """(nodes the first reviewer keyed, same-key share, first's key among the second's
    two, pairwise (P, R, F1) of the second against the first)."""
    incidents: list[str] = []
    first: list[str | None] = []
    other: list[str | None] = []
    keyed = same = either = 0
    for item in corpus:
        labels = second[item.incident.id]
        for node, gold in item.factors.items():
            a = _key(gold)
            b, also = (_key(k) for k in labels[node])
            incidents.append(item.incident.id)
            first.append(a)
            other.append(b)
            if a is not None:
                keyed += 1
                same += a == b
                either += a in (b, also)
    return keyed, same / keyed, either / keyed, pairwise(incidents, other, first)


def rows() -> Iterator[Row]:
    corpus = labelled_corpus()
    second = second_review()
    found = {
        split: agreement([item for item in corpus if split in ("all", item.split)], second)
        for split in SPLITS
    }
    keyed, same, either, _ = found["all"]
    yield Row(
        "agreement",
        f"second reviewer gives the same key ({keyed} nodes with a key)",
        100 * same,
        unit="%",
        higher_is_better=True,
    )
    yield Row(
        "agreement",
        "first reviewer's key among the second's two choices",
        100 * either,
        unit="%",
        higher_is_better=True,
    )
    for split in SPLITS:
        p, r, f1 = found[split][3]
        yield Row(
            "agreement",
            f"pairwise F1 second vs first reviewer, {split} (P {p:.2f}, R {r:.2f})",
            f1,
            unit="",
            higher_is_better=True,
        )


if __name__ == "__main__":
    from bench.table import render

    print(render(rows()))
