"""Cross-incident patterns: shared contributing factors, however each team worded them.

The pipeline, one module per step::

    text       normalise wording to stems
    concepts   map wording to shared concepts, with negation (concepts.yaml)
    phrases    find catalog phrases in a text, denials included
    weights    how much each signal, and each term of an entry, counts
    background  the built-in entries scored beside a catalog that replaces them
    index      the catalog index: its scoring tables, and the scoring
    examples   the example wording of an entry closest to a text
    suggest    rank catalog entries for a node's text, with evidence
    facts      reduce one incident to what the analysis needs
    advise     suggestions for every node of one incident (suggest, POST /suggest)
    typos      whether a factor key not in the catalog is a typo of one of its keys
               (causemap.typos, below the catalog, which hints related keys with it)
    suggestions  their JSON, in both shapes (schemas/suggest*.schema.json)
    collect    read many files in parallel
    matching   keys → catalog → similarity clusters, with cannot-link
    report     leaderboard, links, co-occurrence, recurrence after fix, trends
    result     the report model (schemas/patterns.schema.json)
    present    what the renderers share: caps, names, level order, trend buckets
    render_*   text (80 columns), Markdown and self-contained HTML

:func:`patterns` runs it on incidents already in memory; the CLI's ``causemap patterns``
reads files with :func:`~causemap.patterns.collect.collect`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from causemap.catalog.model import Catalog
from causemap.errors import UnknownFormat
from causemap.model import Incident
from causemap.patterns.matching import MatchSettings
from causemap.patterns.result import PatternsReport
from causemap.patterns.suggest import CatalogIndex, Suggestion, suggest

__all__ = [
    "FORMATS",
    "CatalogIndex",
    "MatchSettings",
    "PatternsReport",
    "Suggestion",
    "patterns",
    "render",
    "suggest",
]

FORMATS = ("text", "json", "markdown", "html")


def patterns(
    incidents: Iterable[Incident],
    catalog: Catalog | None = None,
    *,
    since: dt.date | None = None,
    settings: MatchSettings | None = None,
) -> PatternsReport:
    """Return the cross-incident report for valid incidents held in memory.

    Raises
    ------
    InvalidIncident
        When two incidents share an id (the report keys every node by its incident's id),
        with a diagnostic at the second one's ``/N/id``.
    """
    from causemap.catalog import builtin_catalog
    from causemap.graph import to_graph
    from causemap.patterns.facts import default_classifier, extract
    from causemap.patterns.report import build_report

    incidents = list(incidents)
    _distinct(incidents)
    catalog = catalog or builtin_catalog()
    index = CatalogIndex(catalog)
    classify, _ = default_classifier()
    facts = [extract(inc, to_graph(inc), index, classify) for inc in incidents]
    return build_report(facts, catalog, since=since, settings=settings)


def _distinct(incidents: list[Incident]) -> None:
    """Refuse two incidents with one id, as the CLI and the service do."""
    from causemap.diagnostics import Diagnostic
    from causemap.errors import InvalidIncident

    first: dict[str, int] = {}
    problems = []
    for i, incident in enumerate(incidents):
        if incident.id in first:
            problems.append(
                Diagnostic(
                    severity="error",
                    code="duplicate-incident-id",
                    message=f"incident id '{incident.id}' is already used by incident "
                    f"{first[incident.id]}",
                    pointer=f"/{i}/id",
                )
            )
        first.setdefault(incident.id, i)
    if problems:
        raise InvalidIncident(problems, "<incidents>")


def render(report: PatternsReport, fmt: str) -> str:
    """Return the report as text, json, markdown or html."""
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "text":
        from causemap.patterns.render_text import to_text

        return to_text(report)
    if fmt == "markdown":
        from causemap.patterns.render_text import to_markdown

        return to_markdown(report)
    if fmt == "html":
        from causemap.patterns.render_html import to_html

        return to_html(report)
    raise UnknownFormat(f"unknown format '{fmt}'; choose from: {', '.join(FORMATS)}")
