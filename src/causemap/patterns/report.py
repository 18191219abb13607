"""Assembling the patterns report from reduced incidents.

:func:`build_report` matches nodes across incidents (:mod:`causemap.patterns.matching`),
then computes, after B14 of the research notes:

* **support**: the incidents that contain each canonical factor, weighted by severity;
* **links**: factor A is upstream of factor B when a node of A is an *ancestor* of a
  node of B in the same incident (robust to differences in granularity);
* **co-occurrence**: factor pairs in two or more incidents, with lift
  ``n·c(A,B) / (c(A)·c(B))`` above 1;
* **remediated but recurring**: an action addressing a factor was done on date *d*, and
  an incident dated after *d* contains the factor again;
* **trends** by month and quarter (the last :data:`TREND_YEARS` years), and the level
  distribution.

Everything is sorted, so the same input always gives the same report.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Literal

from causemap.catalog.model import Catalog
from causemap.collector import paused_gc
from causemap.model import Level
from causemap.patterns.facts import IncidentFacts
from causemap.patterns.matching import Layer, Match, MatchSettings, NodeText, match
from causemap.patterns.result import (
    TREND_YEARS,
    ActionCounts,
    CoOccurrence,
    Factor,
    IncidentRef,
    Link,
    Member,
    PatternsReport,
    Recurrence,
    TrendBucket,
    Trends,
)

__all__ = [
    "MEMBERS_LISTED",
    "RECURRENCES_LISTED",
    "TREND_FACTORS",
    "build_report",
    "severity_weight",
]

TREND_FACTORS = 8
"""How many leading factors the trend buckets count."""
MEMBERS_LISTED = 100
"""Most members listed per factor (those of the most recent incidents); the count is kept."""
RECURRENCES_LISTED = 10
"""Most later incidents listed per recurrence (the first after the fix); the count is kept."""

_SEV_NUMBER = re.compile(r"^(?:sev|severity|p|s|priority|level)?[\s_-]*([0-9])$")
_SEV_LEVELS = {0: 5.0, 1: 4.0, 2: 3.0, 3: 2.0}
_SEV_WORDS = {
    "critical": 4.0,
    "blocker": 4.0,
    "emergency": 4.0,
    "major": 3.0,
    "high": 3.0,
    "severe": 3.0,
    "medium": 2.0,
    "moderate": 2.0,
    "minor": 1.0,
    "low": 1.0,
}


def severity_weight(severity: str | None) -> float:
    """Weight of an incident in scores, the most severe weighing most.

    sev0/P0 5; sev1/P1/critical/blocker/emergency 4; sev2/P2/major/high/severe 3;
    sev3/P3/medium/moderate 2; anything else 1 (sev4 and lower, minor, low, unknown
    words, or no severity). ``SEV-1``, ``sev 1``, ``S1``, ``priority 1`` and ``level 1``
    are read as sev1.

    Examples
    --------
    >>> [severity_weight(s) for s in ("SEV-0", "P0", "sev1", "critical", "p2", "major")]
    [5.0, 5.0, 4.0, 4.0, 3.0, 3.0]
    >>> [severity_weight(s) for s in ("sev3", "sev4", "minor", "whatever", None)]
    [2.0, 1.0, 1.0, 1.0, 1.0]
    """
    if not severity:
        return 1.0
    text = severity.strip().lower()
    number = _SEV_NUMBER.match(text)
    if number:
        return _SEV_LEVELS.get(int(number.group(1)), 1.0)
    return _SEV_WORDS.get(text, 1.0)


def _items(incidents: Sequence[IncidentFacts]) -> list[NodeText]:
    return [
        NodeText(
            incident=inc.id,
            node=node.id,
            label=node.label,
            kind=node.kind,
            level=node.level,
            key=node.key,
            text=node.text,
            neighbours=node.neighbours,
            suggestion=node.suggestion,
        )
        for inc in incidents
        for node in inc.nodes
    ]


def _period(date: dt.date, quarterly: bool) -> str:
    return f"{date.year:04}-" + (
        f"Q{(date.month - 1) // 3 + 1}" if quarterly else f"{date.month:02}"
    )


def build_report(
    incidents: Iterable[IncidentFacts],
    catalog: Catalog,
    *,
    since: dt.date | None = None,
    settings: MatchSettings | None = None,
    progress: Callable[[int], None] | None = None,
) -> PatternsReport:
    """Match nodes across ``incidents`` and compute every cross-incident view."""
    with paused_gc(promote=True):
        return _build(list(incidents), catalog, since, settings, progress)


def _build(
    incidents: list[IncidentFacts],
    catalog: Catalog,
    since: dt.date | None,
    settings: MatchSettings | None,
    progress: Callable[[int], None] | None,
) -> PatternsReport:
    chosen = sorted(
        (inc for inc in incidents if since is None or inc.date >= since),
        key=lambda inc: (inc.date, inc.id),
    )
    items = _items(chosen)
    matches = match(items, settings, progress=progress)
    by_node: dict[tuple[str, str], Match] = {
        (item.incident, item.node): m for item, m in zip(items, matches, strict=True) if m
    }
    weights = {inc.id: severity_weight(inc.severity) for inc in chosen}
    dates = {inc.id: inc.date for inc in chosen}
    order = {inc.id: i for i, inc in enumerate(chosen)}
    factor_incidents: dict[str, set[str]] = defaultdict(set)
    for (incident, _), m in by_node.items():
        factor_incidents[m.factor].add(incident)
    shared = {f for f, found in factor_incidents.items() if len(found) >= 2}
    factors = _factors(chosen, by_node, shared, factor_incidents, weights, dates, order, catalog)
    per_incident = {
        inc.id: sorted(
            {by_node[inc.id, n.id].factor for n in inc.nodes if (inc.id, n.id) in by_node} & shared
        )
        for inc in chosen
    }
    leaders = [f.key for f in factors[:TREND_FACTORS]]
    return PatternsReport(
        incidents=len(chosen),
        since=since,
        catalog=catalog.name,
        nodes=len(items),
        matched={
            layer: sum(1 for m in matches if m and m.layer == layer)
            for layer in ("key", "catalog", "cluster")
        },
        factors=factors,
        links=_links(chosen, by_node, shared, order),
        cooccurrence=_cooccurrence(per_incident, order),
        recurring_after_fix=_recurrences(chosen, by_node, shared, dates, order),
        trends=_trends(chosen, per_incident, leaders, by_node, shared),
        incident_list=[
            IncidentRef(
                id=inc.id,
                title=inc.title,
                date=inc.date,
                severity=inc.severity,
                weight=weights[inc.id],
            )
            for inc in chosen
        ],
    )


def _factors(
    chosen: Sequence[IncidentFacts],
    by_node: dict[tuple[str, str], Match],
    shared: set[str],
    factor_incidents: dict[str, set[str]],
    weights: dict[str, float],
    dates: dict[str, dt.date],
    order: dict[str, int],
    catalog: Catalog,
) -> list[Factor]:
    entries = {entry.key: entry for entry in catalog.entries}
    members: dict[str, list[tuple[str, str, str, Layer, float, str]]] = defaultdict(list)
    levels: dict[str, Counter[str]] = defaultdict(Counter)
    classes: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    actions: dict[str, Counter[str]] = defaultdict(Counter)
    for inc in chosen:
        factor_of = {
            n.id: by_node[inc.id, n.id].factor for n in inc.nodes if (inc.id, n.id) in by_node
        }
        for node in inc.nodes:
            found = by_node.get((inc.id, node.id))
            if found is None or found.factor not in shared:
                continue
            members[found.factor].append(
                (inc.id, node.id, node.label, found.layer, found.confidence, found.reason)
            )
            if node.level:
                levels[found.factor][node.level] += 1
            if node.cls:
                classes[found.factor][node.cls, node.cls_source] += 1
        for action in inc.actions:
            status = "done" if action.status == "done" else action.status
            bucket = {"done": "done", "wontfix": "wontfix"}.get(status, "open")
            for factor in sorted({factor_of[a] for a in action.addresses if a in factor_of}):
                actions[factor][bucket] += 1
    out = []
    for key in shared:
        seen = sorted(factor_incidents[key], key=order.__getitem__)
        entry = entries.get(key)
        group = members[key]
        best: dict[str, float] = {}  # from every member: the listed ones may be capped
        for m in group:
            best[m[0]] = max(best.get(m[0], 0.0), m[4])
        level = _most_common(levels[key]) or (str(entry.level) if entry else None)
        cls_counts = classes[key]
        if cls_counts:
            (cls, source), _ = max(cls_counts.items(), key=lambda kv: (kv[1], kv[0]))
        elif entry is not None:
            cls, source = str(entry.class_), "catalog"
        else:
            cls, source = None, "none"
        out.append(
            Factor(
                key=key,
                label=entry.name if entry else _representative(group),
                source=_source(entry is not None, group),
                incidents=seen,
                score=round(sum(weights[i] for i in seen), 3),
                first_seen=dates[seen[0]],
                last_seen=dates[seen[-1]],
                level=level,
                typical_class=cls,
                class_source=source,  # type: ignore[arg-type]
                actions=ActionCounts(**actions[key]),
                confidence=round(sum(m[4] for m in group) / len(group), 3),
                confidences=[best[i] for i in seen],
                member_count=len(group),
                members=[
                    Member(incident=i, node=n, label=label, layer=layer, confidence=c, reason=why)
                    for i, n, label, layer, c, why in group[-MEMBERS_LISTED:]
                ],
            )
        )
    out.sort(key=lambda f: (-len(f.incidents), -f.score, f.key))
    return out


def _source(
    in_catalog: bool, group: Sequence[tuple[str, str, str, Layer, float, str]]
) -> Literal["catalog", "key", "cluster"]:
    """Where a factor's identity comes from: its catalog entry, else a key that some
    member carries (its other members may have joined it by wording), else a cluster."""
    if in_catalog:
        return "catalog"
    return "key" if any(m[3] == "key" for m in group) else "cluster"


def _most_common(counts: Counter[str]) -> str | None:
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _representative(group: Sequence[tuple[str, str, str, Layer, float, str]]) -> str:
    """The shortest wording among the members with the most confidence."""
    return min(group, key=lambda m: (-m[4], len(m[2]), m[0], m[1]))[2]


def _links(
    chosen: Sequence[IncidentFacts],
    by_node: dict[tuple[str, str], Match],
    shared: set[str],
    order: dict[str, int],
) -> list[Link]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for inc in chosen:
        factor_of = {
            n.id: by_node[inc.id, n.id].factor
            for n in inc.nodes
            if (inc.id, n.id) in by_node and by_node[inc.id, n.id].factor in shared
        }
        below = _factors_below(inc, factor_of)
        for node in inc.nodes:
            upstream = factor_of.get(node.id)
            if upstream is None:
                continue
            for downstream in below[node.id]:
                if downstream != upstream:
                    found[upstream, downstream].add(inc.id)
    links = [
        Link(source=a, target=b, incidents=sorted(incs, key=order.__getitem__))
        for (a, b), incs in found.items()
        if len(incs) >= 2
    ]
    links.sort(key=lambda link: (-len(link.incidents), link.source, link.target))
    return links


def _factors_below(inc: IncidentFacts, factor_of: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """The shared factors among each node's non-impact descendants, by one pass over
    the nodes effects first (``bottom_up``). The sets hold factors, not nodes, and a node
    with one effect and nothing new shares its effect's set: linear in a long chain."""
    effects = {node.id: node.effects for node in inc.nodes}
    none: frozenset[str] = frozenset()
    below: dict[str, frozenset[str]] = {}
    for node in inc.bottom_up:
        found = none
        for target in effects[node]:
            add = below[target]
            if target in factor_of and factor_of[target] not in add:
                add = add | {factor_of[target]}
            found = add if not found else found | add
        below[node] = found
    return below


