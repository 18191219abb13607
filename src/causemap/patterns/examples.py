"""The example lookup: the example wording of a catalog entry closest to a text.

A suggestion shows the reader its entry's example closest to the node's text
(:attr:`~causemap.patterns.index.Suggestion.example`). Example similarity does not count
in the score by default, so the examples' vectors and their index by term are made on
first use, apart from the tables the scoring reads: :class:`ExampleLookup` is the part of
:class:`~causemap.patterns.index.CatalogIndex` that finds them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from mypy_extensions import mypyc_attr

from causemap.catalog.model import Catalog
from causemap.patterns.text import Analysed, analyse
from causemap.patterns.weights import _norm, _terms

__all__ = ["ExampleLookup"]


# A Python class also when compiled with mypyc, so that it pickles (the facts cache
# keeps the index); its methods are compiled all the same.
@mypyc_attr(native_class=False)
class ExampleLookup:
    """The closest examples of a :class:`~causemap.patterns.index.CatalogIndex`'s entries.

    A mixin of the index, whose tables it reads: the catalog, each term's IDF and query
    weight, and the weight of each term's type.
    """

    catalog: Catalog
    idf: dict[str, float]
    _max_idf: float
    _query: dict[str, float]
    _example_cache: dict[str, list[tuple[str, dict[str, float]]]]
    _example_index: tuple[list[str], dict[str, range], dict[str, list[tuple[int, float]]]] | None

    def _weight(self, term: str, value: float) -> float:
        """``value`` times the weight of the term's type (the index's own rule).

        A method, not a declared attribute, so that the index's overrides it also when
        compiled with mypyc, which gives a declared attribute a slot of its own.
        """
        raise NotImplementedError

    def closest_example(self, text: Analysed, key: str) -> str | None:
        """The example of entry ``key`` whose wording is closest to ``text`` (cosine over
        stems and concepts), or None when no example shares a term with it.

        This is what :class:`~causemap.patterns.index.Suggestion`'s ``example`` shows a
        reader; :meth:`~causemap.patterns.index.CatalogIndex.score` fills it only while
        example similarity counts in the score, which it does not by default.
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

    def prepare_examples(self) -> None:
        """Make the table of examples now rather than on first use: for an index about to
        be kept (:meth:`~causemap.patterns.cache.FactsCache.index`), so that every later
        run that loads it finds the examples ready."""
        self._example_table()

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
