"""Catalog phrases found in a text, with negation understood.

A catalog phrase is matched on word stems, in order, with at most :data:`GAP` words
between its parts ("no canary" finds "there was no canary stage", "pushed globally"
finds "pushed it globally"). A phrase that *denies* something ("no canary", "without
validation", "not reviewed", "never tested") also matches when the text denies the same
thing in other words: "the canary was skipped", "we never had a canary", "untested"
for "not tested", as long as the lexicon reads the rest of the phrase as negated in the
text (see :mod:`causemap.patterns.concepts`).

A phrase weighs the sum of its words' weights, rarer words weighing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from causemap.patterns.text import CLAUSE_MARKS, Analysed, stem, tokens

__all__ = ["GAP", "Phrase", "PhraseIndex", "compile_phrase"]

GAP = 2
"""Words allowed between two consecutive words of a phrase."""
CUE_REACH = 4
"""How many words before a phrase's first word a negation cue still negates it."""
NEGATORS = frozenset(
    stem(w) for w in ("no", "not", "never", "without", "none", "nobody", "nothing", "lack")
)
"""Stems that, leading a catalog phrase, make it a denial."""
_AUX = frozenset(stem(w) for w in ("did", "does", "do", "was", "were", "is", "are", "had", "has"))


@dataclass(frozen=True, slots=True)
class Phrase:
    """One compiled catalog phrase."""

    entry: int
    """Index of the catalog entry it belongs to."""
    text: str
    stems: tuple[str, ...]
    """Its word stems, articles left out."""
    core: tuple[str, ...]
    """For a denial, the stems after the negation ("canari" in "no canary"), else ()."""
    weight: float


def compile_phrase(entry: int, text: str, weight: Callable[[str, str], float]) -> Phrase | None:
    """Compile a catalog phrase; None if it is a single word (keywords cover those).

    ``weight(word, stem)`` weighs one word of the phrase.
    """
    words = [t for t in tokens(text) if t not in CLAUSE_MARKS]
    stems = tuple(stem(w) for w in words)
    if len(stems) < 2:
        return None
    core: tuple[str, ...] = ()
    for i, root in enumerate(stems):
        if root in NEGATORS:
            rest = stems[i + 1 :]
            if rest and all(s in _AUX for s in stems[:i]):
                core = rest
            break
    total = sum(weight(w, s) for w, s in zip(words, stems, strict=True))
    return Phrase(entry, text, stems, core, total)


def _ordered(seq: Sequence[str], start: int, parts: Sequence[str]) -> int | None:
    """Position of the last of ``parts`` found in order from ``seq[start]`` (which must be
    ``parts[0]``) with at most :data:`GAP` words between them, else None."""
    pos = start
    for part in parts[1:]:
        window = seq[pos + 1 : pos + 2 + GAP]
        if part not in window:
            return None
        pos = pos + 1 + window.index(part)
    return pos


class PhraseIndex:
    """Every catalog phrase, indexed by its first word (and a denial's first core word)."""

    def __init__(self, phrases: Sequence[Phrase]) -> None:
        self.phrases = list(phrases)
        self.by_first: dict[str, list[Phrase]] = defaultdict(list)
        self.by_core: dict[str, list[Phrase]] = defaultdict(list)
        for phrase in self.phrases:
            self.by_first[phrase.stems[0]].append(phrase)
            if phrase.core:
                self.by_core[phrase.core[0]].append(phrase)

    def find(self, text: Analysed) -> list[Phrase]:
        """The phrases ``text`` contains, each once, in a stable order."""
        seq = text.seq
        present = set(seq)
        negated = {pos for pos, _, denied in text.mentions if denied}
        found: dict[int, Phrase] = {}
        for start, first in enumerate(seq):
            for phrase in self.by_first.get(first, ()):
                if (
                    id(phrase) not in found
                    and present.issuperset(phrase.stems)
                    and _ordered(seq, start, phrase.stems) is not None
                ):
                    found[id(phrase)] = phrase
            for phrase in self.by_core.get(first, ()):
                if id(phrase) in found or not present.issuperset(phrase.core):
                    continue
                end = _ordered(seq, start, phrase.core)
                if end is None:
                    continue
                denied = any(p in negated for p in range(start, end + 1)) or any(
                    start - CUE_REACH <= c < start for c in text.cues
                )
                if denied:
                    found[id(phrase)] = phrase
        return sorted(found.values(), key=lambda p: (p.entry, p.text))