def _cooccurrence(per_incident: dict[str, list[str]], order: dict[str, int]) -> list[CoOccurrence]:
    n = len(per_incident)
    single: Counter[str] = Counter()
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for incident, present in per_incident.items():
        single.update(present)
        for a, b in combinations(present, 2):
            pairs[a, b].append(incident)
    out = []
    for (a, b), incs in pairs.items():
        if len(incs) < 2:
            continue
        lift = n * len(incs) / (single[a] * single[b])
        if lift > 1:
            out.append(
                CoOccurrence(
                    a=a, b=b, incidents=sorted(incs, key=order.__getitem__), lift=round(lift, 3)
                )
            )
    out.sort(key=lambda c: (-len(c.incidents), -c.lift, c.a, c.b))
    return out


def _recurrences(
    chosen: Sequence[IncidentFacts],
    by_node: dict[tuple[str, str], Match],
    shared: set[str],
    dates: dict[str, dt.date],
    order: dict[str, int],
) -> list[Recurrence]:
    timeline: dict[str, list[tuple[dt.date, int, str]]] = defaultdict(list)
    for inc in chosen:
        for factor in {
            by_node[inc.id, n.id].factor for n in inc.nodes if (inc.id, n.id) in by_node
        }:
            if factor in shared:
                timeline[factor].append((inc.date, order[inc.id], inc.id))
    for entries in timeline.values():
        entries.sort()
    out = []
    for inc in chosen:
        for action in inc.actions:
            if action.status != "done" or action.closed is None:
                continue
            factors = {
                by_node[inc.id, a].factor for a in action.addresses if (inc.id, a) in by_node
            } & shared
            for factor in sorted(factors):
                later = timeline[factor]
                # After the fix and after its own incident: a fix closed before the
                # incident it came from (validate warns) cannot recur in an earlier one.
                since = max(action.closed, inc.date)
                start = bisect.bisect_right(later, (since, len(order), ""))
                count = len(later) - start
                if count <= 0:
                    continue
                again = [ident for _, _, ident in later[start : start + RECURRENCES_LISTED]]
                out.append(
                    Recurrence(
                        factor=factor,
                        fixed_in=inc.id,
                        action=action.id,
                        title=action.title,
                        closed=action.closed,
                        recurrences=count,
                        recurred_in=again,
                    )
                )
    out.sort(key=lambda r: (-r.recurrences, r.closed, r.factor, r.fixed_in, r.action))
    return out


