"""Shared pieces of the command line: exit codes, error mapping, reading the inputs."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from causemap.catalog.model import Catalog
    from causemap.diagnostics import Diagnostic
    from causemap.loader import Checked
    from causemap.patterns.cache import FactsCache

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_ENVIRONMENT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "OPTION_FILE",
    "PATH",
    "NonEmptyPath",
    "CLIGroup",
    "catalog_option",
    "check_inputs",
    "output_option",
    "report_format",
    "report_format_option",
    "echo_diagnostic",
    "facts_cache",
    "no_inputs_found",
    "one_file",
    "silence_stdout",
]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERNAL = 4
EXIT_BROKEN_PIPE = 141
"""The reader of standard output went away (``| head``): 128 + SIGPIPE, what a shell
reports for a command that the closed pipe killed. Nothing is printed."""


class NonEmptyPath(click.Path):
    """A path that is not empty: ``""`` (a variable that was never set, as in
    ``-o "$OUT"``) would otherwise name the current folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("is empty", param, ctx)
        return super().convert(value, param, ctx)


PATH = NonEmptyPath()
"""The type of every input PATH, FILE and -o: any path but the empty one."""

output_option = click.option(
    "-o",
    "--output",
    type=PATH,
    default=None,
    metavar="FILE",
    help="Write to FILE instead of stdout.",
)
"""``-o FILE`` of the commands that write one report (``analyze``, ``patterns``)."""

