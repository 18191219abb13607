"""The catalog index: a catalog prepared once, then any number of texts scored against it.

:class:`CatalogIndex` builds the scoring tables of a catalog and its background
(:mod:`causemap.patterns.background`) from the entries' weighted terms
(:mod:`causemap.patterns.weights`), then scores an analysed text in well under a
millisecond: every signal of :mod:`causemap.patterns.suggest` summed per entry, the best
picked, each with its :class:`Suggestion`'s confidence and evidence. The examples shown
to a reader are found apart (:mod:`causemap.patterns.examples`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Container, Sequence
from typing import NamedTuple

from mypy_extensions import mypyc_attr

from causemap.catalog.model import Catalog, Entry
from causemap.patterns.background import _background, _uncovered
from causemap.patterns.examples import ExampleLookup
from causemap.patterns.phrases import PhraseIndex, compile_phrase
from causemap.patterns.text import STOPWORDS, Analysed, analyse, stem, words
from causemap.patterns.weights import Weights, _doc, _likelihoods, _norm, _parts, _terms, _Vectors

__all__ = ["CatalogIndex", "Suggestion"]


class Suggestion(NamedTuple):
    """One catalog entry proposed for a text."""

    key: str
    name: str
    score: float
    """Sum of the weighted signals; comparable between entries for the same text."""
    confidence: float
    """0..1: how sure an automatic assignment of this entry would be."""
    phrases: tuple[str, ...] = ()
    """Catalog phrases found in the text (the evidence)."""
    keywords: tuple[str, ...] = ()
    """Catalog keywords found in the text."""
    example: str | None = None
    """The entry's example wording closest to the text: :meth:`CatalogIndex.score` fills it
    only while example similarity counts, ``causemap suggest`` always
    (:meth:`CatalogIndex.closest_example`)."""


# A Python class also when compiled with mypyc, so that it pickles (the facts cache
# keeps the index); its methods are compiled all the same.
@mypyc_attr(native_class=False)
class CatalogIndex(ExampleLookup):
    """A catalog prepared for fast scoring.

    Examples
    --------
    >>> from causemap.catalog import builtin_catalog
    >>> index = CatalogIndex(builtin_catalog())
    >>> top = index.suggest("The update went to all hosts at once, with no canary stage.")[0]
    >>> top.key, top.phrases[:3]
    ('global-change-no-staged-rollout', ('all at once', 'all hosts at once', 'no canary'))
    >>> "no canary" in index.suggest("The canary was skipped for this push.")[0].phrases
    True
    """

    def __init__(
        self,
        catalog: Catalog,
        weights: Weights | None = None,
        background: Sequence[Entry] | None = None,
    ) -> None:
        self.catalog = catalog
        self.weights = weights or Weights()
        self.entries: list[Entry] = list(catalog.entries)
        own_keys = set(catalog.keys())
        others = [
            entry
            for entry in (_background(catalog) if background is None else background)
            if entry.key not in own_keys
        ]
        parts = [_parts(entry) for entry in self.entries]
        other_parts = [_parts(entry) for entry in others]
        docs = [_doc(p) for p in parts]
        other_docs = [_doc(p) for p in other_parts]
        kept = _uncovered(docs, other_docs)
        # Every entry scored: the catalog's own, then the background ones, which count in
        # the word statistics and as runners-up but are never suggested.
        pool = self.entries + [others[i] for i in kept]
        docs += [other_docs[i] for i in kept]
        parts += [other_parts[i] for i in kept]
        self._own = len(self.entries)
        w = self.weights
        self._type_weight = {"c": w.concept, "n": w.negated, "p": w.pair}
        n = len(docs)
        df: dict[str, int] = defaultdict(int)
        for doc in docs:
            for term in doc:
                df[term] += 1
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self._max_idf = math.log(1 + n)
        # Pivoted length normalisation (Singhal, Buckley & Mitra 1996): an entry's vector
        # is divided by a mix of its own norm and the mean norm, so an entry that lists
        # many wordings is not diluted for a short text that matches one of them.
        weighted = [{t: self._weight(t, c * self.idf[t]) for t, c in doc.items()} for doc in docs]
        norms = [_norm(terms) for terms in weighted]
        pivot = sum(norms) / len(norms) if norms else 1.0
        self.entry_vectors = _Vectors()
        for i, terms in enumerate(weighted):
            self.entry_vectors.add(i, terms, (1 - w.slope) * pivot + w.slope * norms[i])
        self.example_vectors = _Vectors()
        self.example_owner: list[tuple[int, str]] = []
        for i, entry in enumerate(pool if w.example else ()):  # unused at weight 0
            for example in entry.examples:
                self.example_vectors.add(
                    len(self.example_owner),
                    {
                        t: self._weight(t, self.idf.get(t, self._max_idf))
                        for t in _terms(analyse(example))
                    },
                )
                self.example_owner.append((i, example))
        compiled = (
            compile_phrase(i, text, self._term_weight)
            for i, entry in enumerate(pool)
            for text in entry.phrases
        )
        self.phrases = PhraseIndex([p for p in compiled if p is not None])
        self.keywords: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._keyword_stems: dict[str, tuple[str, ...]] = {}
        for i, entry in enumerate(pool):
            for keyword in entry.keywords:
                stems = tuple(stem(w) for w in words(keyword) if w not in STOPWORDS)
                self._keyword_stems[keyword] = stems
                for term in sorted(set(stems)):
                    self.keywords[term].append((i, keyword))
        self._kw_weight = {
            s: math.log(1 + n / len({i for i, _ in owners})) for s, owners in self.keywords.items()
        }
        # Scoring tables: the query weight of every term the catalog knows; for each term
        # its entries, with the query weight folded into their (normalised) weights, so a
        # text's entry similarity is one addition per posting, scaled by the text's norm
        # at the end; and its examples, when example similarity counts.
        self._query = {t: self._weight(t, v) for t, v in self.idf.items() if self._weight(t, v)}
        # With each posting, what the term adds to the entry's naive Bayes log-likelihood,
        # as the imaginary part of one complex number: one addition per posting sums both
        # (complex addition adds the parts apart, so each sum is exactly the plain one).
        likely = _likelihoods(parts)
        self._entry_postings: dict[str, tuple[tuple[int, complex], ...]] = {
            t: tuple(
                (i, complex(weight * value, self._weight(t, likely[t].get(i, 0.0))))
                for i, weight in self.entry_vectors.postings.get(t, ())
            )
            for t, value in self._query.items()
        }
        self._example_postings: dict[str, list[tuple[int, float]]] = (
            {
                t: self.example_vectors.postings[t]
                for t in self._query
                if t in self.example_vectors.postings
            }
            if self.weights.example
            else {}
        )
        self._levels = [str(entry.level) for entry in pool]
        self._classes = [str(entry.class_) for entry in pool]
        self._keys = [entry.key for entry in pool]
        self._example_cache: dict[str, list[tuple[str, dict[str, float]]]] = {}
        self._example_index: (
            tuple[list[str], dict[str, range], dict[str, list[tuple[int, float]]]] | None
        ) = None
        self._bonus: dict[tuple[str | None, str | None], list[float]] = {}
        """Level and class bonus of every entry, by the text's (level, class)."""
        self._order = [0] * n
        """Each entry's rank by key, which breaks ties between equal scores."""
        for rank, e in enumerate(sorted(range(n), key=self._keys.__getitem__)):
            self._order[e] = rank

    def _weight(self, term: str, value: float) -> float:
        """``value`` times the weight of the term's type (stems count 1)."""
        if len(term) > 2 and term[1] == ":":
            return value * self._type_weight.get(term[0], 1.0)
        return value

    def _term_weight(self, word: str, term: str) -> float:
        if word in STOPWORDS:
            return 0.2
        return self.idf.get(term, self._max_idf) / self._max_idf

    def _phrase_hits(self, text: Analysed) -> dict[int, list[tuple[str, float]]]:
        hits: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for phrase in self.phrases.find(text):
            hits[phrase.entry].append((phrase.text, phrase.weight))
        return hits

    def score(
        self,
        text: Analysed,
        level: str | None = None,
        top: int | None = None,
        cls: str | None = None,
    ) -> list[Suggestion]:
        """The entries with a positive score for an analysed text, best first (``top`` of them)."""
        w = self.weights
        query = self._query
        found = [t for t in (*text.bag, *text.feats) if t in query]
        norm = math.hypot(*[query[t] for t in found])
        scores = [0.0] * len(self._keys)
        best_example: dict[int, tuple[float, str]] = {}
        if norm:
            entry_postings = self._entry_postings
            sums = [0j] * len(scores)  # similarity + log-likelihood × i, by entry
            for term in found:
                for ident, value in entry_postings[term]:
                    sums[ident] += value
            factor = w.entry / norm
            if w.likelihood:
                # The posterior is a softmax of the log-likelihoods, folded into one pass.
                logs = [z.imag for z in sums]
                top_log = max(logs)
                exps = [math.exp(v - top_log) for v in logs]
                share = w.likelihood / sum(exps)
                scores = [
                    z.real * factor + share * e if z.real else z.real
                    for z, e in zip(sums, exps, strict=True)
                ]
            else:
                scores = [z.real * factor for z in sums]
            if self._example_postings:
                example_cos: dict[int, float] = defaultdict(float)
                for term in found:
                    value = query[term] / norm
                    for ident, weight in self._example_postings.get(term, ()):
                        example_cos[ident] += weight * value
                owner = self.example_owner
                for ident, cos in example_cos.items():
                    entry, example = owner[ident]
                    if cos > best_example.get(entry, (0.0, ""))[0]:
                        best_example[entry] = (cos, example)
                for entry, (cos, _) in best_example.items():
                    scores[entry] += w.example * cos
        phrase_hits = self._phrase_hits(text)
        for entry, hits in phrase_hits.items():
            scores[entry] += w.phrase * sum(value for _, value in hits)
        keyword_hits = self._keyword_hits(text) if w.keyword else None
        if keyword_hits is not None:
            for entry, found_keywords in keyword_hits.items():
                scores[entry] += w.keyword * sum(
                    self._kw_weight[t] for t in found_keywords.values()
                )
        if level is not None or cls is not None:
            bonus = self._bonus.get((level, cls))
            if bonus is None:
                bonus = self._bonus[level, cls] = [
                    (w.level if entry_level == level else 0.0)
                    + (w.cls if entry_class == cls else 0.0)
                    for entry_level, entry_class in zip(self._levels, self._classes, strict=True)
                ]
            scores = [
                value + extra if value else value
                for value, extra in zip(scores, bonus, strict=True)
            ]
        order = self._order
        own = self._own
        if top is not None and top <= PICKED:
            leaders = _best(scores, order, max(top, 2))
            shown = leaders[:top] if own == len(scores) else _best(scores[:own], order, top)
        else:
            ranked = [(-v, order[e], e) for e, v in enumerate(scores) if v > 0]
            ranked.sort()  # a few dozen entries: a plain sort beats a heap
            leaders = ranked[:2]
            shown = [item for item in ranked if item[2] < own][:top]
        if keyword_hits is None and shown:  # the suggestions' evidence
            keyword_hits = self._keyword_hits(text, {entry for _, _, entry in shown})
        out = []
        for negative, _, entry in shown:
            value = -negative
            # The margin is over the best other entry, a background one included.
            rivals = [item for item in leaders if item[2] != entry]
            other = -rivals[0][0] if rivals else None
            out.append(
                Suggestion(
                    key=self._keys[entry],
                    name=self.entries[entry].name,
                    score=round(value, 4),
                    confidence=self._confidence(value, other),
                    phrases=tuple(sorted({t for t, _ in phrase_hits.get(entry, ())})),
                    keywords=tuple(sorted(keyword_hits.get(entry, ()) if keyword_hits else ())),
                    example=best_example.get(entry, (0.0, None))[1],
                )
            )
        return out

    def _keyword_hits(
        self, text: Analysed, entries: Container[int] | None = None
    ) -> dict[int, dict[str, str]]:
        """Catalog keywords found in the text, by entry: keyword → the stem that found it
        (only for ``entries`` when given: the evidence of the few entries shown).

        A keyword of several words ("pre-production") is found only where the text has
        them side by side, and of the keywords that one stem finds ("validate",
        "validation", "validator" for "validated") only the shortest is named, so the
        evidence lists what the text says, once.
        """
        hits: dict[int, dict[str, str]] = defaultdict(dict)
        for term in text.bag:
            for entry, keyword in self.keywords.get(term, ()):
                if entries is not None and entry not in entries:
                    continue
                stems = self._keyword_stems[keyword]
                if len(stems) == 1 or _adjacent(stems, text.seq):
                    hits[entry].setdefault(keyword, term)
        return {entry: _shortest(found) for entry, found in hits.items()}

    def _confidence(self, value: float, other: float | None) -> float:
        """Sure when the score is high and clearly ahead of the next entry."""
        strength = 1 - math.exp(-value / self.weights.scale)
        if other is None:
            margin = 1.0
        elif other > value:  # not the top entry
            margin = value / other * 0.5
        else:
            margin = min(1.0, 0.5 + (value - other) / max(value, 1e-9))
        return round(strength * margin, 4)

    def suggest(
        self,
        text: str,
        *,
        level: str | None = None,
        top: int = 3,
        drop: frozenset[str] = frozenset(),
    ) -> list[Suggestion]:
        """The ``top`` best entries for a raw text."""
        return self.score(analyse(text, drop), level, top)


