"""The patterns report as plain text for a terminal, and as Markdown."""

from __future__ import annotations

from causemap.counts import counted
from causemap.patterns.result import PatternsReport

__all__ = ["to_markdown", "to_text"]


def _listed(items: list[str], total: int) -> str:
    """Items joined by commas, with how many more there are."""
    more = total - len(items)
    return ", ".join(items) + (f" and {more} more" if more > 0 else "")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def _one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def to_text(report: PatternsReport, top: int = 20) -> str:
    """Return a terminal summary: the leaderboard, then links, co-occurrence, recurrences."""
    m = report.matched
    size = f"{counted(report.incidents, 'incident')}, {counted(report.nodes, 'node')}"
    lines = [
        f"{size}; matched {m['key']} by key, "
        f"{m['catalog']} by catalog, {m['cluster']} by similarity "
        f"(catalog: {report.catalog})" + (f"; since {report.since}" if report.since else ""),
        "",
        f"Shared factors ({len(report.factors)}):",
    ]
    if not report.factors:
        lines.append("  none: no factor appears in two or more incidents")
    for rank, f in enumerate(report.factors[:top], 1):
        lines.append(
            f"{rank:>3}. {_one_line(f.label, 60)} [{f.key}]\n"
            f"     {len(f.incidents)} incidents ({_pct(len(f.incidents), report.incidents)}), "
            f"score {f.score:g}, {f.first_seen} .. {f.last_seen}, level {f.level or '-'}, "
            f"{f.typical_class or 'class unknown'}; actions {f.actions.open} open / "
            f"{f.actions.done} done; confidence {f.confidence:.2f}"
        )
    if len(report.factors) > top:
        lines.append(f"     … and {len(report.factors) - top} more (use --format json for all)")
    if report.recurring_after_fix:
        lines += ["", "Remediated but recurring:"]
        for r in report.recurring_after_fix[:top]:
            lines.append(
                f"  {r.factor}: action '{r.action}' of {r.fixed_in} done {r.closed}, "
                f"then seen again in {_listed(r.recurred_in, r.recurrences)}"
            )
    if report.links:
        lines += ["", "Recurring causal links (upstream → downstream):"]
        for link in report.links[:top]:
            lines.append(f"  {link.source} → {link.target}: {len(link.incidents)} incidents")
    if report.cooccurrence:
        lines += ["", "Factors that occur together:"]
        for c in report.cooccurrence[:top]:
            lines.append(f"  {c.a} + {c.b}: {len(c.incidents)} incidents, lift {c.lift:.2f}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape text for a Markdown table cell."""
    out = " ".join(text.split()).replace("\\", "\\\\")
    for ch in "|*_`[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out


def to_markdown(report: PatternsReport, top: int = 50) -> str:
    """Return the report as GitHub-flavoured Markdown."""
    m = report.matched
    size = f"{counted(report.incidents, 'incident')}, {counted(report.nodes, 'node')}"
    out = [
        "# Cross-incident patterns",
        "",
        f"{size}. Matched {m['key']} nodes by "
        f"factor key, {m['catalog']} by the catalog ({_md(report.catalog)}), {m['cluster']} by "
        "similarity." + (f" Incidents since {report.since}." if report.since else ""),
        "",
        "## Shared factors",
        "",
    ]
    if report.factors:
        out += [
            "| # | factor | incidents | score | first seen | last seen | level | class "
            "| actions open / done | confidence |",
            "|---:|---|---:|---:|---|---|---|---|---|---:|",
        ]
        for rank, f in enumerate(report.factors[:top], 1):
            out.append(
                f"| {rank} | {_md(f.label)} (`{f.key}`) | {len(f.incidents)} | {f.score:g} | "
                f"{f.first_seen} | {f.last_seen} | {f.level or '-'} | {f.typical_class or '-'} | "
                f"{f.actions.open} / {f.actions.done} | {f.confidence:.2f} |"
            )
    else:
        out.append("No factor appears in two or more incidents.")
    sections = [
        (
            "Remediated but recurring",
            ["factor", "fixed in", "action", "done", "seen again in"],
            [
                [
                    r.factor,
                    r.fixed_in,
                    _md(r.title),
                    str(r.closed),
                    _listed(r.recurred_in, r.recurrences),
                ]
                for r in report.recurring_after_fix
            ],
        ),
        (
            "Recurring causal links",
            ["upstream", "downstream", "incidents"],
            [[lk.source, lk.target, str(len(lk.incidents))] for lk in report.links],
        ),
        (
            "Co-occurrence",
            ["factor", "factor", "incidents", "lift"],
            [[c.a, c.b, str(len(c.incidents)), f"{c.lift:.2f}"] for c in report.cooccurrence],
        ),
    ]
    for title, head, rows in sections:
        out += ["", f"## {title}", ""]
        if not rows:
            out.append("None.")
            continue
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(row) + " |" for row in rows[:top]]
    out += ["", "## Trends by quarter", "", "| quarter | incidents |", "|---|---:|"]
    out += [f"| {b.period} | {b.incidents} |" for b in report.trends.quarterly]
    out += ["", "## Levels", "", "| level | occurrences |", "|---|---:|"]
    out += [f"| {level} | {count} |" for level, count in report.trends.levels.items()]
    return "\n".join(out) + "\n"
