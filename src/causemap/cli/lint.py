"""``causemap lint``: method checks for a postmortem repository's CI."""

from __future__ import annotations

import json

import click

from causemap.cli.analyze import CONFIG_HELP
from causemap.cli.base import (
    EXIT_PROBLEMS,
    OPTION_FILE,
    PATH,
    check_inputs,
    echo_diagnostic,
    no_inputs_found,
)
from causemap.cli.output import echo
from causemap.counts import counted


@click.command()
@click.argument("paths", nargs=-1, required=True, type=PATH, metavar="PATH...")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github prints workflow annotations with file and line.",
)
@click.option("--config", "config_path", type=OPTION_FILE, default=None, help=CONFIG_HELP)
@click.option(
    "--select",
    default=None,
    metavar="CODES",
    help="Only these finding codes, comma-separated (e.g. BLAME_LANGUAGE,NAMES_PERSON); "
    "format warnings such as closed-not-done are left out, errors never.",
)
def lint(
    paths: tuple[str, ...], fail_on: str, fmt: str, config_path: str | None, select: str | None
) -> None:
    """Run the method checks on incident files, for CI of a postmortem repository.

    PATH may be a file, a folder (searched recursively) or '-'. Every finding is printed
    at the file and line of the node or action it concerns, with the question to ask the
    room. Invalid files are reported like `causemap validate` does. Exits 1 when any file
    is invalid or any finding reaches --fail-on.
    """
    from causemap.analyses import analyze, load_config
    from causemap.analyses.findings import finding_pointer, in_file_order, not_repeated, reaches
    from causemap.diagnostics import Diagnostic, format_github

    wanted = _codes(select) if select is not None else None
    config = load_config(config_path) if config_path else None
    results = check_inputs(paths)
    if not results:
        raise click.UsageError(no_inputs_found(paths))
    failed = False
    report = []
    for checked in results:
        # The format's own warnings are findings too: --select leaves them out, --fail-on
        # counts them. Errors always stay: they make the file invalid.
        own = [d for d in checked.diagnostics if d.severity == "error" or wanted is None]
        failed |= not checked.ok
        failed |= any(reaches(d.severity, fail_on) for d in own)
        found: list[Diagnostic] = []
        if checked.incident is not None and checked.graph is not None:
            index = {n.id: i for i, n in enumerate(checked.incident.nodes)}
            actions = {a.id: i for i, a in enumerate(checked.incident.actions)}
            for f in analyze(checked.graph, config=config).findings:
                if wanted is not None and f.code not in wanted:
                    continue
                failed |= reaches(f.severity, fail_on)
                ptr = finding_pointer(f, index, actions)
                where = checked.locate(ptr) if ptr else (1, 1)
                found.append(
                    Diagnostic(
                        severity=f.severity,
                        code=f.code,
                        pointer=ptr,
                        file=checked.name,
                        line=where[0] if where else None,
                        column=where[1] if where else None,
                        message=f"{f.message}. Ask: {f.prompt}",
                    )
                )
        placed = [(d.pointer, d.code) for d in found]
        report.append((checked.name, in_file_order([*not_repeated(own, placed), *found])))
    if fmt == "json":
        echo(
            json.dumps(
                [{"file": name, "findings": [d.model_dump() for d in ds]} for name, ds in report],
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for _, diagnostics in report:
            for d in diagnostics:
                if fmt == "github":
                    echo(format_github(d))
                else:
                    echo_diagnostic(d, err=False)
        if fmt == "text":
            total = sum(len(ds) for _, ds in report)
            # A file's format errors are among the findings; say how many files they spoil.
            invalid = sum(not checked.ok for checked in results)
            spoilt = f" ({invalid} invalid)" if invalid else ""
            echo(f"{counted(len(report), 'file')}{spoilt}, {counted(total, 'finding')}")
    if failed:
        raise SystemExit(EXIT_PROBLEMS)


def _codes(select: str) -> set[str]:
    """The finding codes ``--select`` names; an unknown or missing one is a usage error."""
    from causemap.analyses import CODES

    wanted = {c.strip().upper() for c in select.split(",") if c.strip()}
    unknown = sorted(wanted - set(CODES))
    if unknown or not wanted:
        plural = "s" if len(unknown) > 1 else ""
        what = f"unknown finding code{plural} {', '.join(unknown)}" if unknown else "no code given"
        raise click.BadParameter(f"{what}; known codes: {', '.join(CODES)}", param_hint="--select")
    return wanted
