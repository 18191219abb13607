"""Method checks on the graph itself: structure, sufficiency, evidence, 5 Whys failure modes.

Sources: WBA (well-formedness, counterfactual and sufficiency tests), Apollo (action and
condition causes, evidence, "?"), the critiques of 5 Whys (Minoura, Card 2017), Cook,
Dekker, CAST and AcciMap. ``docs/analyses.md`` explains each code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from causemap.analyses.context import Context
from causemap.analyses.context import quote as _q
from causemap.analyses.language import asserted, person_acts, rewrite_blame
from causemap.analyses.result import Finding
from causemap.analyses.structure import impacts
from causemap.instants import certainly_before, format_instant

__all__ = [
    "impact_without_cause",
    "linear_chain",
    "missing_condition",
    "no_evidence",
    "no_systemic_factor",
    "open_question",
    "orphan_node",
    "shortcut_edge",
    "single_cause",
    "single_root",
    "stops_at_human",
    "stops_too_early",
    "systemic_without_mechanism",
    "time_order",
]

BLUNT_LEVELS = frozenset({"process", "organization", "external"})


# --- structure ----------------------------------------------------------------------------


def orphan_node(ctx: Context) -> Iterator[Finding]:
    for node in ctx.G:
        if node not in ctx.scope:
            yield Finding(
                code="ORPHAN_NODE",
                severity="warning",
                nodes=[node],
                source="WBA",
                message=f"{_q(ctx.label(node))} reaches no impact",
                prompt="What did this lead to? Link it to the effect it had, or remove it if it "
                "played no part.",
            )


def impact_without_cause(ctx: Context) -> Iterator[Finding]:
    for node in ctx.prevention.unexplained:
        yield Finding(
            code="IMPACT_WITHOUT_CAUSE",
            severity="warning",
            nodes=[node],
            source="WBA",
            message=f"the impact {_q(ctx.label(node))} has no cause: nothing in the graph "
            "explains it",
            prompt="What led to this harm? Link its direct causes, or add one marked unknown "
            "until it is found. Until then no action can prevent it.",
        )


def time_order(ctx: Context) -> Iterator[Finding]:
    for cause, effect in ctx.G.edges:
        c, e = ctx.G.nodes[cause], ctx.G.nodes[effect]
        if e.get("at") is None:
            continue
        # A condition known only by when it ended ('until' without 'at') can still have
        # ended before its effect began.
        late = c.get("at") is not None and certainly_before(e["at"], c["at"])
        until = c.get("until") if c["kind"] != "event" else None
        ended = until is not None and certainly_before(until, e["at"])
        if late or ended:
            what = (
                f"starts ({_when(c['at'])}) after its effect {_q(e['label'], 40)} "
                f"({_when(e['at'])})"
                if late
                else f"had ended ({_when(c['until'])}) before its effect "
                f"{_q(e['label'], 40)} began ({_when(e['at'])})"
            )
            prompt = (
                "Is the link real, or is a timestamp wrong? A cause must exist when its "
                "effect begins."
            )
            if late and _during(c["at"], e):
                prompt += (
                    " It started while the effect was under way: if it made the effect last "
                    "longer or grow, make that its own effect ('recovery took four hours') "
                    "and link it there."
                )
            yield Finding(
                code="TIME_ORDER",
                severity="warning",
                nodes=[cause, effect],
                edges=[(cause, effect)],
                source="WBA, Apollo (same time frame)",
                message=f"cause {_q(c['label'], 40)} {what}",
                prompt=prompt,
            )


def _when(value: Any) -> str:
    """A node's time as the other findings and the reasons write it ('...T02:13:05Z')."""
    return format_instant(value) if isinstance(value, dt.date) else str(value)


def _during(start: Any, effect: dict[str, Any]) -> bool:
    """True when ``start`` may fall before the effect's end (it was under way then)."""
    return effect.get("until") is not None and not certainly_before(effect["until"], start)


