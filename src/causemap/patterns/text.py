"""Text normalisation: node labels and catalog wording → word stems.

Everything the matcher compares goes through :func:`analyse`: Unicode folding, lower
case, accents dropped (``déploiement`` → ``deploiement``, so a service named "São Paulo
edge" is the same word however it was typed), ``n't`` → ``not``, tokens of letters and
digits in any script (``100%`` kept whole; Chinese and Japanese, written without spaces,
give one token per run of characters), English Snowball stems, and two views of the
result:

* ``seq``: every stem in order except articles, for matching multi-word phrases
  ("no canary" must find "there was no canary stage");
* ``bag``: content stems only (no function words, no bare numbers, none of the
  incident's own glossary such as its service names), for similarity;
* ``breaks``: where sentences and clauses end, which phrases do not cross.

Stems are cached per word, so a corpus of a quarter of a million nodes is analysed in
seconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, NamedTuple

__all__ = [
    "CLAUSE_MARKS",
    "STOPWORDS",
    "Analysed",
    "analyse",
    "fold",
    "glossary",
    "stem",
    "tokens",
    "words",
]

_WORD = re.compile(r"[^\W_]+%?")
_TOKEN = re.compile(r"[^\W_]+%?|[.;:!?]")
CLAUSE_MARKS = frozenset(".;:!?")
"""Punctuation kept by :func:`tokens`: it ends the scope of a negation."""
_NOT = re.compile(r"n[’']t\b")
_ARTICLES = frozenset({"a", "an", "the"})

_FUNCTION_WORDS = """
    a about above after again against am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself of off on onto or other our ours ourselves out
    over own s same she should so some such t than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves also
    upon via per whose whatever whenever though although yet still
    already even ever much many lot lots thing things etc eg ie
"""
STOPWORDS = frozenset(_FUNCTION_WORDS.split()) - {"no", "not", "never", "none", "without", "same"}
"""Function words left out of the bag (negations and "same" are kept: they carry meaning)."""

_STEMMER: Any = None
_CACHE: dict[str, str] = {}


def stem(word: str) -> str:
    """Return the Snowball English stem of a lowercase word (cached).

    Examples
    --------
    >>> [stem(w) for w in ("rollouts", "staged", "validation", "exercised")]
    ['rollout', 'stage', 'valid', 'exercis']
    """
    found = _CACHE.get(word)
    if found is not None:
        return found
    global _STEMMER
    if _STEMMER is None:
        import snowballstemmer

        _STEMMER = snowballstemmer.stemmer("english")
    result: str = _STEMMER.stemWord(word) if len(word) > 3 and not word[0].isdigit() else word
    if len(_CACHE) < 500_000:
        _CACHE[word] = result
    return result


def fold(text: str) -> str:
    """``text`` in NFKC and lower case and, when it is not plain ASCII, case-folded with
    the accents of Latin letters dropped (``é`` → ``e``; a mark that makes another letter
    of another script, as in ``й`` or ``デ``, stays): the form every word is compared in.

    Examples
    --------
    >>> fold("Déploiement à São Paulo, STRASSE/Straße, й, デプロイ")
    'deploiement a sao paulo, strasse/strasse, й, デプロイ'
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    if folded.isascii():
        return folded
    kept: list[str] = []
    latin = False
    for c in unicodedata.normalize("NFKD", folded.casefold()):
        if not unicodedata.combining(c):
            latin = c.isascii()
        elif latin:
            continue
        kept.append(c)
    return unicodedata.normalize("NFC", "".join(kept))


def words(text: str) -> list[str]:
    """Lowercase word tokens of ``text``.

    Examples
    --------
    >>> words("Didn't roll out to 100% of hosts (db1)!")
    ['did', 'not', 'roll', 'out', 'to', '100%', 'of', 'hosts', 'db1']
    >>> words("Zürich_edge: развертывание, デプロイ失敗")
    ['zurich', 'edge', 'развертывание', 'デプロイ失敗']
    """
    return _WORD.findall(_NOT.sub(" not", fold(text)))


def tokens(text: str) -> list[str]:
    """Lowercase words and sentence punctuation of ``text``, articles left out.

    Examples
    --------
    >>> tokens("Didn't stage it; the canary was skipped.")
    ['did', 'not', 'stage', 'it', ';', 'canary', 'was', 'skipped', '.']
    """
    return [t for t in _TOKEN.findall(_NOT.sub(" not", fold(text))) if t not in _ARTICLES]


def glossary(names: Iterable[str]) -> frozenset[str]:
    """Stems of incident-specific names (services, the incident id) to leave out of the bag.

    Examples
    --------
    >>> sorted(glossary(["status-page", "cloudflare-2019-07-02"]))
    ['cloudflar', 'page', 'status']
    """
    return frozenset(stem(w) for name in names for w in words(name) if not w[0].isdigit())


class Analysed(NamedTuple):
    """A text reduced to stems and concepts."""

    seq: tuple[str, ...]
    """Every stem in order, articles left out: for phrase matching."""
    bag: tuple[str, ...]
    """Distinct content stems, sorted: for similarity (a tuple, so iteration is stable)."""
    feats: tuple[str, ...] = ()
    """Concept features, sorted (see :mod:`causemap.patterns.concepts`)."""
    mentions: tuple[tuple[int, str, bool], ...] = ()
    """(position in ``seq``, concept, negated) of every concept mention, in order."""
    cues: tuple[int, ...] = ()
    """Positions in ``seq`` of negation cues ("no", "without", "skipped", "untested"…)."""
    breaks: tuple[int, ...] = ()
    """Positions in ``seq`` that start a new clause (after ``. ; : ! ?``): a phrase, or a
    negation cue's reach, does not run across one."""


def analyse(text: str, drop: frozenset[str] = frozenset()) -> Analysed:
    """Reduce ``text`` to stems and concepts; ``drop`` holds glossary stems to leave out of
    the bag (concepts are general words, so they are kept whatever the glossary).

    Examples
    --------
    >>> a = analyse("There was no canary for the Foo rollout", glossary(["foo"]))
    >>> a.seq
    ('there', 'was', 'no', 'canari', 'for', 'foo', 'rollout')
    >>> a.bag
    ('canari', 'no', 'rollout')
    >>> a.feats
    ('c:deploy', 'c:staged', 'n:deploy', 'n:staged', 'p:deploy+staged')
    """
    from causemap.patterns.concepts import builtin_lexicon

    toks = tokens(text)
    stems = [t if t in CLAUSE_MARKS else stem(t) for t in toks]
    pairs = [(w, s) for w, s in zip(toks, stems, strict=True) if w not in CLAUSE_MARKS]
    bag = tuple(
        sorted({s for w, s in pairs if w not in STOPWORDS and s not in drop and not w[0].isdigit()})
    )
    found = builtin_lexicon().read(stems)
    breaks: list[int] = []
    count = 0
    for t in toks:
        if t not in CLAUSE_MARKS:
            count += 1
        elif count and (not breaks or breaks[-1] != count):
            breaks.append(count)
    seq = tuple(s for _, s in pairs)
    return Analysed(seq, bag, found.features, found.mentions, found.cues, tuple(breaks))
