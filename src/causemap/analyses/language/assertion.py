"""Assertion: whether a text says a matched phrase, or quotes, negates or denies it.

"The check logged 'failed to connect'" quotes a machine, "this was not human error" and
"human error was not the cause" say the opposite of "human error", and "lazy loading"
is a technical term: none of them asserts the phrase. It stands apart from the lexicon
(what the phrases are) and from :mod:`.agency` (who does what they say).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

from causemap.analyses.language.agency import _about_a_thing

__all__ = ["asserted"]


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
