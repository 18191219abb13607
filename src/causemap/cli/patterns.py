"""``causemap patterns``: contributing factors shared across many incidents."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
from typing import TYPE_CHECKING

import click

from causemap.cli.base import (
    EXIT_PROBLEMS,
    PATH,
    catalog_option,
    echo_diagnostic,
    facts_cache,
    no_inputs_found,
    output_option,
    report_format,
    report_format_option,
)
from causemap.cli.output import destination, emit
from causemap.cli.store import db_option
from causemap.counts import counted

if TYPE_CHECKING:
    from causemap.catalog.model import Catalog
    from causemap.patterns.facts import IncidentFacts

FORMATS = ("text", "json", "markdown", "html")

PROGRESS_FROM = 200
"""Fewest files for which a progress bar is shown (on a terminal only)."""


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from causemap.model import parse_day

    try:
        return parse_day(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.argument("paths", nargs=-1, type=PATH, metavar="[PATH...]")
@db_option
@catalog_option
@click.option(
    "--since", callback=_date, default=None, metavar="DATE", help="Only incidents on or after DATE."
)
@report_format_option(*FORMATS)
@output_option
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Report on the valid files; the invalid ones are listed and left out (exit 1; "
    "files only).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes reading files (default: the cores this process may use).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the facts cache (by default each incident's reduced facts "
    "are kept in $CAUSEMAP_CACHE_DIR, else $XDG_CACHE_HOME/causemap, and an incident whose "
    "file or stored revision is unchanged is not read again).",
)
def patterns(
    paths: tuple[str, ...],
    db: str | None,
    catalog_path: str | None,
    since: dt.date | None,
    fmt: str | None,
    output: str | None,
    skip_invalid: bool,
    jobs: int | None,
    no_cache: bool,
) -> None:
    """Find contributing factors shared across the incidents in PATH... (files or folders),
    or, with no PATH, across every live incident in the store (--db).

    Nodes are matched in three layers: the same 'factor:' key; a confident match with a
    catalog entry; then clustering by wording and graph context, never merging two nodes
    of one incident. The report ranks shared factors by incidents and severity, and shows
    recurring causal links, factors that occur together (lift), factors whose fix was done
    before they came back, and trends by month, quarter or year. HTML is one self-contained
    file with charts.

    An invalid file stops the report (exit 1); with --skip-invalid each is reported and
    left out, the report is on the rest, and the exit status is 1 still.
    """
    from causemap.catalog import resolve_catalog
    from causemap.patterns import render
    from causemap.patterns.collect import collect, files_in
    from causemap.patterns.report import build_report

    fmt = report_format(fmt, output, FORMATS)
    if "-" in paths:
        raise click.UsageError("patterns reads files and folders, not standard input ('-')")
    if paths and db is not None:
        raise click.UsageError("give incident files and folders (PATH...) or --db, not both")
    if not paths and (skip_invalid or jobs is not None):
        given = "--skip-invalid" if skip_invalid else "-j/--jobs"
        raise click.UsageError(
            f"{given} is about reading files; with no PATH the report is on the store"
        )
    catalog = resolve_catalog(catalog_path, warn=echo_diagnostic)
    if not paths:
        from causemap.store.engine import resolve_url, sqlite_path

        target = destination(output, [catalog_path, sqlite_path(resolve_url(db))])
        stored = _stored(db, catalog, cached=not no_cache)
        report = build_report(stored, catalog, since=since)
        _warn_typos(stored, catalog)
        emit(render(report, fmt), target, output)
        return
    files, unread = files_in(paths, catalog_path)
    if not files and not unread:
        raise click.UsageError(no_inputs_found(paths))
    target = destination(output, [*files, catalog_path])
    total = len(files) + len(unread)
    bar = (
        click.progressbar(length=len(files) + 100, label="reading and matching", file=sys.stderr)
        if sys.stderr.isatty() and len(files) >= PROGRESS_FROM
        else None
    )
    with bar if bar is not None else contextlib.nullcontext():
        tick = bar.update if bar is not None else None
        with facts_cache(catalog, use=not no_cache) as cache:
            collected = collect(files, catalog, jobs=jobs, progress=tick, cache=cache)
        problems = [*unread, *collected.diagnostics]
        if problems:
            if bar is not None:
                click.echo(err=True)
            for diagnostic in problems:
                echo_diagnostic(diagnostic)
            if not skip_invalid:
                bad = len({d.file for d in problems})
                what = f"{bad} of {counted(total, 'file')} {'is' if bad == 1 else 'are'}"
                rest = (
                    f"fix {'it' if bad == 1 else 'them'}, or pass --skip-invalid to report "
                    "on the rest"
                    if bad < total
                    else "there is nothing valid to report on"
                )
                click.echo(f"causemap: {what} invalid; {rest}", err=True)
                raise SystemExit(EXIT_PROBLEMS)
        if not collected.incidents:
            click.echo("causemap: no valid incident to report on", err=True)
            raise SystemExit(EXIT_PROBLEMS)
        report = build_report(collected.incidents, catalog, since=since, progress=tick)
    _warn_typos(collected.incidents, catalog)
    emit(render(report, fmt), target, output)
    if problems:  # --skip-invalid: what was left out is a problem in the input, as for import
        bad = len({d.file for d in problems})
        click.echo(
            f"causemap: the report leaves out {bad} invalid of {counted(total, 'file')}",
            err=True,
        )
        raise SystemExit(EXIT_PROBLEMS)


def _warn_typos(incidents: list[IncidentFacts], catalog: Catalog) -> None:
    """A warning for each factor key that is not the catalog's but most likely a typo of
    one of its keys (:mod:`causemap.typos`): the report counts it as a factor of
    its own."""
    from causemap.patterns.advise import likely_typos

    for key, near, nodes, used_in in likely_typos(incidents, catalog.keys()):
        shown = ", ".join(used_in[:3]) + (
            f" and {len(used_in) - 3} more" if len(used_in) > 3 else ""
        )
        click.echo(
            f"causemap: warning: factor '{key}' ({counted(nodes, 'node')}, in {shown}) is not a "
            f"key of the catalog; did you mean '{near}'? The report counts it as a factor of "
            "its own",
            err=True,
        )


def _stored(db: str | None, catalog: Catalog, *, cached: bool) -> list[IncidentFacts]:
    """The latest revision of every live incident in the store, reduced for the report
    (the store must exist: a mistyped URL is an error, not an empty report), through the
    facts cache as files are. A store with no live incident gives the empty report, as
    ``GET /patterns`` does, with a note: it holds no invalid input (exit 1), only none yet."""
    from causemap.patterns.collect import collect_stored
    from causemap.patterns.suggest import CatalogIndex
    from causemap.store import Store

    with Store.open(db, create=False) as store:
        records, where = store.documents(), store.url
    if not records:
        click.echo(f"causemap: the store at {where} holds no live incident", err=True)
    with facts_cache(catalog, use=cached) as cache:
        index = functools.partial(CatalogIndex if cache is None else cache.index, catalog)
        return collect_stored([record.document for record in records], index, cache)
