"""The patterns report as plain text for an 80-column terminal, and as Markdown."""

from __future__ import annotations

import math
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from causemap.counts import counted
from causemap.patterns.present import (
    ZERO_WIDTH,
    by_level,
    factor_names,
    listed,
    more,
    one_line,
    periods,
)
from causemap.patterns.result import TREND_YEARS, PatternsReport
from causemap.render.markdown import escape as _md

if TYPE_CHECKING:
    from causemap.model import Node
    from causemap.patterns.suggest import Suggestion

__all__ = ["TREND_ROWS", "WIDTH", "suggestions_to_text", "to_markdown", "to_text", "wrap"]

WIDTH = 80
"""Columns of the text report: every line fits a standard terminal."""
TREND_ROWS = 16
"""Most periods in the text trends: months, else quarters, else years."""
_LABEL = 100
"""Most terminal columns of a label in the text report (two lines at most), the rest
replaced by an ellipsis."""
_SPARKS = "▁▂▃▄▅▆▇█"
_SPARK_LABEL = 16
"""Fewest columns for a factor's name before its sparkline; the periods that do not fit
after it (only years can be so many) are left out, the oldest first."""


def wrap(text: str, first: str = "", rest: str | None = None, width: int = WIDTH) -> list[str]:
    """``text`` on one line, then wrapped to ``width`` columns; the first line starts with
    ``first``, the others with ``rest`` (default: as many spaces as ``first``). Words longer
    than a line are broken; hyphens are not break points, so keys stay whole. Columns are
    a terminal's: a wide (CJK) character takes two.

    Examples
    --------
    >>> wrap("one two three four", "  - ", width=12)
    ['  - one two', '    three', '    four']
    >>> wrap("x" * 10, width=4)
    ['xxxx', 'xxxx', 'xx']
    >>> wrap("変更が検証なしで配布された", "- ", width=12)
    ['- 変更が検証', '  なしで配布', '  された']
    """
    rest = " " * len(first) if rest is None else rest
    line = one_line(text)
    if line.isascii():
        return textwrap.wrap(
            line,
            width,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=True,
            break_on_hyphens=False,
        ) or [first.rstrip()]
    return _wrap_columns(line.split(), first, rest, width) if line else [first.rstrip()]


def _columns(text: str) -> int:
    """Terminal columns of ``text``: two for wide (CJK) characters, none for combining and
    enclosing marks or invisible format characters (a zero-width space or joiner)."""
    return sum(_char_columns(ch) for ch in text)


def _char_columns(ch: str) -> int:
    if unicodedata.category(ch) in ZERO_WIDTH:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _wrap_columns(words: Sequence[str], first: str, rest: str, width: int) -> list[str]:
    """:func:`wrap` by terminal columns, for text with wide characters. As in
    :func:`textwrap.wrap`, a word too wide for any line fills the line it starts on."""
    lines: list[str] = []
    line, used, fresh = first, _columns(first), True

    def new_line() -> None:
        nonlocal line, used, fresh
        lines.append(line)
        line, used, fresh = rest, _columns(rest), True

    for word in words:
        size = _columns(word)
        room = width - _columns(rest if lines else first)  # on a line of its own
        if used + size + (0 if fresh else 1) > width and size <= room:
            new_line()
        if not fresh:
            line, used = line + " ", used + 1
        for ch in word:  # whole when it fits, else broken where the line ends
            if used + _columns(ch) > width and not fresh:
                new_line()
            line, used, fresh = line + ch, used + _columns(ch), False
    lines.append(line)
    return [text.rstrip() for text in lines]


