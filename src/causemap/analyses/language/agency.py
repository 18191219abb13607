"""Agency: who does what a matched phrase says, a person or a thing.

"The engineer ignored the alert" is a person's act, "the retry ignored the deadline" a
thing's; "the engineer was at fault" judges a person, "the NIC firmware was to blame"
judges none. The subject is read from the words of the clause around a match, as
tokens, in bounded scans; it stands apart from :mod:`.assertion` because it answers who,
not whether the text says it at all.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

__all__ = ["by_a_person"]


# Judgements that take their subject from the clause: "the engineer was at fault" judges
# a person, "the NIC firmware was to blame" judges none.
_NEEDS_SUBJECT = re.compile(r"(?:to\s+blame|at\s+fault)\b", re.IGNORECASE)
_GROUP = re.compile(r"\b(?:we|i|you|they|us|them|team|teams|people|everyone)\b", re.IGNORECASE)


# Who did it: the words of the clause around a match, read as tokens (no regex runs over
# the clause itself), from the nearest clause mark on.
_CLAUSE_MARKS = ".;:!?,()[]\n"
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*")
_REACH = 80
"""How many characters either side of a match can hold its subject or its "by" agent."""
_BETWEEN_WORDS = """a an the one another single small simple minor honest had has have was were is
are then also just simply again accidentally inadvertently apparently reportedly probably likely
made make makes making chose decided to who that do does did will not never don't doesn't didn't
won't"""
_BETWEEN = frozenset(_BETWEEN_WORDS.split())
"""Words that may stand between a subject and its act: "the engineer had simply made a
typo", "the on-call chose to ignore the page", "the engineer does not forget" (which
:func:`asserted` may then read as denied). Any other word ends the subject: in "the
engineer found a typo" the engineer found it; nobody says who made it."""
_DETERMINER_WORDS = "a an the one another our their his her its your my"
_MAKER_WORDS = "made introduced committed caused"
_DETERMINERS = frozenset(_DETERMINER_WORDS.split())
_MAKERS = frozenset(_MAKER_WORDS.split())
"""Verbs after a slip that hand it to the agent after "by": "a typo made by the on-call"."""


def _clause_before(
    text: str, at: int, marks: str = _CLAUSE_MARKS, reach: int | None = _REACH
) -> str:
    """The text before ``at`` back to the nearest of ``marks``, within ``reach``
    characters (None: from the start of the text)."""
    window = text[max(0, at - reach) if reach is not None else 0 : at]
    return window[max(window.rfind(mark) for mark in marks) + 1 :]


def _clause_after(text: str, at: int) -> str:
    window = text[at : at + _REACH]
    ends = [i for i in map(window.find, _CLAUSE_MARKS) if i >= 0]
    return window[: min(ends, default=len(window))]


def _filler_less(clause: str) -> list[str]:
    """The words of ``clause`` without the filler words at its end."""
    words = _TOKEN.findall(clause)
    while words and words[-1].lower().replace("’", "'") in _BETWEEN:
        words.pop()
    return words


def _subject_words(text: str, at: int) -> list[str]:
    """The words before ``at`` that end with its subject, if any: the clause before it
    less filler words, or, when only filler follows a comma, the clause before a
    parenthetical set off by commas ("the engineer, tired after a long shift, forgot"),
    or the one before the comma when the filler is a "who" ("the reviewer, who missed").

    One parenthetical is skipped, within ``_REACH`` characters; each step is a bounded
    scan back to a mark, so a text of many commas costs no more than one of few.
    """
    clause = _clause_before(text, at)
    words = _filler_less(clause)
    close = at - len(clause) - 1
    if words or close < 0 or text[close] != ",":
        return words
    inner = _clause_before(text, close)
    if any(word.lower() == "who" for word in _TOKEN.findall(clause)):
        return _filler_less(inner)
    opening = close - len(inner) - 1
    if opening < 0 or text[opening] != "," or not _TOKEN.search(inner):
        return []
    return _filler_less(_clause_before(text, opening))


_POSSESSIVE = re.compile(r"['’]s?$")


def _unpossessive(word: str) -> str:
    """``word`` without a possessive ending ("the engineer's" is the engineer)."""
    return _POSSESSIVE.sub("", word) if "'" in word or "’" in word else word


def _someone(words: Sequence[str], person: re.Pattern[str], names: Collection[str]) -> bool:
    """Do ``words`` end with a person: a person word (or two, "team member"), a group or
    a word of ``names``? ("the engineer's" is the engineer.)"""
    word = _unpossessive(words[-1])
    pair = " ".join(words[-2:]) if len(words) > 1 else ""
    # The word before stays in sight of the person words' look-back ("Kubernetes
    # operator" is software), but only the word itself is matched.
    within = " ".join([*words[-2:-1], word])
    return bool(
        person.fullmatch(within, len(within) - len(word))
        or (pair and person.fullmatch(pair))
        or _GROUP.fullmatch(word)
        or word in names
    )


def _agent(words: list[str], person: re.Pattern[str], names: Collection[str]) -> bool:
    """Is the agent after "by", whose words are ``words``, a person ("the on-call", "a
    single senior engineer")? Its first three words after the determiners are read."""
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    return any(_someone(words[: k + 1], person, names) for k in range(min(3, len(words))))


def _about_a_thing(text: str, match: re.Match[str], person: re.Pattern[str]) -> bool:
    """Is ``match`` a subject-taking judgement whose clause (to the last sentence mark,
    however far: commas do not end it) names no person or group?"""
    if not _NEEDS_SUBJECT.fullmatch(match.group()):
        return False
    clause = _clause_before(text, match.start(), ".;:!?", reach=None)
    return not (person.search(clause) or _GROUP.search(clause))


def by_a_person(
    text: str,
    match: re.Match[str],
    *,
    person: re.Pattern[str],
    names: Collection[str] = (),
) -> bool:
    """Does a person (a person word, a group, a word of ``names``) do what ``match`` says?

    The person is the subject, with only filler words between ("the engineer forgot",
    "we made a typo", "the on-call engineer's typo"), also across one clause between
    commas ("the engineer, tired after a long shift, forgot"), or the agent after "by" ("a
    typo made by the on-call"). A thing doing it ("the retry ignored the deadline",
    "ignored by the dedupe rule", "the retry, after the engineer left, ignored"), or a
    person doing something else to it ("the engineer found a typo"), is not a person
    doing it.

    Examples
    --------
    >>> person = re.compile(r"engineer|on-call", re.IGNORECASE)
    >>> def check(text):
    ...     return by_a_person(text, re.search(r"ignored|typo", text), person=person)
    >>> check("The on-call ignored the alert"), check("The retry ignored the deadline")
    (True, False)
    >>> check("The engineer found a typo"), check("A typo made by the engineer")
    (False, True)
    >>> check("The engineer, tired, ignored it"), check("The retry, once paged, ignored it")
    (True, False)
    """
    before = _subject_words(text, match.start())
    if before and _someone(before, person, names):
        return True
    after = _TOKEN.findall(_clause_after(text, match.end()))[:8]
    while after and after[0].lower() in ("was", "were", "been", "is", "are"):
        after.pop(0)  # "the typo was introduced by"
    first, second = [word.lower() for word in after[:2]] + [""] * (2 - len(after[:2]))
    if first == "by":
        agent = after[1:]
    elif second == "by" and (first in _MAKERS or match.group().lower().endswith("ly")):
        agent = after[2:]  # "a typo made by", "mistakenly enabled by"
    else:
        return False
    return _agent(agent, person, names)
