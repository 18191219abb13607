"""The background: the built-in entries scored beside a catalog that replaces them.

A small catalog would find every word rare, and its one entry, with no runner-up, would
look sure of any text at all; so :class:`~causemap.patterns.index.CatalogIndex` scores
the built-in entries it does not cover beside it: they count in the word statistics and
as runners-up, but are never suggested. Which built-in entries those are is decided once,
when the index is built, by a cosine of its own (:data:`COVERS`), apart from the scoring.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from causemap.catalog.model import Catalog, Entry
from causemap.patterns.weights import _norm

__all__ = ["COVERS"]


COVERS = 0.2
"""Cosine (word stems, IDF over both) from which a catalog entry covers the built-in
entry nearest to it: that one is its own pattern under another key, or the general
pattern it refines, and is left out of the background. Distinct built-in entries stay
below 0.22 of each other; an entry rewritten in other words scores about 0.5."""


def _background(catalog: Catalog) -> list[Entry]:
    """The built-in entries, for a catalog that is not the built-in one.

    A small catalog says little about which words are common in failure-pattern
    language, and with one entry there is no runner-up to doubt a weak match: its
    entries would be suggested, with high confidence, for texts about anything. Scored
    beside the built-in entries, an entry needs the text to fit it better than the
    patterns causemap already knows. (A catalog that extends the built-in one has them
    all already.)
    """
    from causemap.catalog import builtin_catalog

    builtin = builtin_catalog()
    return [] if catalog is builtin else list(builtin.entries)


def _uncovered(own: Sequence[dict[str, float]], others: Sequence[dict[str, float]]) -> list[int]:
    """Indexes of the ``others`` documents that no ``own`` document covers (see COVERS)."""
    if not others or not own:
        return list(range(len(others)))
    df: dict[str, int] = defaultdict(int)
    for doc in (*own, *others):
        for term in doc:
            df[term] += 1
    n = len(own) + len(others)

    def unit(doc: dict[str, float]) -> dict[str, float]:
        weighted = {t: c * math.log(1 + n / df[t]) for t, c in doc.items()}
        norm = _norm(weighted)
        return {t: v / norm for t, v in weighted.items()}

    theirs = [unit(doc) for doc in others]
    covered = set()
    for doc in own:
        mine = unit(doc)
        cosines = [sum(v * mine.get(t, 0.0) for t, v in vector.items()) for vector in theirs]
        nearest = max(range(len(theirs)), key=cosines.__getitem__)
        if cosines[nearest] >= COVERS:
            covered.add(nearest)
    return [i for i in range(len(others)) if i not in covered]