def shortcut_edge(ctx: Context) -> Iterator[Finding]:
    G = ctx.G
    names = list(G)
    bit = {n: 1 << i for i, n in enumerate(names)}
    below: dict[str, int] = {}
    for node in reversed(ctx.facts.sequence):
        reach = 0
        for effect in G.succ[node]:
            reach |= bit[effect] | below[effect]
        below[node] = reach
    for cause in G:
        effects = list(G.succ[cause])
        if len(effects) < 2:
            continue
        # An effect is a shortcut when another effect reaches it; name the first that does.
        # One sweep of the effects, not one per effect (quadratic for a wide fan-out).
        left = 0
        for effect in effects:
            left |= bit[effect]
        implied = 0
        for other in effects:
            implied |= below[other]
        left &= implied
        via: dict[str, str] = {}
        for other in effects:
            if not left:
                break
            found = below[other] & left
            left ^= found
            while found:
                low = found & -found
                via[names[low.bit_length() - 1]] = other
                found ^= low
        if via:
            yield _shortcuts(ctx, cause, [e for e in effects if e in via], via)


_SHORTCUTS_LISTED = 5
"""How many of one cause's shortcut links a message spells out; ``edges`` holds them all."""


def _shortcuts(ctx: Context, cause: str, effects: list[str], via: dict[str, str]) -> Finding:
    """One finding for every shortcut link out of ``cause``: one question, not one per link."""
    if len(effects) == 1:
        (effect,) = effects
        message = (
            f"the link {cause} → {effect} is also implied by the longer path through {via[effect]}"
        )
        prompt = (
            f"Does {_q(ctx.label(cause), 40)} act on {_q(ctx.label(effect), 40)} directly, or "
            "only through the longer path? If only through it, remove the direct link."
        )
    else:
        listed = ", ".join(f"{cause} → {e} (through {via[e]})" for e in effects[:_SHORTCUTS_LISTED])
        more = len(effects) - _SHORTCUTS_LISTED
        message = (
            f"{len(effects)} links from {cause} are also implied by longer paths: {listed}"
            + (f", and {more} more" if more > 0 else "")
        )
        prompt = (
            f"Does {_q(ctx.label(cause), 40)} act on each of these directly, or only through "
            "the longer paths? Remove the direct links that only repeat a longer path."
        )
    return Finding(
        code="SHORTCUT_EDGE",
        severity="info",
        nodes=[cause, *effects],
        edges=[(cause, e) for e in effects],
        source="WBA",
        message=message,
        prompt=prompt,
    )


# --- sufficiency ----------------------------------------------------------------------------


def _only_events(ctx: Context, node: str) -> bool:
    causes = list(ctx.G.pred[node])
    return bool(causes) and all(ctx.G.nodes[c]["kind"] == "event" for c in causes)


def missing_condition(ctx: Context) -> Iterator[Finding]:
    for node in ctx.G:
        if node in ctx.scope and ctx.G.nodes[node]["kind"] == "event" and _only_events(ctx, node):
            causes = list(ctx.G.pred[node])
            yield Finding(
                code="MISSING_CONDITION",
                severity="warning",
                nodes=[node, *causes],
                edges=[(c, node) for c in causes],
                source="Apollo (actions and conditions), WBA",
                message=f"{_q(ctx.label(node))} is caused only by events",
                prompt=f"What condition had to exist for {_q(ctx.label(causes[0]), 40)} to "
                "produce this? Add it as a condition or factor.",
            )


def single_cause(ctx: Context) -> Iterator[Finding]:
    for node in ctx.G:
        causes = list(ctx.G.pred[node])
        if node not in ctx.scope or len(causes) != 1:
            continue
        if ctx.G.nodes[node]["kind"] == "event" and _only_events(ctx, node):
            continue  # MISSING_CONDITION asks the sharper question
        yield Finding(
            code="SINGLE_CAUSE",
            severity="info",
            nodes=[node, causes[0]],
            edges=[(causes[0], node)],
            source="WBA causal sufficiency test, Apollo",
            message=f"{_q(ctx.label(node))} has a single cause",
            prompt=f"Given {_q(ctx.label(causes[0]), 40)}, would this always follow? What else "
            "had to be true?",
        )


# --- evidence -----------------------------------------------------------------------------


