"""The patterns report as one self-contained HTML page with inline SVG charts.

No scripts, no fonts, no external requests: the file can be mailed or attached to a
ticket and opens the same anywhere. Every string from the input goes through
:func:`html.escape` (quotes included), in text and in attributes alike.
"""

from __future__ import annotations

from html import escape

from causemap.patterns.result import Factor, PatternsReport

__all__ = ["MATRIX_COLUMNS", "MATRIX_ROWS", "to_html"]

MATRIX_ROWS = 60
"""Most recent incidents shown in the heat map."""
MATRIX_COLUMNS = 25
"""Leading factors shown in the heat map."""

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:0;
background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px}
.lead{color:#4b5566;margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}
.alert{background:#fff4f2;border:1px solid #f1b5a8;border-radius:6px;padding:10px 14px;margin:8px 0}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e5e8ec;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
svg{background:#fff;border:1px solid #dde1e7;border-radius:6px;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#1d2330}
details{margin:2px 0}summary{cursor:pointer}.muted{color:#6b7482}
"""

_LEVEL_COLOURS = {
    "technical": "#4e79a7",
    "operator": "#76b7b2",
    "process": "#f28e2b",
    "organization": "#e15759",
    "external": "#9c755f",
    "unset": "#bab0ac",
}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _leaderboard_chart(report: PatternsReport, top: int = 15) -> str:
    factors = report.factors[:top]
    if not factors:
        return ""
    most = max(len(f.incidents) for f in factors)
    width, left, row = 900, 330, 22
    height = 30 + row * len(factors)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="Incidents per shared factor">'
    ]
    for i, f in enumerate(factors):
        y = 20 + i * row
        length = (width - left - 80) * len(f.incidents) / most
        colour = _LEVEL_COLOURS.get(f.level or "unset", "#bab0ac")
        parts.append(
            f'<text x="{left - 8}" y="{y + 12}" text-anchor="end">{_e(_short(f.label, 52))}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{row - 6}" fill="{colour}">'
            f"<title>{_e(f.label)}: {len(f.incidents)} incidents, score {f.score:g}</title></rect>"
            f'<text x="{left + length + 6:.1f}" y="{y + 12}">{len(f.incidents)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _listed(items: list[str], total: int) -> str:
    """Items joined by commas, with how many more there are."""
    more = total - len(items)
    return ", ".join(items) + (f" and {more} more" if more > 0 else "")


def _heatmap(report: PatternsReport) -> str:
    factors = report.factors[:MATRIX_COLUMNS]
    if not factors:
        return ""
    incidents = report.incident_list[-MATRIX_ROWS:]
    cells: dict[tuple[str, str], float] = {}
    for f in factors:
        for incident in f.incidents:  # members may be capped: presence at the mean confidence
            cells[incident, f.key] = f.confidence
        for m in f.members:
            cells[m.incident, f.key] = max(cells.get((m.incident, f.key), 0.0), m.confidence)
    cell, left, top = 18, 250, 170
    width = left + cell * len(factors) + 20
    height = top + cell * len(incidents) + 10
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="Incidents by shared factor">'
    ]
    for j, f in enumerate(factors):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({x:.1f},{top - 6}) rotate(-55)">'
            f"{_e(_short(f.label, 30))}</text>"
        )
    for i, inc in enumerate(incidents):
        y = top + i * cell
        parts.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">'
            f"{_e(inc.date)} {_e(_short(inc.id, 24))}</text>"
        )
        for j, f in enumerate(factors):
            found = cells.get((inc.id, f.key))
            fill = "#f1f3f5" if found is None else f"rgba(200,60,40,{0.35 + 0.65 * found:.2f})"
            tip = f"{inc.id} × {f.label}" + (f": confidence {found:.2f}" if found else ": absent")
            parts.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{fill}"><title>{_e(tip)}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _trend_chart(report: PatternsReport) -> str:
    buckets = report.trends.quarterly
    if not buckets:
        return ""
    leaders = list(buckets[0].factors)
    names = {f.key: f.label for f in report.factors}
    col, left, bar_h, row = 34, 250, 90, 18
    width = left + col * len(buckets) + 20
    height = bar_h + 40 + row * len(leaders) + 10
    most = max(b.incidents for b in buckets) or 1
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="Incidents and leading factors by quarter">'
        f'<text x="{left - 8}" y="{bar_h / 2}" text-anchor="end">incidents per quarter</text>'
    ]
    for k, b in enumerate(buckets):
        x = left + k * col
        h = bar_h * b.incidents / most
        parts.append(
            f'<rect x="{x}" y="{10 + bar_h - h:.1f}" width="{col - 6}" height="{h:.1f}" '
            f'fill="#8a96a8"><title>{_e(b.period)}: {b.incidents} incidents</title></rect>'
        )
        if k % max(1, len(buckets) // 12) == 0:
            parts.append(f'<text x="{x}" y="{bar_h + 26}">{_e(b.period)}</text>')
    for r, key in enumerate(leaders):
        y = bar_h + 40 + r * row
        parts.append(
            f'<text x="{left - 8}" y="{y + 12}" text-anchor="end">'
            f"{_e(_short(names.get(key, key), 40))}</text>"
        )
        for k, b in enumerate(buckets):
            count = b.factors.get(key, 0)
            share = count / b.incidents if b.incidents else 0.0
            fill = "#f1f3f5" if not count else f"rgba(200,60,40,{0.25 + 0.75 * share:.2f})"
            parts.append(
                f'<rect x="{left + k * col}" y="{y}" width="{col - 6}" height="{row - 4}" '
                f'fill="{fill}"><title>{_e(b.period)}: {count} of {b.incidents} incidents'
                "</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _levels_chart(report: PatternsReport) -> str:
    levels = report.trends.levels
    total = sum(levels.values())
    if not total:
        return ""
    width, height, x = 900, 46, 0.0
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="Shared-factor occurrences by level">'
    ]
    for level, count in levels.items():
        w = width * count / total
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="{w:.1f}" height="22" '
            f'fill="{_LEVEL_COLOURS.get(level, "#bab0ac")}"><title>{_e(level)}: {count}</title>'
            f'</rect><text x="{x + 4:.1f}" y="40">{_e(level)} {100 * count / total:.0f}%</text>'
        )
        x += w
    parts.append("</svg>")
    return "".join(parts)


def _factor_rows(factors: list[Factor], report: PatternsReport) -> str:
    rows = []
    for rank, f in enumerate(factors, 1):
        members = "".join(
            f"<li>{_e(m.incident)}: {_e(m.label)} "
            f'<span class="muted">({_e(m.layer)}, {m.confidence:.2f}: {_e(m.reason)})</span></li>'
            for m in f.members
        )
        hidden = f.member_count - len(f.members)
        more = f'<li class="muted">… and {hidden} in older incidents</li>' if hidden else ""
        rows.append(
            f"<tr><td class=n>{rank}</td><td><b>{_e(f.label)}</b><br>"
            f'<span class="muted">{_e(f.key)}</span>'
            f"<details><summary>{f.member_count} nodes</summary><ul>{members}{more}</ul>"
            "</details></td>"
            f"<td class=n>{len(f.incidents)}</td><td class=n>{f.score:g}</td>"
            f"<td>{_e(f.first_seen)}<br>{_e(f.last_seen)}</td><td>{_e(f.level or '-')}</td>"
            f"<td>{_e(f.typical_class or '-')}</td>"
            f"<td class=n>{f.actions.open} / {f.actions.done}</td>"
            f"<td class=n>{f.confidence:.2f}</td></tr>"
        )
    return "".join(rows)


def to_html(report: PatternsReport, title: str = "Cross-incident patterns") -> str:
    """Return the report as one self-contained HTML document."""
    m = report.matched
    cards = [
        ("incidents", report.incidents),
        ("shared factors", len(report.factors)),
        ("fixes that did not hold", len(report.recurring_after_fix)),
        ("nodes matched", m["key"] + m["catalog"] + m["cluster"]),
    ]
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="lead">{report.incidents} incidents'
        + (f" since {_e(report.since)}" if report.since else "")
        + f". Nodes matched by factor key: {m['key']}, by the catalog ({_e(report.catalog)}): "
        f"{m['catalog']}, by similarity: {m['cluster']}.</p>",
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{v}</b>{_e(k)}</div>' for k, v in cards)
        + "</div>",
    ]
    if report.recurring_after_fix:
        body.append("<h2>Fixes that did not hold</h2>")
        for r in report.recurring_after_fix:
            body.append(
                f'<div class="alert"><b>{_e(r.factor)}</b>: “{_e(r.title)}” ({_e(r.fixed_in)}, '
                f"done {_e(r.closed)}), yet the factor came back in "
                f"{_e(_listed(r.recurred_in, r.recurrences))}.</div>"
            )
    body += [
        "<h2>Shared factors</h2>",
        '<p class="muted">Incidents per factor; colour is the usual level.</p>',
        _leaderboard_chart(report) or "<p>No factor appears in two or more incidents.</p>",
        "<table><tr><th>#</th><th>factor</th><th>incidents</th><th>score</th>"
        "<th>first / last seen</th><th>level</th><th>class</th><th>actions open / done</th>"
        "<th>confidence</th></tr>",
        _factor_rows(report.factors, report),
        "</table>",
    ]
    heat = _heatmap(report)
    if heat:
        shown = min(MATRIX_ROWS, len(report.incident_list))
        body += [
            "<h2>Incidents × factors</h2>",
            f'<p class="muted">The {shown} most recent incidents and the leading factors; '
            "darker means a more confident match.</p>",
            heat,
        ]
    trend = _trend_chart(report)
    if trend:
        body += [
            "<h2>Trends</h2>",
            '<p class="muted">Incidents per quarter, and the share of them that contain each '
            "leading factor.</p>",
            trend,
        ]
    levels = _levels_chart(report)
    if levels:
        body += ["<h2>Levels</h2>", levels]
    body.append("<h2>Recurring causal links</h2>")
    if report.links:
        body.append(
            "<table><tr><th>upstream</th><th></th><th>downstream</th><th>incidents</th></tr>"
        )
        body += [
            f"<tr><td>{_e(lk.source)}</td><td>→</td><td>{_e(lk.target)}</td>"
            f"<td>{_e(', '.join(lk.incidents))}</td></tr>"
            for lk in report.links
        ]
        body.append("</table>")
    else:
        body.append("<p>None: no factor is upstream of another in two or more incidents.</p>")
    body.append("<h2>Factors that occur together</h2>")
    if report.cooccurrence:
        body.append("<table><tr><th>factor</th><th>factor</th><th>incidents</th><th>lift</th></tr>")
        body += [
            f"<tr><td>{_e(c.a)}</td><td>{_e(c.b)}</td><td class=n>{len(c.incidents)}</td>"
            f"<td class=n>{c.lift:.2f}</td></tr>"
            for c in report.cooccurrence
        ]
        body.append("</table>")
    else:
        body.append("<p>None above chance.</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        + "\n".join(body)
        + "</main></body></html>\n"
    )
