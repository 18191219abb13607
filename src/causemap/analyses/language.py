"""Language checks: hindsight, blame and personal names in causes, with neutral rewrites.

Phrases compile to one case-insensitive, word-bounded regular expression per list, built
once per config. Rewrites are suggestions for the facilitator, not edits: they turn
"failed to restart" into "did not restart" and drop judging adjectives, so that the
statement says what happened rather than what someone should have done.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from causemap.analyses.config import Language

__all__ = [
    "Lexicon",
    "asserted",
    "by_a_person",
    "lexicon",
    "nfc",
    "person_names",
    "rewrite_blame",
    "rewrite_hindsight",
]


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
_SOFTWARE_OPERATOR = r"(?!(?<=kubernetes\s)operator|(?<=k8s\s)operator|(?<=openshift\s)operator)"
"""Not an operator that is software: a "Kubernetes operator" reconciles resources."""


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
        parts.append(body + tail + _GUARDED + ("" if modifier else _MODIFIER))
    if not parts:
        return re.compile(r"(?!x)x")
    start = _LEADING if leading else _ANYWHERE + ("" if modifier else _SOFTWARE_OPERATOR)
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


# A negation right before a phrase, with only filler words between: "not human error",
# "wasn't careless", "rather than blaming human error", "no operator error", "did not
# make a mistake", "neither careless nor rushed"; or a negated subject and its verb: "no
# one was careless", "none of the responders were negligent". Any other verb in between
# ends it: "not reviewed due to human error" still blames.
_NEGATED = re.compile(
    r"(?:\b(?:not|no|never|nor|neither|without)|n['’]t|\brather than|\binstead of|"
    r"\b(?:no[\s-]?one|nobody|none\s+of\s+(?:us|them|(?:the|our|their)\s+\w+))"
    r"\s+(?:was|were|is|are|acted|seemed))"
    r"(?:\s+(?:a|an|the|any|single|just|simply|merely|really|due|to|caused|by|because|of|case|"
    r"about|on|make|made|commit|committed|blam(?:e|ed|es|ing)))*\s+$",
    re.IGNORECASE,
)
# The phrase denied right after it: "human error was not the cause".
_DENIED = re.compile(
    r"\s+(?:was|is|were|are)(?:\s+not|n['’]t)\s+(?:the|a|an)\s+(?:root\s+)?"
    r"(?:cause|factor|reason|explanation)\b",
    re.IGNORECASE,
)


# Quoted text: a log line, an error message, a title. A straight single quote opens only
# where no letter precedes it and closes only where none follows, so apostrophes
# ("the engineer's change") never open or close a quotation.
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|‘[^’\n]*’|`[^`\n]*`|(?<!\w)'[^'\n]*'(?!\w)")


# Words of the word lists that are also technical terms: "lazy loading", "a dumb proxy",
# and a machine's "failed to start" (hindsight is a person's "failed to notice").
_TECHNICAL = re.compile(
    r"(?:lazy|lazily)[\s-]+(?:load|evaluat|initiali[sz]|init|instantiat|iterat|import|fetch|"
    r"bind|delet|copy|copies|propagat|allocat|expan|mode|sequence|stream|value)|"
    r"dumb[\s-]+(?:pipes?|terminals?|clients?|prox(?:y|ies)|switch(?:es)?|devices?|nodes?)\b|"
    r"fail(?:ed|s|ing)?\s+to\s+(?:start|boot|connect|mount|resolve|load|parse|respond|compile|"
    r"acquire|allocate|bind|open|reach|elect|renew|replicate|sync|synchroni[sz]e|converge|"
    r"come\s+up|authenticate|establish|register|serve|return|flush|launch|initiali[sz]e|"
    r"schedule|spawn|persist|decrypt|decode|handshake|join|rejoin|restart|heartbeat|fork|"
    r"deserialize|serialise|serialize|deserialise)\b",
    re.IGNORECASE,
)


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

    def someone(words: Sequence[str]) -> bool:
        word = re.sub(r"['’]s?$", "", words[-1])
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

    before = _subject_words(text, match.start())
    if before and someone(before):
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
    while agent and agent[0].lower() in _DETERMINERS:
        agent.pop(0)
    return any(someone(agent[: k + 1]) for k in range(min(3, len(agent))))


def asserted(
    pattern: re.Pattern[str],
    text: str,
    *,
    negatable: bool = False,
    person: re.Pattern[str] | None = None,
    accept: Callable[[re.Match[str]], bool] | None = None,
) -> re.Match[str] | None:
    """The first match of ``pattern`` that the text asserts, or None.

    A match inside quotes does not count: "the check logged 'failed to connect'" quotes a
    machine, it judges no one; nor does a technical term ("lazy loading", "a dumb proxy").
    With ``negatable``, a match right after a negation does not count either, nor one
    denied right after it: "this was not human error" and "human error was not the cause"
    say the opposite of "human error". With ``person`` (the person words), "at fault" and
    "to blame" count only when their clause names a person or a group ("the engineer",
    "we", "the team"): "the NIC firmware was at fault" judges no one. With ``accept``, only
    a match it accepts counts (:func:`by_a_person`: one that a person did).

    Examples
    --------
    >>> blame = re.compile(r"human error")
    >>> asserted(blame, "This was not human error", negatable=True) is None
    True
    >>> asserted(blame, "Not reviewed, due to human error", negatable=True).group()
    'human error'
    >>> asserted(blame, "The bot filed it as 'human error'") is None
    True
    """
    first = pattern.search(text)
    if first is None:
        return None  # the common case: one scan, not a second by finditer
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    starts = [start for start, _ in quoted]  # in order, and the quotes do not overlap
    for match in pattern.finditer(text):
        k = bisect_left(starts, match.start()) - 1
        if k >= 0 and match.start() < quoted[k][1]:
            continue
        if _TECHNICAL.match(text, match.start()):
            continue
        if person is not None and _about_a_thing(text, match, person):
            continue
        if accept is not None and not accept(match):
            continue  # before the negation, which reads all the text before the match
        if negatable and (
            _NEGATED.search(text, 0, match.start()) or _DENIED.match(text, match.end())
        ):
            continue
        return match
    return None


# --- rewrites ---------------------------------------------------------------------------

# Base forms of past participles that a rewrite turns into "did (not) <base>".
_BASE_FORMS = {
    "been": "be",
    "done": "do",
    "seen": "see",
    "known": "know",
    "gone": "go",
    "run": "run",
    "written": "write",
    "taken": "take",
    "caught": "catch",
    "built": "build",
    "sent": "send",
    "given": "give",
    "made": "make",
    "set": "set",
    "put": "put",
    "found": "find",
    "held": "hold",
    "kept": "keep",
    "led": "lead",
    "read": "read",
    "spent": "spend",
    "told": "tell",
    "thought": "think",
    "brought": "bring",
    "shut": "shut",
    "begun": "begin",
    "chosen": "choose",
    "stopped": "stop",
    "planned": "plan",
    "noticed": "notice",
    "escalated": "escalate",
    "paged": "page",
    "rolled": "roll",
    "called": "call",
    "tested": "test",
    "checked": "check",
    "validated": "validate",
    "reviewed": "review",
    "updated": "update",
    "monitored": "monitor",
}


def _happened(match: re.Match[str], *, negated: bool) -> str:
    """What "should (not) have <participle>" says did or did not happen.

    A verb of the table gets its base form ("caught" → "did not catch"). Any other past
    participle stays as it is, which needs no guess at a base form ("deleted" is not
    "delet", "used" not "us"): "deleted" (for a regular -ed verb) or "had not deleted".
    A word that is no participle ("should have a second look") is left alone.
    """
    participle = match.group(1)
    lowered = participle.lower()
    base = _BASE_FORMS.get(lowered)
    if base is not None:
        return f"did not {base}" if negated else f"did {base}"
    if not lowered.endswith(("ed", "en", "wn", "ne")):
        return match.group(0)
    if negated:
        return f"had not {participle}"
    return participle if lowered.endswith("ed") else f"had {participle}"


# "Should not have been silenced" says it was silenced: a negated should (or ought) states
# what did happen, so its rewrite is positive; any other modal's is negative ("could have
# been avoided": it was not; "couldn't have known": did not know).
_SHOULD_NOT = r"(?:should(?: not|n['’]t)|ought not to)"
_REWRITES: Sequence[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:failed|fails|fail|neglected) to\b", re.I), "did not"),
    (re.compile(rf"\b{_SHOULD_NOT} have been\b", re.I), "was"),
    (re.compile(r"\b(?:should|could|would|ought to)(?: not|n['’]t)? have been\b", re.I), "was not"),
    (re.compile(r"\bin hindsight,?\s*", re.I), ""),
    (re.compile(r"\bobviously\s*", re.I), ""),
]
_DID = re.compile(rf"\b{_SHOULD_NOT} have (\w+)", re.I)
_MODAL = re.compile(r"\b(?:should|could|would|ought to)(?: not|n['’]t)? have (\w+)", re.I)
_SOFT = re.compile(r"\b(?:should've|could've|would've) (\w+)", re.I)


def _tidy(text: str) -> str:
    text = re.sub(r"\s{2,}", " ", text).strip()
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    return text[:1].upper() + text[1:] if text else text


def rewrite_hindsight(text: str) -> str:
    """Suggest a neutral version of a hindsight statement.

    Examples
    --------
    >>> rewrite_hindsight("The on-call engineer failed to notice the alert")
    'The on-call engineer did not notice the alert'
    >>> rewrite_hindsight("The backup should have been tested")
    'The backup was not tested'
    >>> rewrite_hindsight("Review should have caught the typo")
    'Review did not catch the typo'
    >>> rewrite_hindsight("The flag should not have been enabled in production")
    'The flag was enabled in production'
    >>> rewrite_hindsight("They ought not to have deleted the backups")
    'They deleted the backups'
    >>> rewrite_hindsight("The team should have used a canary")
    'The team had not used a canary'
    """
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    text = _DID.sub(partial(_happened, negated=False), text)
    text = _MODAL.sub(partial(_happened, negated=True), text)
    text = _SOFT.sub(partial(_happened, negated=True), text)
    text = re.sub(r"\bif only\b,?\s*", "", text, flags=re.I)
    return _tidy(text)


_NO_AUXILIARY = "".join(f"(?<!{aux} )" for aux in ("had", "has", "have", "was", "were", "been"))
_OBJECT = r"(?:the|a|an|this|that|these|those|its|their|his|her|our|every|each|all|two|both)\b"
_BLAME_REWRITES: Sequence[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"\b(?:human|operator|user) error\b", re.I),
        "an action that made sense at the time (say what the person saw and expected)",
    ),
    # After a form of "be" the judgement is the whole predicate: "was careless" cannot
    # just lose its adjective, so the rewrite asks for the description instead.
    (
        re.compile(
            r"\b(was|were|is|are|been|being)\s+(?:very\s+|too\s+|so\s+)?(?<!-)"
            r"(?:careless|negligent|reckless|sloppy|lazy|complacent|inattentive|"
            r"irresponsible|incompetent|stupid|dumb)\b(?!-)",
            re.I,
        ),
        r"\1 (say what was done, and what made it make sense at the time)",
    ),
    # Not inside a hyphenated word ("careless-looking", "anti-complacency"): cutting one
    # part of it leaves a stray hyphen.
    (
        re.compile(
            r"(?<!-)\b(?:careless|negligent|reckless|sloppy|lazy|complacent|inattentive|"
            r"irresponsible|incompetent|stupid|dumb)(?:ly)?\b(?!-)\s*",
            re.I,
        ),
        "",
    ),
    # With its determiner: "the complacency of the team" is "a gap in the safeguards of the
    # team", not "the a gap ...".
    (
        re.compile(
            r"(?:\b(?:the|this|that|their|his|her|our|its|such)\s+)?(?<!-)\b"
            r"(?:carelessness|negligence|recklessness|sloppiness|laziness|complacency|"
            r"incompetence)\b(?!-)",
            re.I,
        ),
        "a gap in the safeguards",
    ),
    (re.compile(r"\b(?:did not|didn't) pay attention\b", re.I), "did not see the signal"),
    (
        re.compile(r"\black of (?:attention|care|diligence)\b", re.I),
        "a signal that was easy to miss",
    ),
    (re.compile(r"\bdropped the ball\b", re.I), "did not complete the step"),
    # An act with its object ("ignored the alert"), not after an auxiliary ("had ignored")
    # nor in the passive ("was ignored by"), where "did not" would not fit.
    (
        re.compile(rf"{_NO_AUXILIARY}\b(?:ignored|disregarded|neglected)(?=\s+{_OBJECT})", re.I),
        "did not act on",
    ),
    (re.compile(rf"{_NO_AUXILIARY}\b(?:overlooked|missed)(?=\s+{_OBJECT})", re.I), "did not see"),
]


def _article(match: re.Match[str]) -> str:
    article, following = match.group(1), match.group(2)
    vowel = following[:1].lower() in "aeio"
    new = ("an" if vowel else "a") if article.lower() in ("a", "an") else article
    return (new.capitalize() if article[0].isupper() else new) + " " + following


def rewrite_blame(text: str) -> str:
    """Suggest a version of ``text`` without the judging words.

    Examples
    --------
    >>> rewrite_blame("A careless engineer deleted the wrong table")
    'An engineer deleted the wrong table'
    >>> rewrite_blame("Outage caused by human error")
    'Outage caused by an action that made sense at the time (say what the person saw and expected)'
    >>> rewrite_blame("The complacency of the team let the backlog grow")
    'A gap in the safeguards of the team let the backlog grow'
    >>> rewrite_blame("The on-call ignored the alert")
    'The on-call did not act on the alert'
    """
    for pattern, replacement in _BLAME_REWRITES:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\b(an?|An?)\s+(\w+)", _article, text)
    return _tidy(text)


# --- names ------------------------------------------------------------------------------

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