def no_evidence(ctx: Context) -> Iterator[Finding]:
    for node, data in ctx.G.nodes(data=True):
        if data["kind"] != "impact" and not data.get("evidence") and not data.get("unknown"):
            yield Finding(
                code="NO_EVIDENCE",
                severity="warning",
                nodes=[node],
                source="Apollo",
                message=f"{_q(ctx.label(node))} has no evidence",
                prompt="What shows this happened or held? Link a log line, graph, ticket or "
                "chat message, or mark it unknown.",
            )


def open_question(ctx: Context) -> Iterator[Finding]:
    for node, data in ctx.G.nodes(data=True):
        if data.get("unknown"):
            yield Finding(
                code="OPEN_QUESTION",
                severity="info",
                nodes=[node],
                source="Apollo ('?')",
                message=f"open question: {_q(ctx.label(node))}",
                prompt="Who can find out, and how? Give it an owner, or record why the analysis "
                "stops here.",
            )


# --- 5 Whys failure modes -------------------------------------------------------------------


def linear_chain(ctx: Context) -> Iterator[Finding]:
    within = [n for n in ctx.G if n in ctx.scope]
    if len(within) < 3:
        return
    indegree = [sum(1 for p in ctx.G.pred[n] if p in ctx.scope) for n in within]
    if max(indegree) <= 1:
        edges = sum(indegree)
        outdegree = (sum(1 for s in ctx.G.succ[n] if s in ctx.scope) for n in within)
        # One path, or paths that fan out (one cause, several effects) but never join.
        shape = (
            "a single chain with no branching"
            if edges == len(within) - 1 and max(outdegree) <= 1
            else "chains that never join"
        )
        yield Finding(
            code="LINEAR_CHAIN",
            severity="warning",
            nodes=within,
            source="5 Whys critique (Card 2017), Cook",
            message=f"the graph is {shape} ({edges} links over "
            f"{len(within)} nodes; every effect has one cause)",
            prompt="Complex-system failures need several contributors, each necessary and only "
            "jointly sufficient. For each step: what else had to be true?",
        )


_ROOT_CAUSE = re.compile(r"\broot[\s-]+causes?\b", re.I)
_QUALIFIERS = (
    r"(?:(?:the|a|an|one|our|its|main|primary|real|actual|underlying|ultimate|true|single|"
    r"probable|likely|most\s+likely)\s+)*"
)
_CALLED_ROOT = re.compile(
    # Opening a sentence ("Root cause: ...", "The root cause of X was ..."), but not "Root
    # cause analysis took two days"; or the complement of a copula or "as" ("... was the
    # root cause", "identified as the root cause"). A mention of the search ("looking for
    # the root cause", "finding the root cause was hard") calls no node one.
    rf"(?:(?:^|[.;!?])\s*{_QUALIFIERS}|\b(?:is|was|were|are|be|been|being|as|remains?)\s+"
    rf"{_QUALIFIERS})root[\s-]+causes?\b(?!\s*(?:analys|investigat))",
    re.I,
)


def _first_causes(ctx: Context) -> list[str]:
    """The roots that are causes: an impact with no cause yet is no root of the chain
    (IMPACT_WITHOUT_CAUSE says so)."""
    return [r for r in ctx.roots if ctx.G.nodes[r]["kind"] != "impact"]


def single_root(ctx: Context) -> Iterator[Finding]:
    causes = _first_causes(ctx)
    if len(causes) == 1 and len(ctx.scope) > 2:
        root = causes[0]
        yield Finding(
            code="SINGLE_ROOT",
            severity="warning",
            nodes=[root],
            source="5 Whys critique (Card 2017), Carroll's root cause seduction",
            message=f"everything traces back to one root: {_q(ctx.label(root))}",
            prompt="What other conditions had to be in place for this to cause harm? One root "
            "invites one fix.",
        )
    for node in ctx.G:
        # Quoted, denied ("there is no single root cause") or searched for ("looking for
        # the root cause") is not calling it one.
        called = next(
            (t for t in ctx.texts(node) if asserted(_CALLED_ROOT, t, negatable=True)), None
        )
        if called is not None:
            yield Finding(
                code="SINGLE_ROOT",
                severity="warning",
                nodes=[node],
                source="Cook, How Complex Systems Fail #7",
                message=f"{_q(ctx.label(node))} is called a root cause",
                prompt="Naming one node 'the root cause' hides the others. State what it is, "
                "and let the graph show what it took together with.",
                rewrite=_ROOT_CAUSE.sub("contributing factor", called),
            )


