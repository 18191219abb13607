"""``causemap render``: draw incidents as diagrams, or write their Markdown section."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from causemap.cli.analyze import CONFIG_HELP
from causemap.cli.base import (
    EXIT_ENVIRONMENT,
    EXIT_PROBLEMS,
    OPTION_FILE,
    PATH,
    check_inputs,
    echo_diagnostic,
    no_inputs_found,
)
from causemap.cli.output import (
    check_entry,
    check_target,
    echo,
    make_folder,
    write_file,
    write_stdout,
)

# Listed here rather than imported, so that ``causemap --help`` loads no renderer; a test
# keeps it equal to causemap.render.FORMATS.
FORMAT_NAMES = ("dot", "svg", "png", "pdf", "mermaid", "markdown", "json")


@click.command("render")
@click.argument("paths", nargs=-1, required=True, type=PATH, metavar="FILE...")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMAT_NAMES),
    default=None,
    help="Output format. Default: from the suffix of -o FILE (one no format has is an "
    "error), else svg.",
)
@click.option(
    "-o",
    "--output",
    type=PATH,
    default=None,
    metavar="FILE|DIR|-",
    help="Where to write: a file, a folder (one <incident-id>.<ext> per input; "
    "required for several inputs, and always used for a folder of them) or - for standard "
    "output (the default for one input; several inputs only as dot or markdown).",
)
@click.option(
    "--direction",
    type=click.Choice(["LR", "TB"]),
    default=None,
    help="Causes flow left to right (LR, the default) or top down (TB, the default "
    "with --lanes level).",
)
@click.option(
    "--lanes",
    type=click.Choice(["none", "level"]),
    default="none",
    show_default=True,
    help="level: AcciMap swimlanes, external and organization at the top, technical at the bottom.",
)
@click.option(
    "--actions", is_flag=True, help="Draw action items as notes on the nodes they address."
)
@click.option(
    "--highlight",
    type=click.Choice(["none", "uncovered"]),
    default="none",
    show_default=True,
    help="uncovered: draw heavy the causal paths that no preventive action cuts.",
)
@click.option("--focus", metavar="NODE", help="Show only NODE with its causes and its effects.")
@click.option("--no-legend", is_flag=True, help="Leave out the legend.")
@click.option("--no-edge-labels", is_flag=True, help="Leave out the labels of the links.")
@click.option("--config", "config_path", type=OPTION_FILE, default=None, help=CONFIG_HELP)
def render_command(
    paths: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    direction: str | None,
    lanes: str,
    actions: bool,
    highlight: str,
    focus: str | None,
    no_legend: bool,
    no_edge_labels: bool,
    config_path: str | None,
) -> None:
    """Draw incidents as diagrams (dot, svg, png, pdf, mermaid), as a Markdown
    "Causal analysis" section for a postmortem document, or as canonical JSON.

    Shapes show the kind of each node, colours its class (proximate or systemic, from
    the analysis), ⚠ the method checks that fired. FILE may be a file, a folder or '-'
    for standard input. svg, png and pdf need Graphviz (dot); png and pdf are never
    written to a terminal. A Mermaid diagram past what GitHub and GitLab draw (50,000
    characters or 500 links) is written whole with a warning; the Markdown section
    leaves it out and says why. Every input is drawn whatever becomes of the others;
    exits 1 when an input is invalid, 3 when Graphviz is missing, fails or is too slow
    (the worst of these).
    """
    from pydantic import ValidationError

    from causemap.analyses import analyze, load_config
    from causemap.errors import GraphvizNotFound, LimitExceeded, NodeNotFound, RenderError
    from causemap.render import FORMATS, RenderOptions, format_for_path, render
    from causemap.render.mermaid import viewer_problem
    from causemap.render.view import check_focus

    try:
        options = RenderOptions(
            direction=direction,  # type: ignore[arg-type]
            lanes=lanes,  # type: ignore[arg-type]
            actions=actions,
            highlight=highlight,  # type: ignore[arg-type]
            focus=focus,
            legend=not no_legend,
            edge_labels=not no_edge_labels,
        )
    except ValidationError:
        raise click.BadParameter(f"'{focus}' is not a node id", param_hint="--focus") from None
    results = check_inputs(paths)
    if not results:
        raise click.UsageError(no_inputs_found(paths))
    several = len(results) > 1
    # A folder of inputs may hold any number of incidents: -o is a folder for it, not a
    # file while it holds one incident and a folder from the second on.
    folder_in = any(p != "-" and os.path.isdir(p) for p in paths)
    target = None if output in (None, "-") else Path(str(output))
    to_folder = target is not None and (
        several or folder_in or target.is_dir() or str(output).endswith("/")
    )
    implied = format_for_path(str(target)) if target is not None and not to_folder else None
    if not fmt and implied is None and target is not None and not to_folder and target.suffix:
        # Writing SVG into diagram.jpg would only fail later, in whatever opens it.
        known = ", ".join(sorted({spec.suffix for spec in FORMATS.values()}))
        raise click.UsageError(
            f"-o {output}: no output format has the suffix '{target.suffix}'; name the file "
            f"with one of {known}, or give -f"
        )
    spec = FORMATS[fmt] if fmt else implied or FORMATS["svg"]
    if several and output is None:
        raise click.UsageError("several inputs: write them to a folder with -o DIR")
    if target is None and spec.binary and (several or sys.stdout.isatty()):
        where = "one standard output" if several else "a terminal"
        raise click.UsageError(
            f"refusing to write binary {spec.name} to {where}; use -o FILE or -o DIR"
        )
    if target is None and several and not spec.streams:
        raise click.UsageError(
            f"several {spec.name} documents cannot share one standard output (end to end they "
            "are not one document); use -o DIR, or -f dot or markdown"
        )
    if to_folder and target is not None and target.exists() and not target.is_dir():
        raise click.UsageError(
            f"-o {output}: not a folder, but several inputs, or a folder of them, need one"
        )
    # --focus names a node of every incident drawn, and every destination is checked,
    # before anything is drawn or written.
    if spec.renderer is not None:  # json ignores the view options
        for result in results:
            if result.graph is None:
                continue
            try:
                check_focus(result.graph, focus)
            except NodeNotFound as exc:
                raise click.BadParameter(str(exc), param_hint="--focus") from None
    inputs = [r.name for r in results] + [config_path]
    files: dict[str, tuple[Path, str]] = {}
    for result in results:
        if target is not None and result.incident is not None:
            path = target / f"{result.incident.id}{spec.suffix}" if to_folder else target
            check = check_entry if to_folder else check_target
            files[result.name] = (check(path, str(path), inputs), str(path))
    if to_folder and target is not None:
        make_folder(target)

    config = load_config(config_path) if config_path else None
    # Each input is drawn whatever became of the others; the exit code is the worst.
    status = 0
    no_graphviz = False
    for result in results:
        for diagnostic in result.errors:
            echo_diagnostic(diagnostic)
        if result.incident is None:
            status = max(status, EXIT_PROBLEMS)
            continue
        if no_graphviz:
            continue  # said once already; the other inputs are still checked
        try:
            analysis = (
                analyze(result.graph, config=config, picture=spec.picture)
                if result.graph is not None and spec.name != "json"
                else None
            )
            data = render(result.incident, spec.name, options, analysis=analysis)
        except NodeNotFound as exc:
            raise click.BadParameter(str(exc), param_hint="--focus") from None
        except LimitExceeded as exc:
            click.echo(f"{result.name}: error: {exc}", err=True)
            status = max(status, EXIT_PROBLEMS)
            continue
        except GraphvizNotFound as exc:  # not about this input: said once, without a file
            click.echo(f"causemap: error: {exc}", err=True)
            no_graphviz = True
            status = EXIT_ENVIRONMENT
            continue
        except RenderError as exc:  # dot failed, timed out or drew something refused
            click.echo(f"causemap: error: {result.name}: {exc}", err=True)
            status = EXIT_ENVIRONMENT
            continue
        if spec.name == "mermaid":  # still written whole: other viewers may allow more
            too_big = viewer_problem(data.decode("utf-8"))
            if too_big:
                click.echo(f"{result.name}: warning: {too_big}; -f svg draws it", err=True)
        if target is None:
            write_stdout(data)
        else:
            real, shown = files[result.name]
            write_file(data, real, shown)
            echo(f"wrote {shown}")
    if status:
        raise SystemExit(status)
