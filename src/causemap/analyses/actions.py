"""Action-item checks: owned, dated, specific, targeted, aimed at systemic factors.

Sources: Google SRE postmortem culture (owners, dates, verifiable outcomes), Apollo
(solutions attached to causes), CAST and Carroll (whack-a-mole fixes), FTA path sets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from causemap.analyses.context import Context
from causemap.analyses.context import quote as _q
from causemap.analyses.prevention import PREVENTIVE_TYPES, addressed_closure
from causemap.analyses.result import Finding
from causemap.analyses.structure import impacts
from causemap.counts import counted

__all__ = ["action_checks", "actions_only_proximate", "paths_uncut", "systemic_unaddressed"]


_CONCRETE = re.compile(
    r"\d|\b(?:add|adds|remove|block|reject|refuse|require|limit|cap|alert|page|automate|"
    r"enforce|migrate|replace|delete|disable|enable|validate|test|deploy|roll out|write|create|"
    r"build|set|configure|split|shard|canary|stage|gate|fail|run|move|route|rotate|renew|"
    r"expire|backfill|restore|rehearse|drill|publish|document|version|pin|lock|fence|rate)\b",
    re.I,
)


def _open(action: dict[str, Any]) -> bool:
    return action["status"] in ("open", "in-progress")


def action_checks(ctx: Context) -> Iterator[Finding]:
    for action in ctx.actions:
        aid, title = action["id"], action["title"]
        if _open(action) and not action.get("owner"):
            yield Finding(
                code="ACTION_NO_OWNER",
                severity="warning",
                actions=[aid],
                nodes=list(action["addresses"]),
                source="Google SRE postmortem culture",
                message=f"action {aid} has no owner: {_q(title)}",
                prompt="Who will make sure this happens? An action without an owner is a wish.",
            )
        if _open(action) and not action.get("due"):
            yield Finding(
                code="ACTION_NO_DUE",
                severity="warning",
                actions=[aid],
                nodes=list(action["addresses"]),
                source="Google SRE postmortem culture",
                message=f"action {aid} has no due date: {_q(title)}",
                prompt="By when? Agree a date the owner can commit to.",
            )
        vague = ctx.words.vague_phrase.search(title)
        if vague is None and (verb := ctx.words.vague_verb.search(title)):
            vague = verb if not _CONCRETE.search(title[verb.end() :]) else None
        if vague or len(title.split()) < 3:
            what = f"{vague.group()!r} " if vague else ""
            yield Finding(
                code="ACTION_VAGUE",
                severity="warning",
                actions=[aid],
                nodes=list(action["addresses"]),
                source="Google SRE postmortem culture",
                message=f"action {aid} {what}states an intention without a verifiable "
                f"outcome: {_q(title)}",
                prompt="What will exist when this is done, and how would anyone check it? Name "
                "the change, the limit or the alert.",
            )
        if not action["addresses"]:
            yield Finding(
                code="ACTION_NO_TARGET",
                severity="warning",
                actions=[aid],
                source="Apollo (solutions attached to causes)",
                message=f"action {aid} addresses no node: {_q(title)}",
                prompt="Which cause does this remove or weaken? Link it, so coverage can be "
                "checked.",
            )


def systemic_unaddressed(ctx: Context) -> Iterator[Finding]:
    addressed = {
        n for a in ctx.actions if a["status"] != "wontfix" for n in a["addresses"] if n in ctx.G
    }
    covered = addressed_closure(ctx.G, addressed)
    for node in ctx.G:
        if node in ctx.scope and ctx.cls(node) == "systemic" and node not in covered:
            yield Finding(
                code="SYSTEMIC_UNADDRESSED",
                severity="info",
                nodes=[node],
                source="CAST (strengthen control at every level), B7",
                message=f"no action addresses {_q(ctx.label(node))}, directly or through an "
                "ancestor",
                prompt="Will this condition let another trigger cause a similar incident? "
                "Decide whether it needs an action, and record why not if it does not.",
            )


def actions_only_proximate(ctx: Context) -> Iterator[Finding]:
    preventive = [
        a for a in ctx.actions if a["status"] != "wontfix" and a["type"] in PREVENTIVE_TYPES
    ]
    targets = [
        n for a in preventive for n in a["addresses"] if n in ctx.scope and ctx.cls(n) != "impact"
    ]
    if not targets:
        return
    proximate = [n for n in targets if ctx.cls(n) == "proximate"]
    share = len(proximate) / len(targets)
    none_systemic = len(proximate) == len(targets)
    if none_systemic or share > ctx.config.proximate_action_share:
        yield Finding(
            code="ACTIONS_ONLY_PROXIMATE",
            severity="warning",
            actions=[a["id"] for a in preventive],
            nodes=sorted(set(proximate), key=ctx.position.__getitem__),
            source="CAST (whack-a-mole), Carroll",
            message=f"{len(proximate)} of {len(targets)} preventive action targets are "
            "proximate" + ("; none is systemic" if none_systemic else ""),
            prompt="These fixes stop this exact trigger. Which latent condition would let a "
            "different trigger cause the same harm, and what would remove it?",
        )


def paths_uncut(ctx: Context) -> Iterator[Finding]:
    p = ctx.prevention
    if p.all_paths_cut or not impacts(ctx.G):
        return
    example = _spoken_path(ctx, p.uncovered_paths[0]) if p.uncovered_paths else ""
    if not any(a["status"] != "wontfix" and a["type"] in PREVENTIVE_TYPES for a in ctx.actions):
        verdict = "no preventive action is recorded yet, so"
    elif p.scenario_prevented:
        verdict = "the actions prevent this exact scenario, but"
    else:
        verdict = "the actions do not prevent this scenario, and"
    # An impact with no cause is a "path" of its own that no action can cut
    # (IMPACT_WITHOUT_CAUSE says so).
    them = "every other one" if p.unexplained else "them all"
    named = " and ".join(_q(ctx.label(n), 40) for n in p.suggested_cut[:3])
    if len(p.suggested_cut) > 3:
        named += f" and {len(p.suggested_cut) - 3} more"
    cut = f" Adding actions on {named} would cut {them}." if p.suggested_cut else ""
    mitigated = p.combined.all_paths_cut
    if mitigated:
        verdict += " detect or mitigate actions cover what remains;"
    yield Finding(
        code="PATHS_UNCUT",
        severity="info" if mitigated else "warning",
        nodes=list(p.uncovered_nodes),
        source="FTA path sets, Apollo (prevent recurrence), bow-tie (defence in depth)",
        message=f"{verdict} {counted(len(p.uncovered_paths), 'example path')} reach"
        f"{'es' if len(p.uncovered_paths) == 1 else ''} the impact without passing a "
        f"preventive action, e.g. {example}",
        prompt="What would block the remaining paths, so that a different trigger cannot cause "
        f"the same harm?{cut}",
    )


def _spoken_path(ctx: Context, path: list[str]) -> str:
    """A path as the room reads it: the nodes' wording, its middle left out when long
    (the finding's ``nodes`` give the ids)."""
    shown = path if len(path) <= 4 else [*path[:2], "", path[-1]]
    return " → ".join(_q(ctx.label(n), 40) if n else "…" for n in shown)
