"""The terminal report of an analysis: verdict, classes, findings with prompts, leverage.

A pure function of the incident and its analysis. Colour is optional ANSI styling passed
in by the caller (the CLI turns it on for terminals), so the same text goes to files and
tests unstyled.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from causemap.analyses.result import Analysis, Classification, Coverage, Finding, Prevention
from causemap.counts import counted
from causemap.model import Incident
from causemap.plain import clean

__all__ = ["analysis_text"]

Style = Callable[..., str]


def _plain(text: str, **_: object) -> str:
    return text


def _yes(flag: bool, style: Style) -> str:
    return style("yes", fg="green", bold=True) if flag else style("no", fg="red", bold=True)


def _wrap(text: str, width: int, indent: str, hang: str = "") -> list[str]:
    """``text`` made plain (no control characters or bidirectional marks, which would
    reorder the rest of the line) on lines of ``width``, after ``indent``; continuation
    lines also ``hang``."""
    # Not at hyphens: node ids are hyphenated, and "logins-" / "failed" reads as two ids.
    return textwrap.wrap(
        clean(text),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + hang,
        break_on_hyphens=False,
    ) or [indent]


def _coverage_line(name: str, view: Coverage, style: Style) -> str:
    if not view.actions:
        return f"  {name}: no actions"
    return (
        f"  {name} ({counted(len(view.actions), 'action')}): scenario prevented "
        f"{_yes(view.scenario_prevented, style)}, every path cut "
        f"{_yes(view.all_paths_cut, style)}, depth of defence {view.depth_of_defence}"
    )


def _uncut(p: Prevention, width: int) -> list[str]:
    """The preventive view's example uncut paths, causeless impacts and completing cut."""
    out: list[str] = []
    for path in p.uncovered_paths:
        out += _wrap("uncut: " + " → ".join(path), width, "    ", "  ")
    if p.unexplained:
        cause = "has no cause" if len(p.unexplained) == 1 else "have no cause"
        out += _wrap(
            f"{', '.join(p.unexplained)} {cause} yet: no action can prevent "
            f"{'it' if len(p.unexplained) == 1 else 'them'} until the causes are linked",
            width,
            "    ",
            "  ",
        )
    if p.suggested_cut:
        cut = ", ".join(p.suggested_cut)
        every = "every other path" if p.unexplained else "every path"
        out += _wrap(f"to cut {every}, also act on: {cut}", width, "    ", "  ")
    return out


