"""Method checks: the known failure modes of incident analysis, each with a prompt.

Every check is a small function ``check(ctx) -> Iterator[Finding]`` over a shared
:class:`~causemap.analyses.context.Context`, registered in ``CHECKS`` in the order reports
list them; the checks live in :mod:`.method` (structure, sufficiency, evidence, 5 Whys),
:mod:`.wording` (language) and :mod:`.actions`. ``docs/analyses.md`` gives each code's
rationale and source method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol, TypeVar

from causemap.analyses import actions, method, wording
from causemap.analyses.context import Context
from causemap.analyses.result import Finding
from causemap.diagnostics import Diagnostic

__all__ = [
    "CHECKS",
    "CODES",
    "Context",
    "find",
    "finding_pointer",
    "in_file_order",
    "not_repeated",
    "reaches",
]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

CHECKS: list[Callable[[Context], Iterator[Finding]]] = [
    method.orphan_node,
    method.impact_without_cause,
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
    "IMPACT_WITHOUT_CAUSE",
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


def finding_pointer(finding: Finding, nodes: Mapping[str, int], actions: Mapping[str, int]) -> str:
    """The JSON pointer of what ``finding`` is about, for placing it at a file line.

    A finding about one action item (an action without owner, due date or target, or a
    vague one) is placed at that action, not at the nodes it addresses; any other at its
    first node, else its first action; a finding about the whole incident at ``""``.
    ``nodes`` and ``actions`` map ids to their index in the document.

    Examples
    --------
    >>> f = Finding(code="ACTION_NO_OWNER", severity="warning", nodes=["cond"],
    ...             actions=["a1"], message="m", prompt="p")
    >>> finding_pointer(f, {"trig": 0, "cond": 1}, {"a1": 0})
    '/actions/0'
    """
    node = next((nodes[n] for n in finding.nodes if n in nodes), None)
    action = next((actions[a] for a in finding.actions if a in actions), None)
    if action is not None and (len(finding.actions) == 1 or node is None):
        return f"/actions/{action}"
    return f"/nodes/{node}" if node is not None else ""


def reaches(severity: str, fail_on: str) -> bool:
    """Whether a finding or diagnostic of ``severity`` fails a ``--fail-on`` level.

    Examples
    --------
    >>> reaches("error", "warning"), reaches("info", "warning")
    (True, False)
    """
    return SEVERITY_ORDER[severity] <= SEVERITY_ORDER[fail_on]


class Placed(Protocol):
    """A finding or diagnostic placed at a line of its file."""

    @property
    def severity(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> int | None: ...


P = TypeVar("P", bound=Placed)


def in_file_order(items: Iterable[P]) -> list[P]:
    """``items`` most severe first, then by line and column, as a reader goes through
    the file (a finding about the whole incident, at no line, comes first); ties keep
    their order.

    The analysis orders its findings by the nodes they concern, so a finding about an
    action item sat among the node findings, far from its line.
    """
    return sorted(items, key=lambda d: (SEVERITY_ORDER[d.severity], d.line or 0, d.column or 0))


def not_repeated(
    diagnostics: Iterable[Diagnostic], placed: Iterable[tuple[str, str]]
) -> list[Diagnostic]:
    """The format's own ``diagnostics`` that no finding repeats at the same place.

    ``placed`` holds each finding's (pointer, code). A format warning and a finding at one
    node say the same (``orphan-node`` and ``ORPHAN_NODE``); the finding is kept, as it
    adds the question to ask.
    """
    said = set(placed)
    return [d for d in diagnostics if (d.pointer, d.code.upper().replace("-", "_")) not in said]
