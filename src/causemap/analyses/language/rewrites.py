"""Rewrites: neutral suggestions for hindsight and blame language.

Rewrites are suggestions for the facilitator, not edits: they turn "failed to restart"
into "did not restart" and drop judging adjectives, so that the statement says what
happened rather than what someone should have done. They stand apart because they
change a text, where the other language modules only read one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

__all__ = ["rewrite_blame", "rewrite_hindsight"]


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
