"""The concept lexicon: many wordings, one meaning.

Postmortems word one contributing factor in many ways: "pushed to every PoP
simultaneously" and "the update reached all hosts in one go" share no content word, yet
both say *a change* went to *all* of the fleet *at once*. :class:`Lexicon` maps words
and phrases to shared **concepts** (``concepts.yaml`` beside this module) and turns a
text into concept features:

* ``c:NAME``: the concept is mentioned;
* ``n:NAME``: it is mentioned *negated*: within a few words after "no", "without",
  "never", "not"… in the same clause ("no canary", "was never tested"), after a verb
  that takes something away ("skipped the canary", "maintenance removed redundancy"),
  before such a verb in the passive ("the canary was skipped"), or in a word that
  negates itself ("untested");
* ``p:A+B``: two concepts mentioned close together, whatever the word order ("every
  region at once" and "simultaneously, in all regions" both give ``p:all+at_once``).

The features are added to the stems the matcher already compares, so wording that
shares no word but shares meaning still scores.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from causemap.patterns.text import CLAUSE_MARKS, stem, tokens

__all__ = ["BUILTIN_LEXICON", "Lexicon", "Reading", "builtin_lexicon"]

BUILTIN_LEXICON = Path(__file__).resolve().parent / "concepts.yaml"
"""The concept lexicon shipped with causemap."""

_CLAUSE_ENDS = CLAUSE_MARKS | {
    stem(w)
    for w in ("but", "while", "whereas", "although", "though", "so", "because", "which", "yet")
}
"""Clause marks and the stems of the conjunctions that end a negation's scope."""
_COPULAS = frozenset(
    stem(w) for w in ("was", "were", "is", "are", "been", "be", "being", "got", "get", "gets")
)
NEGATION_SCOPE = 4
"""How many words after a negator or remover (before a remover, in the passive) it negates."""
PAIR_WINDOW = 8
"""Greatest distance, in words, between two concepts that form a pair feature."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What the lexicon found in one text."""

    features: tuple[str, ...]
    """Concept features, sorted: ``c:``, ``n:`` and ``p:`` (see the module docstring)."""
    mentions: tuple[tuple[int, str, bool], ...]
    """(word position, concept, negated) of every concept mention, in order."""
    cues: tuple[int, ...]
    """Word positions of negation cues ("no", "without", "skipped", "untested"…)."""
    inside: frozenset[int] = frozenset()
    """Word positions inside a multi-word mention, after its first word ("once" in "at once")."""


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    concepts: frozenset[str]


