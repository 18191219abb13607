"""Language checks: hindsight, blame and personal names in causes, with rewrites.

Sources: the CAST Handbook (hindsight bias, blame-free description), Dekker, Cook #8, and
blameless postmortem practice. Word lists come from the config (``words.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from causemap.analyses.context import Context
from causemap.analyses.context import quote as _q
from causemap.analyses.language import asserted, rewrite_blame, rewrite_hindsight
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


def blame_language(ctx: Context) -> Iterator[Finding]:
    for node in ctx.G:
        for text in ctx.texts(node):
            match = asserted(ctx.words.blame, text, negatable=True, person=ctx.words.person)
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
        match = asserted(ctx.words.blame, action["title"], negatable=True, person=ctx.words.person)
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
