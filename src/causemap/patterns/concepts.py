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
from importlib.resources import files
from pathlib import Path
from typing import Any

from causemap.patterns.text import CLAUSE_MARKS, stem, tokens

__all__ = ["BUILTIN_LEXICON", "Lexicon", "Reading", "builtin_lexicon"]

# Found through the package, not ``__file__``: compiled with mypyc (as in release wheels),
# a module's ``__file__`` names its source file as it was on the build machine.
BUILTIN_LEXICON = Path(str(files("causemap.patterns").joinpath("concepts.yaml")))
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
PAIR_WINDOW = 6
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

        concepts: dict[tuple[str, ...], set[str]] = {}
        for name, phrases in (data.get("concepts") or {}).items():
            for phrase in phrases:
                found = key(phrase)
                if found:
                    concepts.setdefault(found, set()).add(str(name))
        negated: dict[tuple[str, ...], set[str]] = {}
        for word, name in (data.get("negated") or {}).items():
            negated.setdefault(key(word), set()).add(str(name))
        self.concepts = {k: frozenset(v) for k, v in concepts.items()}
        self.negated = {k: frozenset(v) for k, v in negated.items()}
        self._pairs: dict[frozenset[str], dict[frozenset[str], tuple[str, ...]]] = {}
        """Pair features of two mentions' concepts, by the first's concepts, then the second's."""
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
        self._label = {
            (denied, name): f"{'n' if denied else 'c'}:{name}"
            for name in self.names
            for denied in (False, True)
        }

    def features(self, text: str) -> tuple[str, ...]:
        """The sorted concept features of ``text`` (see the module docstring)."""
        return self.read([t if t in CLAUSE_MARKS else stem(t) for t in tokens(text)]).features

    def read(self, stems: Sequence[str]) -> Reading:
        """Concepts of a sequence of stems and clause marks (see :func:`tokens`)."""
        index, concepts, negated_words = self._index, self.concepts, self.negated
        stems = tuple(stems)  # its slices compare with the phrases as they are
        # spans: (start, end, concepts, negates itself)
        spans: list[tuple[int, int, frozenset[str], bool]] = []
        forward: list[int] = []  # positions after which the next words are negated
        backward: list[int] = []  # positions before which the last words are negated
        cues: list[int] = []
        n = len(stems)
        clause = [0] * n
        word = [0] * n  # position among words, clause marks left out
        current = words = i = 0
        while i < n:
            root = stems[i]
            if root in _CLAUSE_ENDS:
                current += 1
                if root in CLAUSE_MARKS:
                    clause[i], word[i] = current, words
                    i += 1
                    continue
            candidates = index.get(root)
            if candidates is None:  # most words: in no table
                clause[i], word[i] = current, words
                words += 1
                i += 1
                continue
            neg = remove = concept = self_neg = 0
            for size, phrase, kind in candidates:
                if size > 1 and stems[i : i + size] != phrase:
                    continue
                if kind == "concept":
                    if not concept:
                        concept = size
                        spans.append((i, i + size, concepts[phrase], False))
                elif kind == "neg":
                    neg = neg or size
                elif kind == "remove":
                    remove = remove or size
                elif not self_neg:
                    self_neg = size
                    spans.append((i, i + size, negated_words[phrase], True))
            if neg:
                forward.append(i + neg - 1)
            if remove:  # passive ("the canary was skipped") looks back, else forward
                if i > 0 and stems[i - 1] in _COPULAS:
                    backward.append(i)
                else:
                    forward.append(i + remove - 1)
            if neg or remove or self_neg:
                cues.append(words)
            step = max(neg, remove, concept, self_neg, 1)
            if step > n - i:
                step = n - i
            for k in range(step):
                clause[i + k], word[i + k] = current, words + k
            words += step
            i += step
        return self._reading(spans, forward, backward, cues, clause, word)

    def _reading(
        self,
        spans: list[tuple[int, int, frozenset[str], bool]],
        forward: list[int],
        backward: list[int],
        cues: list[int],
        clause: list[int],
        word: list[int],
    ) -> Reading:
        positive: set[str] = set()
        negative: set[str] = set()
        mentions: list[tuple[int, str, bool]] = []
        inside: set[int] = set()
        for start, end, names, denies in spans:
            if end - start > 1:
                inside.update(word[start + 1 : end])
            negated = denies
            if not negated and forward:
                here = clause[start]
                for pos in forward:
                    if 0 < start - pos <= NEGATION_SCOPE and clause[pos] == here:
                        negated = True
                        break
            if not negated and backward:
                last = end - 1
                here = clause[last]
                for pos in backward:
                    if 0 < pos - last <= NEGATION_SCOPE and clause[pos] == here:
                        negated = True
                        break
            positive |= names
            if negated:
                negative |= names
            at = word[start]
            for name in names:
                mentions.append((at, name, negated))
        pairs: set[str] = set()
        pair_names = self._pairs
        count = len(spans)
        for a in range(count - 1):
            start, _, names, _ = spans[a]
            known = pair_names.get(names)
            if known is None:
                known = pair_names[names] = {}
            for b in range(a + 1, count):
                other, _, more, _ = spans[b]
                if other - start > PAIR_WINDOW:
                    break
                found = known.get(more)
                if found is None:
                    found = known[more] = tuple(
                        f"p:{min(x, y)}+{max(x, y)}" for x in names for y in more if x != y
                    )
                pairs.update(found)
        label = self._label
        features = sorted(pairs)
        features += [label[True, c] for c in negative]
        features += [label[False, c] for c in positive]
        features.sort()
        return Reading(
            tuple(features), tuple(sorted(set(mentions))), tuple(cues), frozenset(inside)
        )


@functools.cache
def builtin_lexicon() -> Lexicon:
    """The lexicon shipped in ``concepts.yaml`` (read once)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present
    return Lexicon(yaml.load(BUILTIN_LEXICON.read_text(encoding="utf-8"), Loader=loader))