class Lexicon:
    """Concepts, negators and self-negating words, matched on word stems.

    Examples
    --------
    >>> lex = builtin_lexicon()
    >>> feats = lex.features("The update went to every PoP simultaneously.")
    >>> [f for f in feats if f.startswith("p:")]
    ['p:all+at_once', 'p:all+change', 'p:all+site', 'p:at_once+change', 'p:at_once+site', \
'p:change+site']
    >>> sorted(f for f in lex.features("Backups were never tested.") if f[0] == "n")
    ['n:test']
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        def key(phrase: object) -> tuple[str, ...]:
            if not isinstance(phrase, str):  # YAML reads a bare no or null as non-text
                raise TypeError(f"concept lexicon: expected text, got {phrase!r}; quote it")
            return tuple(stem(t) for t in tokens(phrase) if t not in _CLAUSE_ENDS)

        self.concepts: dict[tuple[str, ...], set[str]] = {}
        for name, phrases in (data.get("concepts") or {}).items():
            for phrase in phrases:
                found = key(phrase)
                if found:
                    self.concepts.setdefault(found, set()).add(str(name))
        self.negated: dict[tuple[str, ...], set[str]] = {}
        for word, name in (data.get("negated") or {}).items():
            self.negated.setdefault(key(word), set()).add(str(name))
        self.negators = {key(p) for p in data.get("negators") or ()} - {()}
        self.removers = {key(p) for p in data.get("removers") or ()} - {()}
        self.names = frozenset(n for names in self.concepts.values() for n in names) | frozenset(
            n for names in self.negated.values() for n in names
        )
        # One index for all four tables: first stem → candidates, longest first.
        index: dict[str, list[tuple[int, tuple[str, ...], str]]] = {}
        tables: list[tuple[str, Iterable[tuple[str, ...]]]] = [
            ("neg", self.negators),
            ("remove", self.removers),
            ("concept", self.concepts),
            ("self", self.negated),
        ]
        for kind, table in tables:
            for phrase in table:
                index.setdefault(phrase[0], []).append((len(phrase), phrase, kind))
        for candidates in index.values():
            candidates.sort(key=lambda item: -item[0])
        self._index = index

    def _longest(self, stems: Sequence[str], i: int) -> dict[str, tuple[str, ...]]:
        """The longest entry of each table that starts at ``stems[i]``."""
        out: dict[str, tuple[str, ...]] = {}
        for size, phrase, kind in self._index.get(stems[i], ()):
            if kind not in out and tuple(stems[i : i + size]) == phrase:
                out[kind] = phrase
        return out

    def features(self, text: str) -> tuple[str, ...]:
        """The sorted concept features of ``text`` (see the module docstring)."""
        return self.read([t if t in CLAUSE_MARKS else stem(t) for t in tokens(text)]).features

    def read(self, stems: Sequence[str]) -> Reading:
        """Concepts of a sequence of stems and clause marks (see :func:`tokens`)."""
        spans: list[_Span] = []
        negations: list[tuple[int, int]] = []  # (position, +1 forward / -1 backward)
        self_negated: set[int] = set()  # spans that negate themselves ("untested")
        cues: list[int] = []
        clause = [0] * len(stems)
        word = [0] * len(stems)  # position among words, clause marks left out
        current = words = 0
        i = 0
        while i < len(stems):
            if stems[i] in CLAUSE_MARKS:
                current += 1
                clause[i], word[i] = current, words
                i += 1
                continue
            if stems[i] in _CLAUSE_ENDS:
                current += 1
            found = self._longest(stems, i) if stems[i] in self._index else {}
            neg = len(found.get("neg", ()))
            remove = len(found.get("remove", ()))
            concept = len(found.get("concept", ()))
            self_neg = len(found.get("self", ()))
            if neg:
                negations.append((i + neg - 1, 1))
            if remove:  # passive ("the canary was skipped") looks back, else forward
                passive = i > 0 and stems[i - 1] in _COPULAS
                negations.append((i, -1) if passive else (i + remove - 1, 1))
            if neg or remove or self_neg:
                cues.append(words)
            if self_neg:
                self_negated.add(len(spans))
                spans.append(_Span(i, i + self_neg, frozenset(self.negated[found["self"]])))
            if concept:
                spans.append(_Span(i, i + concept, frozenset(self.concepts[found["concept"]])))
            step = min(max(neg, remove, concept, self_neg, 1), len(stems) - i)
            for k in range(i, i + step):
                clause[k], word[k] = current, words + (k - i)
            words += step
            i += step
        positive: set[str] = set()
        negative: set[str] = set()
        mentions: set[tuple[int, str, bool]] = set()
        inside = frozenset(word[k] for span in spans for k in range(span.start + 1, span.end))
        for index, span in enumerate(spans):
            negated = index in self_negated or self._negated(span, negations, clause)
            positive |= span.concepts
            if negated:
                negative |= span.concepts
            mentions.update((word[span.start], c, negated) for c in span.concepts)
        pairs: set[str] = set()
        for a, first in enumerate(spans):
            for second in spans[a + 1 :]:
                if second.start - first.start > PAIR_WINDOW:
                    break
                for x in first.concepts:
                    for y in second.concepts:
                        if x != y:
                            pairs.add(f"p:{min(x, y)}+{max(x, y)}")
        features = tuple(
            sorted([f"c:{c}" for c in positive] + [f"n:{c}" for c in negative] + list(pairs))
        )
        return Reading(features, tuple(sorted(mentions)), tuple(cues), inside)

    @staticmethod
    def _negated(span: _Span, negations: Iterable[tuple[int, int]], clause: Sequence[int]) -> bool:
        for pos, direction in negations:
            if direction == 1:
                near, other = 0 < span.start - pos <= NEGATION_SCOPE, span.start
            else:
                near, other = 0 < pos - (span.end - 1) <= NEGATION_SCOPE, span.end - 1
            if near and clause[pos] == clause[other]:
                return True
        return False


@functools.cache
def builtin_lexicon() -> Lexicon:
    """The lexicon shipped in ``concepts.yaml`` (read once)."""
    import yaml

    return Lexicon(yaml.safe_load(BUILTIN_LEXICON.read_text(encoding="utf-8")))
