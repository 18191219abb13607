"""``causemap suggest``: rank catalog factors for every node of an incident."""

from __future__ import annotations

import json

import click

from causemap.cli.base import (
    EXIT_PROBLEMS,
    PATH,
    catalog_option,
    check_inputs,
    echo_diagnostic,
    facts_cache,
    one_file,
)
from causemap.cli.output import echo, write_stdout


@click.command()
@click.argument("path", type=PATH, metavar="FILE")
@catalog_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--top", default=3, show_default=True, type=click.IntRange(1, 50), help="Entries per node."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build the catalog's scoring index anew and keep nothing (by default it is kept "
    "in $CAUSEMAP_CACHE_DIR, else $XDG_CACHE_HOME/causemap, beside the facts cache of "
    "'patterns', so later runs start faster).",
)
def suggest(path: str, catalog_path: str | None, fmt: str, top: int, no_cache: bool) -> None:
    """Suggest catalog factors for every non-impact node of FILE ('-' for standard input).

    Each suggestion has a score, a confidence and its evidence: the catalog phrases and
    keywords found in the node's wording. Nodes that already carry a 'factor:' key show it;
    a key that is not in the catalog is warned of on standard error, with the catalog key
    it is most likely a typo of, if any.
    Accept a suggestion by setting the node's 'factor:' to the suggested key.
    """
    from causemap.catalog import resolve_catalog
    from causemap.patterns.advise import suggest_nodes, unknown_factors
    from causemap.patterns.suggest import CatalogIndex

    one_file(path, "suggest")
    catalog = resolve_catalog(catalog_path, warn=echo_diagnostic)
    (checked,) = check_inputs([path])
    if checked.incident is None or checked.graph is None:
        for diagnostic in checked.diagnostics:
            echo_diagnostic(diagnostic)
        raise SystemExit(EXIT_PROBLEMS)
    incident = checked.incident
    for unknown in unknown_factors(incident, catalog.keys(), catalog.name):
        echo_diagnostic(checked.sourcemap.place(unknown.model_copy(update={"file": checked.name})))
    with facts_cache(catalog, use=not no_cache) as cache:
        index = CatalogIndex(catalog) if cache is None else cache.index(catalog, examples=True)
    rows = suggest_nodes(incident, checked.graph, index, top)
    if fmt == "json":
        from causemap.patterns.suggestions import listing

        report = listing(incident.id, catalog.name, rows)
        echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    from causemap.patterns.render_text import suggestions_to_text

    nothing = f"{incident.id}: no nodes but impacts, so nothing to suggest a factor for\n"
    write_stdout(suggestions_to_text(rows) or nothing)
