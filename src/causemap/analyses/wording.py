"""Language checks: hindsight, blame and personal names in causes, with rewrites.

Sources: the CAST Handbook (hindsight bias, blame-free description), Dekker, Cook #8, and
blameless postmortem practice. Word lists come from the config (``words.yaml``).

Blame is a matter of wording, wherever it stands; stopping at "human error" is a matter
of where the analysis ends. So a slip word ("forgot", "made a typo") with a person as its
subject is BLAME_LANGUAGE in any node, except a root that STOPS_AT_HUMAN already reports
for the same words; without a person ("a typo in the config key") it is a condition.
Action titles are judged by the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from causemap.analyses.context import Context
from causemap.analyses.context import quote as _q
from causemap.analyses.language import asserted, by_a_person, rewrite_blame, rewrite_hindsight
from causemap.analyses.result import Finding

__all__ = ["blame_language", "hindsight_language", "names_person"]


def _changed(text: str, rewrite: str) -> str | None:
    """The rewrite, or None when it could not change the text (no rewrite to offer)."""
    return rewrite if rewrite != text else None


def hindsight_language(ctx: Context) -> Iterator[Finding]:
    for node in ctx.G:
        for text in ctx.texts(node):
            match = asserted(ctx.words.hindsight, text)
            if match:
                yield Finding(
                    code="HINDSIGHT_LANGUAGE",
                    severity="warning",
                    nodes=[node],
                    source="CAST Handbook (hindsight bias), Dekker, Cook #8",
                    message=f"{match.group()!r} judges with hindsight: {_q(text)}",
                    prompt="What did the people involved see and know at the time? Say what "
                    "happened, not what should have happened.",
                    rewrite=_changed(text, rewrite_hindsight(text)),
                )
                break


def _done_by_a_person(ctx: Context, pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of ``pattern`` in ``text`` that a person did, and that the hindsight
    check does not already report ("neglected to" is hindsight, "neglected the" blame),
    and not one that the text denies ("the engineer did not forget")."""
    if not pattern.search(text):
        return None  # the common case: no name lookup
    names = frozenset(word for name in ctx.names(text) for word in name.split())
    by_someone = partial(by_a_person, text, person=ctx.words.person, names=names)

    def accept(match: re.Match[str]) -> bool:
        return not ctx.words.hindsight.match(text, match.start()) and by_someone(match)

    return asserted(pattern, text, negatable=True, accept=accept)


def _judging(ctx: Context, text: str, *, stops_here: bool = False) -> re.Match[str] | None:
    """The first words of ``text`` that judge a person: a blame word, or an act or slip
    that a person did (a slip only where the node is no human stop that reports it).

    A negation excuses an act or a slip in an action's title too: "add a check so that
    engineers don't forget the drain step" aims at the system. A title that leans on the
    person instead ("make sure the engineer does not forget") is ACTION_VAGUE's.
    """
    w = ctx.words
    found = [
        asserted(w.blame, text, negatable=True, person=w.person),
        _done_by_a_person(ctx, w.blame_acts, text),
        None if stops_here else _done_by_a_person(ctx, w.human_error, text),
    ]
    return min((m for m in found if m), key=lambda m: m.start(), default=None)


def blame_language(ctx: Context) -> Iterator[Finding]:
    stops = {root for root in ctx.roots if not ctx.G.nodes[root].get("unknown")}
    for node in ctx.G:
        for text in ctx.texts(node):
            match = _judging(ctx, text, stops_here=node in stops)
            if match:
                yield Finding(
                    code="BLAME_LANGUAGE",
                    severity="warning",
                    nodes=[node],
                    source="CAST Handbook (blame-free description), Dekker",
                    message=f"{match.group()!r} judges a person: {_q(text)}",
                    prompt="Describe the action and its context without judging the person: "
                    "what made it reasonable at the time?",
                    rewrite=_changed(text, rewrite_blame(text)),
                )
                break
    for action in ctx.actions:
        match = _judging(ctx, action["title"])
        if match:
            yield Finding(
                code="BLAME_LANGUAGE",
                severity="warning",
                actions=[action["id"]],
                source="CAST Handbook (blame-free description), Dekker",
                message=f"action {action['id']}: {match.group()!r} judges a person",
                prompt="Aim the action at the system that made the slip easy, not at the person.",
                rewrite=_changed(action["title"], rewrite_blame(action["title"])),
            )


def names_person(ctx: Context) -> Iterator[Finding]:
    for node in ctx.G:
        for text in ctx.texts(node):
            names = ctx.names(text)
            if names:
                rewrite = text
                for name in names:
                    rewrite = re.sub(
                        rf"(?<!\w){re.escape(name)}(?:['’]s)?(?!\w)", "[role]", rewrite
                    )
                yield Finding(
                    code="NAMES_PERSON",
                    severity="warning",
                    nodes=[node],
                    source="Blameless postmortem practice (Google SRE), CAST",
                    message=f"names a person ({', '.join(names)}): {_q(text)}",
                    prompt="Describe the role (the on-call engineer, the release manager) "
                    "instead of the person: what did the role's situation make likely?",
                    rewrite=rewrite,
                )
                break