def _trends(
    chosen: Sequence[IncidentFacts],
    per_incident: dict[str, list[str]],
    leaders: Sequence[str],
    by_node: dict[tuple[str, str], Match],
    shared: set[str],
) -> Trends:
    buckets: dict[bool, dict[str, TrendBucket]] = {False: {}, True: {}}
    first = min((inc.date for inc in chosen), default=None)
    start = max((inc.date.year for inc in chosen), default=0) - TREND_YEARS + 1
    earlier_years = max(0, start - first.year) if first is not None else 0
    kept = [inc for inc in chosen if inc.date.year >= start]
    for inc in kept:
        for quarterly in (False, True):
            period = _period(inc.date, quarterly)
            bucket = buckets[quarterly].setdefault(
                period, TrendBucket(period=period, incidents=0, factors=dict.fromkeys(leaders, 0))
            )
            bucket.incidents += 1
            for factor in per_incident[inc.id]:
                if factor in bucket.factors:
                    bucket.factors[factor] += 1
    levels: Counter[str] = Counter(
        n.level or "unset"
        for inc in chosen
        for n in inc.nodes
        if (found := by_node.get((inc.id, n.id))) is not None and found.factor in shared
    )
    # When years are left out, the buckets start in January, so they cover whole years.
    begin = dt.date(start, 1, 1) if earlier_years else None
    filled = {q: _fill(buckets[q], q, leaders, begin) for q in (False, True)}
    rank = {level.value: i for i, level in enumerate(Level)}  # sharp end first; unset last
    ordered = sorted(levels.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))
    return Trends(
        monthly=filled[False],
        quarterly=filled[True],
        levels=dict(ordered),
        first_period=_period(first, quarterly=False) if first is not None else None,
        earlier_years=earlier_years,
        earlier_incidents=len(chosen) - len(kept),
    )


def _fill(
    found: dict[str, TrendBucket],
    quarterly: bool,
    leaders: Sequence[str],
    begin: dt.date | None = None,
) -> list[TrendBucket]:
    """Buckets from the first period (or ``begin``'s) to the last, with empty periods in
    between."""
    if not found:
        return []
    step = 3 if quarterly else 1
    first = min(found) if begin is None else _period(begin, quarterly)
    last = max(found)
    year, month = int(first[:4]), (int(first[-1]) - 1) * 3 + 1 if quarterly else int(first[5:])
    out = []
    while True:
        period = _period(dt.date(year, month, 1), quarterly)
        out.append(
            found.get(period)
            or TrendBucket(period=period, incidents=0, factors=dict.fromkeys(leaders, 0))
        )
        if period == last:
            return out
        month += step
        if month > 12:
            year, month = year + 1, month - 12
