"""Weights: how much each signal counts in a suggestion's score, and each term in an entry.

:class:`Weights` sets the signals' shares (tuned on the corpus's dev split). The rest
weighs the terms of the catalog's entries: the terms of each thing an entry says, its
log-scaled document, the sparse unit vectors the similarities search, and what each term
adds to an entry's naive Bayes log-likelihood. They stand apart from
:class:`~causemap.patterns.index.CatalogIndex` because they are plain functions of the
entries' texts, shared by the index, its background (:mod:`causemap.patterns.background`)
and its example lookup (:mod:`causemap.patterns.examples`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from mypy_extensions import mypyc_attr

from causemap.catalog.model import Entry
from causemap.patterns.text import Analysed, analyse

__all__ = ["Weights"]


# A Python class also when compiled with mypyc, so that it pickles (the facts cache
# keeps the index); its methods are compiled all the same.
@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class Weights:
    """How much each signal counts; the defaults were tuned on the corpus's dev split."""

    phrase: float = 0.5
    keyword: float = 0.0
    entry: float = 12.0
    example: float = 0.0
    likelihood: float = 4.0
    """Weight of the entry's naive Bayes posterior (0..1), added to entries that share a
    term with the text."""
    level: float = 1.0
    cls: float = 1.0
    """Bonus for an entry whose usual class (proximate/systemic) is the node's."""
    gap: int = 2
    """Words allowed between the parts of a phrase."""
    concept: float = 0.5
    """Weight of a concept feature (``c:``) relative to a word stem in the similarities."""
    negated: float = 0.0
    """Weight of a negated concept (``n:``)."""
    pair: float = 1.0
    """Weight of a pair of concepts (``p:``)."""
    slope: float = 0.5
    """Pivoted length normalisation of the entry vectors: 1 is plain cosine, 0 divides
    every entry by the catalog's mean norm, so long entries are not penalised."""
    scale: float = 6.0
    """Score at which confidence reaches about 0.63 before the margin is counted."""


# A Python class also when compiled with mypyc, so that it pickles (the facts cache
# keeps the index); its methods are compiled all the same.
@mypyc_attr(native_class=False)
@dataclass
class _Vectors:
    """Sparse unit TF-IDF vectors, searchable by term."""

    postings: dict[str, list[tuple[int, float]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, ident: int, terms: dict[str, float], norm: float | None = None) -> None:
        """Index ``terms`` divided by ``norm`` (default: their Euclidean norm)."""
        norm = norm or _norm(terms)
        for term, value in terms.items():
            self.postings[term].append((ident, value / norm))


def _norm(terms: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in terms.values())) or 1.0


def _parts(entry: Entry) -> list[tuple[tuple[str, ...], float]]:
    """The terms of each thing an entry says, with its weight in the entry's document:
    the name (twice), the definition, then each phrase, keyword and example."""
    texts: list[tuple[str, float]] = [(entry.name, 2.0), (entry.definition, 1.0)]
    texts += [(t, 1.0) for t in (*entry.phrases, *entry.keywords, *entry.examples)]
    return [(_terms(analyse(text)), weight) for text, weight in texts]


def _doc(parts: Sequence[tuple[tuple[str, ...], float]]) -> dict[str, float]:
    """An entry's document: term counts over its weighted parts, log-scaled."""
    counts: dict[str, float] = defaultdict(float)
    for terms, weight in parts:
        for term in terms:
            counts[term] += weight
    return {t: 1 + math.log(c) if c >= 1 else c for t, c in counts.items()}


def _likelihoods(
    parts: Sequence[Sequence[tuple[tuple[str, ...], float]]],
) -> dict[str, dict[int, float]]:
    """A multinomial naive Bayes model of which entry a text's terms come from: for each
    term, what it adds to the log-likelihood of each entry that uses it.

    Each part of an entry (its name, definition, each phrase, keyword and example) is one
    training document whose distinct terms count once. The counts *n* are scaled to the
    mean entry size *m*, so an entry of a user's catalog with a dozen parts is not
    outweighed by built-in entries with a hundred, and smoothed by one: a term *t* has
    probability ``(n[k, t] + 1) / (m + V)`` under entry *k*. The denominator and the
    smoothing's ``log(1)`` are the same for every entry, so they cancel in the posterior
    and a term adds ``log(n[k, t] + 1)`` to the entries that use it and nothing elsewhere.
    """
    counts: list[dict[str, int]] = []
    for entry_parts in parts:
        count: dict[str, int] = defaultdict(int)
        for terms, _ in entry_parts:
            for term in set(terms):
                count[term] += 1
        counts.append(count)
    totals = [sum(count.values()) or 1 for count in counts]
    mean = sum(totals) / len(totals) if totals else 1.0
    added: dict[str, dict[int, float]] = defaultdict(dict)
    for k, count in enumerate(counts):
        for term, n in count.items():
            added[term][k] = math.log(n * mean / totals[k] + 1)
    return added


def _terms(text: Analysed) -> tuple[str, ...]:
    """What the similarities compare: content stems and concept features."""
    return text.bag + text.feats
