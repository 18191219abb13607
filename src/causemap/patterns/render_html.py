"""The patterns report as one self-contained HTML page with inline SVG charts.

No scripts, no fonts, no external requests: the file can be mailed or attached to a
ticket and opens the same anywhere. Every string from the input goes through
:func:`~causemap.patterns.present.html_text` (escaped, quotes included, and without
bidirectional control marks), in text and in attributes alike.

The page opens with the figures and the leaderboard; fixes that did not hold follow
(linked from the top), then trends, levels, the heat map, links and co-occurrence. Long
lists show their first rows and say how many more the JSON report holds. The trends and
the heat map fold their numbers as a table under the chart: to a screen reader a chart
is one image, its name.
"""

from __future__ import annotations

from causemap.counts import counted
from causemap.patterns import charts
from causemap.patterns.charts import MATRIX_COLUMNS, MATRIX_ROWS, TREND_COLUMNS
from causemap.patterns.present import factor_names, listed, more, one_line, periods
from causemap.patterns.present import html_text as _e
from causemap.patterns.result import Factor, PatternsReport

__all__ = ["FIXES_SHOWN", "MATRIX_COLUMNS", "MATRIX_ROWS", "ROWS_SHOWN", "to_html"]

ROWS_SHOWN = 50
"""Most rows of the leaderboard, links and co-occurrence tables (as in Markdown)."""
FIXES_SHOWN = 20
"""Most fixes that did not hold listed, those with the most recurrences first."""
_LISTED = 10
"""Most incident ids listed in one cell."""

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:0;
background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px;overflow-wrap:anywhere}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px}
a{color:#1f5fa8}
.lead{color:#4b5566;margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;min-width:120px;
color:inherit;text-decoration:none}
.card b{display:block;font-size:22px}
a.card.alert{background:#fff4f2;border-color:#f1b5a8}a.card:hover{border-color:#1f5fa8}
nav{margin:16px 0 0;color:#4b5566}nav a{margin-right:14px;white-space:nowrap}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e5e8ec;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600;overflow-wrap:normal}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.k,.d{white-space:nowrap;overflow-wrap:normal}.d{font-variant-numeric:tabular-nums}
td.f{min-width:12em}table.pairs td.f{width:30%}table.two td.f{width:40%}.wide{overflow-x:auto}
table.fixes td.f{width:25%}table.fixes td.a{width:30%}
svg{display:block;background:#fff;border:1px solid #dde1e7;border-radius:6px;height:auto;
margin:8px 0}.chart{overflow-x:auto}
@media print{body{background:#fff;font-size:12px}main{padding:0}th,td{padding:4px 5px}
td.f{min-width:8em}.wide,.chart{overflow:visible}
svg{width:auto;max-width:100%;max-height:85vh;box-sizing:border-box}
h2,p.muted{break-after:avoid}}
svg text{font:11px system-ui,sans-serif;fill:#1d2330}
details{margin:2px 0}summary{cursor:pointer}.muted{color:#5f6877}
p.more{color:#4b5566;margin:6px 0 0}
"""

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


def _words(text: str) -> str:
    """Someone's words on one line, escaped and isolated: an Arabic or Hebrew label must
    not carry the number or punctuation after it to its other side."""
    return f"<bdi>{_e(one_line(text))}</bdi>"


def _named(key: str, names: dict[str, str]) -> str:
    """A factor's label, with its key below in grey."""
    label = names.get(key)
    if label is None:
        return f"<b>{_e(key)}</b>"
    return f'{_words(label)}<br><span class="muted">{_e(key)}</span>'


def _chart(svg: str) -> str:
    """A chart at its own size, scrolling sideways on a narrow screen rather than shrunk
    until its text cannot be read; printed, it is shrunk to the page."""
    return f'<div class="chart">{svg}</div>' if svg else ""


def _numbers(name: str, heads: tuple[str, ...], rows: list[str]) -> str:
    """A chart's numbers as a table, folded under the chart: the chart is one image to a
    screen reader, and a reader may want the figures."""
    head = "".join(f"<th>{_e(h)}</th>" for h in heads)
    return (
        f"<details><summary>{_e(name)}, as a table</summary>"
        f'<div class="wide"><table aria-label="{_e(name)}"><tr>{head}</tr>'
        + "".join(rows)
        + "</table></div></details>"
    )


def _matrix_numbers(report: PatternsReport) -> str:
    incidents, cells = charts.matrix(report)
    rows = []
    for inc in incidents:
        found = [
            f"{_words(f.label)} ({cells[inc.id, f.key]:.2f})"
            for f in report.factors[:MATRIX_COLUMNS]
            if (inc.id, f.key) in cells
        ]
        rows.append(
            f'<tr><td class="d">{_e(inc.date)}</td><td>{_e(inc.id)}<br>'
            f'<span class="muted">{_words(inc.title)}</span></td>'
            f"<td>{'; '.join(found) or '-'}</td></tr>"
        )
    return _numbers(
        "Incidents by shared factor", ("date", "incident", "factors (match confidence)"), rows
    )


def _trend_numbers(report: PatternsReport, names: dict[str, str]) -> str:
    shown = periods(report, TREND_COLUMNS)
    rows = [
        f'<tr><td class="d">{_e(b.period)}</td><td class=n>{b.incidents}</td><td>'
        + ("; ".join(f"{_words(names.get(k, k))}: {n}" for k, n in b.factors.items() if n) or "-")
        + "</td></tr>"
        for b in shown.buckets
    ]
    return _numbers(
        f"Incidents and leading factors by {shown.unit}",
        (shown.unit, "incidents", "incidents with each leading factor"),
        rows,
    )


_ALL = "the JSON report, --format json, lists all"


def _more(total: int, shown: int) -> str:
    line = more(total, shown, _ALL)
    return f'<p class="more">{_e(line)}</p>' if line else ""


def _matrix_more(report: PatternsReport) -> str:
    """What the heat map and its table leave out, older incidents and further factors, as
    every list cut short says (the JSON report's factors list all their incidents)."""
    older = len(report.incident_list) - MATRIX_ROWS
    further = len(report.factors) - MATRIX_COLUMNS
    left = [
        *([counted(older, "older incident")] if older > 0 else []),
        *([counted(further, "more factor")] if further > 0 else []),
    ]
    line = f"… and {' and '.join(left)} ({_ALL})"
    return f'<p class="more">{_e(line)}</p>' if left else ""


def _factor_rows(factors: list[Factor]) -> str:
    rows = []
    for rank, f in enumerate(factors, 1):
        members = "".join(
            f"<li>{_e(m.incident)}: {_words(m.label)} "
            f'<span class="muted">({_e(m.layer)}, {m.confidence:.2f}: {_e(m.reason)})</span></li>'
            for m in f.members
        )
        hidden = f.member_count - len(f.members)
        extra = f'<li class="muted">… and {hidden} in older incidents</li>' if hidden else ""
        rows.append(
            f'<tr><td class=n>{rank}</td><td class="f"><b>{_words(f.label)}</b>'
            f'<details><summary><span class="muted">{_e(f.key)}</span> · {f.member_count} '
            f"nodes</summary><ul>{members}{extra}</ul></details></td>"
            f"<td class=n>{len(f.incidents)}</td><td class=n>{f.score:g}</td>"
            f'<td><span class="d">{_e(f.first_seen)}</span><br>'
            f'<span class="d">{_e(f.last_seen)}</span></td><td class=k>{_e(f.level or "-")}</td>'
            f"<td class=k>{_e(f.typical_class or '-')}</td>"
            f"<td class=n>{f.actions.open} / {f.actions.done}</td>"
            f"<td class=n>{f.confidence:.2f}</td></tr>"
        )
    return "".join(rows)


def _factors(report: PatternsReport, top: int) -> list[str]:
    chart = charts.leaderboard(report)
    if not chart:
        return ["<p>No factor appears in two or more incidents.</p>"]
    shown = min(15, len(report.factors))
    return [
        f'<p class="muted">Incidents per factor, the {shown} leading factors; colour is the '
        "usual level.</p>",
        _chart(chart),
        '<div class="wide"><table><tr><th>#</th><th>factor</th><th>incidents</th><th>score</th>'
        "<th>first / last seen</th><th>level</th><th>class</th><th>actions open / done</th>"
        "<th>confidence</th></tr>",
        _factor_rows(report.factors[:top]),
        "</table></div>",
        _more(len(report.factors), top),
    ]


def _fixes(report: PatternsReport, names: dict[str, str]) -> list[str]:
    fixes = report.recurring_after_fix
    rows = [
        f'<tr><td class="f">{_named(r.factor, names)}</td>'
        f'<td class="a">{_words(r.title)}<br>'
        f'<span class="muted">{_e(r.action)} of {_e(r.fixed_in)}</span></td>'
        f'<td class="d">{_e(r.closed)}</td><td class=n>{r.recurrences}</td>'
        f"<td>{_e(listed(r.recurred_in, r.recurrences))}</td></tr>"
        for r in fixes[:FIXES_SHOWN]
    ]
    return [
        '<p class="muted">An action addressing the factor was done, and a later incident '
        "contains the factor again; the most recurrences first.</p>",
        '<div class="wide"><table class="fixes"><tr><th>factor</th><th>action</th>'
        "<th>done</th><th>came back</th><th>in incidents</th></tr>",
        *rows,
        "</table></div>",
        _more(len(fixes), FIXES_SHOWN),
    ]


def _pairs(report: PatternsReport, names: dict[str, str], top: int) -> list[str]:
    out = ['<h2 id="links">Recurring causal links</h2>']
    if report.links:
        out.append(
            '<div class="wide"><table class="pairs"><tr><th>upstream</th><th></th>'
            "<th>downstream</th><th>incidents</th><th></th></tr>"
        )
        out += [
            f'<tr><td class="f">{_named(lk.source, names)}</td><td>→</td>'
            f'<td class="f">{_named(lk.target, names)}</td>'
            f"<td class=n>{len(lk.incidents)}</td>"
            f"<td>{_e(listed(lk.incidents[:_LISTED], len(lk.incidents)))}</td></tr>"
            for lk in report.links[:top]
        ]
        out += ["</table></div>", _more(len(report.links), top)]
    else:
        out.append("<p>None: no factor is upstream of another in two or more incidents.</p>")
    out.append('<h2 id="together">Factors that occur together</h2>')
    if report.cooccurrence:
        out.append(
            '<div class="wide"><table class="pairs two"><tr><th>factor</th><th>factor</th>'
            "<th>incidents</th><th>lift</th></tr>"
        )
        out += [
            f'<tr><td class="f">{_named(c.a, names)}</td><td class="f">{_named(c.b, names)}</td>'
            f"<td class=n>{len(c.incidents)}</td><td class=n>{c.lift:.2f}</td></tr>"
            for c in report.cooccurrence[:top]
        ]
        out += ["</table></div>", _more(len(report.cooccurrence), top)]
    else:
        out.append("<p>None above chance.</p>")
    return out


def to_html(
    report: PatternsReport, title: str = "Cross-incident patterns", *, top: int = ROWS_SHOWN
) -> str:
    """Return the report as one self-contained HTML document; the leaderboard, links and
    co-occurrence tables show their first ``top`` rows."""
    m = report.matched
    names = factor_names(report)
    fixes = len(report.recurring_after_fix)
    dates = sorted({i.date for i in report.incident_list})
    span = f", {dates[0]} to {dates[-1]}" if len(dates) > 1 else f", on {dates[0]}" if dates else ""
    cards = "".join(
        f'<div class="card"><b>{v:,}</b>{_e(k)}</div>'
        for k, v in (
            ("incidents", report.incidents),
            ("shared factors", len(report.factors)),
            ("nodes matched", m["key"] + m["catalog"] + m["cluster"]),
        )
    )
    if fixes:
        cards += f'<a class="card alert" href="#fixes"><b>{fixes:,}</b>fixes that did not hold</a>'
    sections = [
        ("factors", "Shared factors"),
        *([("fixes", f"Fixes that did not hold ({fixes})")] if fixes else []),
        ("trends", "Trends"),
        ("levels", "Levels"),
        ("matrix", "Incidents × factors"),
        ("links", "Recurring causal links"),
        ("together", "Factors that occur together"),
    ]
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="lead">{counted(report.incidents, "incident")}{span}'
        + (f" (since {_e(report.since)})" if report.since else "")
        + f". Nodes matched by factor key: {m['key']:,}, by the catalog ({_e(report.catalog)}): "
        f"{m['catalog']:,}, by similarity: {m['cluster']:,}.</p>",
        f'<div class="cards">{cards}</div>',
        "<nav>"
        + "".join(f'<a href="#{ident}">{_e(name)}</a>' for ident, name in sections)
        + "</nav>",
        '<h2 id="factors">Shared factors</h2>',
        *_factors(report, top),
    ]
    if fixes:
        body += ['<h2 id="fixes">Fixes that did not hold</h2>', *_fixes(report, names)]
    body.append('<h2 id="trends">Trends</h2>')
    trend = charts.trends(report)
    body += (
        [
            '<p class="muted">Incidents per period on the left axis'
            + (
                "; below, the share of each period's incidents that contain each leading "
                "factor.</p>"
                if report.factors
                else " (no factor is shared, so there is no share to draw).</p>"
            ),
            _chart(trend),
            _trend_numbers(report, names),
        ]
        if trend
        else ["<p>No incidents.</p>"]
    )
    body += ['<h2 id="levels">Levels</h2>', _chart(charts.levels(report)) or "<p>None.</p>"]
    body.append('<h2 id="matrix">Incidents × factors</h2>')
    heat = charts.heatmap(report)
    if heat:
        rows = min(MATRIX_ROWS, len(report.incident_list))
        columns = min(MATRIX_COLUMNS, len(report.factors))
        body += [
            f'<p class="muted">The {rows} most recent incidents and the {columns} leading '
            "factors; darker means a more confident match.</p>",
            _chart(heat),
            _matrix_numbers(report),
            _matrix_more(report),
        ]
    else:
        body.append("<p>None.</p>")
    body += _pairs(report, names, top)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        + "\n".join(part for part in body if part)
        + "</main></body></html>\n"
    )
