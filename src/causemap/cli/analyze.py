"""``causemap analyze``: the full analysis of one incident."""

from __future__ import annotations

import json
import sys

import click

from causemap.cli.base import (
    EXIT_PROBLEMS,
    OPTION_FILE,
    PATH,
    check_inputs,
    echo_diagnostic,
    one_file,
    output_option,
    report_format,
    report_format_option,
)
from causemap.cli.output import destination, emit

FORMATS = ("text", "json", "markdown")

CONFIG_HELP = "YAML file with word lists and thresholds (see schemas/config.schema.json)."


@click.command()
@click.argument("path", type=PATH, metavar="FILE")
@report_format_option(*FORMATS)
@click.option("--config", "config_path", type=OPTION_FILE, default=None, help=CONFIG_HELP)
@output_option
def analyze(path: str, fmt: str | None, config_path: str | None, output: str | None) -> None:
    """Analyse one incident: proximate vs systemic, findings, prevention, leverage.

    FILE is a YAML or JSON incident, or '-' for standard input. Text is a readable report
    (coloured on a terminal); json follows schemas/analysis.schema.json; markdown is the
    "Causal analysis" section for a postmortem document, with its Mermaid diagram.
    """
    from causemap.analyses import analyze as run
    from causemap.analyses import load_config

    one_file(path, "analyze")
    fmt = report_format(fmt, output, FORMATS)
    target = destination(output, [path, config_path])
    (checked,) = check_inputs([path])
    for diagnostic in checked.diagnostics:
        echo_diagnostic(diagnostic)
    if checked.incident is None or checked.graph is None:
        raise SystemExit(EXIT_PROBLEMS)
    config = load_config(config_path) if config_path else None
    result = run(checked.graph, config=config)
    if fmt == "json":
        text = (
            json.dumps(result.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)
            + "\n"
        )
    elif fmt == "markdown":
        from causemap.errors import LimitExceeded
        from causemap.render import render

        try:
            text = render(checked.incident, "markdown", analysis=result).decode("utf-8")
        except LimitExceeded as exc:  # its diagram is over the caps: named as render does
            click.echo(f"{checked.name}: error: {exc}", err=True)
            raise SystemExit(EXIT_PROBLEMS) from None
    else:
        from causemap.report import analysis_text

        colour = output in (None, "-") and sys.stdout.isatty()
        text = analysis_text(checked.incident, result, style=click.style if colour else None)
    emit(text, target, output)
