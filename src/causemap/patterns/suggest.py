"""Suggestions: which catalog entries is a node's text an instance of, and why.

:class:`CatalogIndex` is built once per catalog; :func:`suggest` then scores one text
in well under a millisecond, which is what the web editor needs while a facilitator
types. Each entry's score adds lexical signals computed on word stems and on the
concepts of the lexicon (:mod:`causemap.patterns.concepts`), so that "pushed to every
PoP simultaneously" and "the update reached all hosts in one go" meet on
``all`` + ``at_once`` although they share no word:

* **phrases**: catalog phrases found in the text, in order, with at most two words
  between their parts ("no canary" finds "no canary stage", "pushed globally" finds
  "pushed it globally"); a denial also matches other denials ("the canary was
  skipped" contains "no canary", see :mod:`causemap.patterns.phrases`); each weighs the
  rarity of its words across the catalog;
* **keywords**: distinctive catalog words found in the text, weighted by rarity;
* **entry similarity**: TF-IDF cosine between the text and everything the entry says
  (name, definition, phrases, keywords, examples), over stems and concept features,
  with pivoted length normalisation so that entries listing many wordings are not
  diluted;
* **example similarity**: the best such cosine with one of the entry's examples;
* **likelihood**: the entry's posterior under a multinomial naive Bayes model whose
  training documents are the entry's name, definition, phrases, keywords and examples.
  The cosine compares the text with one summary of each entry; the model asks which
  entry's wordings use the text's terms most often, and is better at putting the
  right entry first for wording the catalog never saw.

A node's AcciMap level adds a small bonus to entries of the same usual level, and its
class (proximate or systemic, from causemap's classification) to entries of the same
usual class. The matched phrases and keywords are returned as the evidence, and
``confidence`` maps the score and its margin over the runner-up to 0..1 for automatic
assignment.

A catalog that replaces the built-in one is scored beside the built-in entries it does
not cover (the **background**): they count in the word statistics and as runners-up, but
are never suggested. Otherwise a small catalog would find every word rare, and its one
entry, with no runner-up, would look sure of any text at all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from causemap.catalog.model import Catalog, Entry
from causemap.patterns.phrases import PhraseIndex, compile_phrase
from causemap.patterns.text import STOPWORDS, Analysed, analyse, stem, words

__all__ = ["CatalogIndex", "Suggestion", "Weights", "suggest"]


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


class CatalogIndex:
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

    def closest_example(self, text: Analysed, key: str) -> str | None:
        """The example of entry ``key`` whose wording is closest to ``text`` (cosine over
        stems and concepts), or None when no example shares a term with it.

        This is what :class:`Suggestion`'s ``example`` shows a reader; :meth:`score` fills
        it only while example similarity counts in the score, which it does not by default.
        """
        return self.closest_examples(text, [key])[key]

    def closest_examples(self, text: Analysed, keys: Iterable[str]) -> dict[str, str | None]:
        """:meth:`closest_example` of each of ``keys``, for one text.

        The text's terms are looked up once in an index of every example by term, so only
        the terms an example shares with the text are visited (a node with 50 suggestions
        visited every term of every example of each). Each cosine adds the same products
        in the same order (the text's term order) as a sum over all the text's terms,
        whose other products are zeros: every value, and the example chosen, is the same.
        """
        examples, spans, postings = self._example_table()
        cosines = [0.0] * len(examples)
        seen: set[str] = set()
        for term in _terms(text):
            value = self._query.get(term)
            if value is None or term in seen:
                continue
            seen.add(term)
            for ident, weight in postings.get(term, ()):
                cosines[ident] += value * weight
        chosen: dict[str, str | None] = {}
        for key in keys:
            span = spans.get(key)
            if span is None:
                span = range(0)
                self.catalog.entry(key)  # KeyError, as for an unknown key before
            best: tuple[float, str | None] = (0.0, None)
            for ident in span:
                if cosines[ident] > best[0]:
                    best = (cosines[ident], examples[ident])
            chosen[key] = best[1]
        return chosen

    def _example_table(
        self,
    ) -> tuple[list[str], dict[str, range], dict[str, list[tuple[int, float]]]]:
        """Every example of the catalog, the positions of each entry's, and by term the
        position and unit-vector weight of each example that has it (made on first use)."""
        found = self._example_index
        if found is None:
            examples: list[str] = []
            spans: dict[str, range] = {}
            postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
            for entry in self.catalog.entries:
                first = len(examples)
                for example, vector in self._examples_of(entry.key):
                    for term, weight in vector.items():
                        postings[term].append((len(examples), weight))
                    examples.append(example)
                spans[entry.key] = range(first, len(examples))
            found = self._example_index = (examples, spans, dict(postings))
        return found

    def _examples_of(self, key: str) -> list[tuple[str, dict[str, float]]]:
        """Each example of entry ``key`` with its unit vector (made on first use)."""
        found = self._example_cache.get(key)
        if found is None:
            found = []
            for example in self.catalog.entry(key).examples:
                terms: dict[str, float] = defaultdict(float)
                for term in _terms(analyse(example)):
                    terms[term] += self._weight(term, self.idf.get(term, self._max_idf))
                norm = _norm(terms)
                found.append((example, {t: v / norm for t, v in terms.items()}))
            self._example_cache[key] = found
        return found

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


def _terms(text: Analysed) -> tuple[str, ...]:
    """What the similarities compare: content stems and concept features."""
    return text.bag + text.feats


_INDEXES: dict[int, tuple[Catalog, CatalogIndex]] = {}


def suggest(
    text: str, catalog: Catalog | None = None, *, level: str | None = None, top: int = 3
) -> list[Suggestion]:
    """Rank catalog entries for one node text, best first (the index is cached per catalog).

    Examples
    --------
    >>> [s.key for s in suggest("Clients retried immediately with no backoff or jitter", top=1)]
    ['retry-storm-no-backoff']
    """
    if catalog is None:
        from causemap.catalog import builtin_catalog

        catalog = builtin_catalog()
    cached = _INDEXES.get(id(catalog))
    if cached is None or cached[0] is not catalog:
        _INDEXES.clear()
        cached = _INDEXES[id(catalog)] = (catalog, CatalogIndex(catalog))
    return cached[1].suggest(text, level=level, top=top)
