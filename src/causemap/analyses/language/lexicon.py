"""The lexicon: the word lists of a :class:`Language` config (``words.yaml`` and the
user's config), compiled to patterns.

Phrases compile to one case-insensitive, word-bounded regular expression per list, built
once per config. The text form every comparison of words and names uses (:func:`nfc`)
lives here too, since the phrases are compiled in it. It stands apart as the one place
where word lists become patterns: the other language modules only use them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from causemap.analyses.config import Language

__all__ = ["Lexicon", "lexicon", "nfc"]


_HIDDEN_CHARS = "\u00ad\u200b\u2060\ufeff"
_HIDDEN = dict.fromkeys(map(ord, _HIDDEN_CHARS))
"""Soft hyphen, zero-width space, word joiner and zero-width no-break space: invisible
inside a word, so "human\u200berror" reads as "humanerror" to a regex but "human error"
to everyone in the room. (Zero-width joiners are kept: emoji and some scripts need them.)"""


def nfc(text: str) -> str:
    """``text`` in the form every comparison of words and names uses: Unicode NFC, so an
    accented letter typed as one character and one pasted as a letter and a combining
    accent (NFD, as macOS often gives it) match alike, without the invisible characters
    that would hide a word from the checks (see ``_HIDDEN``)."""
    if text.isascii():
        return text  # already NFC, and no invisible character is ASCII
    if any(hidden in text for hidden in _HIDDEN_CHARS):
        text = text.translate(_HIDDEN)
    return unicodedata.normalize("NFC", text)


_ANYWHERE = r"(?<![\w-])"
_GUARDED = r"(?!-(?:prone|proof|toleran|resist|resilien|safe|free|friendly|aware)\w*)"
"""Not the first half of a compound that names a defence against it: a "typo-tolerant
parser", "mistake-proofing", a "human-error-prone console" describe a design, and blame
no one."""
_LEADING = r"^\s*(?:(?:we|we'll|we will|to|please|team to)\s+)?"


_THING_WORDS = """account accounts agent api apis bot bots console consoles controller controllers
daemon dashboard deployment image job jobs loop mode panel pattern pod pods portal role sdk
service services session sessions table token ui"""
_MODIFIER = r"(?![-‐]\w|\s+(?:" + "|".join(_THING_WORDS.split()) + r")\b)"
"""Not the first half of a modifier: a "user-facing API", a "staff-only endpoint", the
"operator pattern", an "admin console" or the "reviewer bot" is a thing, not a person
acting. (Only a word of ``_THING_WORDS`` after it makes one: "the SRE team" is
people.)"""
_SOFTWARE = {"operator": ("kubernetes", "k8s", "openshift")}
"""Person words that are software after these words: a "Kubernetes operator" reconciles
resources. (Looked behind only once the word has matched: a guard tried at every word
start made every search of the person words a quarter slower.)"""


def _pattern(
    phrases: Iterable[str], *, leading: bool = False, modifier: bool = True
) -> re.Pattern[str]:
    """One case-insensitive regex for a phrase list, word-bounded, ``*`` as any ending;
    with ``leading``, phrases match only at the start of the text; without ``modifier``,
    not as the first half of a modifier ("user-facing", "admin console") nor as software
    ("Kubernetes operator"): the person words."""
    parts = []
    for phrase in sorted({nfc(p) for p in phrases}, key=lambda p: (-len(p), p)):
        words = [re.escape(w) for w in phrase.lower().rstrip("*").split()]
        body = r"[\s-]+".join(words)
        # Possessive: the guards below judge the whole word, never a shorter cut of it
        # ("operators service" is no "operator" followed by "s service").
        tail = r"\w*+" if phrase.endswith("*") else r"\b"
        software = () if modifier or len(words) > 1 else _SOFTWARE.get(words[0], ())
        guard = "".join(rf"(?<!{before}\s{body})" for before in software)
        parts.append(body + guard + tail + _GUARDED + ("" if modifier else _MODIFIER))
    if not parts:
        return re.compile(r"(?!x)x")
    start = _LEADING if leading else _ANYWHERE
    return re.compile(start + "(?:" + _by_first_letter(parts) + ")", re.IGNORECASE)


def _by_first_letter(parts: list[str]) -> str:
    """The alternation of ``parts``, grouped by first letter: ``c(?:areless|ould have)``.

    The regex engine tries every branch of a flat alternation at each word start; grouped,
    one letter picks the few that can match, which makes the word-list checks about twice
    as fast. The matches are the same: at any position only the group of that letter can
    match, its branches in their order. That holds when every part starts with a plain
    ASCII letter, whose case-insensitive matches no other letter shares (not so for, say,
    'i' and the dotless 'ı', which both match 'I'); otherwise the parts stay flat.
    """
    if not all(part[:1].isascii() and part[:1].isalpha() for part in parts):
        return "|".join(parts)
    groups: dict[str, list[str]] = {}
    for part in parts:
        groups.setdefault(part[0], []).append(part[1:])
    return "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items())


@dataclass(frozen=True)
class Lexicon:
    """Compiled word lists of one :class:`Language` config."""

    hindsight: re.Pattern[str]
    blame: re.Pattern[str]
    blame_acts: re.Pattern[str]
    human_error: re.Pattern[str]
    vague_verb: re.Pattern[str]
    vague_phrase: re.Pattern[str]
    person: re.Pattern[str]
    first_names: frozenset[str]
    ordinary_names: frozenset[str]


@lru_cache(maxsize=16)
def _compile(key: tuple[tuple[str, ...], ...]) -> Lexicon:
    hindsight, blame, acts, human_error, verbs, phrases, person, names, ordinary = key
    return Lexicon(
        hindsight=_pattern(hindsight),
        blame=_pattern(blame),
        blame_acts=_pattern(acts),
        human_error=_pattern(human_error),
        vague_verb=_pattern(verbs, leading=True),
        vague_phrase=_pattern(phrases),
        person=_pattern(person, modifier=False),
        first_names=frozenset(nfc(name) for name in names),
        ordinary_names=frozenset(nfc(name) for name in ordinary),
    )


def lexicon(language: Language) -> Lexicon:
    """Return the compiled lists of ``language`` (cached)."""
    return _compile(
        (
            tuple(language.hindsight),
            tuple(language.blame),
            tuple(language.blame_acts),
            tuple(language.human_error),
            tuple(language.vague_action_verbs),
            tuple(language.vague_action_phrases),
            tuple(language.person_words),
            tuple(language.first_names),
            tuple(language.ordinary_names),
        )
    )
