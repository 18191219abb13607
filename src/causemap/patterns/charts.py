"""The inline SVG charts of the HTML patterns report.

Every chart is at most :data:`WIDTH` pixels wide, the width of the report's column, so
its 11 px text is drawn at 11 px and never scaled down on a desktop screen. Text widths
are estimated by :func:`~causemap.patterns.svgtext.text_width`, which errs wide, and
labels are cut to the room they have; one that reads right to left is drawn so.
Every string from the input goes through :func:`~causemap.patterns.present.html_text`,
and the output depends on the report alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from causemap.counts import counted
from causemap.patterns.present import by_level, factor_names, one_line, periods
from causemap.patterns.present import html_text as _e
from causemap.patterns.result import IncidentRef, PatternsReport
from causemap.patterns.svgtext import fit, isolate, right_to_left, text_width

__all__ = [
    "EMPTY",
    "LEVEL_COLOURS",
    "MATRIX_COLUMNS",
    "MATRIX_ROWS",
    "TREND_COLUMNS",
    "WIDTH",
    "heatmap",
    "leaderboard",
    "legend",
    "levels",
    "matrix",
    "nice_ticks",
    "trends",
]

WIDTH = 1096
"""Widest chart, in pixels: the report's 1100 px column less the chart's border."""
MATRIX_ROWS = 60
"""Most recent incidents shown in the heat map."""
MATRIX_COLUMNS = 25
"""Leading factors shown in the heat map."""
TREND_COLUMNS = 40
"""Most periods in the trend chart: months if they fit, else quarters, else years."""

LEVEL_COLOURS = {
    "technical": "#4e79a7",
    "operator": "#3d8a84",
    "process": "#c8620a",
    "organization": "#e15759",
    "external": "#9c755f",
    "unset": "#8a817c",
}
EMPTY = "#f1f3f5"
"""An empty heat-map or trend cell."""
_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
_HEAD = 200
"""Most pixels of a heat-map column head."""


def _svg(width: float, height: float, label: str, body: Sequence[str]) -> str:
    return (
        f'<svg viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="{_e(label)}">' + "".join(body) + "</svg>"
    )


def _label(text: str, room: float, where: str, anchor: str = "start") -> str:
    """``<text {where}>`` and ``text`` cut to ``room`` pixels, left open for a ``<title>``;
    a label that reads right to left is laid out so, anchored on the same side."""
    label = fit(text, room)
    if right_to_left(label):
        where += f' direction="rtl" text-anchor="{"start" if anchor == "end" else "end"}"'
    elif anchor != "start":
        where += f' text-anchor="{anchor}"'
    return f"<text {where}>{_e(label)}"


def _heat(share: float) -> str:
    """The red of the heat map and trend cells, opaque on white: stronger for more."""
    return f"rgba(200,60,40,{0.3 + 0.7 * share:.2f})"


def _cell(share: float | None) -> str:
    """A heat-map or trend cell's paint: :data:`EMPTY` when absent (None), else its red
    with an edge in the full red, which keeps WCAG 1.4.11's 3:1 against the page and an
    empty cell however pale the fill (the palest is 1.6:1)."""
    if share is None:
        return f'fill="{EMPTY}"'
    return f'fill="{_heat(share)}" {_EDGE}'


_EDGE = 'stroke="#c83c28" stroke-width="1"'


def legend(
    items: Sequence[tuple[str, str]], y: float, width: float = WIDTH, *, cells: bool = False
) -> tuple[str, float]:
    """Swatches with their words, left to right from ``y``, wrapping at ``width``; returns
    the SVG and the height used. ``cells``: the swatches other than :data:`EMPTY` have the
    heat cells' edge, as the cells they explain do.

    Examples
    --------
    >>> svg, height = legend([("#000", "one"), ("#fff", "two")], 0)
    >>> svg.count("<rect"), height
    (2, 18)
    """
    parts, x, row = [], 8.0, 0
    for colour, words in items:
        step = 12 + 5 + text_width(words) + 16
        if x > 8 and x + step > width:
            x, row = 8.0, row + 1
        top = y + row * 18
        edge = _EDGE if cells and colour != EMPTY else 'stroke="#9aa3ae" stroke-width="0.5"'
        parts.append(
            f'<rect x="{x:.1f}" y="{top + 3:.0f}" width="12" height="12" fill="{colour}" {edge}/>'
            f'<text x="{x + 17:.1f}" y="{top + 13:.0f}">{_e(words)}</text>'
        )
        x += step
    return "".join(parts), 18 * (row + 1) if items else 0


def leaderboard(report: PatternsReport, top: int = 15) -> str:
    """Incidents per leading factor as horizontal bars coloured by level, with a legend."""
    factors = report.factors[:top]
    if not factors:
        return ""
    most = max(len(f.incidents) for f in factors)
    left, row = 340, 22
    span = WIDTH - left - 50
    parts = []
    for i, f in enumerate(factors):
        y = 10 + i * row
        length = span * len(f.incidents) / most
        colour = LEVEL_COLOURS.get(f.level or "unset", LEVEL_COLOURS["unset"])
        parts.append(
            _label(f.label, left - 12, f'x="{left - 8}" y="{y + 12}"', "end")
            + f"<title>{_e(one_line(f.label))}</title></text>"
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{row - 6}" fill="{colour}">'
            f"<title>{isolate(_e(one_line(f.label)))}: {counted(len(f.incidents), 'incident')}, "
            f"score {f.score:g}"
            "</title></rect>"
            f'<text x="{left + length + 6:.1f}" y="{y + 12}">{len(f.incidents)}</text>'
        )
    used = by_level(dict.fromkeys({f.level or "unset" for f in factors}, 0))
    key, height = legend(
        [(LEVEL_COLOURS.get(lv, LEVEL_COLOURS["unset"]), lv) for lv, _ in used],
        16 + row * len(factors),
    )
    return _svg(
        WIDTH, 24 + row * len(factors) + height, "Incidents per shared factor", [*parts, key]
    )


def matrix(report: PatternsReport) -> tuple[list[IncidentRef], dict[tuple[str, str], float]]:
    """The heat map's rows, the :data:`MATRIX_ROWS` most recent incidents, and its cells:
    (incident id, factor key) → the incident's best match confidence, for the
    :data:`MATRIX_COLUMNS` leading factors; an absent pair has no cell.

    The confidences are the factor's own per incident, not its members': the members
    listed are capped, and a cell whose members were cut showed the factor's mean."""
    cells: dict[tuple[str, str], float] = {}
    for f in report.factors[:MATRIX_COLUMNS]:
        for incident, confidence in zip(f.incidents, f.confidences, strict=True):
            cells[incident, f.key] = confidence
    return report.incident_list[-MATRIX_ROWS:], cells