def _fit(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` terminal columns with an ellipsis and padded
    to exactly ``width`` (:func:`one_line` and ``str.ljust`` count characters, and a CJK
    character takes two columns).

    Examples
    --------
    >>> [_fit(t, 6) for t in ("abc", "abcdefgh", "変更が検証")]
    ['abc   ', 'abcde…', '変更… ']
    """
    line = _cut(text, width)
    return line + " " * (width - _columns(line))


def _cut(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` terminal columns with an ellipsis: a label of
    :data:`_LABEL` columns wraps to two lines at most, in Latin or Chinese alike.

    Examples
    --------
    >>> _cut("Retries had no backoff", 12), _cut("変更が検証なしで配布された", 12)
    ('Retries had…', '変更が検証…')
    """
    line = one_line(text)
    if _columns(line) <= width:
        return line
    cut, used = "", 1  # the ellipsis
    for ch in line:
        if used + _columns(ch) > width:
            break
        cut, used = cut + ch, used + _columns(ch)
    return cut.rstrip() + "…"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def to_text(report: PatternsReport, top: int = 20) -> str:
    """Return a terminal summary, no line wider than :data:`WIDTH`: the leaderboard, fixes
    that did not hold, links, co-occurrence, then trends and levels. Every list shows its
    first ``top`` items and says how many it leaves out."""
    m = report.matched
    names = factor_names(report)

    def named(key: str) -> str:
        return f"{_cut(names[key], _LABEL)} [{key}]" if key in names else key

    def capped(total: int) -> list[str]:
        line = more(total, top, "use --format json for all")
        return wrap(line, "  ") if line else []

    out = wrap(
        f"{counted(report.incidents, 'incident')}, {counted(report.nodes, 'node')}; matched "
        f"{m['key']:,} by key, {m['catalog']:,} by catalog, {m['cluster']:,} by similarity "
        f"(catalog: {report.catalog})" + (f"; since {report.since}" if report.since else ""),
        rest="",
    )
    out += ["", f"Shared factors ({len(report.factors)}):"]
    if not report.factors:
        out.append("  none: no factor appears in two or more incidents")
    for rank, f in enumerate(report.factors[:top], 1):
        out += wrap(named(f.key), f"{rank:>3}. ")
        out += wrap(
            f"{counted(len(f.incidents), 'incident')} ({_pct(len(f.incidents), report.incidents)})"
            f", score {f.score:g}, seen {f.first_seen} .. {f.last_seen}",
            "     ",
        )
        out += wrap(
            f"level {f.level or '-'}, {f.typical_class or 'class unknown'}; actions "
            f"{f.actions.open} open / {f.actions.done} done; confidence {f.confidence:.2f}",
            "     ",
        )
    out += capped(len(report.factors))
    if report.recurring_after_fix:
        out += ["", f"Fixes that did not hold ({len(report.recurring_after_fix)}):"]
        for r in report.recurring_after_fix[:top]:
            out += wrap(named(r.factor), "  ", "      ")
            out += wrap(
                f"fixed by {r.action} “{one_line(r.title, 60)}” of {r.fixed_in}, done "
                f"{r.closed}; came back in {listed(r.recurred_in, r.recurrences)}",
                "    ",
            )
        out += capped(len(report.recurring_after_fix))
    if report.links:
        out += ["", f"Recurring causal links, upstream → downstream ({len(report.links)}):"]
        for link in report.links[:top]:
            out += wrap(
                f"{counted(len(link.incidents), 'incident')}: {named(link.source)}", "  ", "      "
            )
            out += wrap(f"→ {named(link.target)}", "    ", "      ")
        out += capped(len(report.links))
    if report.cooccurrence:
        out += ["", f"Factors that occur together ({len(report.cooccurrence)}):"]
        for c in report.cooccurrence[:top]:
            out += wrap(
                f"{counted(len(c.incidents), 'incident')}, lift {c.lift:.2f}: {named(c.a)}",
                "  ",
                "      ",
            )
            out += wrap(f"+ {named(c.b)}", "    ", "      ")
        out += capped(len(report.cooccurrence))
    out += _trends(report)
    return "\n".join(line.rstrip() for line in out) + "\n"


def _spark(count: int, incidents: int) -> str:
    """One character for a factor's share of a period's incidents: · for none."""
    if not count or not incidents:
        return "·"
    return _SPARKS[min(len(_SPARKS), math.ceil(len(_SPARKS) * count / incidents)) - 1]


def _trends(report: PatternsReport) -> list[str]:
    shown = periods(report, TREND_ROWS, years=TREND_YEARS)
    unit, buckets = shown.unit, shown.buckets
    out: list[str] = []
    if buckets:
        most = max(b.incidents for b in buckets) or 1
        digits = len(str(most))
        label = max(len(b.period) for b in buckets)
        span = WIDTH - 2 - label - 1 - digits - 1
        out += ["", f"Incidents per {unit}" + (f", {shown.span()}" if shown.earlier else "") + ":"]
        for b in buckets:
            length = max(1, round(span * b.incidents / most)) if b.incidents else 0
            out.append(f"  {b.period:<{label}} {b.incidents:>{digits}} {'█' * length}")
        leaders = list(buckets[0].factors)
        if leaders:
            names = factor_names(report)
            recent = buckets[-(WIDTH - 3 - _SPARK_LABEL) :]
            every = len(buckets) + shown.earlier
            cut = f", the last {len(recent)} of {every}" if len(recent) < every else ""
            out += [""]
            out += wrap(f"Leading factors, share of each {unit}'s incidents{cut} (· none, █ all):")
            room = WIDTH - 2 - 1 - len(recent)
            for key in leaders:
                sparks = "".join(_spark(b.factors.get(key, 0), b.incidents) for b in recent)
                out.append(f"  {_fit(names.get(key, key), room)} {sparks}")
    levels = by_level(report.trends.levels)
    total = sum(count for _, count in levels)
    if total:
        out += ["", "Shared-factor occurrences by level:"]
        out += wrap(", ".join(f"{lv} {n} ({_pct(n, total)})" for lv, n in levels), "  ")
    return out


def suggestions_to_text(rows: Sequence[tuple[Node, Sequence[Suggestion]]]) -> str:
    """``causemap suggest`` for a terminal: each node's wording, then its ranked catalog
    entries with their confidence and evidence; every line on its own, no wider than
    :data:`WIDTH`."""
    out: list[str] = []
    for node, found in rows:
        current = f" (factor: {node.factor})" if node.factor else ""
        out += wrap(f"{node.id}: {node.label}{current}", "", "    ")
        if not found:
            out.append("    no catalog entry matches")
        for s in found:
            out += wrap(f"{s.key} ({s.name})", f"  {s.score:6.2f}  ", " " * 12)
            evidence = ", ".join([*(f'"{p}"' for p in s.phrases), *s.keywords])
            evidence = f"evidence: {evidence or 'similar wording'}"
            out += wrap(f"{s.confidence:.0%} confident; {evidence}", " " * 10)
    return "".join(line.rstrip() + "\n" for line in out)


_CAPPED = {"Shared factors", "Fixes that did not hold", "Recurring causal links", "Co-occurrence"}


def to_markdown(report: PatternsReport, top: int = 50) -> str:
    """Return the report as GitHub-flavoured Markdown; the leaderboard, fixes, links and
    co-occurrence show their first ``top`` rows and say how many they leave out (trends
    and levels are short: at most 40 periods, six levels)."""
    m = report.matched
    names = factor_names(report)

    def named(key: str) -> str:
        return f"{_md(names[key])} (`{key}`)" if key in names else f"`{key}`"

    size = f"{counted(report.incidents, 'incident')}, {counted(report.nodes, 'node')}"
    out = [
        "# Cross-incident patterns",
        "",
        f"{size}. Matched {counted(m['key'], 'node')} by "
        f"factor key, {m['catalog']:,} by the catalog ({_md(report.catalog)}), {m['cluster']:,} by "
        "similarity." + (f" Incidents since {report.since}." if report.since else ""),
    ]
    shown = periods(report, 40)
    unit, buckets = shown.unit, shown.buckets
    total = sum(report.trends.levels.values())
    sections = [
        (
            "Shared factors",
            "No factor appears in two or more incidents.",
            [
                *("#", "factor", "incidents", "score", "first seen", "last seen", "level"),
                *("class", "actions open / done", "confidence"),
            ],
            "|---:|---|---:|---:|---|---|---|---|---|---:|",
            [
                [
                    *(str(rank), named(f.key), str(len(f.incidents)), f"{f.score:g}"),
                    *(str(f.first_seen), str(f.last_seen), f.level or "-"),
                    *(f.typical_class or "-", f"{f.actions.open} / {f.actions.done}"),
                    f"{f.confidence:.2f}",
                ]
                for rank, f in enumerate(report.factors, 1)
            ],
        ),
        (
            "Fixes that did not hold",
            "None.",
            ["factor", "fixed in", "action", "done", "came back in"],
            "",
            [
                [
                    *(named(r.factor), _md(r.fixed_in), f"{_md(r.action)}: {_md(r.title)}"),
                    *(str(r.closed), _md(listed(r.recurred_in, r.recurrences))),
                ]
                for r in report.recurring_after_fix
            ],
        ),
        (
            "Recurring causal links",
            "None.",
            ["upstream", "downstream", "incidents"],
            "|---|---|---:|",
            [[named(lk.source), named(lk.target), str(len(lk.incidents))] for lk in report.links],
        ),
        (
            "Co-occurrence",
            "None.",
            ["factor", "factor", "incidents", "lift"],
            "|---|---|---:|---:|",
            [
                [named(c.a), named(c.b), str(len(c.incidents)), f"{c.lift:.2f}"]
                for c in report.cooccurrence
            ],
        ),
        (
            f"Trends by {unit}" + (f" ({shown.span()})" if shown.earlier else ""),
            "None.",
            [unit, "incidents"],
            "|---|---:|",
            [[b.period, str(b.incidents)] for b in buckets],
        ),
        (
            "Levels",
            "None.",
            ["level", "occurrences", "share"],
            "|---|---:|---:|",
            [[lv, str(n), _pct(n, total)] for lv, n in by_level(report.trends.levels)],
        ),
    ]
    for title, empty, head, align, rows in sections:
        out += ["", f"## {title}", ""]
        if not rows:
            out.append(empty)
            continue
        cap = top if title in _CAPPED else len(rows)
        out += ["| " + " | ".join(head) + " |", align or "|" + "---|" * len(head)]
        out += ["| " + " | ".join(row) + " |" for row in rows[:cap]]
        if len(rows) > cap:
            out += ["", more(len(rows), cap) + "."]
    return "\n".join(out) + "\n"
