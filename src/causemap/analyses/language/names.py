"""Personal names in a text: participants' names and known given names.

A cause should name a role or a condition, not a person. Names are told from words by
capitals, the place in the sentence and the word before ("San Jose", "the Julia
runtime"), against the participants and the given names passed in: it finds names,
where the other language modules find phrases.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from causemap.analyses.language.lexicon import nfc

__all__ = ["person_names"]


_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]+(?:['’-](?![sS]\b)[^\W\d_]+)*")
"""A word of letters in any script, with its inner apostrophes and hyphens ("José",
"O'Brien", "Ana-Maria") but not a possessive's "'s" ("Dana's" is "Dana");
:func:`_capitalised` tells a name-like one."""


_NEXT = re.compile(r"\s+(\S+)")
"""The next word after a name: its surname, if it is one."""


_THING_BEFORE = re.compile(
    r"(?<![\w'’-])(?:the|a|an|san|santa|santo|são|sao|st|saint|port|fort|mount|mt|lake|cape)"
    r"\.?\s+$",
    re.IGNORECASE,
)
"""A word that makes the given name after it part of a thing's name: a place ("San Jose",
"Port Elizabeth", "St. Paul") or a product ("the Julia runtime", "the Hugo build")."""


def _capitalised(word: str) -> bool:
    """A capital then not all capitals: "Muñoz", "Łukasz", "D'Souza", not "DNS" or "I"."""
    return word[0].isupper() and not word.isupper()


def _sentence_start(text: str, at: int) -> bool:
    """Whether ``text[at:]`` begins a sentence, where any word is capitalised."""
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?:;\"'(" or before.endswith("\n")


def person_names(
    text: str,
    participants: Sequence[str],
    first_names: frozenset[str],
    ordinary: frozenset[str] = frozenset(),
) -> list[str]:
    """Personal names in ``text``: participants (full or any part), and known given names.

    A known given name counts when followed by a capitalised surname, or when it appears
    capitalised in the middle of a sentence. So does a participant's given name or
    surname that is also an ordinary word (``ordinary``: "Max", "Root"); anywhere else, a
    part of a participant's name counts wherever it is written capitalised.

    Examples
    --------
    >>> person_names("Dana ran the script", ["Dana Ortiz"], frozenset())
    ['Dana']
    >>> person_names("Then John Smith restarted it", [], frozenset({"John"}))
    ['John Smith']
    >>> person_names("Grace period expired", [], frozenset({"Grace"}))
    []
    >>> person_names("Links to San Jose dropped", [], frozenset({"Jose"}))
    []
    >>> person_names("Max connections reached", ["Max Weber"], frozenset(), frozenset({"Max"}))
    []
    >>> person_names("Then Max restarted it", ["Max Weber"], frozenset(), frozenset({"Max"}))
    ['Max']
    """
    text, participants = nfc(text), [nfc(person) for person in participants]
    candidates = [[person, *[p for p in person.split() if len(p) >= 3]] for person in participants]
    if not any(part in text for parts in candidates for part in parts) and not (
        first_names.intersection(_WORD.findall(text))
    ):
        return []  # the common case, decided without a regex per name
    found: list[str] = []
    for parts in candidates:
        for k, part in enumerate(parts):
            if part in found:
                continue
            places = re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text)
            if k and part in ordinary:
                places = (m for m in places if not _sentence_start(text, m.start()))
            if next(places, None):
                found.append(part)
                break
    for match in _WORD.finditer(text):
        word = match.group()
        if word not in first_names or not _capitalised(word) or any(word in f for f in found):
            continue
        if _THING_BEFORE.search(text, max(0, match.start() - 8), match.start()):
            continue
        surname = _NEXT.match(text, match.end())
        if surname and (last := _WORD.match(surname.group(1))) and _capitalised(last.group()):
            found.append(f"{word} {last.group()}")
            continue
        if not _sentence_start(text, match.start()):
            found.append(word)
    return found