def heatmap(report: PatternsReport) -> str:
    """The most recent incidents × the leading factors; darker is a more confident match."""
    factors = report.factors[:MATRIX_COLUMNS]
    if not factors:
        return ""
    incidents, cells = matrix(report)
    heads = [fit(f.label, _HEAD) for f in factors]
    longest = max(text_width(h) for h in heads)
    # Column heads are turned 55° up and to the right, from the middle of their column.
    rise, reach = longest * math.sin(math.radians(55)), longest * math.cos(math.radians(55))
    cell, left, top = 18, 250, math.ceil(rise) + 24
    width = left + cell * (len(factors) - 0.5) + reach + 16
    bottom = top + cell * len(incidents)
    parts = []
    for j, (f, head) in enumerate(zip(factors, heads, strict=True)):
        x = left + j * cell + cell / 2
        parts.append(
            _label(head, _HEAD, f'transform="translate({x:.1f},{top - 6}) rotate(-55)"')
            + f"<title>{_e(one_line(f.label))}</title></text>"
        )
    for i, inc in enumerate(incidents):
        y = top + i * cell
        parts.append(
            _label(f"{inc.date} {inc.id}", left - 10, f'x="{left - 6}" y="{y + 13}"', "end")
            + f"<title>{_e(one_line(inc.title))}</title>"
            "</text>"
        )
        for j, f in enumerate(factors):
            found = cells.get((inc.id, f.key))
            tip = f"{_e(inc.id)} × {isolate(_e(one_line(f.label)))}" + (
                f": confidence {found:.2f}" if found is not None else ": absent"
            )
            parts.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f"{_cell(found)}><title>{tip}</title></rect>"
            )
    parts.append(f'<text x="8" y="{bottom + 21}">match confidence:</text>')
    key, height = legend(
        [(EMPTY, "absent"), *((_heat(c), f"{c:g}") for c in (0.25, 0.5, 0.75, 1.0))],
        bottom + 8,
        width - 120,
        cells=True,
    )
    parts.append(f'<g transform="translate(120,0)">{key}</g>')
    return _svg(max(width, 480), bottom + 14 + height, "Incidents by shared factor", parts)


