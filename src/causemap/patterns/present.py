"""What the text, Markdown and HTML reports share: wording on one line, lists that say
when they are cut short, factors by name, levels in AcciMap order, and trend buckets of
a size that fits the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Literal, NamedTuple

from causemap.model import Level
from causemap.patterns.result import PatternsReport, TrendBucket
from causemap.plain import clean, without_bidi

__all__ = [
    "Periods",
    "LEVEL_ORDER",
    "Unit",
    "ZERO_WIDTH",
    "by_level",
    "factor_names",
    "html_text",
    "listed",
    "more",
    "one_line",
    "periods",
    "yearly",
]

LEVEL_ORDER = (*(level.value for level in Level), "unset")
"""From the sharp end to the blunt end, as an AcciMap draws them; ``unset`` last."""

Unit = Literal["month", "quarter", "year"]

ZERO_WIDTH = frozenset({"Mn", "Me", "Cf"})
"""Unicode categories drawn with no width, in a chart or a terminal: combining and
enclosing marks, and invisible format characters (a zero-width space or joiner)."""


def one_line(text: str, width: int | None = None) -> str:
    """``text`` made plain (:func:`causemap.plain.clean`: one line, no control characters
    or bidirectional marks), cut to ``width`` characters with an ellipsis.

    Examples
    --------
    >>> one_line("A label\\nwritten\\tover  lines")
    'A label written over lines'
    >>> one_line("Retries had no backoff", 12)
    'Retries had…'
    """
    cleaned = clean(text)
    if width is None or len(cleaned) <= width:
        return cleaned
    return cleaned[: width - 1].rstrip() + "…"


def html_text(text: object) -> str:
    """``text`` escaped for HTML, without bidirectional control marks.

    Examples
    --------
    >>> html_text('pay\u202efdp.exe <b> "x"')
    'payfdp.exe &lt;b&gt; &quot;x&quot;'
    """
    return escape(without_bidi(str(text)), quote=True)


def listed(items: Sequence[str], total: int) -> str:
    """Items joined by commas, with how many more there are.

    Examples
    --------
    >>> listed(["a", "b"], 5)
    'a, b and 3 more'
    """
    extra = total - len(items)
    return ", ".join(items) + (f" and {extra} more" if extra > 0 else "")


def more(total: int, shown: int, where: str = "the JSON report lists all") -> str:
    """The line that ends a list cut short, or ``""`` when nothing was left out.

    Examples
    --------
    >>> more(96, 20)
    '… and 76 more (the JSON report lists all)'
    >>> more(3, 20)
    ''
    """
    extra = total - shown
    return f"… and {extra} more ({where})" if extra > 0 else ""


def factor_names(report: PatternsReport) -> dict[str, str]:
    """Each shared factor's key → its label (catalog name or representative wording)."""
    return {f.key: f.label for f in report.factors}


def by_level(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts per level in AcciMap order, sharp end first; unknown names last, sorted.

    Examples
    --------
    >>> by_level({"external": 1, "process": 2, "technical": 3, "unset": 1})
    [('technical', 3), ('process', 2), ('external', 1), ('unset', 1)]
    """

    def rank(level: str) -> tuple[int, str]:
        known = level in LEVEL_ORDER
        return (LEVEL_ORDER.index(level) if known else len(LEVEL_ORDER), level)

    return sorted(counts.items(), key=lambda kv: rank(kv[0]))


def yearly(quarterly: Iterable[TrendBucket]) -> list[TrendBucket]:
    """Quarterly buckets summed by year (every incident is in exactly one quarter).

    Examples
    --------
    >>> qs = [TrendBucket(period=p, incidents=n, factors={"k": n}) for p, n in
    ...       [("2023-Q4", 2), ("2024-Q1", 1), ("2024-Q2", 3)]]
    >>> [(b.period, b.incidents, b.factors) for b in yearly(qs)]
    [('2023', 2, {'k': 2}), ('2024', 4, {'k': 4})]
    """
    years: dict[str, TrendBucket] = {}
    for bucket in quarterly:
        year = years.setdefault(
            bucket.period[:4],
            TrendBucket(
                period=bucket.period[:4], incidents=0, factors=dict.fromkeys(bucket.factors, 0)
            ),
        )
        year.incidents += bucket.incidents
        for key, count in bucket.factors.items():
            year.factors[key] = year.factors.get(key, 0) + count
    return list(years.values())


class Periods(NamedTuple):
    """The trend buckets a report shows."""

    unit: Unit
    buckets: list[TrendBucket]
    earlier: int = 0
    """Earlier periods left out (only years, when there are more than fit)."""

    def span(self) -> str:
        """``'the last 40 of 125 years'``, or ``''`` when none is left out."""
        if not self.earlier:
            return ""
        shown = len(self.buckets)
        return f"the last {shown} of {shown + self.earlier} {self.unit}s"


def periods(report: PatternsReport, most: int, years: int | None = None) -> Periods:
    """The finest trend buckets, months, quarters or years, of which there are at most
    ``most``; when even the years are more, the latest ``years`` (default ``most``) of
    them (more are a date typed 0202 for 2022), and how many earlier ones are left out,
    counting those the report itself left out (:attr:`Trends.earlier_years`).

    Examples
    --------
    >>> from causemap.patterns.result import Trends
    >>> months = [TrendBucket(period=f"2024-{m:02}", incidents=1) for m in range(1, 13)]
    >>> quarters = [TrendBucket(period=f"2024-Q{q}", incidents=3) for q in range(1, 5)]
    >>> report = PatternsReport(incidents=12, catalog="c", nodes=0, matched={}, factors=[],
    ...     links=[], cooccurrence=[], recurring_after_fix=[], incident_list=[],
    ...     trends=Trends(monthly=months, quarterly=quarters))
    >>> [(unit, len(found)) for unit, found, _ in (periods(report, n) for n in (12, 4, 3))]
    [('month', 12), ('quarter', 4), ('year', 1)]
    """
    trends = report.trends
    whole = not trends.earlier_years  # else only years can say what is left out
    if whole and len(trends.monthly) <= most:
        return Periods("month", list(trends.monthly))
    if whole and len(trends.quarterly) <= most:
        return Periods("quarter", list(trends.quarterly))
    every = yearly(trends.quarterly)
    keep = most if years is None else years
    return Periods("year", every[-keep:], max(0, len(every) - keep) + trends.earlier_years)