REPORT_SUFFIXES = {
    ".txt": "text",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
"""The report format each suffix of ``-o FILE`` names (compared ignoring case)."""


def _suffixes(choices: Sequence[str]) -> str:
    return ", ".join(s for s, name in REPORT_SUFFIXES.items() if name in choices)


def report_format_option(*choices: str) -> Callable[[F], F]:
    """``--format`` of a command with :data:`output_option`; resolve the value it gives
    with :func:`report_format` (None means it was not given)."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=None,
        help=f"Output format. Default: the one the suffix of -o FILE names "
        f"({_suffixes(choices)}), else {choices[0]}.",
    )


def report_format(fmt: str | None, output: str | None, choices: Sequence[str]) -> str:
    """The format to write: ``--format`` when given, else the one the suffix of ``-o
    FILE`` names, else the first of ``choices``. A suffix that names no format keeps that
    default; one that names a format the command does not write (a report format, or a
    diagram's such as ``.pdf``) is a usage error, as writing text into ``report.html``
    would only fail later, in whatever opens it."""
    if fmt is not None:
        return fmt
    if output is None or output == "-":
        return choices[0]
    suffix = os.path.splitext(output)[1]
    implied = REPORT_SUFFIXES.get(suffix.lower())
    if implied is None:
        from causemap.render import format_for_path

        drawn = format_for_path(output)
        if drawn is not None:  # report.pdf: a report's text under a diagram's name
            raise click.UsageError(
                f"-o {output}: the suffix '{suffix}' names a {drawn.name} diagram, which "
                f"'causemap render' draws; name the file with one of {_suffixes(choices)}, "
                "or give --format"
            )
        return choices[0]
    if implied not in choices:
        raise click.UsageError(
            f"-o {output}: the suffix '{suffix}' names {implied}, which this command does "
            f"not write; name the file with one of {_suffixes(choices)}, or give --format"
        )
    return implied


class OptionFile(NonEmptyPath):
    """A file an option names: not ``-``, as standard input is the incident's."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "-":
            self.fail("reads a file, not standard input ('-')", param, ctx)
        return super().convert(value, param, ctx)


OPTION_FILE = OptionFile(dir_okay=False, readable=False)
"""The type of ``--config FILE`` and ``--catalog FILE``. A folder or ``-`` is a usage error
(exit 2); a file that is missing or unreadable is left to its loader, which reports it at
the file's name as a problem in the input (exit 1), like an unreadable incident file."""

catalog_option = click.option(
    "--catalog",
    "catalog_path",
    type=OPTION_FILE,
    default=None,
    help="Factor catalog file to use instead of the built-in one (a file with "
    "'extends: builtin' adds to it).",
)
"""``--catalog FILE``, the same for every command that matches factors."""


def facts_cache(
    catalog: Catalog, *, use: bool
) -> contextlib.AbstractContextManager[FactsCache | None]:
    """The patterns cache for ``catalog`` in the user's cache folder (facts of incidents
    and the catalog's index), or none (``--no-cache``); its problems are warnings."""
    from causemap.patterns.cache import FactsCache, default_folder

    if not use:
        return contextlib.nullcontext()
    return FactsCache(default_folder(), catalog.digest(), warn=_cache_warning)


def _cache_warning(message: str) -> None:
    click.echo(f"causemap: warning: {message}", err=True)


def _exit_code(exc: Exception) -> int:
    from causemap import errors

    if isinstance(exc, errors.UnknownFormat | errors.InvalidDatabaseUrl):
        return EXIT_USAGE
    if isinstance(exc, errors.RenderError | errors.StoreUnavailable):
        return EXIT_ENVIRONMENT
    return EXIT_PROBLEMS


class CLIGroup(click.Group):
    """A group that lists commands in order and turns library errors into exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the group's own options; ``--help`` and ``--version`` print here, before
        :meth:`invoke`, so their output failing is mapped here, as a command's is there."""
        from causemap.cli.output import OutputError

        try:
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            silence_stdout()
            raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
        except OSError as exc:
            silence_stdout()
            raise OutputError("standard output", exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        from causemap.errors import CatalogError, CausemapError, InvalidIncident

        try:
            return super().invoke(ctx)
        except (InvalidIncident, CatalogError) as exc:
            for diagnostic in exc.diagnostics:
                echo_diagnostic(diagnostic)
            ctx.exit(EXIT_PROBLEMS)
        except CausemapError as exc:
            click.echo(f"causemap: error: {exc}", err=True)
            ctx.exit(_exit_code(exc))
        except BrokenPipeError:
            silence_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except OSError as exc:
            # Unreadable inputs are diagnostics (exit 1) before they get here; what is
            # left is the environment: a full disk, a folder that cannot be made.
            # Standard output goes quiet first: if it was what failed (a command's --help
            # on a full disk), flushing it again at exit would print a traceback.
            silence_stdout()
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"causemap: error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(EXIT_ENVIRONMENT)


def silence_stdout() -> None:
    """Point standard output at the null device, so nothing buffered fails again at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, sys.stdout.fileno())
        finally:
            os.close(null)


_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def echo_diagnostic(diagnostic: Diagnostic, *, err: bool = True) -> None:
    """Print one diagnostic in compiler format, coloured on a terminal."""
    text = diagnostic.format()
    label = f": {diagnostic.severity}:"
    stream = sys.stderr if err else sys.stdout
    if stream.isatty() and label in text:
        head, tail = text.split(label, 1)
        text = (
            head
            + ": "
            + click.style(diagnostic.severity, fg=_COLOURS[diagnostic.severity], bold=True)
            + ":"
            + tail
        )
    if err:
        click.echo(text, err=True)
    else:
        from causemap.cli.output import echo

        echo(text)


def check_inputs(paths: Sequence[str]) -> list[Checked]:
    """Read and validate every input path (``-`` is standard input); never raises."""
    from causemap.loader import check_file, discover, not_a_file
    from causemap.validation import check_corpus

    results: list[Checked] = []
    files = [p for p in paths if p != "-"]
    if "-" in paths:
        results.append(_check_stdin())
    for path in discover(files, special=lambda p: results.append(not_a_file(p))):
        results.append(check_file(path))
    valid = [(r.name, r.incident) for r in results if r.incident is not None]
    by_name = {r.name: r for r in results}
    for name, diagnostic in check_corpus(valid):
        result = by_name[name]
        located = result.sourcemap.place(diagnostic.model_copy(update={"file": name}))
        result.diagnostics.append(located)
        result.incident = result.graph = None
    return results


def _check_stdin() -> Checked:
    """Standard input as an incident; closed or unreadable, it is a diagnostic as an
    unreadable file is."""
    from causemap.diagnostics import Diagnostic
    from causemap.loader import Checked, check_bytes
    from causemap.source import read_stream

    try:
        if sys.stdin is None:  # started with descriptor 0 closed (<&-)
            raise OSError("it is closed")
        return check_bytes(read_stream(sys.stdin.buffer), "<stdin>")
    except OSError as exc:
        message = f"cannot read standard input: {exc.strerror or exc}"
        diagnostic = Diagnostic(
            severity="error", code="unreadable", file="<stdin>", message=message
        )
        return Checked(name="<stdin>", diagnostics=[diagnostic])


def no_inputs_found(paths: Iterable[str]) -> str:
    """Message for folders that held no incident files."""
    return f"no .yaml, .yml or .json files found in: {', '.join(paths)}"


def one_file(path: str, command: str) -> None:
    """Refuse a folder where ``command`` reads exactly one incident file (exit 2)."""
    if path != "-" and os.path.isdir(path):
        raise click.UsageError(f"{command} takes one incident file; {path} is a folder")
