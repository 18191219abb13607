"""``causemap validate``: check incident files against the format."""

from __future__ import annotations

import json

import click

from causemap.cli.base import EXIT_PROBLEMS, PATH, check_inputs, echo_diagnostic, no_inputs_found
from causemap.cli.output import echo
from causemap.counts import counted


@click.command()
@click.argument("paths", nargs=-1, required=True, type=PATH, metavar="PATH...")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on warnings).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
def validate(paths: tuple[str, ...], fmt: str, strict: bool, quiet: bool) -> None:
    """Check incident files (YAML or JSON) against the format.

    PATH may be a file, a folder (searched recursively for *.yaml, *.yml and *.json) or
    '-' for standard input. Every problem is printed as file:line:col with its JSON
    pointer. Exits 0 when every file is valid (warnings allowed), 1 when any is not.
    """
    results = check_inputs(paths)
    if not results:
        raise click.UsageError(no_inputs_found(paths))
    # With --strict, a file with warnings fails: the per-file verdict says so too.
    failed = [not r.ok or (strict and bool(r.diagnostics)) for r in results]
    invalid = [r for r, bad in zip(results, failed, strict=True) if bad]
    errors = sum(len(r.errors) for r in results)
    warnings = sum(1 for r in results for d in r.diagnostics if d.severity == "warning")
    if fmt == "json":
        report = {
            "files": [
                {
                    "file": r.name,
                    "valid": not bad,
                    "incident": r.incident.id if r.incident else None,
                    "diagnostics": [d.model_dump() for d in r.diagnostics],
                }
                for r, bad in zip(results, failed, strict=True)
            ],
            "summary": {
                "files": len(results),
                "invalid": len(invalid),
                "errors": errors,
                "warnings": warnings,
            },
        }
        echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for r, bad in zip(results, failed, strict=True):
            if r.incident is not None and r.graph is not None and not quiet:
                inc = r.incident
                verdict = "fails --strict (warnings)" if bad else "ok"
                echo(
                    f"{r.name}: {verdict}: {inc.id}: {counted(len(inc.nodes), 'node')}, "
                    f"{counted(r.graph.number_of_edges(), 'edge')}, "
                    f"{counted(len(inc.actions), 'action')}"
                )
            for diagnostic in r.diagnostics:
                echo_diagnostic(diagnostic, err=False)
        echo(
            f"{counted(len(results), 'file')}: {len(results) - len(invalid)} valid, "
            f"{len(invalid)} invalid; {counted(errors, 'error')}, {counted(warnings, 'warning')}"
        )
    if invalid:
        raise SystemExit(EXIT_PROBLEMS)