def stops_at_human(ctx: Context) -> Iterator[Finding]:
    for root in ctx.roots:
        data = ctx.G.nodes[root]
        if data.get("unknown"):
            continue  # an open question asks what lay behind: the analysis goes on there
        texts = ctx.texts(root)
        found = ((t, asserted(ctx.words.human_error, t, negatable=True)) for t in texts)
        where, match = next(((t, m) for t, m in found if m), (ctx.label(root), None))
        person = (
            data["kind"] == "event"
            and data.get("level") in ("operator", None)  # unset: the words decide
            and any(_a_person_acts(ctx, t) for t in texts)
        )
        if not (match or person):
            continue
        why = (
            f"ends at {match.group()!r}"
            if match
            else "ends at a person's action with nothing leading to it"
        )
        yield Finding(
            code="STOPS_AT_HUMAN",
            severity="error" if match else "warning",
            nodes=[root],
            source="Dekker (local rationality), CAST",
            message=f"the analysis {why}: {_q(where)}",
            prompt="What made this action make sense at the time? What did the person see, "
            "know and expect, and what in the tools or process shaped that?",
            rewrite=_rewritten(where) if match else None,
        )


def _a_person_acts(ctx: Context, text: str) -> bool:
    """Is a person the one acting in ``text``, not only named in it? "The on-call engineer
    restarted the primary" is a person's action; "the change shipped without a second
    approver" and "the runbook pointed admins to the old console" are a process's and a
    tool's."""
    names = frozenset(word for name in ctx.names(text) for word in name.split())
    return person_acts(text, person=ctx.words.person, names=names)


def _rewritten(text: str) -> str | None:
    """The blame-free rewrite of ``text``, or None when the rewrite could not change it
    ("forgot", "typo": only the room can say what happened instead)."""
    rewrite = rewrite_blame(text)
    return rewrite if rewrite != text else None


def stops_too_early(ctx: Context) -> Iterator[Finding]:
    causes = _first_causes(ctx)
    if not causes:
        return
    levels = [ctx.G.nodes[r].get("level") for r in causes]
    if any(level in BLUNT_LEVELS for level in levels):
        return
    unset = (
        " (no root has a level: set levels to say where each one sits)" if not any(levels) else ""
    )
    yield Finding(
        code="STOPS_TOO_EARLY",
        severity="warning",
        nodes=causes,
        source="AcciMap (vertical integration), HFACS, 5 Whys critique",
        message="no root cause sits above the technical and operator levels" + unset,
        prompt="Keep asking why past the sharp end: what decision, priority, process or "
        "resourcing shaped these conditions?",
    )


def no_systemic_factor(ctx: Context) -> Iterator[Finding]:
    if not any(c.class_ == "systemic" for c in ctx.classes.values()):
        yield Finding(
            code="NO_SYSTEMIC_FACTOR",
            severity="warning",
            nodes=[],
            source="CAST (inadequate control at all levels), Reason's latent conditions",
            message="no node is systemic: the graph says what happened, not why it could",
            prompt="What in the tooling, design, process or organisation let this chain "
            "happen? Which latent conditions would let it happen again?",
        )


def systemic_without_mechanism(ctx: Context) -> Iterator[Finding]:
    for impact in impacts(ctx.G):
        for cause in ctx.G.pred[impact]:
            level = ctx.G.nodes[cause].get("level")
            if level in ("process", "organization"):
                yield Finding(
                    code="SYSTEMIC_WITHOUT_MECHANISM",
                    severity="warning",
                    nodes=[cause, impact],
                    edges=[(cause, impact)],
                    source="AcciMap (decisions propagate down the levels)",
                    message=f"{_q(ctx.label(cause))} ({level}) is attached straight to the impact",
                    prompt="Which technical condition or action did it shape? Add the mechanism "
                    "between it and the impact.",
                )
