"""Proximate vs systemic: which nodes are what happened, which are why it could happen.

After Leveson's three levels of cause (the proximal event chain; the conditions that
allowed it; the systemic factors behind both), Reason's active and latent failures and
Rasmussen's AcciMap. Each node gets a class and the rule that decided it; the first rule
that fires wins:

==================== =========== =====================================================
rule                 class       when
==================== =========== =====================================================
override             as given    the reviewer set ``classification``
impact               impact      the node is an impact
contributing-factor  systemic    ``kind: factor``
event-chain          proximate   an event with a path of events to an impact (trigger
                                 and mechanism: the proximal event chain)
produced-by-chain    proximate   a direct cause is proximate: a state or event the
                                 incident's own chain produced
latent-by-time       systemic    it certainly began more than a day before the incident
                                 started (its ``at``, a date alone being its whole UTC
                                 day, or a date its label mentions)
incident-time        proximate   its ``at`` falls in the incident: a trigger that nothing
                                 earlier in the chain led to
transient-state      proximate   a condition describing a transient state (a load
                                 spike, exhaustion, a backlog) rather than an absence
latent-condition     systemic    any other condition: it held before the trigger and
                                 let it have its effect
planted-condition    systemic    an event outside the chain whose effects are all
                                 systemic: an earlier change or decision
event                proximate   any other event
==================== =========== =====================================================

Reasons mention level, timing, fan-out into several proximate branches (a common-mode
contributor) and where the data was too thin to be sure.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from causemap.analyses.result import Classification, ClassName
from causemap.analyses.structure import (
    Shape,
    impacts,
    incident_start,
    start_time,
    topological,
)
from causemap.graph import CausalGraph
from causemap.instants import certainly_before, format_instant

__all__ = ["RULES", "classify", "event_chain", "mentioned_date"]

RULES = {
    "override": "the reviewer set the class",
    "impact": "the harm itself",
    "contributing-factor": "a contributing factor in tooling, process, team or organisation",
    "event-chain": "an event on the chain of events that produced the impact",
    "produced-by-chain": "produced by the incident's own chain of events",
    "latent-by-time": "began well before the incident",
    "incident-time": "began during the incident",
    "transient-state": "a transient state during the incident",
    "latent-condition": "a condition that held before the trigger and let it have its effect",
    "planted-condition": "an earlier change or decision that created a latent condition",
    "event": "an event in the incident",
}
"""Every rule id with its short meaning (``docs/analyses.md`` explains each)."""

_LATENCY = dt.timedelta(days=1)

# English month names (Python keeps the C locale unless a program changes it).
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH = "|".join(_MONTHS)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_FORMS = [
    re.compile(
        rf"\b(?:in|since|from|during|until|before|early|late|mid)[\s-]+"
        rf"(?:(?:early|late|mid)[\s-]+)?(?P<month>{_MONTH})(?:,?\s+(?P<year>\d{{4}}))?\b",
        re.I,
    ),
    re.compile(
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})(?:,?\s+(?P<year>\d{{4}}))?\b", re.I
    ),
    re.compile(
        rf"\b(?P<month>{_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?", re.I
    ),
    re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<year>\d{{4}})\b", re.I),
]
_YEAR = re.compile(r"\b(?:in|since|from|during|back in|until)\s+((?:19|20)\d{2})\b", re.I)
_AGO = re.compile(
    r"\b(\d+|a|an|one|two|three|several|many|few)\s+(day|week|month|year)s?\s+"
    r"(?:earlier|before|ago|prior|previously)\b|\b(?:last|previous|prior)\s+"
    r"(week|month|year|quarter|release|sprint)\b|\bfor\s+(?:years|months)\b|\byears\s+ago\b",
    re.I,
)
_ABSENCE = re.compile(
    r"\b(?:no|not|never|without|lacked|lacking|missing|absent|nothing|none|only)\b", re.I
)
_TRANSIENT = re.compile(
    r"\b(?:unusual(?:ly)?|sudden(?:ly)?|spik\w*|surg\w*|burst\w*|flood\w*|overload\w*|"
    r"exhaust\w*|saturat\w*|backlog\w*|piled up|queued up|ran out|running out|"
    r"thundering herd|storm)\b",
    re.I,
)


def mentioned_date(text: str, incident: dt.date) -> tuple[dt.date, str] | None:
    """The earliest past date that ``text`` mentions, relative to the incident date.

    A month without a year is taken in the incident's year, or the year before when that
    month comes later in the year than the incident.

    Examples
    --------
    >>> mentioned_date("registered with the new quota system in October", dt.date(2020, 12, 14))
    (datetime.date(2020, 10, 1), 'in October')
    >>> mentioned_date("a release rolled out from 12 May", dt.date(2021, 6, 8))[0]
    datetime.date(2021, 5, 1)
    >>> mentioned_date("the load went up at 10:02", dt.date(2021, 6, 8)) is None
    True
    """
    month_start = incident.replace(day=1)
    found: list[tuple[dt.date, str]] = []
    for m in _ISO.finditer(text):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        if incident - day > _LATENCY:
            found.append((day, m.group()))
    for form in _MONTH_FORMS:
        for m in form.finditer(text):
            month = _MONTHS[m["month"].lower()]
            year = int(m["year"]) if m["year"] else incident.year - (month > incident.month)
            if (first := dt.date(year, month, 1)) < month_start:
                found.append((first, m.group().strip()))
    for m in _YEAR.finditer(text):
        if int(m[1]) < incident.year:
            found.append((dt.date(int(m[1]), 1, 1), m.group()))
    for m in _AGO.finditer(text):
        if (m[2] or "").lower() == "day" and m[1].lower() in ("1", "a", "an", "one"):
            continue  # a single day earlier is not more than a day
        found.append((incident - 2 * _LATENCY, m.group()))
    return min(found) if found else None


def event_chain(G: CausalGraph) -> set[str]:
    """Events with a path of events to an impact: the proximal event chain."""
    found: set[str] = set()
    stack = [p for t in impacts(G) for p in G.pred[t] if G.nodes[p]["kind"] == "event"]
    found.update(stack)
    while stack:
        for cause in G.pred[stack.pop()]:
            if cause not in found and G.nodes[cause]["kind"] == "event":
                found.add(cause)
                stack.append(cause)
    return found


def _fan_outs(G: CausalGraph, sequence: list[str], proximate: set[str]) -> dict[str, int]:
    """How many distinct proximate nodes each node feeds directly or through systemic ones.

    One pass from effects to causes over bitsets of the proximate nodes, instead of a
    search from every node (quadratic: minutes on a long chain of conditions).
    """
    bit = {node: 1 << i for i, node in enumerate(proximate)}
    reach: dict[str, int] = {}  # for the nodes a search passes through
    fans: dict[str, int] = {}
    for node in reversed(sequence):
        reached = 0
        for effect in G.succ[node]:
            if effect in bit:
                reached |= bit[effect]
            elif effect in reach:
                reached |= reach[effect]
        fans[node] = reached.bit_count()
        if node not in bit and G.nodes[node]["kind"] != "impact":
            reach[node] = reached
    return fans


def classify(G: CausalGraph, *, shape: Shape | None = None) -> dict[str, Classification]:
    """Classify every node as impact, proximate or systemic, with the rule and reasons.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("push", kind="event", label="Config pushed", level="operator")
    >>> G.add_node("no-canary", kind="condition", label="No canary stage", level="process")
    >>> G.add_node("down", kind="impact", label="Site down")
    >>> G.add_edges_from([("push", "down"), ("no-canary", "down")])
    >>> {n: (c.class_, c.rule) for n, c in classify(G).items()}
    {'push': ('proximate', 'event-chain'), 'no-canary': ('systemic', 'latent-condition'), \
'down': ('impact', 'impact')}
    """
    chain = event_chain(G)
    start = incident_start(G, chain)
    date = G.graph.get("date")
    incident_date = date if isinstance(date, dt.date) else (start.date() if start else None)
    result: dict[str, tuple[ClassName, str, list[str]]] = {}
    deferred: list[str] = []
    sequence = shape.sequence if shape is not None else topological(G)
    for node in sequence:
        data = G.nodes[node]
        kind, level = data["kind"], data.get("level")
        causes = list(G.pred[node])
        proximate_causes = [c for c in causes if c in result and result[c][0] == "proximate"]
        if data.get("classification"):
            result[node] = (
                data["classification"],
                "override",
                ["the reviewer set this class, which overrides the computed one"],
            )
        elif kind == "impact":
            result[node] = ("impact", "impact", ["the harm the incident caused"])
        elif kind == "factor":
            result[node] = (
                "systemic",
                "contributing-factor",
                [
                    "a contributing factor in tooling, process, team or organisation: why it "
                    "could happen"
                ],
            )
        elif node in chain:
            role = (
                "the trigger: no event led to it"
                if not any(c in chain for c in causes)
                else "part of the mechanism: events led to it and it led on to the impact"
            )
            reasons = [f"an event with a path of events to the impact; {role}"]
            if level in ("process", "organization"):
                reasons.append(
                    f"it sits at the {level} level, but it is something that "
                    "happened in this incident, not a standing condition"
                )
            result[node] = ("proximate", "event-chain", reasons)
        elif proximate_causes:
            result[node] = _produced(kind, proximate_causes)
        elif (latent := _latency(G, node, start, incident_date)) is not None:
            result[node] = ("systemic", "latent-by-time", [latent])
        elif (began := _during(G, node, start)) is not None:
            what = "an event" if kind == "event" else "a state"
            result[node] = (
                "proximate",
                "incident-time",
                [
                    f"{what} that began during the incident ({began}), with nothing earlier in "
                    "the chain leading to it: a trigger"
                ],
            )
        elif (
            kind == "condition"
            and (m := _TRANSIENT.search(data.get("label", "")))
            and not _ABSENCE.search(data.get("label", ""))
        ):
            result[node] = (
                "proximate",
                "transient-state",
                [
                    f"describes a transient state during the incident ('{m.group()}'), not a "
                    "standing condition"
                ],
            )
        elif kind == "condition":
            reasons = [
                "a condition that held before the trigger and let it have its effect "
                "(a latent condition)"
            ]
            if start_time(G, node) is None:
                reasons.append(
                    "no start time given, so it is taken to predate the incident; "
                    "set 'at' if it began during the incident"
                )
            result[node] = ("systemic", "latent-condition", reasons)
        else:
            deferred.append(node)
    waiting = set(deferred)
    late: list[str] = []  # events found proximate only now, after their effects were settled
    for node in reversed(sequence):  # effects before causes
        if node not in waiting:
            continue
        effects = [result[e][0] for e in G.succ[node] if e in result]
        if effects and all(cls == "systemic" for cls in effects):
            result[node] = (
                "systemic",
                "planted-condition",
                [
                    "an event outside the chain of events whose effects are all latent "
                    "conditions: an earlier change or decision that planted them"
                ],
            )
        else:
            result[node] = _OFF_CHAIN_EVENT
            late.append(node)
    _settle(G, result, late)
    proximate = {n for n, (cls, _, _) in result.items() if cls == "proximate"}
    fans = _fan_outs(G, sequence, proximate)
    out: dict[str, Classification] = {}
    for node in G:
        cls, rule, reasons = result[node]
        if cls == "systemic":
            fan = fans[node]
            if fan >= 2:
                reasons = [
                    *reasons,
                    f"it feeds {fan} separate parts of the proximate chain "
                    "(a common-mode contributor)",
                ]
            level = G.nodes[node].get("level")
            if level in ("technical", "operator") and rule != "override":
                reasons = [
                    *reasons,
                    f"systemic even at the {level} level: a latent "
                    "condition in the design or tooling",
                ]
        out[node] = Classification.model_validate({"class": cls, "rule": rule, "reasons": reasons})
    return out


_OFF_CHAIN_EVENT: tuple[ClassName, str, list[str]] = (
    "proximate",
    "event",
    [
        "an event in the incident; it is not on a path of events to the impact, "
        "so its place is less certain: link it to what it caused"
    ],
)
_BELOW_CHAIN = frozenset(
    {
        "latent-by-time",
        "incident-time",
        "transient-state",
        "latent-condition",
        "planted-condition",
        "event",
    }
)
"""Rules that come after produced-by-chain: a node they decided, with a proximate cause,
belongs to produced-by-chain instead (an event settled late included)."""


def _produced(kind: str, causes: list[str]) -> tuple[ClassName, str, list[str]]:
    names = ", ".join(f"'{c}'" for c in causes[:3])
    what = "a state" if kind == "condition" else "an event"
    return (
        "proximate",
        "produced-by-chain",
        [f"{what} produced by the incident's own chain (caused by {names})"],
    )


def _settle(
    G: CausalGraph, result: dict[str, tuple[ClassName, str, list[str]]], late: list[str]
) -> None:
    """Apply the rule order to what events settled last turned out to cause.

    An event off the chain is settled after its effects, so an effect that a later rule
    decided (a systemic condition, a planted-condition event, another off-chain event) may
    have a proximate cause after all: it was produced by the chain. That in turn can make a
    planted-condition event proximate (one of its effects no longer is systemic), and so
    on; nodes only ever turn proximate, so this ends.
    """
    stack = list(late)
    while stack:
        node = stack.pop()
        for effect in G.succ[node]:
            cls, rule, _ = result[effect]
            if rule in _BELOW_CHAIN:
                causes = [c for c in G.pred[effect] if result[c][0] == "proximate"]
                result[effect] = _produced(G.nodes[effect]["kind"], causes)
                if cls == "systemic":
                    stack.append(effect)
        for cause in G.pred[node]:
            if result[cause][1] == "planted-condition":
                result[cause] = _OFF_CHAIN_EVENT
                stack.append(cause)


def _long_before(G: CausalGraph, node: str, start: dt.datetime | None) -> bool:
    """True when ``node`` certainly began more than a day before ``start``: a date alone
    is its whole UTC day (``2024-01-01`` is not more than a day before
    ``2024-01-02T01:00Z``, as it may have begun at 23:00)."""
    began = G.nodes[node].get("at")
    return began is not None and start is not None and certainly_before(began, start - _LATENCY)


def _during(G: CausalGraph, node: str, start: dt.datetime | None) -> str | None:
    """When ``node`` began, if that was during the incident (not more than a day before)."""
    if start_time(G, node) is None or start is None or _long_before(G, node, start):
        return None
    return format_instant(G.nodes[node]["at"])


def _latency(
    G: CausalGraph, node: str, start: dt.datetime | None, incident_date: dt.date | None
) -> str | None:
    """Why ``node`` predates the incident, when its time or label says so."""
    began = start_time(G, node)
    if began is not None and start is not None and _long_before(G, node, start):
        return (
            f"it began on {began.date().isoformat()}, more than a day before the incident "
            f"started ({start.date().isoformat()}): a latent condition"
        )
    if began is None and incident_date is not None:
        mention = mentioned_date(G.nodes[node].get("label", ""), incident_date)
        if mention is not None:
            return f"its label places it before the incident ('{mention[1]}'): a latent condition"
    return None
