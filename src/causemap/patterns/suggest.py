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

The modules, one noun each: :mod:`~causemap.patterns.weights` (the signals' weights and
the entries' weighted terms), :mod:`~causemap.patterns.background`,
:mod:`~causemap.patterns.index` (:class:`CatalogIndex`: its tables and the scoring),
:mod:`~causemap.patterns.examples` (the closest example of an entry) and this one, which
keeps the index of the last catalog for :func:`suggest`.
"""

from __future__ import annotations

from causemap.catalog.model import Catalog
from causemap.patterns.index import CatalogIndex, Suggestion
from causemap.patterns.index import _best as _best
from causemap.patterns.weights import Weights
from causemap.patterns.weights import _likelihoods as _likelihoods

__all__ = ["CatalogIndex", "Suggestion", "Weights", "suggest"]


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
