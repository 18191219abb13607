"""Method checks: the known failure modes of incident analysis, each with a prompt.

Every check is a small function ``check(ctx) -> Iterator[Finding]`` over a shared
:class:`~causemap.analyses.context.Context`, registered in ``CHECKS`` in the order reports
list them; the checks live in :mod:`.method` (structure, sufficiency, evidence, 5 Whys),
:mod:`.wording` (language) and :mod:`.actions`. ``docs/analyses.md`` gives each code's
rationale and source method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from causemap.analyses import actions, method, wording
from causemap.analyses.context import Context
from causemap.analyses.result import Finding

__all__ = ["CHECKS", "CODES", "Context", "find"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

CHECKS: list[Callable[[Context], Iterator[Finding]]] = [
    method.orphan_node,
    method.time_order,
    method.shortcut_edge,
    method.missing_condition,
    method.single_cause,
    method.no_evidence,
    method.open_question,
    method.linear_chain,
    method.single_root,
    method.stops_at_human,
    method.stops_too_early,
    method.no_systemic_factor,
    wording.hindsight_language,
    wording.blame_language,
    wording.names_person,
    actions.action_checks,
    actions.systemic_unaddressed,
    actions.actions_only_proximate,
    actions.paths_uncut,
    method.systemic_without_mechanism,
]

CODES = [
    "ORPHAN_NODE",
    "TIME_ORDER",
    "SHORTCUT_EDGE",
    "SINGLE_CAUSE",
    "MISSING_CONDITION",
    "NO_EVIDENCE",
    "OPEN_QUESTION",
    "LINEAR_CHAIN",
    "SINGLE_ROOT",
    "STOPS_AT_HUMAN",
    "STOPS_TOO_EARLY",
    "NO_SYSTEMIC_FACTOR",
    "HINDSIGHT_LANGUAGE",
    "BLAME_LANGUAGE",
    "NAMES_PERSON",
    "ACTION_NO_OWNER",
    "ACTION_NO_DUE",
    "ACTION_VAGUE",
    "ACTION_NO_TARGET",
    "SYSTEMIC_UNADDRESSED",
    "ACTIONS_ONLY_PROXIMATE",
    "PATHS_UNCUT",
    "SYSTEMIC_WITHOUT_MECHANISM",
]
"""Every finding code, in the order docs/analyses.md describes them."""


def find(ctx: Context) -> list[Finding]:
    """Run every check; most severe first, then in document order."""
    found = [finding for check in CHECKS for finding in check(ctx)]
    position = ctx.position

    def key(f: Finding) -> tuple[int, int, str]:
        first = min((position[n] for n in f.nodes if n in position), default=-1)
        return SEVERITY_ORDER[f.severity], first, f.code

    return sorted(found, key=key)