def analysis_text(
    incident: Incident, analysis: Analysis, *, width: int = 100, style: Style | None = None
) -> str:
    """Return the readable report; ``style`` is e.g. ``click.style`` for colour."""
    style = style or _plain
    labels = {n.id: n.label for n in incident.nodes}
    out: list[str] = []
    counts = {
        c: sum(1 for x in analysis.nodes.values() if x.class_ == c)
        for c in ("proximate", "systemic", "impact")
    }
    severities = {
        s: sum(1 for f in analysis.findings if f.severity == s)
        for s in ("error", "warning", "info")
    }
    out.append(style(clean(incident.title), bold=True) + f"  ({incident.id}, {incident.date})")
    out.append(
        f"{counted(len(incident.nodes), 'node')}: {counts['proximate']} proximate, "
        f"{counts['systemic']} systemic, {counts['impact']} impact; findings: "
        f"{counted(severities['error'], 'error')}, {counted(severities['warning'], 'warning')}, "
        f"{severities['info']} info"
    )
    out += ["", style("Prevention", bold=True)]
    p = analysis.prevention
    out.append(_coverage_line("preventive actions", p, style))
    # The example paths and the cut are the preventive view's, so they sit under its line.
    out += _uncut(p, width)
    out.append(_coverage_line("preventive, done so far", p.done, style))
    out.append(_coverage_line("detect and mitigate", p.detection, style))
    if p.actions and p.detection.actions:  # with only one kind, it repeats that line
        out.append(_coverage_line("all actions together", p.combined, style))
    out.append(f"  systemic factors addressed: {p.systemic_addressed} of {p.systemic_total}")
    if p.minimal_prevention_sets:
        sets = "; ".join("{" + ", ".join(s) + "}" for s in p.minimal_prevention_sets[:5])
        if len(p.minimal_prevention_sets) > 5:
            sets += f"; and {len(p.minimal_prevention_sets) - 5} more"
        out += _wrap(
            f"smallest sets of root factors whose removal prevents it: {sets}", width, "  ", "  "
        )
    if p.truncated:
        out += _wrap(
            "the graph has too many root factors to list every cut set and prevention set: "
            "those listed are minimal, others may exist",
            width,
            "  ",
            "  ",
        )
    headings = {"proximate": "Proximate: what happened", "systemic": "Systemic: why it could"}
    for cls, colour in (("proximate", "yellow"), ("systemic", "blue")):
        rows = [(n, c) for n, c in analysis.nodes.items() if c.class_ == cls]
        if not rows:
            continue
        out += ["", style(f"{headings[cls]} ({len(rows)})", bold=True, fg=colour)]
        out += _class_table(rows, labels, width, style)
    out += ["", style(f"Findings ({len(analysis.findings)})", bold=True)]
    out += _findings(analysis.findings, width, style) or ["  none"]
    if analysis.ranking:
        out += ["", style("Most leverage", bold=True)]
        out.append(style("  score  node, and why", dim=True))
        for r in analysis.ranking[:5]:
            lines = _wrap(f"{r.node}: {r.why}", width - 9, "")
            out.append(f"  {r.score:.2f}   {lines[0]}")
            out += [" " * 9 + line for line in lines[1:]]
    return "\n".join(out) + "\n"


_ID_COLUMN = 40
"""The widest the node column gets; a longer id (ids go up to 80) has a line of its own."""


def _class_table(
    rows: list[tuple[str, Classification]], labels: dict[str, str], width: int, style: Style
) -> list[str]:
    """The node, rule and statement columns of one class, aligned whatever their widths."""
    id_width = min(_ID_COLUMN, max(len(n) for n, _ in rows))
    rule_width = max(len("rule"), *(len(c.rule) for _, c in rows))
    pad = " " * (2 + id_width + 2 + rule_width + 2)
    out = [style(f"  {'node':<{id_width}}  {'rule':<{rule_width}}  statement, and why", dim=True)]
    for node, c in rows:
        text = _wrap(labels.get(node, ""), width - len(pad), "")
        why = _wrap("; ".join(c.reasons), width - len(pad) - 2, "")
        if len(node) > id_width:
            out.append(f"  {node}")
            node = ""
        out.append(f"  {node:<{id_width}}  {c.rule:<{rule_width}}  {text[0]}")
        out += [pad + line for line in text[1:]]
        out += [pad + style("  " + line, dim=True) for line in why]
    return out


_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}


def _first(ids: list[str], most: int = 4) -> list[str]:
    """The first ``most`` of ``ids``, the last marked "…" when some are left out."""
    if len(ids) <= most:
        return ids
    return [*ids[: most - 1], ids[most - 1] + "…"]


def _findings(findings: list[Finding], width: int, style: Style) -> list[str]:
    out: list[str] = []
    for f in findings:
        head = style(f"{f.severity:<7}", fg=_SEVERITY_COLOUR[f.severity], bold=True)
        where = ", ".join(_first(f.nodes) + _first(f.actions))
        lines = _wrap(f"{f.code} {f.message}" + (f" [{where}]" if where else ""), width - 10, "")
        out.append(f"  {head} {lines[0]}")
        out += [" " * 10 + line for line in lines[1:]]
        out += _wrap("ask: " + f.prompt, width, " " * 10)
        if f.rewrite:
            out += _wrap("try: " + f.rewrite, width, " " * 10)
    return out
