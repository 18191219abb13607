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

from mypy_extensions import mypyc_attr

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


# A Python class also when compiled with mypyc, so that it pickles (the facts cache
# keeps the index); its methods are compiled all the same.
@mypyc_attr(native_class=False)
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
    needs: frozenset[str] = frozenset()
    """The distinct stems a text must have to contain it (a set, so that the test is a
    set comparison: a tuple would be copied into a new set at every test)."""
    core_needs: frozenset[str] = frozenset()
    """The distinct stems of ``core``."""


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
    return Phrase(entry, text, stems, core, total, frozenset(stems), frozenset(core))


def _ordered(
    seq: Sequence[str], start: int, parts: Sequence[str], breaks: Sequence[int] = ()
) -> int | None:
    """Position of the last of ``parts`` found in order from ``seq[start]`` (which must be
    ``parts[0]``) with at most :data:`GAP` words between them and no clause break among
    them ("the deploy used no. Canary stages existed" holds no "no canary"), else None."""
    pos = start
    for part in parts[1:]:
        window = seq[pos + 1 : pos + 2 + GAP]
        if part not in window:
            return None
        pos = pos + 1 + window.index(part)
    if breaks and _crosses(breaks, start, pos):
        return None
    return pos


def _crosses(breaks: Sequence[int], start: int, end: int) -> bool:
    """Whether a clause starts after ``start`` and at or before ``end``."""
    return any(start < b <= end for b in breaks)


def _rarest(stems: Sequence[str], counts: dict[str, int]) -> str:
    """The stem of ``stems`` in fewest phrases (the first in order of a tie)."""
    return min(stems, key=lambda root: (counts[root], root))


# A Python class also when compiled with mypyc, so that it pickles (the facts cache
# keeps the index); its methods are compiled all the same. (Hence no nested function in
# its methods: mypyc cannot compile one there.)
@mypyc_attr(native_class=False)
class PhraseIndex:
    """Every catalog phrase, indexed by its rarest word (and a denial's rarest core word).

    A text can only contain a phrase if it has all the phrase's words, so :meth:`find`
    looks up the phrases whose rarest word the text has and checks the others before it
    looks for the words in order: most phrases start with a common word ("no", "all",
    "not"), and indexing them by it would test hundreds per text.
    """

    def __init__(self, phrases: Sequence[Phrase]) -> None:
        self.phrases = list(phrases)
        counts: dict[str, int] = defaultdict(int)
        for phrase in self.phrases:
            for root in {*phrase.stems, *phrase.core}:
                counts[root] += 1
        self.by_rare: dict[str, list[Phrase]] = defaultdict(list)
        self.by_core: dict[str, list[Phrase]] = defaultdict(list)
        for phrase in self.phrases:
            self.by_rare[_rarest(phrase.stems, counts)].append(phrase)
            if phrase.core:
                self.by_core[_rarest(phrase.core, counts)].append(phrase)

    def find(self, text: Analysed) -> list[Phrase]:
        """The phrases ``text`` contains, each once, in a stable order."""
        seq = text.seq
        present = set(seq)
        found: dict[int, Phrase] = {}
        denials: list[Phrase] = []
        for root in present:
            for phrase in self.by_rare.get(root, ()):
                if present >= phrase.needs and _occurs(seq, phrase.stems, text.breaks):
                    found[id(phrase)] = phrase
            for phrase in self.by_core.get(root, ()):
                if present >= phrase.core_needs:
                    denials.append(phrase)
        if denials:
            negated = {pos for pos, _, denied in text.mentions if denied}
            for phrase in denials:
                if id(phrase) not in found and _denied(text, phrase.core, negated):
                    found[id(phrase)] = phrase
        return sorted(found.values(), key=lambda p: (p.entry, p.text))


def _occurs(seq: Sequence[str], parts: Sequence[str], breaks: Sequence[int]) -> bool:
    """Whether ``parts`` occur in ``seq`` in order, at most :data:`GAP` words apart, within
    one clause."""
    first = parts[0]
    return any(
        root == first and _ordered(seq, start, parts, breaks) is not None
        for start, root in enumerate(seq)
    )


def _denied(text: Analysed, core: Sequence[str], negated: set[int]) -> bool:
    """Whether ``core`` occurs in order where the text negates it: a word of it is read
    as negated, or a negation cue comes at most :data:`CUE_REACH` words before it."""
    seq, breaks = text.seq, text.breaks
    for start, root in enumerate(seq):
        if root != core[0]:
            continue
        end = _ordered(seq, start, core, breaks)
        if end is not None and (
            any(p in negated for p in range(start, end + 1))
            or any(
                start - CUE_REACH <= c < start and not _crosses(breaks, c, start) for c in text.cues
            )
        ):
            return True
    return False