def nice_ticks(most: int, count: int = 4) -> list[int]:
    """Round values from 0 up to at least ``most`` for a value axis: about ``count`` steps of
    1, 2 or 5 times a power of ten.

    Examples
    --------
    >>> nice_ticks(9), nice_ticks(92), nice_ticks(3), nice_ticks(0)
    ([0, 5, 10], [0, 25, 50, 75, 100], [0, 1, 2, 3], [0, 1])
    """
    most = max(most, 1)
    raw = most / count
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    steps = [power, 2 * power, *([power * 5 // 2] if power >= 10 else []), 5 * power, 10 * power]
    step = next(s for s in steps if s >= raw)
    return list(range(0, math.ceil(most / step) * step + 1, step))


def _label_every(unit: str, column: float, label: float) -> int:
    """Label one period in how many, so that labels do not collide: a divisor or a
    multiple of the periods in a year, so that the labelled ones start years."""
    raw = math.ceil((label + 8) / column)
    per_year = _PER_YEAR[unit]
    steps = [d for d in range(1, per_year + 1) if per_year % d == 0]
    steps += [per_year * k for k in (2, 5, 10, 20, 50, 100)]
    return next((s for s in steps if s >= raw), raw)


def _ordinal(unit: str, period: str) -> int:
    year = int(period[:4])
    if unit == "month":
        return year * 12 + int(period[5:7]) - 1
    if unit == "quarter":
        return year * 4 + int(period[-1]) - 1
    return year


def trends(report: PatternsReport) -> str:
    """Incidents per period (months, quarters or years, whichever fit) on a value axis,
    and below, the share of each period's incidents that contain each leading factor."""
    shown = periods(report, TREND_COLUMNS)
    unit, buckets = shown.unit, shown.buckets
    if not buckets:
        return ""
    leaders = list(buckets[0].factors)
    names = factor_names(report)
    left, bars, row, top = 250, 110, 18, 16
    column = min(48.0, (WIDTH - left - 16) / len(buckets))
    gap = max(1.0, column * 0.2)
    ticks = nice_ticks(max(b.incidents for b in buckets))
    scale = bars / ticks[-1]
    base = top + bars
    parts = [
        f'<text x="{left - 44}" y="{top + bars / 2 + 4:.0f}" text-anchor="end">'
        f"incidents per {unit}</text>"
        + (
            f'<text x="{left - 44}" y="{top + bars / 2 + 20:.0f}" text-anchor="end">'
            f"({shown.span()})</text>"
            if shown.earlier
            else ""
        )
    ]
    for tick in ticks:
        y = base - tick * scale
        parts.append(
            f'<line x1="{left - 4}" x2="{left + column * len(buckets):.1f}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="{"#9aa3ae" if tick == 0 else "#e5e8ec"}" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    every = _label_every(unit, column, max(text_width(b.period) for b in buckets))
    for k, b in enumerate(buckets):
        x = left + k * column + gap / 2
        h = b.incidents * scale
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{column - gap:.1f}" height="{h:.1f}" '
            f'fill="#8a96a8"><title>{_e(b.period)}: {counted(b.incidents, "incident")}'
            "</title></rect>"
        )
        if b.incidents and text_width(str(b.incidents)) <= column - 2:
            parts.append(
                f'<text x="{x + (column - gap) / 2:.1f}" y="{base - h - 3:.1f}" '
                f'text-anchor="middle">{b.incidents}</text>'
            )
        if _ordinal(unit, b.period) % every == 0:
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}" stroke="#9aa3ae"/>'
                f'<text x="{x:.1f}" y="{base + 16}">{_e(b.period)}</text>'
            )
    strip = base + 30
    for r, key in enumerate(leaders):
        y = strip + r * row
        parts.append(
            _label(names.get(key, key), left - 12, f'x="{left - 8}" y="{y + 12}"', "end")
            + f"<title>{_e(one_line(names.get(key, key)))}"
            "</title></text>"
        )
        for k, b in enumerate(buckets):
            count = b.factors.get(key, 0)
            share = count / b.incidents if b.incidents else 0.0
            parts.append(
                f'<rect x="{left + k * column + gap / 2:.1f}" y="{y}" width="{column - gap:.1f}" '
                f'height="{row - 4}" {_cell(share if count else None)}>'
                f"<title>{_e(b.period)}: {count} of {counted(b.incidents, 'incident')}"
                "</title></rect>"
            )
    end: float = strip + row * len(leaders)
    if leaders:
        parts.append(f'<text x="8" y="{end + 21}">share of the {unit}\'s incidents:</text>')
        key, height = legend(
            [(EMPTY, "none"), *((_heat(s), f"{s:.0%}") for s in (0.25, 0.5, 0.75, 1.0))],
            end + 8,
            WIDTH - 200,
            cells=True,
        )
        parts.append(f'<g transform="translate(200,0)">{key}</g>')
        end += 8 + height
    width = left + column * len(buckets) + 16
    return _svg(max(width, 560), end + 8, f"Incidents and leading factors by {unit}", parts)


def levels(report: PatternsReport) -> str:
    """Shared-factor occurrences by level as one bar, sharp end first, with a legend."""
    counts = by_level(report.trends.levels)
    total = sum(n for _, n in counts)
    if not total:
        return ""
    parts, x = [], 0.0
    for level, count in counts:
        w = WIDTH * count / total
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="{w:.1f}" height="22" '
            f'fill="{LEVEL_COLOURS.get(level, LEVEL_COLOURS["unset"])}">'
            f"<title>{_e(level)}: {count} ({100 * count / total:.0f}%)</title></rect>"
        )
        x += w
    key, height = legend(
        [
            (LEVEL_COLOURS.get(lv, LEVEL_COLOURS["unset"]), f"{lv} {n} ({100 * n / total:.0f}%)")
            for lv, n in counts
        ],
        34,
    )
    return _svg(WIDTH, 40 + height, "Shared-factor occurrences by level", [*parts, key])