PICKED = 3
"""Up to this many suggestions (one for each node of the patterns report, and a runner-up
for its margin) are picked from the scores, not sorted out of them."""


def _best(scores: Sequence[float], order: Sequence[int], k: int) -> list[tuple[float, int, int]]:
    """The ``k`` entries with the highest positive scores, best first, a tie going to the
    lower key rank, as (-score, key rank, entry): ``sorted(ranked)[:k]`` for ranked
    ``(-v, order[e], e)`` with ``v > 0``, by ``k`` passes of ``max`` in C."""
    values = list(scores)
    out: list[tuple[float, int, int]] = []
    for _ in range(k):
        best = max(values, default=0.0)
        if not best > 0:
            break
        entry = values.index(best)
        if values.count(best) > 1:
            entry = min((e for e, v in enumerate(values) if v == best), key=order.__getitem__)
        out.append((-best, order[entry], entry))
        values[entry] = -math.inf
    return out


def _shortest(found: dict[str, str]) -> dict[str, str]:
    """Of the keywords (keyword → stem) that one stem found, the shortest."""
    shortest: dict[str, str] = {}
    for keyword in sorted(found, key=lambda k: (len(k), k)):
        shortest.setdefault(found[keyword], keyword)
    return {keyword: term for term, keyword in shortest.items()}


def _adjacent(stems: tuple[str, ...], seq: tuple[str, ...]) -> bool:
    """Whether ``stems`` occur in ``seq`` one right after another."""
    n = len(stems)
    return any(seq[i : i + n] == stems for i in range(len(seq) - n + 1))
